/**
 * How many pods a namespace's workloads run, and how a finding words it. Manifests say how
 * many replicas a Deployment or StatefulSet runs, but not how many nodes a DaemonSet's pods
 * land on: replicasOf counts a DaemonSet as one pod, so it is counted as one and named.
 */
import type { K8sObject } from "../../k8s/types.js";
import { detached } from "../../k8s/types.js";

export interface PodCount {
  /** Pods the namespace's workloads would create, a DaemonSet counted as one. */
  pods: number;
  /** DaemonSets, whose pods count in `pods` (as replicasOf counts them: one) though they run one per node. */
  daemonSets: string[];
  daemonSetPods: number;
}

/**
 * Counts the `created` pods of a workload into `count`; true when the workload is a
 * DaemonSet that creates any, whose count stands for one pod per node.
 */
export function countPods(count: PodCount, object: K8sObject, created: number): boolean {
  count.pods += created;
  const perNode = object.kind === "DaemonSet" && created > 0;
  if (perNode) {
    // A copy of the name: the count outlives the file's text, which a view would keep.
    count.daemonSets.push(detached(object.metadata?.name ?? "(unnamed)"));
    count.daemonSetPods += created;
  }
  return perNode;
}

/** The unit a workload's admitted pods are reported in. */
export function podUnit(perNode: boolean): string {
  return perNode ? "pod(s) (a DaemonSet runs one per node; counted here as one)" : "pod(s)";
}

/**
 * `its 3 pod(s) and the pods of DaemonSet agent (one per node)`: what the namespace's
 * workloads run. A DaemonSet's pods number its nodes, which manifests do not say.
 */
export function describePods(count: PodCount): string {
  const counted = count.pods - count.daemonSetPods;
  const parts = counted > 0 ? [`its ${counted} pod(s)`] : [];
  const n = count.daemonSets.length;
  if (n > 0) parts.push(`the pods of DaemonSet${n === 1 ? "" : "s"} ${count.daemonSets.join(", ")} (one per node${n === 1 ? "" : " each"})`);
  return parts.join(" and ");
}
