/**
 * One object through admission: its quantities read first (one that does not parse refuses
 * it whole), then the object itself counted, its pods admitted (admit-pods.ts), and a
 * StatefulSet's claims from its templates, each against the namespace's LimitRanges and quotas.
 */
import type { Finding } from "../../findings/types.js";
import { apiGroupOf } from "../../k8s/snapshot.js";
import type { FieldPath, LoadedObject } from "../../k8s/types.js";
import { podTemplate } from "../../k8s/workloads.js";
import { admitPods, type PodTemplateQuantities } from "./admit-pods.js";
import { admitUsage } from "./admit-usage.js";
import { blockedPodsNote, claimRequestsPath, claimSpecViolations, claimTemplatesOf, type ClaimTemplate } from "./claim-templates.js";
import type { LimitViolation } from "./limitrange.js";
import type { ClusterClasses, MakeFinding, NamespaceState } from "./namespace-state.js";
import { claimUsage, objectUsage } from "./object-usage.js";
import { podsAtOnce } from "./pods-at-once.js";
import { readPodResources } from "./pod-resources.js";
import type { QuantityProblem, ResourceList } from "./resource-list.js";
import { LIMITRANGE_VIOLATION } from "./rules.js";

/** Every quantity an object carries, read once before anything counts (one that does not parse refuses the whole object). */
export interface ObjectQuantities {
  /** The object's own usage (counts, a claim's storage), when a quota could count it. */
  usage: ResourceList | undefined;
  template: PodTemplateQuantities | undefined;
  claimTemplates: ClaimTemplate[];
  claimUsages: ResourceList[];
  problems: QuantityProblem[];
}

export function readQuantities(state: NamespaceState, object: LoadedObject["object"]): ObjectQuantities {
  const problems: QuantityProblem[] = [];
  // The object itself: object counts, services, claims. Usage only matters against a quota, except a claim's, whose quantities are judged anyway.
  const isClaim = object.kind === "PersistentVolumeClaim" && apiGroupOf(object.apiVersion) === "";
  const usage = state.quotas.length > 0 || isClaim ? objectUsage(object, problems) : undefined;
  const pod = podTemplate(object);
  let template: ObjectQuantities["template"];
  if (pod) {
    const spec = pod.pod.spec as Record<string, unknown>;
    const specPath: FieldPath = [...pod.path, "spec"];
    const declared = readPodResources(spec, specPath);
    problems.push(...declared.problems);
    template = { spec, specPath, declared };
  }
  const claimTemplates = claimTemplatesOf(object);
  const claimUsages = claimTemplates.map((t) => claimUsage(t.spec, problems, t.specPath));
  return { usage, template, claimTemplates, claimUsages, problems };
}

export function admitObject(state: NamespaceState, loaded: LoadedObject, read: ObjectQuantities, cluster: ClusterClasses, findings: Finding[], finding: MakeFinding): void {
  const { object } = loaded;
  const { usage, claimTemplates } = read;
  const isClaim = object.kind === "PersistentVolumeClaim" && apiGroupOf(object.apiVersion) === "";
  // LimitRanger runs before ResourceQuota: a claim it refuses is never created, so counts nowhere. Scoped quotas only ever track pods.
  const refusedByLimits = isClaim && refusedClaim(state, loaded, object.spec, ["spec"], "", findings, finding);
  if (usage && !refusedByLimits) admitUsage(state, loaded, usage, 1, "object(s)", findings, finding, (q) => q.spec.scopes.length === 0);

  // A claim template a LimitRange refuses stops the StatefulSet's first pod, and so every pod (see claim-templates.ts).
  const templateViolations = claimTemplates.map((t) => claimSpecViolations(state.limitRanges, t.spec));
  const podsBlocked = templateViolations.some((v) => v.length > 0);

  if (read.template) {
    const replicas = podsAtOnce(object);
    // Pods that would be created: only those count, are admitted or are rejected.
    admitPods(state, loaded, read.template, podsBlocked ? 0 : replicas, cluster, findings, finding);
    // A StatefulSet's claim templates become one claim per replica; with a template refused, only the first pod's claims are tried.
    const claimsEach = podsBlocked ? Math.min(replicas, 1) : replicas;
    claimTemplates.forEach((t, i) => {
      const usage = read.claimUsages[i]!;
      const violations = templateViolations[i]!;
      if (violations.length > 0) {
        const others = claimTemplates.filter((_, j) => templateViolations[j]!.length === 0);
        const consequence = replicas > 0 ? blockedPodsNote(replicas, others) : "";
        reportClaimViolations(loaded, violations, claimRequestsPath(t.spec, t.specPath), `claim template ${t.name}: `, findings, finding, consequence);
        return;
      }
      if (claimsEach > 0) admitUsage(state, loaded, usage, claimsEach, `claim(s) from volumeClaimTemplates[${i}]`, findings, finding, (q) => q.spec.scopes.length === 0, ["spec", "volumeClaimTemplates", i]);
    });
  }
}

/** Whether the namespace's LimitRanges refuse a claim of this spec (each violation a finding), as upstream's PersistentVolumeClaimValidateLimitFunc. */
function refusedClaim(state: NamespaceState, loaded: LoadedObject, spec: unknown, specPath: FieldPath, prefix: string, findings: Finding[], finding: MakeFinding): boolean {
  const violations = claimSpecViolations(state.limitRanges, spec);
  reportClaimViolations(loaded, violations, claimRequestsPath(spec, specPath), prefix, findings, finding);
  return violations.length > 0;
}

function reportClaimViolations(loaded: LoadedObject, violations: readonly LimitViolation[], path: FieldPath, prefix: string, findings: Finding[], finding: MakeFinding, suffix = ""): void {
  for (const v of violations) findings.push(finding(LIMITRANGE_VIOLATION, loaded, path, `LimitRange ${v.limitRange}: ${prefix}${v.message}${suffix}`, { limitRange: v.limitRange }));
}
