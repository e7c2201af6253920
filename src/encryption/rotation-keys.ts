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
  const base = normalizePrefix(prefix);
  if (!key.startsWith(base)) return undefined;
  const rest = key.slice(base.length);
  for (const [special, groupResource] of SPECIAL_PREFIXES) {
    if (rest.startsWith(`${special}/`)) return { ...groupResource, objectPath: rest.slice(special.length + 1) };
  }
  const segments = rest.split("/");
  const first = segments[0] ?? "";
  if (first === "" || segments.length < 2 || NOT_RESOURCES.has(first)) return undefined;
  if (first.includes(".")) {
    // `<group>/<resource>/...`: custom resources, CRDs, APIServices.
    const resource = segments[1] ?? "";
    if (resource === "" || segments.length < 3) return undefined;
    return { group: first, resource, objectPath: segments.slice(2).join("/") };
  }
  return { group: GROUP_OF.get(first) ?? "", resource: first, objectPath: segments.slice(1).join("/") };
}
