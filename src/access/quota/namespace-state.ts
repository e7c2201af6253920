/**
 * One namespace's bounds and what it has admitted so far, and what the admission steps share
 * with the evaluator that drives them (evaluate.ts): how a finding is made, the cluster's classes.
 */
import type { Finding, Rule } from "../../findings/types.js";
import type { FieldPath, LoadedObject } from "../../k8s/types.js";
import type { LimitRangeSpec } from "./limitrange.js";
import type { PodCount } from "./pod-count.js";
import type { ResourceList } from "./resource-list.js";
import type { ResourceQuotaSpec } from "./resourcequota.js";
import type { RuntimeClasses } from "./runtime-class.js";

export interface NamespaceState extends PodCount {
  namespace: string;
  quotas: Array<{ spec: ResourceQuotaSpec; used: ResourceList; reported?: ResourceList }>;
  limitRanges: LimitRangeSpec[];
  /** The first object in the namespace (reduced to its reference): namespace findings point at it when neither a Namespace object nor a workload is in the input. */
  firstMember?: LoadedObject;
  /** The first object that runs pods: what a namespace's findings are about, so where they point when no Namespace object is given. */
  firstWorkload?: LoadedObject;
  members: number;
  namespaceObject?: LoadedObject;
  rejectedPods: number;
}

export type MakeFinding = (rule: Rule, loaded: LoadedObject, path: FieldPath, message: string, properties?: Record<string, unknown>) => Finding;

/** What admission needs of the cluster-wide classes: the default PriorityClass and the RuntimeClasses. */
export interface ClusterClasses {
  defaultPriorityClass: string | undefined;
  runtimeClasses: RuntimeClasses;
  /** Whether `runtimeClasses` is every class the cluster has (a live read), so one it lacks does not exist. */
  everyRuntimeClass: boolean;
}
