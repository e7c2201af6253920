/**
 * Claims against the namespace's LimitRanges, and what a refused claim template does to a
 * StatefulSet. Upstream's StatefulSet controller creates a pod's claims before the pod
 * (CreateStatefulPod calls createPersistentVolumeClaims and returns on its error): it tries
 * every claim of the pod, and creates the pod only when all of them were created. It starts
 * with the first pod and goes no further while that one fails, whether pods are managed
 * OrderedReady or Parallel (a slow-start batch of one). So one template a LimitRange refuses
 * means no pod of the StatefulSet is ever created; only the first pod's claims from the
 * other templates are.
 */
import { detached, isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { claimViolations, type LimitRangeSpec, type LimitViolation } from "./limitrange.js";
import { readResourceList } from "./resource-list.js";

export interface ClaimTemplate {
  index: number;
  /** metadata.name, or `#<index>` when it has none. */
  name: string;
  spec: unknown;
  /** Path of the template's spec from the StatefulSet. */
  specPath: FieldPath;
}

/** A StatefulSet's volumeClaimTemplates (none for any other kind). */
export function claimTemplatesOf(object: K8sObject): ClaimTemplate[] {
  const templates = object.kind === "StatefulSet" && isRecord(object.spec) && Array.isArray(object.spec.volumeClaimTemplates) ? object.spec.volumeClaimTemplates : [];
  return templates.map((t: unknown, index) => ({
    index,
    // A copy of the name: messages outlive the file's text, which a view would keep.
    name: isRecord(t) && isRecord(t.metadata) && typeof t.metadata.name === "string" ? detached(t.metadata.name) : `#${index}`,
    spec: isRecord(t) ? t.spec : undefined,
    specPath: ["spec", "volumeClaimTemplates", index, "spec"],
  }));
}

/** Where a claim's LimitRange violations point: its requests when it has them, else its spec. */
export function claimRequestsPath(spec: unknown, specPath: FieldPath): FieldPath {
  return isRecord(spec) && isRecord(spec.resources) && isRecord(spec.resources.requests) ? [...specPath, "resources", "requests"] : specPath;
}

/** Every LimitRange's violations by a claim of this spec, in the ranges' order (upstream PersistentVolumeClaimValidateLimitFunc per range). */
export function claimSpecViolations(limitRanges: readonly LimitRangeSpec[], spec: unknown): LimitViolation[] {
  if (limitRanges.length === 0) return [];
  const resources = isRecord(spec) && isRecord(spec.resources) ? spec.resources : {};
  // Bad quantities are reported where the claim's usage is read; here they are only left out.
  const requests = readResourceList(resources.requests, [], []);
  return limitRanges.flatMap((range) => claimViolations(range, requests));
}

/**
 * What a refused claim template does to its StatefulSet, appended to the LimitRange finding:
 * the StatefulSet itself is accepted by the API server (so this is a finding, not an input
 * problem), but no pod of it is ever created. `others` are the templates whose claims the
 * first pod still gets.
 */
export function blockedPodsNote(replicas: number, others: readonly ClaimTemplate[]): string {
  const pods = replicas === 1 ? "its one pod would not be created" : `none of its ${replicas} pods would be created`;
  const except = others.length > 0 ? `, except the first pod's claim${others.length > 1 ? "s" : ""} from ${others.map((t) => `template ${t.name}`).join(", ")}` : "";
  return `; the StatefulSet controller creates a pod's claims before the pod, so ${pods} (left out of the quota totals with their claims${except})`;
}
