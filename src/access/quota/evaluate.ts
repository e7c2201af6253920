/**
 * Quota and LimitRange over a snapshot: every namespace's quotas filled in manifest order
 * with the pods (workload replicas) and objects it declares, as the admission plugins would
 * admit them one at a time, plus the namespaces that have no quota or LimitRange at all.
 */
import type { Finding, ObjectRef } from "../../findings/types.js";
import { formatQuantity } from "../../k8s/quantity.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { formatFieldPath, isLiveSource, isRecord, namespaceAnchor, objectRef, slimmed, type LoadedObject, type LoadProblem } from "../../k8s/types.js";
import { isControlledBy, podTemplate, templateControllerUids } from "../../k8s/workloads.js";
import { admitObject, readQuantities } from "./admit-object.js";
import { readLimitRange } from "./limitrange.js";
import { limitRangeErrors } from "./limitrange-validation.js";
import type { ClusterClasses, MakeFinding, NamespaceState } from "./namespace-state.js";
import { namespaceOf, SYSTEM_NAMESPACES } from "./namespaces.js";
import { describePods } from "./pod-count.js";
import { NodePortAllocations } from "./node-ports.js";
import { PriorityDefaults } from "./priority-default.js";
import { quotaSpecErrors } from "./quota-validation.js";
import { refusal, refusedBoundProblem, refusedDeadline, refusedQuantityProblem } from "./refused.js";
import { formatResourceList, readResourceList, type QuantityProblem } from "./resource-list.js";
import { readResourceQuota } from "./resourcequota.js";
import { readRuntimeClass, type RuntimeClasses } from "./runtime-class.js";
import { INVALID_QUANTITY, NAMESPACE_WITHOUT_LIMITRANGE, NAMESPACE_WITHOUT_QUOTA, NODE_PORT_REFUSED, SECOND_DEFAULT_PRIORITY_CLASS } from "./rules.js";

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


export interface QuotaOptions {
  defaultNamespace?: string;
  /** The input holds every RuntimeClass of the cluster (a live read listed them): a class it lacks does not exist. */
  everyRuntimeClass?: boolean;
}

export function evaluateQuotas(snapshot: Pick<Snapshot, "objects">, options: QuotaOptions = {}): QuotaEvaluation {
  const evaluator = new QuotaEvaluator(options.defaultNamespace, templateControllerUids(snapshot.objects.map((o) => o.object)), options.everyRuntimeClass === true);
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
  private readonly nodePorts: NodePortAllocations;
  private readonly runtimeClasses: RuntimeClasses = new Map();
  private readonly controlled: ObjectRef[] = [];
  private admitting = false;

  /** `controllers`: uids of the input's template controllers, whose children are left out (templateControllerUids in k8s/workloads.ts, as the live read does). */
  constructor(
    defaultNamespace?: string,
    private readonly controllers: ReadonlySet<string> = new Set(),
    private readonly everyRuntimeClass = false,
  ) {
    this.defaultNamespace = defaultNamespace || "default";
    this.nodePorts = new NodePortAllocations(this.defaultNamespace);
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
    this.nodePorts.add(loaded);
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
    const cluster: ClusterClasses = { defaultPriorityClass: this.priorities.defaultClass(), runtimeClasses: this.runtimeClasses, everyRuntimeClass: this.everyRuntimeClass };
    admitObject(state, loaded, read, cluster, this.findings, this.finding);
  }

  finish(): QuotaEvaluation {
    const findings = this.findings;
    for (const { loaded, name, existing } of this.priorities.refused()) {
      // The reduced object knows where its globalDefault is written (priority-default.ts).
      const refused = this.finding(SECOND_DEFAULT_PRIORITY_CLASS, loaded, [], `PriorityClass ${name} is refused: PriorityClass ${existing} is already marked as default. Only one default can exist`, { defaultClass: existing });
      findings.push({ ...refused, fieldPath: "globalDefault" });
    }
    for (const { loaded, path, text, holder, range } of this.nodePorts.refused()) {
      const why = holder !== undefined ? `; Service ${holder} holds it` : ` (${range})`;
      const refused = this.finding(NODE_PORT_REFUSED, loaded, [], `Service ${loaded.object.metadata?.name} is refused: ${text}${why}`, holder !== undefined ? { heldBy: holder } : {});
      // The reduced object knows where the port is written (node-ports.ts).
      findings.push({ ...refused, fieldPath: formatFieldPath(path) });
    }
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
