/**
 * What the judgement of kube-apiserver's configuration files (AuthenticationConfiguration,
 * AuthorizationConfiguration, audit Policy) shares: a finding at a field of a scanned file, the
 * apiserver flag rules those files re-use, and the rule for a file kube-apiserver would refuse.
 */
import type { Finding, Rule } from "../findings/types.js";
import { formatFieldPath, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { APISERVER_RULES } from "./apiserver-rules.js";

export const apiserverRule = (id: string): Rule => {
  const rule = APISERVER_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

export function findingAt(rule: Rule, loaded: LoadedObject, path: FieldPath, message: string): Finding {
  return { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message, object: objectRef(loaded.object), fieldPath: formatFieldPath(path), position: loaded.source.locate(path), remediation: rule.docs.remediation };
}

/** A field kube-apiserver's validation (k8s.io/apiserver/pkg/apis/apiserver/validation) rejects, so it does not start. */
export const CONFIG_FILE_REFUSED: Rule = {
  id: "apiserver/config-file-refused",
  title: "kube-apiserver refuses this configuration file",
  family: "hardening",
  pillar: "platform",
  severity: "medium",
  docs: {
    description:
      "kube-apiserver validates its AuthenticationConfiguration and AuthorizationConfiguration when it loads them (ValidateAuthenticationConfiguration, ValidateAuthorizationConfiguration) and exits on an error. It decodes the AuthenticationConfiguration strictly (an unknown or miscased field, a value of the wrong type), then refuses a JWT issuer URL that is not https or carries user info, a query or a fragment, a discoveryURL equal to the URL or shared by two authenticators, a certificateAuthority that holds no certificate, an empty audience, a claim validation rule with both or neither of claim and expression or a claim used twice, a claim mapped to the username or groups without an explicit prefix, extra keys that are not lower-case domain-prefixed paths outside k8s.io and kubernetes.io, more than 64 authenticators. It refuses an AuthorizationConfiguration with a webhook authorizer whose failurePolicy is neither NoOpinion nor Deny or whose connectionInfo.type is neither InClusterConfig nor KubeConfigFile, no authorizers at all. The control plane then does not come up with the settings the file meant.",
    remediation: "Fix the field the finding points at: https:// issuer URLs, `prefix: \"\"` (or a prefix) beside every mapped claim, `failurePolicy: Deny` (or NoOpinion), `connectionInfo.type: KubeConfigFile` or InClusterConfig.",
    helpUri: "https://kubernetes.io/docs/reference/config-api/apiserver-config.v1/",
  },
};
