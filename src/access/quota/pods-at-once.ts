/**
 * How many pods a workload runs at once, which is what quota must admit together. A Job
 * runs `parallelism` pods but never more than the completions it still needs, and none
 * while suspended or once finished (upstream pkg/controller/job: manageJob's wantActive,
 * jobSuspended; defaults from SetDefaults_Job). A CronJob runs its job template's pods at
 * each schedule, none while suspended. Other workloads run their replicas (replicasOf).
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { replicasOf } from "../../k8s/workloads.js";

export function podsAtOnce(object: K8sObject): number {
  const group = apiGroupOf(object.apiVersion);
  const spec = isRecord(object.spec) ? object.spec : {};
  if (object.kind === "Job" && group === "batch") return jobPods(spec, isRecord(object.status) ? object.status : {});
  if (object.kind === "CronJob" && group === "batch") {
    if (spec.suspend === true) return 0;
    const jobTemplate = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
    // Each run is a new Job: nothing of it has succeeded yet.
    return jobPods(isRecord(jobTemplate.spec) ? jobTemplate.spec : {}, {});
  }
  return Math.max(0, Math.floor(replicasOf(object)));
}

function jobPods(spec: Record<string, unknown>, status: Record<string, unknown>): number {
  if (spec.suspend === true || isFinished(status)) return 0;
  const count = (value: unknown): number | undefined => (typeof value === "number" ? Math.max(0, Math.floor(value)) : undefined);
  // SetDefaults_Job: parallelism defaults to 1; completions too, but only when parallelism is unset as well.
  const parallelism = count(spec.parallelism) ?? 1;
  const completions = count(spec.completions) ?? (count(spec.parallelism) === undefined ? 1 : undefined);
  const succeeded = count(status.succeeded) ?? 0;
  // A work queue (no completions) keeps its running pods once one has succeeded, and starts no more.
  if (completions === undefined) return succeeded > 0 ? (count(status.active) ?? 0) : parallelism;
  return Math.max(0, Math.min(parallelism, completions - succeeded));
}

/** A Job with a true Complete or Failed condition runs no more pods. */
function isFinished(status: Record<string, unknown>): boolean {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c: unknown) => isRecord(c) && (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}
