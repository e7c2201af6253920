/**
 * What Palisade's namespace may consume: its ResourceQuotas and LimitRange.
 *
 * The webhook pods run with priorityClassName system-cluster-critical outside kube-system.
 * Clusters that limit critical priority (the ResourceQuota admission plugin's
 * limitedResources with matchScopes PriorityClass In [system-cluster-critical, ...]; GKE
 * configures it) refuse such a pod with "insufficient quota to match these scopes" unless a
 * ResourceQuota of the namespace has a PriorityClass scope selector that matches the pod
 * (upstream: plugin/resourcequota CheckRequest and the pod evaluator's UncoveredQuotaScopes,
 * which compare scope names of the quotas whose selectors match the pod). The second quota
 * below is that covering quota; it also caps how many critical pods the namespace can hold.
 *
 * Pod counts: a rollout runs the replicas plus maxSurge, and an old pod still counts against
 * quota while it terminates (its preStop delay and drain, termination.ts), so the allowance
 * is replicas + surge + the replicas that may be terminating at once. Less would leave the
 * ReplicaSet retrying "exceeded quota" until old pods are gone.
 */
import type { K8sObject } from "../k8s/types.js";

export const CRITICAL_PRIORITY_CLASS = "system-cluster-critical";
/** The Deployment's rollingUpdate.maxSurge. */
export const MAX_SURGE = 1;

const CPU_REQUEST_MILLI = 100;
const MEMORY_REQUEST_MI = 128;
const CPU_LIMIT = 1;
const MEMORY_LIMIT_MI = 256;

/** The container's resources; the quotas are multiples of them. Fresh objects each time, so the YAML has no aliases. */
export function containerResources(): { requests: Record<string, string>; limits: Record<string, string> } {
  return {
    requests: { cpu: `${CPU_REQUEST_MILLI}m`, memory: `${MEMORY_REQUEST_MI}Mi` },
    limits: { cpu: String(CPU_LIMIT), memory: `${MEMORY_LIMIT_MI}Mi` },
  };
}

/** Pods the namespace must admit: replicas, surge, and terminating pods still charged to quota. */
export function podAllowance(replicas: number): number {
  return replicas + MAX_SURGE + replicas;
}

export function namespaceLimits(replicas: number, meta: (name: string) => Record<string, unknown>): K8sObject[] {
  const pods = podAllowance(replicas);
  return [
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("palisade"),
      spec: {
        hard: {
          pods: String(pods),
          "requests.cpu": `${pods * CPU_REQUEST_MILLI}m`,
          "requests.memory": `${pods * MEMORY_REQUEST_MI}Mi`,
          "limits.cpu": String(pods * CPU_LIMIT),
          "limits.memory": `${pods * MEMORY_LIMIT_MI}Mi`,
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("palisade-critical-pods"),
      spec: {
        hard: { pods: String(pods) },
        scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: [CRITICAL_PRIORITY_CLASS] }] },
      },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("palisade"),
      spec: { limits: [{ type: "Container", default: containerResources().limits, defaultRequest: containerResources().requests, max: containerResources().limits }] },
    },
  ];
}
