/**
 * kube-apiserver's configuration files, which decide what flags used to:
 * --authentication-config (AuthenticationConfiguration) may configure anonymous requests, and
 * then --anonymous-auth must not be set (pkg/kubeapiserver/options/authentication.go
 * ToAuthenticationConfig: the file's anonymous section wins, else the flag and its default);
 * --authorization-config (AuthorizationConfiguration) replaces --authorization-mode;
 * --audit-policy-file names the audit Policy.
 *
 * Every such file in the scan is judged once, on its own (configFileFindings), whether or not a
 * manifest names it. The manifest adds only what depends on its flags: anonymous requests when
 * neither the flag nor the file says, and an info finding when the file it names is not in the
 * scan or cannot be told apart from others.
 */
import type { Finding, Rule } from "../findings/types.js";
import { isRecord, type LoadedObject } from "../k8s/types.js";
import { flag } from "./flag-rule.js";
import type { ControlPlaneContainer, Flag } from "./flags.js";
import { apiserverRule, findingAt } from "./config-file-finding.js";
import { authenticationConfigFindings, isApiserverConfig } from "./authentication-config.js";
import { authorizationConfigFindings } from "./authorization-config.js";
import { isAuditPolicy } from "./audit-policy.js";
import { auditPolicyFindings } from "./audit-policy-rules.js";

const isPolicy = (loaded: LoadedObject) => isAuditPolicy(loaded.object);

/** The only file of `kind` beside the manifest, else the only one in the scan: a node path says nothing about scanned files. */
function pairedFile(owner: LoadedObject, candidates: readonly LoadedObject[]): LoadedObject | undefined {
  const sameFile = candidates.filter((c) => c.source.file === owner.source.file);
  if (sameFile.length === 1) return sameFile[0];
  return sameFile.length === 0 && candidates.length === 1 ? candidates[0] : undefined;
}

function unchecked(rule: Rule, loaded: LoadedObject, configFlag: Flag, kinds: string, count: number, what: string): Finding {
  const why = count === 0 ? "is not among the scanned files" : `cannot be told apart among the ${count} ${kinds} scanned (each is judged on its own)`;
  return findingAt(rule, loaded, configFlag.path, `--${configFlag.name}=${configFlag.value} ${why}, so Palisade did not check ${what}`);
}

/** A scanned configuration file's own findings, once per file. */
export function configFileFindings(loaded: LoadedObject): Finding[] {
  if (isApiserverConfig("AuthenticationConfiguration")(loaded)) return authenticationConfigFindings(loaded);
  if (isApiserverConfig("AuthorizationConfiguration")(loaded)) return authorizationConfigFindings(loaded);
  if (isPolicy(loaded)) return auditPolicyFindings(loaded);
  return [];
}

/** Anonymous requests when --anonymous-auth is unset and the paired file has no anonymous section: the flag's default, true. */
function authenticationFindings(loaded: LoadedObject, c: ControlPlaneContainer, configs: readonly LoadedObject[]): Finding[] {
  const configFlag = flag(c, "authentication-config");
  if (!configFlag || flag(c, "anonymous-auth")) return [];
  const config = pairedFile(loaded, configs);
  if (!config) return [unchecked(AUTHENTICATION_CONFIG_UNCHECKED, loaded, configFlag, "AuthenticationConfigurations", configs.length, "whether anonymous requests are served")];
  if (isRecord(config.object.anonymous)) return [];
  return [findingAt(apiserverRule("apiserver/anonymous-auth"), loaded, c.path, "--anonymous-auth is not set, and the AuthenticationConfiguration has no anonymous section, so it defaults to true: unauthenticated requests are served as system:anonymous")];
}

/** The paired AuthorizationConfiguration's authorizers are judged with the file; only its absence is said here. */
function authorizationFindings(loaded: LoadedObject, c: ControlPlaneContainer, configs: readonly LoadedObject[]): Finding[] {
  const configFlag = flag(c, "authorization-config");
  if (!configFlag || pairedFile(loaded, configs)) return [];
  return [unchecked(AUTHORIZATION_CONFIG_UNCHECKED, loaded, configFlag, "AuthorizationConfigurations", configs.length, "its authorizers (AlwaysAllow, RBAC, Node)")];
}

/**
 * Without --audit-policy-file nothing is audited, which apiserver/audit-log reports. With it, the
 * paired Policy is judged with the file; scanned Policies that cannot be told apart are said here.
 * A policy file absent from the scan is not reported: most scans of a manifest do not hold it, and
 * --audit-policy-file is part of every hardened command line.
 */
function auditPolicyPairing(loaded: LoadedObject, c: ControlPlaneContainer, policies: readonly LoadedObject[]): Finding[] {
  const policyFlag = flag(c, "audit-policy-file");
  if (!policyFlag || policies.length === 0 || pairedFile(loaded, policies)) return [];
  return [unchecked(AUDIT_POLICY_UNCHECKED, loaded, policyFlag, "audit Policies", policies.length, "what it logs (Secret data, tokens) or leaves unaudited")];
}

/** The findings of one kube-apiserver container's configuration files that depend on its flags. */
export function apiserverConfigFileFindings(loaded: LoadedObject, c: ControlPlaneContainer, objects: readonly LoadedObject[]): Finding[] {
  if (c.component !== "kube-apiserver") return [];
  return [
    ...authenticationFindings(loaded, c, objects.filter(isApiserverConfig("AuthenticationConfiguration"))),
    ...authorizationFindings(loaded, c, objects.filter(isApiserverConfig("AuthorizationConfiguration"))),
    ...auditPolicyPairing(loaded, c, objects.filter(isPolicy)),
  ];
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

export const AUDIT_POLICY_UNCHECKED: Rule = {
  id: "audit/policy-file-unchecked",
  title: "The audit policy was not scanned",
  family: "hardening",
  pillar: "data",
  severity: "info",
  docs: {
    description: "kube-apiserver names an --audit-policy-file, and the scan holds several audit Policies that cannot be told apart (none in the same file as the manifest, or more than one there), so Palisade could not check whether it logs Secret data or tokens, or leaves security-relevant requests unaudited.",
    remediation: "Include the audit Policy in the scan, in the same file as the kube-apiserver manifest or as the only one.",
    helpUri: "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy",
  },
};
