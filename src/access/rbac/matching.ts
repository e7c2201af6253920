/**
 * Whether one PolicyRule allows one request, exactly as upstream's rbac/v1 evaluation
 * helpers and RuleAllows decide it. Nothing here knows about bindings or subjects.
 */
import type { PolicyRule, RequestAttributes } from "./types.js";

export const VERB_ALL = "*";
export const API_GROUP_ALL = "*";
export const RESOURCE_ALL = "*";
export const NON_RESOURCE_ALL = "*";

export function verbMatches(rule: PolicyRule, requestedVerb: string): boolean {
  return rule.verbs.some((verb) => verb === VERB_ALL || verb === requestedVerb);
}

export function apiGroupMatches(rule: PolicyRule, requestedGroup: string): boolean {
  return rule.apiGroups.some((group) => group === API_GROUP_ALL || group === requestedGroup);
}

/**
 * `combinedRequestedResource` is `resource` or `resource/subresource`. A rule resource
 * matches when it is the star, equals the combined form, or is star-slash-subresource
 * (like "*" + "/scale") for the requested subresource. Note pods-slash-star is not a
 * wildcard upstream: it matches only a subresource literally named "*".
 */
export function resourceMatches(rule: PolicyRule, combinedRequestedResource: string, requestedSubresource: string): boolean {
  for (const ruleResource of rule.resources) {
    if (ruleResource === RESOURCE_ALL || ruleResource === combinedRequestedResource) return true;
    if (requestedSubresource.length === 0) continue;
    if (ruleResource.length === requestedSubresource.length + 2 && ruleResource.startsWith("*/") && ruleResource.endsWith(requestedSubresource)) {
      return true;
    }
  }
  return false;
}

/** An empty resourceNames list allows every name, including the empty name of list and create. */
export function resourceNameMatches(rule: PolicyRule, requestedName: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  return rule.resourceNames.includes(requestedName);
}

/** `*` matches every path; a rule ending in `*` matches by prefix (all trailing `*` removed). */
export function nonResourceURLMatches(rule: PolicyRule, requestedURL: string): boolean {
  for (const ruleURL of rule.nonResourceURLs) {
    if (ruleURL === NON_RESOURCE_ALL || ruleURL === requestedURL) return true;
    if (ruleURL.endsWith("*") && requestedURL.startsWith(ruleURL.replace(/\*+$/, ""))) return true;
  }
  return false;
}

export function combinedResource(resource: string, subresource: string): string {
  return subresource.length > 0 ? `${resource}/${subresource}` : resource;
}

/** upstream RuleAllows. */
export function ruleAllows(request: RequestAttributes, rule: PolicyRule): boolean {
  if (request.kind === "resource") {
    return (
      verbMatches(rule, request.verb) &&
      apiGroupMatches(rule, request.apiGroup) &&
      resourceMatches(rule, combinedResource(request.resource, request.subresource), request.subresource) &&
      resourceNameMatches(rule, request.name)
    );
  }
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}

/** Two rules are the same for aggregation when every list is equal element by element (order matters, as in DeepEqual). */
export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  const eq = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.verbs, b.verbs) && eq(a.apiGroups, b.apiGroups) && eq(a.resources, b.resources) && eq(a.resourceNames, b.resourceNames) && eq(a.nonResourceURLs, b.nonResourceURLs);
}

/** Compact human form, like upstream's CompactString. */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  const list = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(" ")}]`;
  if (rule.apiGroups.length) parts.push(`APIGroups:${list(rule.apiGroups)}`);
  if (rule.resources.length) parts.push(`Resources:${list(rule.resources)}`);
  if (rule.nonResourceURLs.length) parts.push(`NonResourceURLs:${list(rule.nonResourceURLs)}`);
  if (rule.resourceNames.length) parts.push(`ResourceNames:${list(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${list(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}
