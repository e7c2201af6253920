/**
 * From an etcd key back to the Kubernetes resource it stores, so a value can be read with
 * the provider list the EncryptionConfiguration gives that resource (spec §2.4).
 *
 * kube-apiserver stores a built-in resource under `<prefix>/<resource prefix>/[<namespace>/]<name>`
 * where the resource prefix is the lowercase resource name, except for a few compiled-in
 * overrides (pkg/kubeapiserver/default_storage_factory_builder.go, SpecialDefaultResourcePrefixes).
 * Cohabiting resources (apps/extensions deployments, core/events.k8s.io events) share the
 * storage of the first group, which is also the group the encryption config names.
 * Custom resources, APIServices and CRDs are stored under `<group>/<resource>/...`.
 */
import type { GroupResource } from "./resources.js";

export interface KeyLocation extends GroupResource {
  /** Namespace/name or name, from the rest of the key; informational (keys are opaque to upstream). */
  objectPath: string;
}

/** Resource prefixes that differ from the resource name (exact upstream list). */
const SPECIAL_PREFIXES: ReadonlyArray<readonly [string, GroupResource]> = [
  ["services/specs", { group: "", resource: "services" }],
  ["services/endpoints", { group: "", resource: "endpoints" }],
  ["controllers", { group: "", resource: "replicationcontrollers" }],
  ["minions", { group: "", resource: "nodes" }],
  ["ingress", { group: "networking.k8s.io", resource: "ingresses" }],
];

/** First key segments that may start a special prefix (`services`, `controllers`, ...). */
const SPECIAL_FIRST_SEGMENTS = new Set(SPECIAL_PREFIXES.map(([special]) => special.split("/")[0]!));

/** Groups of the built-in resources stored under their plain name; anything else there is core. */
const BUILTIN_GROUPS: Readonly<Record<string, readonly string[]>> = {
  apps: ["deployments", "replicasets", "statefulsets", "daemonsets", "controllerrevisions"],
  batch: ["jobs", "cronjobs"],
  autoscaling: ["horizontalpodautoscalers"],
  policy: ["poddisruptionbudgets", "podsecuritypolicies"],
  "networking.k8s.io": ["networkpolicies", "ingressclasses", "ipaddresses", "servicecidrs"],
  "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
  "storage.k8s.io": ["storageclasses", "volumeattachments", "csinodes", "csidrivers", "csistoragecapacities", "volumeattributesclasses"],
  "admissionregistration.k8s.io": [
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
  ],
  "coordination.k8s.io": ["leases", "leasecandidates"],
  "scheduling.k8s.io": ["priorityclasses", "workloads", "podgroups"],
  "node.k8s.io": ["runtimeclasses"],
  "certificates.k8s.io": ["certificatesigningrequests", "clustertrustbundles", "podcertificaterequests"],
  "discovery.k8s.io": ["endpointslices"],
  "flowcontrol.apiserver.k8s.io": ["flowschemas", "prioritylevelconfigurations"],
  "resource.k8s.io": ["resourceclaims", "resourceclaimtemplates", "deviceclasses", "resourceslices", "devicetaintrules", "resourcepoolstatusrequests"],
  "storagemigration.k8s.io": ["storageversionmigrations", "storagemigrations"],
  "internal.apiserver.k8s.io": ["storageversions"],
};

const GROUP_OF = new Map<string, string>(Object.entries(BUILTIN_GROUPS).flatMap(([group, resources]) => resources.map((r) => [r, group] as const)));

/** Keys under the prefix that hold apiserver bookkeeping, not objects read through the transformers. */
const NOT_RESOURCES = new Set(["ranges", "masterleases"]);

/** The storage prefix as kube-apiserver normalises it: leading and trailing `/` (spec §1). */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "/" : `/${trimmed}/`;
}

/** Where an etcd key points, or undefined for keys that are not Kubernetes objects. */
export function locateKey(prefix: string, key: string): KeyLocation | undefined {
  return keyLocator(prefix)(key);
}

/**
 * `locateKey` with the prefix normalised once, for scans that locate every key under it:
 * one `indexOf` per key instead of a regex, a split and a join.
 */
export function keyLocator(prefix: string): (key: string) => KeyLocation | undefined {
  const base = normalizePrefix(prefix);
  return (key) => {
    if (!key.startsWith(base)) return undefined;
    const start = base.length;
    const slash = key.indexOf("/", start);
    if (slash === -1) return undefined; // one segment: not an object
    const first = key.slice(start, slash);
    if (SPECIAL_FIRST_SEGMENTS.has(first)) {
      for (const [special, groupResource] of SPECIAL_PREFIXES) {
        if (key.startsWith(`${special}/`, start)) return { ...groupResource, objectPath: key.slice(start + special.length + 1) };
      }
    }
    if (first === "" || NOT_RESOURCES.has(first)) return undefined;
    if (first.includes(".")) {
      // `<group>/<resource>/...`: custom resources, CRDs, APIServices.
      const second = key.indexOf("/", slash + 1);
      if (second === -1 || second === slash + 1) return undefined;
      return { group: first, resource: key.slice(slash + 1, second), objectPath: key.slice(second + 1) };
    }
    return { group: GROUP_OF.get(first) ?? "", resource: first, objectPath: key.slice(slash + 1) };
  };
}

