/**
 * Quota and LimitRange over a snapshot: every namespace's quotas filled in manifest order
 * with the pods (workload replicas) and objects it declares, as the admission plugins would
 * admit them one at a time, plus the namespaces that have no quota or LimitRange at all.
 */
import type { Finding, ObjectRef, Rule } from "../../findings/types.js";
import { formatQuantity, multiplyQuantity, parseQuantity } from "../../k8s/quantity.js";
import { apiGroupOf, type Snapshot } from "../../k8s/snapshot.js";
import { detached, formatFieldPath, isLiveSource, isRecord, namespaceAnchor, objectRef, slimmed, type FieldPath, type LoadedObject, type LoadProblem } from "../../k8s/types.js";
import { podTemplate, replicasOf } from "../../k8s/workloads.js";
import { blockedPodsNote, claimRequestsPath, claimSpecViolations, claimTemplatesOf } from "./claim-templates.js";
import { containerDefaults, limitRangeViolations, readLimitRange, type LimitRangeSpec, type LimitViolation } from "./limitrange.js";
import { namespaceOf, SYSTEM_NAMESPACES } from "./namespaces.js";
import { claimUsage, objectUsage } from "./object-usage.js";
import { applyContainerDefaults, readPodResources } from "./pod-resources.js";
import { addInto, formatResourceList, readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";
import { isTerminalPod, podFacts } from "./pod-facts.js";
import { countPods, describePods, podUnit, type PodCount } from "./pod-count.js";
import { refusal, refusedBoundProblem } from "./refused.js";
import { limitRangeErrors } from "./limitrange-validation.js";
import { defaultedRequestsAboveLimits } from "./defaulted-requests.js";
import { quotaSpecErrors } from "./quota-validation.js";
import { describeExceeded, exceededResources, missingRequiredResources, podUsage, quotaAppliesToPod, readResourceQuota, type ResourceQuotaSpec } from "./resourcequota.js";
import {
  CONTAINER_WITHOUT_RESOURCES,
  INVALID_QUANTITY,
  LIMITRANGE_VIOLATION,
  NAMESPACE_WITHOUT_LIMITRANGE,
  NAMESPACE_WITHOUT_QUOTA,
  QUOTA_EXCEEDED,
  QUOTA_REQUIRES_RESOURCES,
} from "./rules.js";

export interface QuotaReport {
  namespace: string;
  name: string;
  hard: Record<string, string>;
  /** Usage of the objects the quota would admit, in the quota's resources. */
  used: Record<string, string>;
  /** What the quota controller last recorded (`status.used`), when the object carries it: a live cluster's, or an exported object's. */
  reported?: Record<string, string>;
  /** Resources whose objects a live read leaves out (Secrets, ConfigMaps): not in `used`, whose 0 would be wrong. */
  notRead?: string[];
  scopes: string[];
}

export interface NamespaceReport {
  namespace: string;
  quotas: QuotaReport[];
  limitRanges: string[];
  /** Pods the manifests would run here (workload replicas), admitted or not. */
  pods: number;
  rejectedPods: number;
}

export interface QuotaEvaluation {
  findings: Finding[];
  namespaces: NamespaceReport[];
  /** Objects the API server would refuse (a field of the wrong type): left out of everything above. */
  refused: Array<{ object: ObjectRef; problem: LoadProblem }>;
}

interface NamespaceState extends PodCount {
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

export function evaluateQuotas(snapshot: Snapshot, options: { defaultNamespace?: string } = {}): QuotaEvaluation {
  const evaluator = new QuotaEvaluator(options.defaultNamespace);
  // Quotas and limit ranges apply to objects before them in the files too.
  for (const loaded of snapshot.objects) evaluator.addBounds(loaded);
  for (const loaded of snapshot.objects) evaluator.admit(loaded);
  return evaluator.finish();
}

/**
 * Every namespace's quotas filled with the objects it declares, in manifest order. First
 * every ResourceQuota and LimitRange (addBounds), then every object (admit): from a
 * snapshot, or as objects load in a streaming scan, with the bounds read ahead. Admitted
 * objects are not kept; their findings are made on the spot.
 */
export class QuotaEvaluator {
  private readonly findings: Finding[] = [];
  private readonly refused: QuotaEvaluation["refused"] = [];
  /** Quotas and LimitRanges refused in addBounds, not to be judged again when admitted. */
  private readonly refusedBounds = new Set<LoadedObject["object"]>();
  private readonly states = new Map<string, NamespaceState>();
  private readonly defaultNamespace: string;
  private admitting = false;

  constructor(defaultNamespace?: string) {
    this.defaultNamespace = defaultNamespace || "default";
  }

  /** A ResourceQuota or LimitRange (anything else is ignored); before the first admit. */
  addBounds(loaded: LoadedObject): void {
    const { object } = loaded;
    const isQuota = object.kind === "ResourceQuota" && object.apiVersion === "v1";
    if (!isQuota && !(object.kind === "LimitRange" && object.apiVersion === "v1")) return;
    const namespace = namespaceOf(object, this.defaultNamespace);
    if (namespace === undefined) return;
    if (this.refuse(loaded)) {
      this.refusedBounds.add(object);
      return;
    }
    const state = this.stateOf(namespace);
    const name = object.metadata?.name ?? "(unnamed)";
    const problems: QuantityProblem[] = [];
    if (isQuota) {
      const spec = readResourceQuota(name, namespace, object.spec, problems);
      // A live object passed the API server's validation already (maybe with other feature gates): never refused here.
      const scopeErrors = isLiveSource(loaded.source) ? [] : quotaSpecErrors(spec);
      if (scopeErrors.length > 0) {
        // The API server refuses such a quota: it bounds nothing, and its quantities are not judged.
        this.refusedBounds.add(object);
        this.refused.push({ object: objectRef(object), problem: refusedBoundProblem(loaded, "ResourceQuota", namespace, name, scopeErrors) });
        return;
      }
      const quota: NamespaceState["quotas"][number] = { spec, used: new Map() };
      // The controller wrote status.used, so a value it could not parse is not the user's to fix: left out, not reported.
      if (isRecord(object.status) && isRecord(object.status.used)) quota.reported = readResourceList(object.status.used, ["status", "used"], []);
      state.quotas.push(quota);
    }
    else {
      const range = readLimitRange(name, object.spec, problems);
      const rangeErrors = isLiveSource(loaded.source) ? [] : limitRangeErrors(range);
      if (rangeErrors.length > 0) {
        // Refused by the API server: it neither defaults nor bounds anything.
        this.refusedBounds.add(object);
        this.refused.push({ object: objectRef(object), problem: refusedBoundProblem(loaded, "LimitRange", namespace, name, rangeErrors) });
        return;
      }
      state.limitRanges.push(range);
    }
    this.reportProblems(loaded, problems);
  }

  /** One object, after every addBounds, in manifest order. */
  admit(loaded: LoadedObject): void {
    if (!this.admitting) {
      this.admitting = true;
      for (const state of this.states.values()) {
        state.quotas.sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));
        state.limitRanges.sort((a, b) => (a.name < b.name ? -1 : 1));
      }
    }
    const { object } = loaded;
    if (object.kind === "Namespace" && typeof object.metadata?.name === "string") {
      this.stateOf(object.metadata.name).namespaceObject ??= slimmed(loaded);
      return;
    }
    const namespace = namespaceOf(object, this.defaultNamespace);
    if (namespace === undefined || this.refusedBounds.has(object)) return;
    const state = this.stateOf(namespace);
    // Only an object that could count or be judged is checked: the rest cost nothing here.
    const matters = state.quotas.length > 0 || object.kind === "PersistentVolumeClaim" || podTemplate(object) !== undefined;
    if (matters && this.refuse(loaded)) return;
    state.firstMember ??= namespaceAnchor(loaded);
    if (podTemplate(object) !== undefined) state.firstWorkload ??= namespaceAnchor(loaded);
    state.members++;
    admitObject(state, loaded, this.findings, this.finding, (l, p) => this.reportProblems(l, p));
  }

  finish(): QuotaEvaluation {
    const findings = this.findings;
    const states = [...this.states.values()].sort((a, b) => (a.namespace < b.namespace ? -1 : 1));
    // Namespaces with nothing to bound them.
    for (const state of states) {
      if (SYSTEM_NAMESPACES.has(state.namespace)) continue;
      // Where a user would add the quota (the Namespace), else what it would bound (its first workload).
      const anchor = state.namespaceObject ?? state.firstWorkload ?? state.firstMember;
      if (!anchor) continue;
      const hasWorkloads = state.pods > 0;
      // A namespace the input only mentions (a lone ConfigMap's `default`) is not the input's to bound; one it declares or runs pods in is.
      if (state.quotas.length === 0 && (hasWorkloads || state.namespaceObject)) {
        findings.push({ ...this.finding(NAMESPACE_WITHOUT_QUOTA, anchor, [], `namespace ${state.namespace} has no ResourceQuota${hasWorkloads ? ` for ${describePods(state)}` : ""}`), object: { kind: "Namespace", name: state.namespace } });
      }
      if (state.limitRanges.length === 0 && hasWorkloads) {
        findings.push({ ...this.finding(NAMESPACE_WITHOUT_LIMITRANGE, anchor, [], `namespace ${state.namespace} has no LimitRange`), object: { kind: "Namespace", name: state.namespace } });
      }
    }
    const namespaces: NamespaceReport[] = states
      .filter((s) => s.members > 0 || s.namespaceObject)
      .map((s) => ({
        namespace: s.namespace,
        quotas: s.quotas.map(({ spec, used, reported }) => ({
          namespace: s.namespace,
          name: spec.name,
          hard: formatResourceList(spec.hard),
          used: Object.fromEntries([...spec.hard.keys()].sort().map((r) => [r, used.get(r) ? formatQuantity(used.get(r)!) : "0"])),
          ...(reported ? { reported: formatResourceList(reported) } : {}),
          scopes: spec.scopes.map((sc) => (sc.operator === "Exists" && sc.values.length === 0 ? sc.scopeName : `${sc.scopeName} ${sc.operator} (${sc.values.join(",")})`)),
        })),
        limitRanges: s.limitRanges.map((l) => l.name),
        pods: s.pods,
        rejectedPods: s.rejectedPods,
      }));
    return { findings, namespaces, refused: this.refused };
  }

  /** Whether the API server would refuse the object; if so it is recorded once, as a problem. */
  private refuse(loaded: LoadedObject): boolean {
    const problem = refusal(loaded);
    if (problem) this.refused.push({ object: objectRef(loaded.object), problem });
    return problem !== undefined;
  }

  private stateOf(namespace: string): NamespaceState {
    let state = this.states.get(namespace);
    if (!state) {
      state = { namespace, quotas: [], limitRanges: [], members: 0, pods: 0, daemonSets: [], daemonSetPods: 0, rejectedPods: 0 };
      this.states.set(namespace, state);
    }
    return state;
  }

  private readonly finding: MakeFinding = (rule, loaded, path, message, properties) => {
    // Optional fields are assigned, not spread in: one object per finding, in the report's key order.
    const result: Finding = { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message, object: objectRef(loaded.object) };
    if (path.length > 0) result.fieldPath = formatFieldPath(path);
    result.position = loaded.source.locate(path);
    result.remediation = rule.docs.remediation;
    if (properties) result.properties = properties;
    return result;
  };

  private reportProblems(loaded: LoadedObject, problems: QuantityProblem[]): void {
    for (const p of problems) this.findings.push(this.finding(INVALID_QUANTITY, loaded, p.path, p.message));
  }
}

type MakeFinding = (rule: Rule, loaded: LoadedObject, path: FieldPath, message: string, properties?: Record<string, unknown>) => Finding;

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

function admitObject(state: NamespaceState, loaded: LoadedObject, findings: Finding[], finding: MakeFinding, reportProblems: (l: LoadedObject, p: QuantityProblem[]) => void): void {
  const { object } = loaded;
  const problems: QuantityProblem[] = [];
  // The object itself: object counts, services, claims. Scoped quotas only ever track pods.
  // Usage only matters against a quota; without one, only a claim's invalid quantities do (reported below).
  const isClaim = object.kind === "PersistentVolumeClaim" && apiGroupOf(object.apiVersion) === "";
  const counted = state.quotas.length > 0 || isClaim;
  const usage = counted ? objectUsage(object, problems) : undefined;
  // LimitRanger runs before ResourceQuota: a claim it refuses is never created, so counts nowhere.
  const refusedByLimits = isClaim && refusedClaim(state, loaded, object.spec, ["spec"], "", findings, finding);
  if (usage && !refusedByLimits) admitUsage(state, loaded, usage, 1, "object(s)", findings, finding, (q) => q.spec.scopes.length === 0);

  // A claim template a LimitRange refuses stops the StatefulSet's first pod, and so every pod (see claim-templates.ts).
  const claimTemplates = claimTemplatesOf(object);
  const templateViolations = claimTemplates.map((t) => claimSpecViolations(state.limitRanges, t.spec));
  const podsBlocked = templateViolations.some((v) => v.length > 0);

  const template = podTemplate(object);
  if (template) {
    const spec = template.pod.spec as Record<string, unknown>;
    const specPath: FieldPath = [...template.path, "spec"];
    const declared = readPodResources(spec, specPath);
    problems.push(...declared.problems);
    let resources = declared;
    for (const range of state.limitRanges) resources = applyContainerDefaults(resources, containerDefaults(range));
    const replicas = Math.max(0, Math.floor(replicasOf(object)));
    // Pods that would be created: only those count, are admitted or are rejected.
    const created = podsBlocked ? 0 : replicas;
    // replicasOf counts a DaemonSet as one pod; the namespace's findings say it runs one per node.
    const perNode = countPods(state, object, created);
    // A pod the defaults make invalid is refused at validation, so no validating admission (LimitRange bounds, quota) sees it.
    const invalidAfterDefaults = defaultedRequestsAboveLimits(declared, resources, state.limitRanges);
    for (const v of invalidAfterDefaults) findings.push(finding(LIMITRANGE_VIOLATION, loaded, [...v.containerPath, "resources"], v.message, { limitRange: v.limitRange }));
    const validated = invalidAfterDefaults.length === 0;
    let rejectedAll = !validated;
    for (const range of validated ? state.limitRanges : []) {
      for (const v of limitRangeViolations(range, resources)) {
        findings.push(finding(LIMITRANGE_VIOLATION, loaded, v.containerPath ?? specPath, `LimitRange ${range.name}: ${v.message}`, { limitRange: range.name }));
        rejectedAll = true;
      }
    }
    const facts = podFacts(spec, resources);
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
      const usage = isTerminalPod(object) ? new Map([["count/pods", parseQuantity("1")]]) : podUsage(resources);
      const admitted = admitUsage(state, loaded, usage, created, podUnit(perNode), findings, finding, (q) => applicable.includes(q), specPath);
      state.rejectedPods += created - admitted;
    }
    if (!state.quotas.some((q) => missingRequiredResources(q.spec, resources).length > 0)) {
      const lacking = resources.containers
        .map((c) => ({ c, missing: [...(c.requests.has("cpu") ? [] : ["requests.cpu"]), ...(c.requests.has("memory") ? [] : ["requests.memory"]), ...(c.limits.has("memory") ? [] : ["limits.memory"])] }))
        .filter((x) => x.missing.length > 0);
      for (const { c, missing } of lacking) {
        // A copy of the name: the finding outlives the file's text, which a view would keep.
        const name = detached(c.name);
        findings.push(finding(CONTAINER_WITHOUT_RESOURCES, loaded, [...c.path, "resources"], `container ${name} sets no ${missing.join(", ")}${state.limitRanges.length ? " (after LimitRange defaults)" : ""}`, { container: name, missing }));
      }
    }
    // A StatefulSet's claim templates become one claim per replica; with a template refused, only the first pod's claims are tried.
    const claimsEach = podsBlocked ? Math.min(replicas, 1) : replicas;
    claimTemplates.forEach((t, i) => {
      const usage = claimUsage(t.spec, problems, t.specPath);
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
  reportProblems(loaded, problems);
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

/**
 * Admits `count` identical usages against every applicable quota at once (an admission is
 * refused if any quota refuses it, and then counts against none). Returns how many fit.
 */
function admitUsage(
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
