/**
 * PSA's EvaluatePodsInNamespace: when a namespace's enforce level tightens, the existing pods
 * that would now be refused are named in warnings (never a denial). Pods of an exempt
 * runtime class are left out before counting; one pod per controller is judged before the
 * other replicas, so a large ReplicaSet does not use up the limit of pods checked.
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { evaluatePod } from "../../podsecurity/evaluate.js";
import type { LevelVersion } from "../../podsecurity/namespace-levels.js";
import type { PodView } from "../../podsecurity/pod.js";
import { levelVersionString } from "./pod-security-responses.js";

/** PSA's defaultNamespaceMaxPodsToCheck. */
export const MAX_PODS_TO_CHECK = 3000;

export function podView(pod: K8sObject): PodView {
  return { metadata: (pod.metadata ?? {}) as PodView["metadata"], spec: (isRecord(pod.spec) ? pod.spec : {}) as PodView["spec"] };
}

/** metav1.GetControllerOf: the uid of the first owner reference marked controller. */
function controllerUid(pod: K8sObject): string | undefined {
  const owners = pod.metadata?.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  const controller = (owners as unknown[]).find((o) => isRecord(o) && o.controller === true) as { uid?: unknown } | undefined;
  return controller ? String(controller.uid ?? "") : undefined;
}

/** PSA's prioritizePods: exempt runtime classes out, the first pod of each controller first, its other replicas last. */
export function prioritizePods(pods: readonly K8sObject[], exemptRuntimeClass: (spec: Record<string, unknown>) => boolean): K8sObject[] {
  const first: K8sObject[] = [];
  const replicas: K8sObject[] = [];
  const controllers = new Set<string>();
  for (const pod of pods) {
    if (exemptRuntimeClass(podView(pod).spec as Record<string, unknown>)) continue;
    const uid = controllerUid(pod);
    if (uid === undefined) first.push(pod);
    else if (controllers.has(uid)) replicas.push(pod);
    else {
      controllers.add(uid);
      first.push(pod);
    }
  }
  return [...first, ...replicas];
}

export function existingPodWarnings(
  allPods: readonly K8sObject[],
  namespace: string,
  enforce: LevelVersion,
  exemptRuntimeClass: (spec: Record<string, unknown>) => boolean,
  maxPods = MAX_PODS_TO_CHECK,
): string[] {
  const prioritized = prioritizePods(allPods, exemptRuntimeClass);
  const pods = prioritized.slice(0, maxPods);
  const counts = new Map<string, { podName: string; count: number }>();
  for (const pod of pods) {
    const result = evaluatePod(enforce.level, enforce.version, podView(pod));
    if (result.length === 0) continue;
    const warning = result.map((v) => v.reason).join(", ");
    const name = pod.metadata?.name ?? "";
    const seen = counts.get(warning);
    if (!seen) counts.set(warning, { podName: name, count: 1 });
    else {
      seen.count++;
      if (name < seen.podName) seen.podName = name;
    }
  }
  const warnings: string[] = [];
  if (pods.length < prioritized.length) warnings.push(`new PodSecurity enforce level only checked against the first ${pods.length} of ${prioritized.length} existing pods`);
  if (counts.size > 0) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
  const decorated = [...counts].map(([warning, { podName, count }]) => {
    if (count === 1) return `${podName}: ${warning}`;
    if (count === 2) return `${podName} (and 1 other pod): ${warning}`;
    return `${podName} (and ${count - 1} other pods): ${warning}`;
  });
  // Go's sort.Strings orders by byte, as JavaScript's default sort does by code unit for these ASCII texts.
  return [...warnings, ...decorated.sort()];
}
