/**
 * PSA's EvaluatePodsInNamespace: when a namespace's enforce level tightens, the existing pods
 * that would now be refused are named in warnings (never a denial). Pods of an exempt
 * runtime class are left out before counting; one pod per controller is judged before the
 * other replicas, so a large ReplicaSet does not use up the limit of pods checked. The check
 * stops at a limit of pods and at a time budget, whichever comes first; either way the one
 * "only checked against the first N of M" warning says how far it got.
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { evaluatePod } from "../../podsecurity/evaluate.js";
import type { LevelVersion } from "../../podsecurity/namespace-levels.js";
import type { PodView } from "../../podsecurity/pod.js";
import { levelVersionString } from "./pod-security-responses.js";

/** PSA's defaultNamespaceMaxPodsToCheck. */
export const MAX_PODS_TO_CHECK = 3000;

/** PSA's defaultNamespacePodCheckTimeout (1 s), in milliseconds. */
export const POD_CHECK_TIMEOUT_MS = 1000;

/** PSA's answer when it cannot list the pods, which is what an already spent budget makes of its list call. */
export const LIST_FAILED_WARNING = "failed to list pods while checking new PodSecurity enforce level";

export interface PodCheckBudget {
  /** A monotonic clock in milliseconds, read once when the check starts and once after each pod is judged. */
  now: () => number;
  /** When the API server stops waiting for this request, on the same clock; absent when it did not say. */
  requestDeadline?: number | undefined;
  maxPods: number;
  timeoutMs: number;
}

const DEFAULT_BUDGET: PodCheckBudget = { now: () => performance.now(), maxPods: MAX_PODS_TO_CHECK, timeoutMs: POD_CHECK_TIMEOUT_MS };

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
  budgetOptions: Partial<PodCheckBudget> = {},
): string[] {
  const budget = { ...DEFAULT_BUDGET, ...budgetOptions };
  const start = budget.now();
  // Upstream never takes more than half of what is left of the request, so that its answer
  // still reaches the API server in time.
  let timeout = budget.timeoutMs;
  if (budget.requestDeadline !== undefined) timeout = Math.min(timeout, (budget.requestDeadline - start) / 2);
  // Upstream lists the pods under the budget's own deadline: one already past fails the list.
  if (timeout <= 0) return [LIST_FAILED_WARNING];
  const end = start + timeout;
  const prioritized = prioritizePods(allPods, exemptRuntimeClass);
  const pods = prioritized.slice(0, budget.maxPods);
  let checked = pods.length;
  const counts = new Map<string, { podName: string; count: number }>();
  for (const [index, pod] of pods.entries()) {
    countViolations(counts, pod, enforce);
    // As upstream, the deadline is looked at after a pod is judged: the pod that crossed it counts as checked.
    if (budget.now() >= end) {
      checked = index + 1;
      break;
    }
  }
  const warnings: string[] = [];
  if (checked < prioritized.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked} of ${prioritized.length} existing pods`);
  if (counts.size > 0) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
  const decorated = [...counts].map(([warning, { podName, count }]) => {
    if (count === 1) return `${podName}: ${warning}`;
    if (count === 2) return `${podName} (and 1 other pod): ${warning}`;
    return `${podName} (and ${count - 1} other pods): ${warning}`;
  });
  // Go's sort.Strings orders by byte, as JavaScript's default sort does by code unit for these ASCII texts.
  return [...warnings, ...decorated.sort()];
}

/** Pods refused for the same reasons share one warning, named after the lexically first of them. */
function countViolations(counts: Map<string, { podName: string; count: number }>, pod: K8sObject, enforce: LevelVersion): void {
  const result = evaluatePod(enforce.level, enforce.version, podView(pod));
  if (result.length === 0) return;
  const warning = result.map((v) => v.reason).join(", ");
  const name = pod.metadata?.name ?? "";
  const seen = counts.get(warning);
  if (!seen) counts.set(warning, { podName: name, count: 1 });
  else {
    seen.count++;
    if (name < seen.podName) seen.podName = name;
  }
}
