/**
 * Kubernetes label selectors (metav1.LabelSelector) — the one place that decides whether
 * a selector matches a set of labels. NetworkPolicy, RBAC aggregation, webhooks'
 * namespaceSelector and PodDisruptionBudgets all call this.
 */
import { parseInt64 } from "./go-strconv.js";
import { isLabelValue, isQualifiedName, labelValueErrors, qualifiedNameErrors } from "./name-formats.js";
import { formatFieldPath, isRecord, type FieldPath } from "./types.js";

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

/**
 * `selector` matches `labels`. Follows apimachinery's LabelSelectorAsSelector: an empty
 * selector ({}) matches everything; a null/absent selector is the caller's decision
 * (NetworkPolicy and RBAC give it different meanings), so it is refused here.
 * Gt and Lt are accepted for node-selector callers, compared as the scheduler compares
 * them (see `nodeSelectorBound`); a label value strconv.ParseInt cannot read never matches.
 */
export function matchesLabelSelector(selector: LabelSelector, labels: Labels): boolean {
  const matchLabels = selector.matchLabels ?? {};
  for (const key of Object.keys(matchLabels)) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== matchLabels[key]) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!matchesRequirement(requirement, labels)) return false;
  }
  return true;
}

export function matchesRequirement(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return has && values.includes(value as string);
    case "NotIn":
      return !has || !values.includes(value as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      // Requirement.Matches reads the node's label value with strconv.ParseInt alone.
      const actual = has ? parseInt64(value as string) : undefined;
      const bound = nodeSelectorBound(values);
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === "Gt" ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/**
 * The integer a Gt/Lt requirement compares against, as the scheduler reads it, or undefined
 * when the scheduler cannot: its nodeaffinity helper builds each term with
 * labels.NewRequirement, which wants exactly one value that strconv.ParseInt reads and that
 * is also a valid label value. So `007` is 7, while `+4`, `-0` and `-1` (a sign cannot start
 * a label value) make the whole term match no node. A value past int64 fails ParseInt.
 */
export function nodeSelectorBound(values: readonly string[]): bigint | undefined {
  if (values.length !== 1) return undefined;
  const text = values[0] as string;
  if (!isLabelValue(text)) return undefined;
  return parseInt64(text);
}

/**
 * Whether a value decodes as a metav1.LabelSelectorRequirement: an object whose key and
 * operator are strings and whose values, when set, are a list of strings. The decoder
 * refuses any other; whether the requirement is valid is labelSelectorErrors' question.
 */
export function decodesAsRequirement(value: unknown): value is LabelSelectorRequirement {
  if (!isRecord(value) || typeof value.key !== "string" || typeof value.operator !== "string") return false;
  const values = value.values;
  return values === undefined || values === null || (Array.isArray(values) && values.every((v) => typeof v === "string"));
}

/** One error of a selector: where in it (relative to the selector) and field.Error's text after the field. */
export interface SelectorError {
  path: FieldPath;
  /** "<type>[: <value>]: <detail>", e.g. `Invalid value: "Inn": not a valid selector operator`. */
  body: string;
}

/**
 * Why a selector is invalid, or [] when it is valid: apimachinery's ValidateLabelSelector
 * (pkg/apis/meta/v1/validation) with its field paths and texts, for a selector being created
 * (AllowInvalidLabelValueInSelector off). With `allowGtLt`, Gt and Lt requirements are judged
 * as labels.NewRequirement judges them, which is whether the scheduler can read a node
 * selector requirement at all; kube-apiserver itself never asks whether a Gt/Lt value is an integer.
 */
export function labelSelectorErrors(selector: LabelSelector, options: { allowGtLt?: boolean } = {}): SelectorError[] {
  const errors: SelectorError[] = [];
  // ValidateLabels: each key a qualified name, each value a label value, both at matchLabels.
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    // The is* forms first: nearly every selector is valid, and its messages are not built.
    if (!isQualifiedName(key)) for (const message of qualifiedNameErrors(key)) errors.push({ path: ["matchLabels"], body: invalid(key, message) });
    if (!isLabelValue(value)) for (const message of labelValueErrors(value)) errors.push({ path: ["matchLabels"], body: invalid(value, message) });
  }
  (selector.matchExpressions ?? []).forEach((requirement, i) => {
    for (const error of requirementErrors(requirement, options)) errors.push({ path: ["matchExpressions", i, ...error.path], body: error.body });
  });
  return errors;
}

/** labelSelectorErrors printed as field.Error prints them, the field relative to the selector. */
export function validateLabelSelector(selector: LabelSelector, options: { allowGtLt?: boolean } = {}): string[] {
  return labelSelectorErrors(selector, options).map(printSelectorError);
}

export function printSelectorError(error: SelectorError): string {
  return `${formatFieldPath(error.path)}: ${error.body}`;
}

/** A requirement's errors (see labelSelectorErrors), relative to the requirement, printed. */
export function validateRequirement(requirement: LabelSelectorRequirement, options: { allowGtLt?: boolean } = {}): string[] {
  return requirementErrors(requirement, options).map(printSelectorError);
}

/** ValidateLabelSelectorRequirement: the operator's rule, then the key, then each value. */
function requirementErrors(requirement: LabelSelectorRequirement, options: { allowGtLt?: boolean }): SelectorError[] {
  const errors: SelectorError[] = [];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0) errors.push({ path: ["values"], body: "Required value: must be specified when `operator` is 'In' or 'NotIn'" });
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) errors.push({ path: ["values"], body: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
      break;
    default:
      // A LabelSelector has no Gt or Lt; a node selector requirement does.
      if (options.allowGtLt && (requirement.operator === "Gt" || requirement.operator === "Lt")) errors.push(...boundErrors(values));
      else errors.push({ path: ["operator"], body: invalid(requirement.operator, "not a valid selector operator") });
  }
  if (!isQualifiedName(requirement.key)) for (const message of qualifiedNameErrors(requirement.key)) errors.push({ path: ["key"], body: invalid(requirement.key, message) });
  values.forEach((value, j) => {
    if (!isLabelValue(value)) for (const message of labelValueErrors(value)) errors.push({ path: ["values", j], body: invalid(value, message) });
  });
  return errors;
}

/** labels.NewRequirement's rule for Gt and Lt: exactly one value, which strconv.ParseInt reads. */
function boundErrors(values: readonly string[]): SelectorError[] {
  const errors: SelectorError[] = [];
  if (values.length !== 1) errors.push({ path: ["values"], body: `Invalid value: []string{${values.map(quote).join(", ")}}: for 'Gt', 'Lt' operators, exactly one value is required` });
  values.forEach((value, j) => {
    if (parseInt64(value) === undefined) errors.push({ path: ["values", j], body: invalid(value, "for 'Gt', 'Lt' operators, the value must be an integer") });
  });
  return errors;
}

/** field.Invalid's body for a string value. */
function invalid(value: string, detail: string): string {
  return `Invalid value: ${quote(value)}: ${detail}`;
}

/** Go's %q, as near as JSON comes: the two differ only on control characters, which no valid key or value holds. */
const quote = (text: string): string => JSON.stringify(text);

