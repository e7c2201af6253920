/**
 * Admission webhook registrations (Validating- and MutatingWebhookConfiguration,
 * admissionregistration.k8s.io/v1): the ways a policy webhook lets requests past it, and the
 * clientConfig the API server refuses, for them and for CRD conversion webhooks.
 * Each rule judges one webhook entry; an unset field takes its v1 default.
 */
import type { Pillar, Rule, Severity } from "../findings/types.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { clientConfigRefusal, webhookUrlForMessage, type ClientConfigRefusal } from "./webhook-url.js";

export interface WebhookEntry {
  kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" | "CustomResourceDefinition";
  /** The webhook's name; for a CRD, the CRD's. */
  name: string;
  /** The object's metadata.name, for messages. */
  objectName: string;
  path: FieldPath;
  /** The webhook entry; for a CRD, spec.conversion.webhook (which holds clientConfig). */
  webhook: Record<string, unknown>;
}

type AdmissionEntry = WebhookEntry & { kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" };
const isAdmission = (entry: WebhookEntry): entry is AdmissionEntry => entry.kind !== "CustomResourceDefinition";

/** Every webhook the object registers: admission webhooks, and a CRD's conversion webhook. */
export function webhookEntries(object: K8sObject): WebhookEntry[] {
  return [...admissionWebhookEntries(object), ...conversionWebhookEntries(object)];
}

/** An apiextensions.k8s.io/v1 CRD's conversion webhook, which the API server calls only with strategy Webhook. */
function conversionWebhookEntries(object: K8sObject): WebhookEntry[] {
  if (object.kind !== "CustomResourceDefinition" || object.apiVersion !== "apiextensions.k8s.io/v1") return [];
  const conversion = isRecord(object.spec) && isRecord(object.spec.conversion) ? object.spec.conversion : undefined;
  if (conversion?.strategy !== "Webhook" || !isRecord(conversion.webhook)) return [];
  const name = typeof object.metadata?.name === "string" ? object.metadata.name : "unnamed";
  return [{ kind: "CustomResourceDefinition", name, objectName: name, path: ["spec", "conversion", "webhook"], webhook: conversion.webhook }];
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

/** The webhooks of a Validating- or MutatingWebhookConfiguration. */
export function admissionWebhookEntries(object: K8sObject): AdmissionEntry[] {
  if ((object.kind !== "ValidatingWebhookConfiguration" && object.kind !== "MutatingWebhookConfiguration") || object.apiVersion !== "admissionregistration.k8s.io/v1") return [];
  if (!Array.isArray(object.webhooks)) return [];
  const kind = object.kind;
  const objectName = typeof object.metadata?.name === "string" ? object.metadata.name : "unnamed";
  return (object.webhooks as unknown[]).flatMap((webhook, i) => (isRecord(webhook) ? [{ kind, name: typeof webhook.name === "string" ? webhook.name : `#${i}`, objectName, path: ["webhooks", i], webhook }] : []));
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
      if (!isAdmission(entry) || entry.webhook.failurePolicy !== "Ignore") return undefined;
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
      if (!isAdmission(entry)) return undefined;
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
    (entry) => (isAdmission(entry) && entry.webhook.matchPolicy === "Exact" && !matchesEveryGroupVersion(entry.webhook.rules) ? { path: [...entry.path, "matchPolicy"], message: `${entry.kind} webhook ${entry.name} sees only requests through the exact versions it names (matchPolicy: Exact)` } : undefined),
  ),
  rule(
    "plain-http",
    "The API server refuses the webhook's plain-HTTP URL",
    "medium",
    "platform",
    "A webhook's clientConfig.url with http:// is refused by the API server's validation (ValidateWebhookURL: 'https' is the only allowed URL scheme), on create and on update: the whole Validating- or MutatingWebhookConfiguration (or CustomResourceDefinition) is rejected, so none of its webhooks is registered and whatever they were to enforce is not enforced. Other refused URLs are webhook/refused-url's.",
    "Serve the webhook over TLS and use an https:// URL with its CA in caBundle, or a service reference (which the API server calls over https).",
    (entry) => {
      const refusal = refusedClientConfig(entry);
      return refusal?.scheme === "http" ? refusalVerdict(entry, refusal) : undefined;
    },
  ),
  rule(
    "refused-url",
    "The API server refuses the webhook's clientConfig",
    "medium",
    "platform",
    "The API server validates a webhook's clientConfig (admission webhooks and CRD conversion webhooks alike) and rejects the whole object, on create and on update, when it names both or neither of url and service, or when its url does not parse, is not https, has no host, or carries user information, a query or a fragment (ValidateWebhookURL). None of the object's webhooks is registered. A plain http:// URL is webhook/plain-http's.",
    "Write the url as https://host[:port][/path], with no user:password@, ?query or #fragment (authenticate with a client certificate or token from the admission configuration's kubeconfig instead), or use a service reference.",
    (entry) => {
      const refusal = refusedClientConfig(entry);
      return refusal && refusal.scheme !== "http" ? refusalVerdict(entry, refusal) : undefined;
    },
  ),
];

function refusedClientConfig(entry: WebhookEntry): ClientConfigRefusal | undefined {
  return isRecord(entry.webhook.clientConfig) ? clientConfigRefusal(entry.webhook.clientConfig) : undefined;
}

/** One finding per refused clientConfig, with every error upstream gives for it. */
function refusalVerdict(entry: WebhookEntry, refusal: ClientConfigRefusal): WebhookVerdict {
  const client = entry.webhook.clientConfig as Record<string, unknown>;
  const what = refusal.field === "url" && typeof client.url === "string" ? `clientConfig.url (${webhookUrlForMessage(client.url)})` : "clientConfig";
  const refused = isAdmission(entry)
    ? `the API server refuses ${entry.kind} ${entry.objectName} as a whole, so none of its webhooks is registered: webhook ${entry.name}'s ${what}`
    : `the API server refuses CustomResourceDefinition ${entry.objectName}: its conversion webhook's ${what}`;
  return { path: [...entry.path, "clientConfig", ...(refusal.field === "url" ? ["url"] : [])], message: `${refused}: ${refusal.errors.join(", ")}` };
}
