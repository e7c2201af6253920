/**
 * A workload's pods through admission, in the plugins' order: LimitRanger's defaults, the
 * RuntimeClass overhead, validation, LimitRange bounds, the default priority, then the quotas
 * that match the pod. Counts the pods admitted and rejected into the namespace.
 */
import type { Finding } from "../../findings/types.js";
import { parseQuantity } from "../../k8s/quantity.js";
import { detached, type FieldPath, type LoadedObject } from "../../k8s/types.js";
import { isFinishedPod } from "../../k8s/workloads.js";
import { admitUsage } from "./admit-usage.js";
import { defaultedRequestsAboveLimits } from "./defaulted-requests.js";
import { containerDefaults, limitRangeViolations } from "./limitrange.js";
import type { ClusterClasses, MakeFinding, NamespaceState } from "./namespace-state.js";
import { countPods, podUnit } from "./pod-count.js";
import { podFacts } from "./pod-facts.js";
import { applyContainerDefaults, type PodResources } from "./pod-resources.js";
import { getsDefaultPriority } from "./priority-default.js";
import type { ResourceList } from "./resource-list.js";
import { missingRequiredResources, podUsage, quotaAppliesToPod } from "./resourcequota.js";
import { admitOverhead } from "./runtime-class.js";
import { CONTAINER_WITHOUT_RESOURCES, LIMITRANGE_VIOLATION, POD_OVERHEAD_REFUSED, QUOTA_REQUIRES_RESOURCES, RUNTIME_CLASS_NOT_FOUND } from "./rules.js";

/** A workload's pod template, its quantities read. */
export interface PodTemplateQuantities {
  spec: Record<string, unknown>;
  specPath: FieldPath;
  declared: PodResources;
}

/** `created`: the pods the workload would create at once (none when a claim template stops them). */
export function admitPods(state: NamespaceState, loaded: LoadedObject, template: PodTemplateQuantities, created: number, cluster: ClusterClasses, findings: Finding[], finding: MakeFinding): void {
  const { object } = loaded;
  const { spec, specPath, declared } = template;
  let resources = declared;
  for (const range of state.limitRanges) resources = applyContainerDefaults(resources, containerDefaults(range));
  // replicasOf counts a DaemonSet as one pod; the namespace's findings say it runs one per node.
  const perNode = countPods(state, object, created);
  // The RuntimeClass plugin mutates after LimitRanger's defaults: it sets the class's overhead, or refuses the pod there.
  const overhead = admitOverhead(loaded, spec, declared.overhead, cluster.runtimeClasses, cluster.everyRuntimeClass);
  const mutated = !("refused" in overhead);
  if ("refused" in overhead) {
    const missing = overhead.classNotFound === true;
    findings.push(finding(missing ? RUNTIME_CLASS_NOT_FOUND : POD_OVERHEAD_REFUSED, loaded, [...specPath, missing ? "runtimeClassName" : "overhead"], overhead.refused));
  }
  else resources = { ...resources, overhead: overhead.overhead };
  // A pod the defaults make invalid is refused at validation, so no validating admission (LimitRange bounds, quota) sees it.
  const invalidAfterDefaults = mutated ? defaultedRequestsAboveLimits(declared, resources, state.limitRanges) : [];
  for (const v of invalidAfterDefaults) findings.push(finding(LIMITRANGE_VIOLATION, loaded, [...v.containerPath, "resources"], v.message, { limitRange: v.limitRange }));
  const validated = mutated && invalidAfterDefaults.length === 0;
  let rejectedAll = !validated;
  for (const range of validated ? state.limitRanges : []) {
    for (const v of limitRangeViolations(range, resources)) {
      findings.push(finding(LIMITRANGE_VIOLATION, loaded, v.containerPath ?? specPath, `LimitRange ${range.name}: ${v.message}`, { limitRange: range.name }));
      rejectedAll = true;
    }
  }
  const facts = podFacts(spec, resources);
  // The Priority plugin names the global default class on a new pod that names none, before quota matches PriorityClass scopes.
  if (!facts.priorityClassName && cluster.defaultPriorityClass !== undefined && getsDefaultPriority(loaded)) facts.priorityClassName = cluster.defaultPriorityClass;
  const applicable = validated ? state.quotas.filter((q) => quotaAppliesToPod(q.spec, facts)) : [];
  for (const quota of applicable) {
    const missing = missingRequiredResources(quota.spec, resources);
    if (missing.length === 0) continue;
    rejectedAll = true;
    const text = missing.map((m) => `${m.resource} for: ${m.containers.join(",")}`).join("; ");
    const firstMissing = resources.containers.find((c) => c.name === missing[0]!.containers[0]);
    findings.push(finding(QUOTA_REQUIRES_RESOURCES, loaded, firstMissing ? [...firstMissing.path, "resources"] : specPath, `failed quota: ${quota.spec.name}: must specify ${text}`, { quota: quota.spec.name, missing }));
  }
  if (rejectedAll) {
    state.rejectedPods += created;
  } else if (created > 0 && applicable.length > 0) {
    // A finished Pod (phase Succeeded or Failed) still counts as an object, but no longer as compute (upstream QuotaV1Pod).
    const usage = isFinishedPod(object) ? new Map([["count/pods", parseQuantity("1")]]) : podUsage(resources);
    const admitted = admitUsage(state, loaded, usage, created, podUnit(perNode), findings, finding, (q) => applicable.includes(q), specPath);
    state.rejectedPods += created - admitted;
  }
  if (!state.quotas.some((q) => missingRequiredResources(q.spec, resources).length > 0)) {
    const pod = resources.podLevel;
    const stated = (own: ResourceList, podLevel: ResourceList, name: string) => own.has(name) || podLevel.has(name);
    const lacking = resources.containers
      // What pod-level resources state covers every container: the pod's total is bounded there.
      .map((c) => ({ c, missing: [...(stated(c.requests, pod.requests, "cpu") ? [] : ["requests.cpu"]), ...(stated(c.requests, pod.requests, "memory") ? [] : ["requests.memory"]), ...(stated(c.limits, pod.limits, "memory") ? [] : ["limits.memory"])] }))
      .filter((x) => x.missing.length > 0);
    for (const { c, missing } of lacking) {
      // A copy of the name: the finding outlives the file's text, which a view would keep.
      const name = detached(c.name);
      findings.push(finding(CONTAINER_WITHOUT_RESOURCES, loaded, [...c.path, "resources"], `container ${name} sets no ${missing.join(", ")}${state.limitRanges.length ? " (after LimitRange defaults)" : ""}`, { container: name, missing }));
    }
  }
}
