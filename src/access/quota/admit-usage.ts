/**
 * Admission against a namespace's quotas: identical usages (a workload's replicas) admitted
 * at once, as many as fit under every quota that applies, the rest reported as rejected.
 */
import type { FieldPath, LoadedObject } from "../../k8s/types.js";
import { multiplyQuantity } from "../../k8s/quantity.js";
import { addInto, type ResourceList } from "./resource-list.js";
import { describeExceeded, exceededResources, type ResourceQuotaSpec } from "./resourcequota.js";
import type { Finding } from "../../findings/types.js";
import type { MakeFinding, NamespaceState } from "./namespace-state.js";
import { QUOTA_EXCEEDED } from "./rules.js";

/** How many of `count` identical admissions fit under the quota, exactly (no per-replica loop). */
function admissibleCount(quota: { spec: ResourceQuotaSpec; used: ResourceList }, usage: ResourceList, count: number): number {
  let fits = count;
  for (const [resource, q] of usage) {
    const hard = quota.spec.hard.get(resource);
    if (!hard || q.nanos <= 0n) continue;
    const room = hard.nanos - (quota.used.get(resource)?.nanos ?? 0n);
    const n = room < 0n ? 0 : Number(room / q.nanos);
    if (n < fits) fits = n;
  }
  return fits;
}

/**
 * Admits `count` identical usages against every applicable quota at once (an admission is
 * refused if any quota refuses it, and then counts against none). Returns how many fit.
 */
export function admitUsage(
  state: NamespaceState,
  loaded: LoadedObject,
  usage: ResourceList,
  count: number,
  what: string,
  findings: Finding[],
  finding: MakeFinding,
  applies: (q: { spec: ResourceQuotaSpec; used: ResourceList }) => boolean,
  path: FieldPath = [],
): number {
  const quotas = state.quotas.filter(applies);
  if (usage.size === 0 || quotas.length === 0) return count;
  let admitted = count;
  for (const quota of quotas) admitted = Math.min(admitted, admissibleCount(quota, usage, count));
  if (admitted > 0) {
    const admittedUsage: ResourceList = new Map([...usage].map(([name, q]) => [name, multiplyQuantity(q, admitted)]));
    for (const quota of quotas) addInto(quota.used, admittedUsage);
  }
  if (admitted < count) {
    const blocking = quotas.map((q) => ({ q, exceeded: exceededResources(q.spec, q.used, usage) })).find((x) => x.exceeded.length > 0);
    if (blocking) {
      const rejected = count - admitted;
      findings.push(
        finding(QUOTA_EXCEEDED, loaded, path, `${rejected} of ${count} ${what} would be rejected: ${describeExceeded(blocking.q.spec.name, blocking.exceeded)}`, {
          quota: blocking.q.spec.name,
          admitted,
          rejected,
          exceeded: blocking.exceeded.map((e) => e.resource),
        }),
      );
    }
  }
  return admitted;
}

