/**
 * A workload's selector against its pod template's labels, as the API server validates them
 * after defaulting:
 *
 * - apps/v1 Deployment, ReplicaSet and StatefulSet (ValidateDeploymentSpec,
 *   ValidateReplicaSetSpec, ValidateStatefulSetSpec) want a selector, not an empty one; a
 *   missing one selects nothing (LabelSelectorAsSelector(nil) is labels.Nothing()), so the
 *   template's labels do not match it either. apps/v1 defaults no selector.
 * - an apps/v1 DaemonSet (ValidateDaemonSetSpec) does not ask for one, but its template's
 *   labels must match it all the same, and an empty one is refused too.
 * - a v1 ReplicationController's selector defaults to its template's labels
 *   (SetDefaults_ReplicationController), then ValidateNonEmptySelector and
 *   ValidatePodTemplateSpecForRC judge it.
 * - a batch/v1 Job with manualSelector: true keeps its selector as written (the strategy
 *   generates one otherwise), which ValidateJobSpec requires and matches.
 *
 * A selector that is not well formed (an unknown operator, a value of the wrong type) is
 * left to the decoder's and the selector validation's own errors: upstream does not match it.
 */
import { decodesAsRequirement, labelSelectorErrors, matchesLabelSelector, type LabelSelector } from "../k8s/labels.js";
import { isRecord, type K8sObject } from "../k8s/types.js";
import { invalid, required, type ApiFieldError } from "./api-field-errors.js";

const DOES_NOT_MATCH = "`selector` does not match template `labels`";
const MATCH_TODO = "make every label the selector asks for a label of spec.template.metadata.labels, with the same value";
const TEMPLATE_LABELS = ["spec", "template", "metadata", "labels"] as const;

/** The word each apps/v1 kind's "empty selector is invalid for ..." uses (a ReplicaSet's says deployment). */
const APPS_KINDS: Readonly<Record<string, string>> = { Deployment: "deployment", ReplicaSet: "deployment", StatefulSet: "statefulset", DaemonSet: "daemonset" };

export function selectorRefusals(object: K8sObject): ApiFieldError[] {
  const spec = isRecord(object.spec) ? object.spec : {};
  const template = isRecord(spec.template) ? spec.template : undefined;
  const labels = template === undefined ? undefined : stringMap(isRecord(template.metadata) ? template.metadata.labels : undefined);
  if (labels === INVALID) return [];
  const kind = object.kind;
  if (object.apiVersion === "apps/v1" && typeof kind === "string" && Object.hasOwn(APPS_KINDS, kind)) return appsRefusals(kind, spec.selector, labels);
  if (object.apiVersion === "batch/v1" && kind === "Job" && spec.manualSelector === true) return jobRefusals(spec.selector, labels);
  if (object.apiVersion === "v1" && kind === "ReplicationController") return replicationControllerRefusals(spec.selector, template, labels);
  return [];
}

const INVALID = Symbol("not a map of text");
type Labels = Record<string, string> | undefined | typeof INVALID;

/** A label map as Go decodes it (absent and null alike are nil), or INVALID when the decoder refuses it. */
function stringMap(value: unknown): Labels {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return INVALID;
  for (const key in value) if (typeof value[key] !== "string") return INVALID;
  return value as Record<string, string>;
}

/**
 * A metav1.LabelSelector that decodes and that ValidateLabelSelector accepts (so
 * LabelSelectorAsSelector takes it), or undefined: the shared rule of src/k8s/labels.ts.
 */
function wellFormed(selector: Record<string, unknown>): LabelSelector | undefined {
  const { matchLabels, matchExpressions } = selector;
  if (stringMap(matchLabels) === INVALID) return undefined;
  if (matchExpressions !== undefined && matchExpressions !== null && !(Array.isArray(matchExpressions) && matchExpressions.every(decodesAsRequirement))) return undefined;
  const typed = selector as LabelSelector;
  return labelSelectorErrors(typed).length === 0 ? typed : undefined;
}

function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;
}

function mismatch(labels: Record<string, string> | undefined): ApiFieldError {
  return { at: TEMPLATE_LABELS, text: invalid("spec.template.metadata.labels", labels ?? null, DOES_NOT_MATCH), todo: MATCH_TODO };
}

function appsRefusals(kind: string, selector: unknown, labels: Record<string, string> | undefined): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  if (selector === undefined || selector === null) {
    // A DaemonSet's validation asks for no selector, only for one its template matches.
    if (kind !== "DaemonSet") out.push({ at: ["spec", "selector"], text: required("spec.selector"), todo: "add spec.selector.matchLabels with labels of spec.template.metadata.labels (apps/v1 does not default the selector)" });
    out.push(mismatch(labels));
    return out;
  }
  if (!isRecord(selector)) return out;
  const typed = wellFormed(selector);
  if (typed === undefined) return out;
  const empty = isEmptySelector(typed);
  // An empty selector selects everything, so it matches; it is refused on its own.
  if (!empty && !matchesLabelSelector(typed, labels ?? {})) out.push(mismatch(labels));
  if (empty) out.push({ at: ["spec", "selector"], text: invalid("spec.selector", {}, `empty selector is invalid for ${APPS_KINDS[kind]}`), todo: "select the pods by at least one of spec.template.metadata.labels" });
  return out;
}

function jobRefusals(selector: unknown, labels: Record<string, string> | undefined): ApiFieldError[] {
  if (selector === undefined || selector === null) {
    return [{ at: ["spec", "selector"], text: required("spec.selector"), todo: "with manualSelector: true the selector is not generated: write one, or drop manualSelector" }, mismatch(labels)];
  }
  if (!isRecord(selector)) return [];
  const typed = wellFormed(selector);
  return typed !== undefined && !matchesLabelSelector(typed, labels ?? {}) ? [mismatch(labels)] : [];
}

function replicationControllerRefusals(written: unknown, template: Record<string, unknown> | undefined, labels: Record<string, string> | undefined): ApiFieldError[] {
  const selector = stringMap(written);
  if (selector === INVALID) return [];
  // Defaulting: an empty selector becomes the template's labels, when the template has any map of them.
  const effective = selector !== undefined && Object.keys(selector).length > 0 ? selector : (labels ?? selector ?? {});
  const out: ApiFieldError[] = [];
  if (Object.keys(effective).length === 0) out.push({ at: ["spec", "selector"], text: required("spec.selector"), todo: "give spec.template.metadata.labels (the selector defaults to them) or write spec.selector" });
  if (template === undefined) out.push({ at: ["spec", "template"], text: required("spec.template"), todo: "add the pod template the controller runs" });
  else if (Object.keys(effective).length > 0 && !matchesLabelSelector({ matchLabels: effective }, labels ?? {})) out.push(mismatch(labels));
  return out;
}
