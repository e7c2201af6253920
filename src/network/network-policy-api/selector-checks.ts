/**
 * Label selectors of the network-policy-api's policies (AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy, ClusterNetworkPolicy), checked as their CRDs check them (types,
 * a requirement's required key and operator) and then as an implementation must parse them:
 * the CRDs check none of a selector's syntax, so one that does not parse is accepted by the
 * API server but is no selector any implementation can apply.
 */
import { labelSelectorErrors, type LabelSelector } from "../../k8s/labels.js";
import { isRecord, type FieldPath } from "../../k8s/types.js";

export type Add = (path: FieldPath, message: string) => void;

/** The opening of every refusal of a value the CRD lets through but Palisade cannot evaluate. */
export const ACCEPTED = "the API server accepts this (its CRD does not check it), but";

export function checkSelector(selector: unknown, path: FieldPath, add: Add): void {
  if (selector === undefined) return add(path, "Required value: a label selector is required");
  if (!isRecord(selector)) return add(path, "Invalid value: a label selector must be an object");
  let shaped = true;
  const wrong: Add = (at, message) => {
    shaped = false;
    add(at, message);
  };
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined) {
    if (!isRecord(matchLabels)) wrong([...path, "matchLabels"], "Invalid value: matchLabels must be a map of strings");
    else for (const [key, value] of Object.entries(matchLabels)) if (typeof value !== "string") wrong([...path, "matchLabels", key], `Invalid value: ${JSON.stringify(value)}: must be a string`);
  }
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) wrong([...path, "matchExpressions"], "Invalid value: matchExpressions must be a list");
    else matchExpressions.forEach((expression: unknown, i) => checkRequirement(expression, [...path, "matchExpressions", i], wrong));
  }
  // Only a selector of the schema's shape can be parsed.
  if (!shaped) return;
  for (const error of labelSelectorErrors(selector as LabelSelector)) add([...path, ...error.path], `${error.body}: ${ACCEPTED} it is no label selector, so no implementation can apply it`);
}

function checkRequirement(expression: unknown, path: FieldPath, wrong: Add): void {
  if (!isRecord(expression)) return wrong(path, "Invalid value: a requirement must be an object");
  for (const field of ["key", "operator"]) {
    if (expression[field] === undefined) wrong([...path, field], `Required value: ${field} is required`);
    else if (typeof expression[field] !== "string") wrong([...path, field], `Invalid value: ${JSON.stringify(expression[field])}: must be a string`);
  }
  const values = expression.values;
  if (values === undefined) return;
  if (!Array.isArray(values)) return wrong([...path, "values"], "Invalid value: values must be a list of strings");
  values.forEach((value: unknown, i) => {
    if (typeof value !== "string") wrong([...path, "values", i], `Invalid value: ${JSON.stringify(value)}: must be a string`);
  });
}

/**
 * NamespacedPod: podSelector is always required; namespaceSelector is required in v1alpha1
 * (AdminNetworkPolicy) but optional in v1alpha2 (ClusterNetworkPolicy), where absent it is
 * the empty selector (every namespace).
 */
export function checkNamespacedPod(pods: unknown, path: FieldPath, namespaceSelector: "required" | "optional", add: Add): void {
  if (!isRecord(pods)) return add(path, "Invalid value: pods must be an object");
  if (namespaceSelector === "required" || pods.namespaceSelector !== undefined) checkSelector(pods.namespaceSelector, [...path, "namespaceSelector"], add);
  checkSelector(pods.podSelector, [...path, "podSelector"], add);
}
