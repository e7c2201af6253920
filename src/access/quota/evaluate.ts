/**
 * Quota and LimitRange over a snapshot: every namespace's quotas filled in manifest order
 * with the pods (workload replicas) and objects it declares, as the admission plugins would
 * admit them one at a time, plus the namespaces that have no quota or LimitRange at all.
 */
import type { Finding, ObjectRef, Rule } from "../../findings/types.js";
import { formatQuantity, multiplyQuantity, parseQuantity } from "../../k8s/quantity.js";
import { apiGroupOf, type Snapshot } from "../../k8s/snapshot.js";
import { detached, formatFieldPath, isLiveSource, isRecord, namespaceAnchor, objectRef, slimmed, type FieldPath, type LoadedObject, type LoadProblem } from "../../k8s/types.js";
import { isControlledBy, podTemplate, templateControllerUids } from "../../k8s/workloads.js";
import { blockedPodsNote, claimRequestsPath, claimSpecViolations, claimTemplatesOf, type ClaimTemplate } from "./claim-templates.js";
import { containerDefaults, limitRangeViolations, readLimitRange, type LimitRangeSpec, type LimitViolation } from "./limitrange.js";
import { namespaceOf, SYSTEM_NAMESPACES } from "./namespaces.js";
import { claimUsage, objectUsage } from "./object-usage.js";
import { applyContainerDefaults, readPodResources, type PodResources } from "./pod-resources.js";
import { addInto, formatResourceList, readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";
import { isTerminalPod, podFacts } from "./pod-facts.js";
import { countPods, describePods, podUnit, type PodCount } from "./pod-count.js";
import { refusal, refusedBoundProblem, refusedDeadline, refusedQuantityProblem } from "./refused.js";
import { getsDefaultPriority, PriorityDefaults } from "./priority-default.js";
import { podsAtOnce } from "./pods-at-once.js";
import { admitOverhead, readRuntimeClass, type RuntimeClasses } from "./runtime-class.js";
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
  POD_OVERHEAD_REFUSED,
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
  /**
   * Objects the API server would refuse (a field of the wrong type, a quantity that does not
   * parse): left out of everything above. `findings` are the same refusal as the scan reports it.
   */
  refused: Array<{ object: ObjectRef; problem: LoadProblem; findings?: Finding[] }>;
  /** Objects a controller in the input made (a Deployment's ReplicaSets and pods): counted through it, not again. */
  controlled: ObjectRef[];
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

export function evaluateQuotas(snapshot: Pick<Snapshot, "objects">, options: { defaultNamespace?: string } = {}): QuotaEvaluation {
  const evaluator = new QuotaEvaluator(options.defaultNamespace, templateControllerUids(snapshot.objects.map((o) => o.object)));
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
  private readonly priorities = new PriorityDefaults();
  private readonly runtimeClasses: RuntimeClasses = new Map();
  private readonly controlled: ObjectRef[] = [];
  private admitting = false;

  /** `controllers`: uids of the input's template controllers, whose children are left out (templateControllerUids in k8s/workloads.ts, as the live read does). */
  constructor(
    defaultNamespace?: string,
    private readonly controllers: ReadonlySet<string> = new Set(),
  ) {
    this.defaultNamespace = defaultNamespace || "default";
  }

  /** A ResourceQuota, LimitRange, PriorityClass or RuntimeClass (anything else is ignored); before the first admit. */
  addBounds(loaded: LoadedObject): void {
    const { object } = loaded;
    if (this.priorities.add(loaded)) return;
    const classProblems: QuantityProblem[] = [];
    if (readRuntimeClass(loaded, this.runtimeClasses, classProblems)) {
      // A RuntimeClass with an unreadable overhead is never created: its pods' overhead is then unknown, as for one not in the input.
      this.refuseQuantities(loaded, classProblems);
      return;
    }
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
      if (this.refuseQuantities(loaded, problems)) {
        this.refusedBounds.add(object);
        return;
      }
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
      if (this.refuseQuantities(loaded, problems)) {
        this.refusedBounds.add(object);
        return;
      }
      const rangeErrors = isLiveSource(loaded.source) ? [] : limitRangeErrors(range);
      if (rangeErrors.length > 0) {
        // Refused by the API server: it neither defaults nor bounds anything.
        this.refusedBounds.add(object);
        this.refused.push({ object: objectRef(object), problem: refusedBoundProblem(loaded, "LimitRange", namespace, name, rangeErrors) });
        return;
      }
      state.limitRanges.push(range);
    }
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
    if (isControlledBy(object, this.controllers)) {
      // Counted through the controller that made it (a Deployment for its ReplicaSet and pods).
      this.controlled.push(objectRef(object));
      return;
    }
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
    const read = readQuantities(state, object);
    if (this.refuseQuantities(loaded, read.problems)) return;
    const deadline = read.template && refusedDeadline(loaded, read.template.spec, read.template.specPath);
    if (deadline) {
      this.refused.push({ object: objectRef(object), problem: deadline });
      return;
    }
    state.firstMember ??= namespaceAnchor(loaded);
    if (read.template !== undefined) state.firstWorkload ??= namespaceAnchor(loaded);
    state.members++;
    const cluster: ClusterClasses = { defaultPriorityClass: this.priorities.defaultClass(), runtimeClasses: this.runtimeClasses };
    admitObject(state, loaded, read, cluster, this.findings, this.finding);
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
    return { findings, namespaces, refused: this.refused, controlled: this.controlled };
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

  /**
   * A quantity that does not parse fails decoding, so the API server refuses the object
   * outright: an input problem, the object left out of everything (true). The scan reports
   * the same as findings (kept with the refusal). A live object was decoded already: what
   * Palisade cannot read of it is a finding only, and the rest of it still counts (false).
   */
  private refuseQuantities(loaded: LoadedObject, problems: readonly QuantityProblem[]): boolean {
    if (problems.length === 0) return false;
    const findings = problems.map((p) => this.finding(INVALID_QUANTITY, loaded, p.path, p.message));
    if (isLiveSource(loaded.source)) {
      this.findings.push(...findings);
      return false;
    }
    this.refused.push({ object: objectRef(loaded.object), problem: refusedQuantityProblem(loaded, problems), findings });
    return true;
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

/** What admission needs of the cluster-wide classes: the default PriorityClass and the RuntimeClasses. */
interface ClusterClasses {
  defaultPriorityClass: string | undefined;
  runtimeClasses: RuntimeClasses;
}

/** Every quantity an object carries, read once before anything counts (one that does not parse refuses the whole object). */
interface ObjectQuantities {
  /** The object's own usage (counts, a claim's storage), when a quota could count it. */
  usage: ResourceList | undefined;
  template: { spec: Record<string, unknown>; specPath: FieldPath; declared: PodResources } | undefined;
  claimTemplates: ClaimTemplate[];
  claimUsages: ResourceList[];
  problems: QuantityProblem[];
}

function readQuantities(state: NamespaceState, object: LoadedObject["object"]): ObjectQuantities {
  const problems: QuantityProblem[] = [];
  // The object itself: object counts, services, claims. Usage only matters against a quota, except a claim's, whose quantities are judged anyway.
  const isClaim = object.kind === "PersistentVolumeClaim" && apiGroupOf(object.apiVersion) === "";
  const usage = state.quotas.length > 0 || isClaim ? objectUsage(object, problems) : undefined;
  const pod = podTemplate(object);
  let template: ObjectQuantities["template"];
  if (pod) {
    const spec = pod.pod.spec as Record<string, unknown>;
    const specPath: FieldPath = [...pod.path, "spec"];
    const declared = readPodResources(spec, specPath);
    problems.push(...declared.problems);
    template = { spec, specPath, declared };
  }
  const claimTemplates = claimTemplatesOf(object);
  const claimUsages = claimTemplates.map((t) => claimUsage(t.spec, problems, t.specPath));
  return { usage, template, claimTemplates, claimUsages, problems };
}

function admitObject(state: NamespaceState, loaded: LoadedObject, read: ObjectQuantities, cluster: ClusterClasses, findings: Finding[], finding: MakeFinding): void {
  const { object } = loaded;
  const { usage, claimTemplates } = read;
  const isClaim = object.kind === "PersistentVolumeClaim" && apiGroupOf(object.apiVersion) === "";
  // LimitRanger runs before ResourceQuota: a claim it refuses is never created, so counts nowhere. Scoped quotas only ever track pods.
  const refusedByLimits = isClaim && refusedClaim(state, loaded, object.spec, ["spec"], "", findings, finding);
  if (usage && !refusedByLimits) admitUsage(state, loaded, usage, 1, "object(s)", findings, finding, (q) => q.spec.scopes.length === 0);

  // A claim template a LimitRange refuses stops the StatefulSet's first pod, and so every pod (see claim-templates.ts).
  const templateViolations = claimTemplates.map((t) => claimSpecViolations(state.limitRanges, t.spec));
  const podsBlocked = templateViolations.some((v) => v.length > 0);

  if (read.template) {
    const { spec, specPath, declared } = read.template;
    let resources = declared;
    for (const range of state.limitRanges) resources = applyContainerDefaults(resources, containerDefaults(range));
    const replicas = podsAtOnce(object);
    // Pods that would be created: only those count, are admitted or are rejected.
    const created = podsBlocked ? 0 : replicas;
    // replicasOf counts a DaemonSet as one pod; the namespace's findings say it runs one per node.
    const perNode = countPods(state, object, created);
    // The RuntimeClass plugin mutates after LimitRanger's defaults: it sets the class's overhead, or refuses the pod there.
    const overhead = admitOverhead(loaded, spec, declared.overhead, cluster.runtimeClasses);
    const mutated = !("refused" in overhead);
    if ("refused" in overhead) findings.push(finding(POD_OVERHEAD_REFUSED, loaded, [...specPath, "overhead"], overhead.refused));
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
      const usage = isTerminalPod(object) ? new Map([["count/pods", parseQuantity("1")]]) : podUsage(resources);
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
    // A StatefulSet's claim templates become one claim per replica; with a template refused, only the first pod's claims are tried.
    const claimsEach = podsBlocked ? Math.min(replicas, 1) : replicas;
    claimTemplates.forEach((t, i) => {
      const usage = read.claimUsages[i]!;
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
