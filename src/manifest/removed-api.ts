/**
 * API versions that Kubernetes once served and has removed (manifest/removed-api): kubectl
 * apply fails on such an object ("no matches for kind ... in version ..."), so nothing it
 * says takes effect. The facts are the Kubernetes Deprecated API Migration Guide's
 * (kubernetes.io/docs/reference/using-api/deprecation-guide), every removal up to v1.32;
 * `since` is the release from which the replacement is served, for clusters that old.
 */
import type { K8sObject } from "../k8s/types.js";

export interface Removal {
  /** The Kubernetes release that stopped serving this apiVersion of the kind. */
  removedIn: string;
  /** The apiVersion to write instead, or undefined when the kind is gone altogether. */
  replacement: string | undefined;
  /** The release from which the replacement is served. */
  since: string | undefined;
}

type Row = readonly [removedIn: string, apiVersions: readonly string[], kinds: readonly string[], replacement: string | undefined, since: string | undefined];

const FLOW_CONTROL = ["FlowSchema", "PriorityLevelConfiguration"];
const APPS = ["Deployment", "ReplicaSet"];

const ROWS: readonly Row[] = [
  ["v1.16", ["extensions/v1beta1"], ["NetworkPolicy"], "networking.k8s.io/v1", "v1.8"],
  // Moved to policy/v1beta1 in v1.10, which v1.25 removed with no successor (below).
  ["v1.16", ["extensions/v1beta1"], ["PodSecurityPolicy"], undefined, undefined],
  ["v1.16", ["extensions/v1beta1", "apps/v1beta2"], ["DaemonSet"], "apps/v1", "v1.9"],
  ["v1.16", ["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"], APPS, "apps/v1", "v1.9"],
  ["v1.16", ["apps/v1beta1", "apps/v1beta2"], ["StatefulSet"], "apps/v1", "v1.9"],
  ["v1.22", ["admissionregistration.k8s.io/v1beta1"], ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], "admissionregistration.k8s.io/v1", "v1.16"],
  ["v1.22", ["apiextensions.k8s.io/v1beta1"], ["CustomResourceDefinition"], "apiextensions.k8s.io/v1", "v1.16"],
  ["v1.22", ["apiregistration.k8s.io/v1beta1"], ["APIService"], "apiregistration.k8s.io/v1", "v1.10"],
  ["v1.22", ["authentication.k8s.io/v1beta1"], ["TokenReview"], "authentication.k8s.io/v1", "v1.6"],
  ["v1.22", ["authorization.k8s.io/v1beta1"], ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"], "authorization.k8s.io/v1", "v1.6"],
  ["v1.22", ["certificates.k8s.io/v1beta1"], ["CertificateSigningRequest"], "certificates.k8s.io/v1", "v1.19"],
  ["v1.22", ["coordination.k8s.io/v1beta1"], ["Lease"], "coordination.k8s.io/v1", "v1.14"],
  ["v1.22", ["extensions/v1beta1", "networking.k8s.io/v1beta1"], ["Ingress"], "networking.k8s.io/v1", "v1.19"],
  ["v1.22", ["networking.k8s.io/v1beta1"], ["IngressClass"], "networking.k8s.io/v1", "v1.19"],
  ["v1.22", ["rbac.authorization.k8s.io/v1beta1"], ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"], "rbac.authorization.k8s.io/v1", "v1.8"],
  ["v1.22", ["scheduling.k8s.io/v1beta1"], ["PriorityClass"], "scheduling.k8s.io/v1", "v1.14"],
  ["v1.22", ["storage.k8s.io/v1beta1"], ["CSIDriver"], "storage.k8s.io/v1", "v1.19"],
  ["v1.22", ["storage.k8s.io/v1beta1"], ["CSINode"], "storage.k8s.io/v1", "v1.17"],
  ["v1.22", ["storage.k8s.io/v1beta1"], ["StorageClass"], "storage.k8s.io/v1", "v1.6"],
  ["v1.22", ["storage.k8s.io/v1beta1"], ["VolumeAttachment"], "storage.k8s.io/v1", "v1.13"],
  ["v1.25", ["batch/v1beta1"], ["CronJob"], "batch/v1", "v1.21"],
  ["v1.25", ["discovery.k8s.io/v1beta1"], ["EndpointSlice"], "discovery.k8s.io/v1", "v1.21"],
  ["v1.25", ["events.k8s.io/v1beta1"], ["Event"], "events.k8s.io/v1", "v1.19"],
  ["v1.25", ["autoscaling/v2beta1"], ["HorizontalPodAutoscaler"], "autoscaling/v2", "v1.23"],
  ["v1.25", ["policy/v1beta1"], ["PodDisruptionBudget"], "policy/v1", "v1.21"],
  ["v1.25", ["policy/v1beta1"], ["PodSecurityPolicy"], undefined, undefined],
  ["v1.25", ["node.k8s.io/v1beta1"], ["RuntimeClass"], "node.k8s.io/v1", "v1.20"],
  ["v1.26", ["flowcontrol.apiserver.k8s.io/v1beta1"], FLOW_CONTROL, "flowcontrol.apiserver.k8s.io/v1", "v1.29"],
  ["v1.26", ["autoscaling/v2beta2"], ["HorizontalPodAutoscaler"], "autoscaling/v2", "v1.23"],
  ["v1.27", ["storage.k8s.io/v1beta1"], ["CSIStorageCapacity"], "storage.k8s.io/v1", "v1.24"],
  ["v1.29", ["flowcontrol.apiserver.k8s.io/v1beta2"], FLOW_CONTROL, "flowcontrol.apiserver.k8s.io/v1", "v1.29"],
  ["v1.32", ["flowcontrol.apiserver.k8s.io/v1beta3"], FLOW_CONTROL, "flowcontrol.apiserver.k8s.io/v1", "v1.29"],
];

/** apiVersion → kind → removal: most objects miss at the first lookup (v1, apps/v1...). */
export const REMOVED_APIS: ReadonlyMap<string, ReadonlyMap<string, Removal>> = (() => {
  const byVersion = new Map<string, Map<string, Removal>>();
  for (const [removedIn, apiVersions, kinds, replacement, since] of ROWS) {
    for (const apiVersion of apiVersions) {
      let kindsOf = byVersion.get(apiVersion);
      if (!kindsOf) byVersion.set(apiVersion, (kindsOf = new Map()));
      for (const kind of kinds) kindsOf.set(kind, { removedIn, replacement, since });
    }
  }
  return byVersion;
})();

/** The removal of the object's apiVersion and kind, if Kubernetes no longer serves them. */
export function removalOf(object: K8sObject): Removal | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  return REMOVED_APIS.get(apiVersion)?.get(kind);
}

/** The finding's message: what was removed, when, and what to write instead. */
export function describeRemoval(object: K8sObject, removal: Removal): string {
  const what = `${object.apiVersion} ${object.kind} is no longer served: Kubernetes ${removal.removedIn} removed it, and kubectl apply fails with "no matches for kind"`;
  if (removal.replacement === undefined) {
    return `${what}. PodSecurityPolicy has no successor since v1.25: Pod Security Admission's namespace labels take its place (palisade psp migrate proposes them)`;
  }
  return `${what}; write apiVersion: ${removal.replacement} (served since ${removal.since}) and port the fields that changed`;
}
