/**
 * How Calico scopes selectors, rebuilt from libcalico-go's update processors: policies and
 * rules are turned into single selector expressions over the labels Felix sees on an
 * endpoint, which are the pod's labels plus Calico's own (namespace, orchestrator,
 * service account) and, inherited from the namespace and service-account profiles, their
 * labels under the `pcns.` and `pcsa.` prefixes. Building the same expressions and
 * evaluating them on the same labels gives Calico's answers, `global()` and `all()`
 * rewrites included.
 */
import type { Labels } from "../../k8s/labels.js";
import type { PodEndpoint } from "../model.js";
import type { DecodedEntity, DecodedPolicy } from "./decode.js";
import { canonicalSelector, parseCalicoSelector, prefixSelectorLabels } from "./selector/index.js";

export const NAMESPACE_LABEL = "projectcalico.org/namespace";
export const ORCHESTRATOR_LABEL = "projectcalico.org/orchestrator";
export const SERVICE_ACCOUNT_LABEL = "projectcalico.org/serviceaccount";
export const NAME_LABEL = "projectcalico.org/name";
export const NAMESPACE_LABEL_PREFIX = "pcns.";
export const SERVICE_ACCOUNT_LABEL_PREFIX = "pcsa.";

function prefixed(labels: Labels | undefined, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) out[prefix + key] = value;
  return out;
}

/** Labels the namespace profile (`kns.<namespace>`) passes down. */
export function namespaceProfileLabels(namespace: string, namespaceLabels: Labels | undefined): Record<string, string> {
  return { ...prefixed(namespaceLabels, NAMESPACE_LABEL_PREFIX), [NAMESPACE_LABEL_PREFIX + NAME_LABEL]: namespace };
}

/** Labels the service-account profile (`ksa.<namespace>.<name>`) passes down. */
export function serviceAccountProfileLabels(name: string, serviceAccountLabels: Labels | undefined): Record<string, string> {
  return { ...prefixed(serviceAccountLabels, SERVICE_ACCOUNT_LABEL_PREFIX), [SERVICE_ACCOUNT_LABEL_PREFIX + NAME_LABEL]: name };
}

/** The labels Felix matches for a pod's workload endpoint: its own labels win over inherited ones. */
export function workloadEndpointLabels(endpoint: PodEndpoint, serviceAccountLabels?: Labels): Record<string, string> {
  const serviceAccount = endpoint.serviceAccount || "default";
  return {
    ...namespaceProfileLabels(endpoint.namespace, endpoint.namespaceLabels),
    ...serviceAccountProfileLabels(serviceAccount, serviceAccountLabels),
    ...endpoint.labels,
    [NAMESPACE_LABEL]: endpoint.namespace,
    [ORCHESTRATOR_LABEL]: "k8s",
    [SERVICE_ACCOUNT_LABEL]: serviceAccount,
  };
}

/** A namespaced NetworkSet carries its namespace (and that namespace's profile labels). */
export function networkSetLabels(labels: Labels, namespace: string | undefined, namespaceLabels: Labels | undefined): Record<string, string> {
  if (namespace === undefined) return { ...labels };
  return { ...namespaceProfileLabels(namespace, namespaceLabels), ...labels, [NAMESPACE_LABEL]: namespace };
}

/** Parse `selector`, prefix every label key, print canonically (upstream's parseSelectorAttachPrefix). */
export function attachPrefix(selector: string, prefix: string): string {
  return prefixSelectorLabels(parseCalicoSelector(selector), prefix).canonical;
}

function prefixAndAppend(selector: string, extra: string, prefix: string): string {
  const prefixedExtra = attachPrefix(extra, prefix);
  return selector === "" ? prefixedExtra : `(${selector}) && (${prefixedExtra})`;
}

/** One service-account match: names become a set on the SA label, a selector goes under pcsa. */
export function serviceAccountSelector(match: { names: readonly string[]; selector?: string }): string {
  const bySelector = match.selector ? attachPrefix(match.selector, SERVICE_ACCOUNT_LABEL_PREFIX) : "";
  if (match.names.length === 0) return bySelector;
  const byNames = canonicalSelector(`${SERVICE_ACCOUNT_LABEL} in { '${match.names.join("', '")}' }`);
  return bySelector ? `(${bySelector}) && (${byNames})` : byNames;
}

/**
 * The single selector for the endpoints an entity rule matches, or "" for none. In a
 * namespaced policy any selector field (even notSelector alone) limits the match to the
 * policy's namespace unless a namespaceSelector says which namespaces; `all()` in a
 * namespaceSelector means every namespaced endpoint and `global()` only non-namespaced ones.
 */
export function entityRuleSelector(entity: DecodedEntity, policyNamespace: string | undefined): string {
  let namespaceSelector = "";
  if (entity.namespaceSelector) {
    namespaceSelector = attachPrefix(entity.namespaceSelector, NAMESPACE_LABEL_PREFIX)
      .replaceAll("all()", `has(${NAMESPACE_LABEL})`)
      .replaceAll("global()", `!has(${NAMESPACE_LABEL})`);
  } else if (policyNamespace !== undefined) {
    namespaceSelector = `${NAMESPACE_LABEL} == '${policyNamespace}'`;
  }
  const parts: string[] = [];
  if (entity.serviceAccounts) {
    const bySa = serviceAccountSelector(entity.serviceAccounts);
    if (bySa) parts.push(bySa);
  }
  if (entity.selector) parts.push(entity.selector);
  let selector = parts.length === 0 ? "" : parts.length === 1 ? (parts[0] as string) : `(${parts.join(") && (")})`;
  if (namespaceSelector && (selector || entity.notSelector || entity.namespaceSelector)) {
    selector = selector ? `(${namespaceSelector}) && (${selector})` : namespaceSelector;
  }
  return selector;
}

/** The selector of the endpoints a policy applies to. */
export function policyEndpointSelector(policy: DecodedPolicy): string {
  let selector = policy.selector;
  if (policy.namespace !== undefined) {
    const inNamespace = `${NAMESPACE_LABEL} == '${policy.namespace}'`;
    selector = selector === "" ? inNamespace : `(${inNamespace}) && (${selector})`;
  } else if (policy.namespaceSelector) {
    selector = prefixAndAppend(selector, policy.namespaceSelector, NAMESPACE_LABEL_PREFIX).replaceAll("all()", `has(${NAMESPACE_LABEL})`);
  }
  if (policy.serviceAccountSelector) selector = prefixAndAppend(selector, policy.serviceAccountSelector, SERVICE_ACCOUNT_LABEL_PREFIX);
  return selector;
}
