/**
 * An AuthorizationConfiguration (apiserver.config.k8s.io, --authorization-config) judged on its
 * own, once. It replaces --authorization-mode entirely, so the manifest adds nothing to the
 * verdict on its authorizers: the same rules and weights apply whether or not it is scanned.
 */
import type { Finding } from "../findings/types.js";
import { isRecord, type LoadedObject } from "../k8s/types.js";
import { apiserverRule, CONFIG_FILE_REFUSED, findingAt } from "./config-file-finding.js";

// WebhookConfiguration's enumerations as ValidateWebhookConfiguration accepts them.
const FAILURE_POLICIES = ["NoOpinion", "Deny"];
const CONNECTION_TYPES = ["InClusterConfig", "KubeConfigFile"];

export function authorizationConfigFindings(config: LoadedObject): Finding[] {
  const authorizers = config.object.authorizers;
  if (!Array.isArray(authorizers) || authorizers.length === 0) {
    return [findingAt(CONFIG_FILE_REFUSED, config, ["authorizers"], "authorizers is not a non-empty list: kube-apiserver requires at least one authorization mode and refuses the file")];
  }
  const types = authorizers.map((a) => (isRecord(a) && typeof a.type === "string" ? a.type : ""));
  const findings: Finding[] = [];
  const alwaysAllow = types.indexOf("AlwaysAllow");
  if (alwaysAllow >= 0) findings.push(findingAt(apiserverRule("apiserver/always-allow"), config, ["authorizers", alwaysAllow, "type"], "authorizers include AlwaysAllow"));
  if (!types.includes("RBAC")) findings.push(findingAt(apiserverRule("apiserver/rbac-disabled"), config, ["authorizers"], `authorizers (${types.join(", ") || "none"}) do not include RBAC`));
  if (!types.includes("Node")) findings.push(findingAt(apiserverRule("apiserver/node-authorizer"), config, ["authorizers"], `authorizers (${types.join(", ") || "none"}) do not include Node`));
  authorizers.forEach((authorizer, i) => {
    if (isRecord(authorizer) && authorizer.type === "Webhook") findings.push(...webhookFindings(config, authorizer.webhook, i));
  });
  return findings;
}

/** The WebhookConfiguration fields ValidateWebhookConfiguration rejects: the webhook's verdict on failure, how it is reached. */
function webhookFindings(config: LoadedObject, webhook: unknown, i: number): Finding[] {
  const at = ["authorizers", i, "webhook"];
  if (!isRecord(webhook)) return [findingAt(CONFIG_FILE_REFUSED, config, at, `authorizers[${i}] is a Webhook without a webhook section: kube-apiserver refuses the file`)];
  const findings: Finding[] = [];
  const policy = webhook.failurePolicy;
  if (typeof policy !== "string" || !FAILURE_POLICIES.includes(policy)) {
    findings.push(findingAt(CONFIG_FILE_REFUSED, config, [...at, "failurePolicy"], `authorizers[${i}].webhook.failurePolicy ${policy === undefined ? "is not set" : `is ${JSON.stringify(policy)}`}: kube-apiserver accepts only NoOpinion or Deny and refuses the file`));
  }
  const connection = isRecord(webhook.connectionInfo) ? webhook.connectionInfo.type : undefined;
  if (typeof connection !== "string" || !CONNECTION_TYPES.includes(connection)) {
    findings.push(findingAt(CONFIG_FILE_REFUSED, config, [...at, "connectionInfo", "type"], `authorizers[${i}].webhook.connectionInfo.type ${connection === undefined ? "is not set" : `is ${JSON.stringify(connection)}`}: kube-apiserver accepts only InClusterConfig or KubeConfigFile and refuses the file`));
  }
  const conditions = Array.isArray(webhook.matchConditions) && webhook.matchConditions.length > 0;
  const version = webhook.matchConditionSubjectAccessReviewVersion;
  if ((conditions && version !== "v1") || (!conditions && version !== undefined && version !== "" && version !== "v1")) {
    findings.push(findingAt(CONFIG_FILE_REFUSED, config, [...at, "matchConditionSubjectAccessReviewVersion"], `authorizers[${i}].webhook.matchConditionSubjectAccessReviewVersion must be v1${conditions ? " when matchConditions are set" : ""}: kube-apiserver refuses the file`));
  }
  return findings;
}
