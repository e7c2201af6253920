/**
 * What the quota plugin needs to know of a pod besides its resources: the facts its
 * scopes test (activeDeadlineSeconds, priorityClassName, cross-namespace pod affinity).
 */
import { isRecord } from "../../k8s/types.js";
import type { PodResources } from "./pod-resources.js";
import type { PodFacts } from "./resourcequota.js";

export function podFacts(spec: Record<string, unknown>, resources: PodResources): PodFacts {
  const facts: PodFacts = { resources, crossNamespaceAffinity: usesCrossNamespaceAffinity(spec.affinity) };
  if (typeof spec.activeDeadlineSeconds === "number") facts.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  if (typeof spec.priorityClassName === "string") facts.priorityClassName = spec.priorityClassName;
  return facts;
}

function usesCrossNamespaceAffinity(affinity: unknown): boolean {
  if (!isRecord(affinity)) return false;
  const terms: unknown[] = [];
  for (const kind of ["podAffinity", "podAntiAffinity"]) {
    const a = affinity[kind];
    if (!isRecord(a)) continue;
    if (Array.isArray(a.requiredDuringSchedulingIgnoredDuringExecution)) terms.push(...a.requiredDuringSchedulingIgnoredDuringExecution);
    if (Array.isArray(a.preferredDuringSchedulingIgnoredDuringExecution)) {
      for (const w of a.preferredDuringSchedulingIgnoredDuringExecution) if (isRecord(w)) terms.push(w.podAffinityTerm);
    }
  }
  return terms.some((t) => isRecord(t) && ((Array.isArray(t.namespaces) && t.namespaces.length > 0) || (t.namespaceSelector !== undefined && t.namespaceSelector !== null)));
}
