/**
 * Admission webhook registrations (Validating- and MutatingWebhookConfiguration,
 * admissionregistration.k8s.io/v1): the ways a policy webhook lets requests past it.
 * Each rule judges one webhook entry; an unset field takes its v1 default.
 */
import type { Pillar, Rule, Severity } from "../findings/types.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { withoutUserinfo } from "./url-text.js";

export interface WebhookEntry {
  kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";
  name: string;
  path: FieldPath;
  webhook: Record<string, unknown>;
}

export interface WebhookVerdict {
  path: FieldPath;
  message: string;
  /** Some rules weigh less for mutating webhooks, which add to requests rather than stop them. */
  severity?: Severity;
}

export interface WebhookRule extends Rule {
  check(entry: WebhookEntry): WebhookVerdict | undefined;
}

export function webhookEntries(object: K8sObject): WebhookEntry[] {
  if ((object.kind !== "ValidatingWebhookConfiguration" && object.kind !== "MutatingWebhookConfiguration") || object.apiVersion !== "admissionregistration.k8s.io/v1") return [];
  if (!Array.isArray(object.webhooks)) return [];
  const kind = object.kind;
  return (object.webhooks as unknown[]).flatMap((webhook, i) => (isRecord(webhook) ? [{ kind, name: typeof webhook.name === "string" ? webhook.name : `#${i}`, path: ["webhooks", i], webhook }] : []));
}

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: WebhookRule["check"]): WebhookRule {
  return { id: `webhook/${id}`, title, family: "hardening", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/" }, check };
}

/** Labels the API server sets itself, which no object author can choose. */
const SERVER_SET_LABELS = new Set(["kubernetes.io/metadata.name"]);

/** The label keys a selector reads (matchLabels and matchExpressions). */
/**
 * Every rule names all groups and all versions, so Exact already sends every request that
 * Equivalent would: the webhook dispatcher (apiserver's ShouldCallHook) tries the exact
 * match first and converts to an equivalent resource, which has the same resource name in
 * another group or version, only when that fails.
 */
function matchesEveryGroupVersion(rules: unknown): boolean {
  if (!Array.isArray(rules) || rules.length === 0) return false;
  const hasStar = (list: unknown) => Array.isArray(list) && list.includes("*");
  return rules.every((rule) => isRecord(rule) && hasStar(rule.apiGroups) && hasStar(rule.apiVersions));
}

function selectorKeys(selector: unknown): string[] {
  if (!isRecord(selector)) return [];
  const keys = isRecord(selector.matchLabels) ? Object.keys(selector.matchLabels) : [];
  if (Array.isArray(selector.matchExpressions)) for (const e of selector.matchExpressions) if (isRecord(e) && typeof e.key === "string") keys.push(e.key);
  return [...new Set(keys)];
}

export const WEBHOOK_RULES: readonly WebhookRule[] = [
  rule(
    "fail-open",
    "The webhook lets requests through when it cannot answer",
    "medium",
    "platform",
    "failurePolicy: Ignore admits every request the webhook does not answer in time: whoever can slow it down or take it down (a crash loop, a network policy, a full node) switches the policy off. A validating webhook that enforces a security policy must fail closed.",
    "Set failurePolicy: Fail (the v1 default), run the webhook with several replicas and a PodDisruptionBudget, and exempt only the webhook's own namespace.",
    (entry) => {
      if (entry.webhook.failurePolicy !== "Ignore") return undefined;
      const mutating = entry.kind === "MutatingWebhookConfiguration";
      return { path: [...entry.path, "failurePolicy"], message: `${entry.kind} webhook ${entry.name} admits requests it does not answer (failurePolicy: Ignore)`, ...(mutating ? { severity: "low" as const } : {}) };
    },
  ),
  rule(
    "object-selector",
    "Objects choose whether the webhook sees them",
    "medium",
    "workload",
    "An objectSelector matches the labels of the object in the request, which its author writes: with `In` or `Exists` the author leaves the label out to skip the webhook, with `NotIn` or `DoesNotExist` the author adds it. Either way the policy is opt-in for the very objects it should judge.",
    "Select by namespace (namespaceSelector on kubernetes.io/metadata.name, which the API server sets) instead of by object labels, or exempt in the webhook's own policy, where exemptions are reviewed.",
    (entry) => {
      const keys = selectorKeys(entry.webhook.objectSelector).filter((key) => !SERVER_SET_LABELS.has(key));
      return keys.length > 0 ? { path: [...entry.path, "objectSelector"], message: `${entry.kind} webhook ${entry.name} skips or judges objects by labels their authors set (${keys.join(", ")})` } : undefined;
    },
  ),
  rule(
    "exact-match",
    "Requests through another API version skip the webhook",
    "low",
    "platform",
    "matchPolicy: Exact sends only requests made through the exact groups and versions in rules: the same object created through another served version (or an aggregated alias) is not sent at all. The v1 default, Equivalent, converts them.",
    "Set matchPolicy: Equivalent (the v1 default).",
    (entry) => (entry.webhook.matchPolicy === "Exact" && !matchesEveryGroupVersion(entry.webhook.rules) ? { path: [...entry.path, "matchPolicy"], message: `${entry.kind} webhook ${entry.name} sees only requests through the exact versions it names (matchPolicy: Exact)` } : undefined),
  ),
  rule(
    "plain-http",
    "The webhook is called without TLS",
    "high",
    "platform",
    "A clientConfig.url with http:// is refused by the API server (webhooks must use https): the registration does not work, and with failurePolicy Ignore nothing is checked.",
    "Use an https:// URL with the webhook's CA in caBundle, or a service reference.",
    (entry) => {
      const client = isRecord(entry.webhook.clientConfig) ? entry.webhook.clientConfig : {};
      return typeof client.url === "string" && /^http:\/\//i.test(client.url) ? { path: [...entry.path, "clientConfig", "url"], message: `${entry.kind} webhook ${entry.name} is called over plain HTTP (${withoutUserinfo(client.url)})` } : undefined;
    },
  ),
];
