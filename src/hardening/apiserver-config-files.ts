/**
 * kube-apiserver's structured configuration files, which decide what flags used to:
 * --authentication-config (AuthenticationConfiguration) may configure anonymous requests, and
 * then --anonymous-auth must not be set (pkg/kubeapiserver/options/authentication.go
 * ToAuthenticationConfig: the file's anonymous section wins, else the flag and its default);
 * --authorization-config (AuthorizationConfiguration) replaces --authorization-mode. When the
 * file is in the scan its settings are judged; when it is not, an info finding says they were not.
 */
import type { Finding, Rule } from "../findings/types.js";
import { formatFieldPath, isRecord, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { flag } from "./flag-rule.js";
import type { ControlPlaneContainer, Flag } from "./flags.js";
import { APISERVER_RULES } from "./apiserver-rules.js";

const isApiserverConfig = (kind: string) => (loaded: LoadedObject) => loaded.object.kind === kind && typeof loaded.object.apiVersion === "string" && loaded.object.apiVersion.startsWith("apiserver.config.k8s.io/");

/** The only file of `kind` beside the manifest, else the only one in the scan: a node path says nothing about scanned files. */
function pairedFile(owner: LoadedObject, candidates: readonly LoadedObject[]): LoadedObject | undefined {
  const sameFile = candidates.filter((c) => c.source.file === owner.source.file);
  if (sameFile.length === 1) return sameFile[0];
  return sameFile.length === 0 && candidates.length === 1 ? candidates[0] : undefined;
}

const ruleById = (id: string): Rule => {
  const rule = APISERVER_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

function findingAt(rule: Rule, loaded: LoadedObject, path: FieldPath, message: string): Finding {
  return { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message, object: objectRef(loaded.object), fieldPath: formatFieldPath(path), position: loaded.source.locate(path), remediation: rule.docs.remediation };
}

function unchecked(rule: Rule, loaded: LoadedObject, configFlag: Flag, kind: string, count: number, what: string): Finding {
  const why = count === 0 ? "is not among the scanned files" : `cannot be told apart among the ${count} ${kind}s scanned`;
  return findingAt(rule, loaded, configFlag.path, `--${configFlag.name}=${configFlag.value} ${why}, so Palisade did not check ${what}`);
}

/** Anonymous requests as the AuthenticationConfiguration decides them, when --anonymous-auth is unset. */
function authenticationFindings(loaded: LoadedObject, c: ControlPlaneContainer, configs: readonly LoadedObject[]): Finding[] {
  const configFlag = flag(c, "authentication-config");
  if (!configFlag || flag(c, "anonymous-auth")) return [];
  const config = pairedFile(loaded, configs);
  if (!config) return [unchecked(AUTHENTICATION_CONFIG_UNCHECKED, loaded, configFlag, "AuthenticationConfiguration", configs.length, "whether anonymous requests are served")];
  const anonymous = config.object.anonymous;
  const anonymousAuth = ruleById("apiserver/anonymous-auth");
  if (!isRecord(anonymous)) return [findingAt(anonymousAuth, loaded, c.path, "--anonymous-auth is not set, and the AuthenticationConfiguration has no anonymous section, so it defaults to true: unauthenticated requests are served as system:anonymous")];
  if (anonymous.enabled !== true) return [];
  // Conditions limit anonymous requests to the paths they name (/livez, /readyz, /healthz): the recommended setup.
  if (Array.isArray(anonymous.conditions) && anonymous.conditions.length > 0) return [];
  return [findingAt(anonymousAuth, config, ["anonymous", "enabled"], "anonymous.enabled: true with no conditions: unauthenticated requests to every path are served as system:anonymous")];
}

/** The authorizers of an AuthorizationConfiguration, judged as --authorization-mode is. */
function authorizationFindings(loaded: LoadedObject, c: ControlPlaneContainer, configs: readonly LoadedObject[]): Finding[] {
  const configFlag = flag(c, "authorization-config");
  if (!configFlag) return [];
  const config = pairedFile(loaded, configs);
  if (!config) return [unchecked(AUTHORIZATION_CONFIG_UNCHECKED, loaded, configFlag, "AuthorizationConfiguration", configs.length, "its authorizers (AlwaysAllow, RBAC, Node)")];
  const authorizers = Array.isArray(config.object.authorizers) ? config.object.authorizers : [];
  const types = authorizers.map((a) => (isRecord(a) && typeof a.type === "string" ? a.type : ""));
  const findings: Finding[] = [];
  const alwaysAllow = types.indexOf("AlwaysAllow");
  if (alwaysAllow >= 0) findings.push(findingAt(ruleById("apiserver/always-allow"), config, ["authorizers", alwaysAllow, "type"], "authorizers include AlwaysAllow"));
  if (!types.includes("RBAC")) findings.push(findingAt(ruleById("apiserver/rbac-disabled"), config, ["authorizers"], `authorizers (${types.join(", ") || "none"}) do not include RBAC`));
  if (!types.includes("Node")) findings.push(findingAt(ruleById("apiserver/node-authorizer"), config, ["authorizers"], `authorizers (${types.join(", ") || "none"}) do not include Node`));
  return findings;
}

/** The findings of one kube-apiserver container's structured configuration files. */
export function apiserverConfigFileFindings(loaded: LoadedObject, c: ControlPlaneContainer, objects: readonly LoadedObject[]): Finding[] {
  if (c.component !== "kube-apiserver") return [];
  return [...authenticationFindings(loaded, c, objects.filter(isApiserverConfig("AuthenticationConfiguration"))), ...authorizationFindings(loaded, c, objects.filter(isApiserverConfig("AuthorizationConfiguration")))];
}

export const AUTHENTICATION_CONFIG_UNCHECKED: Rule = {
  id: "apiserver/authentication-config-unchecked",
  title: "The authentication configuration was not scanned",
  family: "hardening",
  pillar: "identity",
  severity: "info",
  docs: {
    description: "kube-apiserver names an --authentication-config without --anonymous-auth: the AuthenticationConfiguration then decides whether anonymous requests are served, and it is not among the scanned files (or cannot be told apart from others), so Palisade could not check it.",
    remediation: "Include the AuthenticationConfiguration in the scan, in the same file as the kube-apiserver manifest or as the only one.",
    helpUri: "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-authenticator-configuration",
  },
};

export const AUTHORIZATION_CONFIG_UNCHECKED: Rule = {
  id: "apiserver/authorization-config-unchecked",
  title: "The authorization configuration was not scanned",
  family: "hardening",
  pillar: "identity",
  severity: "info",
  docs: {
    description: "kube-apiserver names an --authorization-config, which replaces --authorization-mode; the AuthorizationConfiguration is not among the scanned files (or cannot be told apart from others), so Palisade could not check its authorizers for AlwaysAllow, RBAC and Node.",
    remediation: "Include the AuthorizationConfiguration in the scan, in the same file as the kube-apiserver manifest or as the only one.",
    helpUri: "https://kubernetes.io/docs/reference/access-authn-authz/authorization/#configuring-the-api-server-using-an-authorization-config-file",
  },
};
