/**
 * Which of install's validating webhooks kube-apiserver would call for a request, as its
 * dispatcher decides (apiserver's webhook/predicates: rules.Matcher, namespace.Matcher,
 * matchconditions), for the shapes install writes: exact or "*" groups and versions,
 * resources with "*" and "<resource>/*" forms, scope, a namespaceSelector on
 * kubernetes.io/metadata.name, and the matchConditions install uses (any other is refused,
 * so that a new one cannot pass unread).
 */
import type { AdmissionRequest } from "../../src/admission/review.js";

interface Rule {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope?: string;
}

interface Requirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface Webhook {
  name: string;
  rules: Rule[];
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] };
  matchConditions?: { name: string; expression: string }[];
}

const listed = (list: string[], value: string) => list.includes("*") || list.includes(value);

function resourceMatches(resources: string[], resource: string, subResource: string): boolean {
  return resources.some((r) => {
    const [main, sub = ""] = r.split("/");
    if (main !== "*" && main !== resource) return false;
    return sub === "*" || sub === subResource;
  });
}

function ruleMatches(rule: Rule, request: AdmissionRequest): boolean {
  const scope = rule.scope ?? "*";
  const namespaced = request.namespace !== "";
  if (scope === "Cluster" && namespaced) return false;
  if (scope === "Namespaced" && !namespaced) return false;
  return (
    listed(rule.operations, request.operation) &&
    listed(rule.apiGroups, request.resource.group) &&
    listed(rule.apiVersions, request.resource.version) &&
    resourceMatches(rule.resources, request.resource.resource, request.subResource)
  );
}

/** A namespaceSelector applies to namespaced requests (and Namespace objects); cluster-scoped ones always match. */
function selectorMatches(selector: Webhook["namespaceSelector"], request: AdmissionRequest): boolean {
  if (!selector) return true;
  const isNamespace = request.resource.group === "" && request.resource.resource === "namespaces";
  if (request.namespace === "" && !isNamespace) return true;
  const labels: Record<string, string> = { "kubernetes.io/metadata.name": isNamespace ? request.name : request.namespace };
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  return (selector.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case "In":
        return has && e.values!.includes(labels[e.key]!);
      case "NotIn":
        return !has || !e.values!.includes(labels[e.key]!);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
    }
  });
}

const CONDITIONS: Record<string, (request: AdmissionRequest) => boolean> = {
  "request.userInfo.username.startsWith('system:node:')": (r) => r.userInfo.username.startsWith("system:node:"),
  "object.spec.signerName == 'kubernetes.io/kube-apiserver-client'": (r) => (r.object?.spec as { signerName?: unknown } | undefined)?.signerName === "kubernetes.io/kube-apiserver-client",
};

function conditionsHold(conditions: Webhook["matchConditions"], request: AdmissionRequest): boolean {
  return (conditions ?? []).every(({ expression }) => {
    const evaluate = CONDITIONS[expression];
    if (!evaluate) throw new Error(`webhook-matching.ts does not know the matchCondition ${expression}`);
    return evaluate(request);
  });
}

/** The webhooks that would be called for the request. */
export function calledWebhooks(webhooks: readonly Webhook[], request: AdmissionRequest): string[] {
  return webhooks.filter((w) => w.rules.some((rule) => ruleMatches(rule, request)) && selectorMatches(w.namespaceSelector, request) && conditionsHold(w.matchConditions, request)).map((w) => w.name);
}
