/**
 * Kubernetes label selectors (metav1.LabelSelector) — the one place that decides whether
 * a selector matches a set of labels. NetworkPolicy, RBAC aggregation, webhooks'
 * namespaceSelector and PodDisruptionBudgets all call this.
 */
import { parseInt64 } from "./go-strconv.js";

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
  if (validateLabelValue(text).length > 0) return undefined;
  return parseInt64(text);
}

/** Why a selector is invalid, or [] when it is valid (apimachinery's validation). */
export function validateLabelSelector(selector: LabelSelector, options: { allowGtLt?: boolean } = {}): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    errors.push(...validateLabelKey(key).map((e) => `matchLabels key ${JSON.stringify(key)}: ${e}`));
    errors.push(...validateLabelValue(value).map((e) => `matchLabels[${JSON.stringify(key)}] value ${JSON.stringify(value)}: ${e}`));
  }
  (selector.matchExpressions ?? []).forEach((req, i) => {
    errors.push(...validateRequirement(req, options).map((e) => `matchExpressions[${i}]: ${e}`));
  });
  return errors;
}

/**
 * Why a requirement is refused, or []. Without options: apimachinery's LabelSelector
 * validation (In, NotIn, Exists, DoesNotExist). With `allowGtLt`: what labels.NewRequirement
 * accepts, i.e. whether the scheduler can read a node selector requirement at all (Gt/Lt
 * need one integer that is also a label value). What kube-apiserver admits in a pod is
 * looser: it never asks whether a Gt/Lt value is an integer.
 */
export function validateRequirement(req: LabelSelectorRequirement, options: { allowGtLt?: boolean } = {}): string[] {
  const errors = validateLabelKey(req.key).map((e) => `key ${JSON.stringify(req.key)}: ${e}`);
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0) errors.push(`operator ${req.operator} needs at least one value`);
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) errors.push(`operator ${req.operator} takes no values`);
      break;
    case "Gt":
    case "Lt":
      if (!options.allowGtLt) errors.push(`operator ${req.operator} is only valid in node selectors`);
      else if (values.length !== 1 || parseInt64(values[0] as string) === undefined) errors.push(`operator ${req.operator} needs exactly one integer value`);
      break;
    default:
      errors.push(`unknown operator ${JSON.stringify(req.operator)} (expected In, NotIn, Exists or DoesNotExist)`);
  }
  for (const value of values) errors.push(...validateLabelValue(value).map((e) => `value ${JSON.stringify(value)}: ${e}`));
  return errors;
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A qualified name: optional DNS-subdomain prefix and '/', then a name of ≤ 63 characters. */
export function validateLabelKey(key: string): string[] {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errors: string[] = [];
  if (prefix !== undefined) {
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) errors.push("prefix part must be a DNS subdomain");
    if (name.includes("/")) errors.push("a qualified name has at most one '/'");
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > 63) errors.push("name part must be no more than 63 characters");
  else if (!NAME_PART.test(name)) errors.push("name part must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric");
  return errors;
}

export function validateLabelValue(value: string): string[] {
  if (value === "") return [];
  if (value.length > 63) return ["must be no more than 63 characters"];
  if (!NAME_PART.test(value)) return ["must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric"];
  return [];
}
