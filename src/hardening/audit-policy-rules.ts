/**
 * The audit Policy's rules: what reaches the audit log for the requests that carry credentials
 * (audit/secrets-logged), whether the requests CIS 1.x 3.2.2 names are audited at all
 * (audit/key-requests-not-audited), and a policy kube-apiserver refuses (audit/invalid-policy).
 * Each is judged per request kind with the first-match semantics of audit-policy.ts: a finding
 * means SOME request of that kind (by some user, verb, namespace or name) is decided that way,
 * and it points at the rule that decides it, or at `rules` when no rule matches (default None).
 */
import type { Finding, Rule } from "../findings/types.js";
import type { LoadedObject } from "../k8s/types.js";
import { findingAt } from "./config-file-finding.js";
import { bodiesWritten, decisions, effectiveLevel, parsePolicy, type PolicyRule, type RequestKind } from "./audit-policy.js";

const rule = (id: string, title: string, severity: Rule["severity"], description: string, remediation: string): Rule => ({
  id: `audit/${id}`,
  title,
  family: "hardening",
  pillar: "data",
  severity,
  docs: { description, remediation, helpUri: "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy" },
});

export const AUDIT_SECRETS_LOGGED = rule(
  "secrets-logged",
  "The audit log records Secret data or tokens",
  "high",
  "At level Request the audit event carries the request body, at RequestResponse the response body too. A Secret's data is in the body of its create, update and patch requests and in the response to get, list and delete; a TokenReview's bearer token is in its request; a TokenRequest (serviceaccounts/token) returns the issued token in its response. Whoever reads the audit log (a log pipeline, a SIEM, a backup) then reads those credentials. Rules apply first-match, so the finding names the rule that decides some such request; a rule narrowed to some users, verbs or namespaces still logs theirs. ConfigMaps are not credentials and are not judged here.",
  "Put a rule `level: Metadata` for `secrets` (group \"\"), `tokenreviews` (group authentication.k8s.io) and `serviceaccounts/token` before any rule at Request or RequestResponse that would match them.",
);

export const AUDIT_KEY_REQUESTS_NOT_AUDITED = rule(
  "key-requests-not-audited",
  "The audit policy leaves security-relevant requests unaudited",
  "medium",
  "CIS Kubernetes Benchmark 3.2.2 (kube-bench cfg/cis-1.*, a manual check) asks that the audit policy cover access to Secrets, ConfigMaps and TokenReviews (at Metadata only), the modification of Pods and Deployments, and the use of pods/exec, pods/portforward, pods/proxy and services/proxy, each at least at Metadata. A request that is decided by a rule at level None (or by omitStages that drop every stage), or that no rule matches (the default is None), leaves no trace of who did it.",
  "Add a rule `level: Metadata` for these resources before any `level: None` rule that matches them, and end the policy with a catch-all rule at Metadata or above.",
);

export const AUDIT_INVALID_POLICY = rule(
  "invalid-policy",
  "kube-apiserver refuses this audit policy",
  "medium",
  "kube-apiserver loads --audit-policy-file with LoadPolicyFromBytes and exits when it does not decode, does not validate (a level or omitStages value it does not know, a rule naming both resources and nonResourceURLs, an API group that is not a DNS name, resourceNames without resources) or has no rules. Palisade does not judge what such a policy would log.",
  "Fix the field the finding points at; levels are None, Metadata, Request and RequestResponse.",
);

export const AUDIT_POLICY_RULES: readonly Rule[] = [AUDIT_SECRETS_LOGGED, AUDIT_KEY_REQUESTS_NOT_AUDITED, AUDIT_INVALID_POLICY];

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete", "deletecollection"];
const kind = (label: string, group: string, namespaced: boolean, verbs: readonly string[]): RequestKind => {
  const [resource = "", subresource = ""] = label.split("/");
  return { label, group, resource, subresource, namespaced, verbs };
};

/** Where a credential is in the body: the verbs whose request body holds it, and those whose response holds it. */
const CREDENTIAL_KINDS: ReadonlyArray<{ kind: RequestKind; inRequest: readonly string[]; inResponse: readonly string[] }> = [
  { kind: kind("secrets", "", true, ["create", "update", "patch", "get", "list", "delete", "deletecollection"]), inRequest: ["create", "update", "patch"], inResponse: ["get", "list", "delete", "deletecollection"] },
  { kind: kind("tokenreviews", "authentication.k8s.io", false, ["create"]), inRequest: ["create"], inResponse: [] },
  // The TokenRequest's spec holds audiences and a lifetime; only the response holds the token.
  { kind: kind("serviceaccounts/token", "", true, ["create"]), inRequest: [], inResponse: ["create"] },
];

// Exec, port-forward and proxy requests arrive as GET (websocket, SPDY) or POST, and proxy with any method.
const PROXY_VERBS = ["get", "create", "update", "patch", "delete"];
const CIS_KINDS: readonly RequestKind[] = [
  kind("secrets", "", true, [...READ, ...WRITE]),
  kind("configmaps", "", true, [...READ, ...WRITE]),
  kind("tokenreviews", "authentication.k8s.io", false, ["create"]),
  kind("pods", "", true, WRITE),
  kind("deployments", "apps", true, WRITE),
  kind("pods/exec", "", true, ["get", "create"]),
  kind("pods/portforward", "", true, ["get", "create"]),
  kind("pods/proxy", "", true, PROXY_VERBS),
  kind("services/proxy", "", true, PROXY_VERBS),
];

/** The findings of one scanned audit Policy, judged on its own. */
export function auditPolicyFindings(policy: LoadedObject): Finding[] {
  const parsed = parsePolicy(policy.object as Record<string, unknown>);
  if (!parsed.rules) return parsed.problems.map((p) => findingAt(AUDIT_INVALID_POLICY, policy, p.path, `${p.message}: kube-apiserver refuses to load the policy`));
  return [...credentialsLogged(policy, parsed.rules), ...keyRequestsNotAudited(policy, parsed.rules)];
}

/** What narrows a rule, for the message: it decides only for these requests. */
function narrowing(r: PolicyRule): string {
  const parts = [["users", r.users], ["userGroups", r.userGroups], ["verbs", r.verbs], ["namespaces", r.namespaces]] as const;
  const named = parts.filter(([, v]) => v.length > 0).map(([k, v]) => `${k} ${v.join(",")}`);
  return named.length > 0 ? ` (for ${named.join("; ")})` : "";
}

/** Group verdicts by the rule that decides them: one finding per rule, listing kinds and verbs. */
function byRule(entries: ReadonlyArray<{ rule: number; what: string }>): Map<number, string[]> {
  const grouped = new Map<number, string[]>();
  for (const { rule, what } of entries) grouped.set(rule, [...new Set([...(grouped.get(rule) ?? []), what])]);
  return grouped;
}

function credentialsLogged(policy: LoadedObject, rules: readonly PolicyRule[]): Finding[] {
  const leaks: Array<{ rule: number; what: string }> = [];
  for (const { kind, inRequest, inResponse } of CREDENTIAL_KINDS) {
    const verbsByRule = new Map<number, string[]>();
    for (const d of decisions(rules, kind)) {
      const level = effectiveLevel(rules, d);
      if (d.rule < 0 || !bodiesWritten(rules[d.rule]!)) continue;
      const leaks = (inRequest.includes(d.verb) && (level === "Request" || level === "RequestResponse")) || (inResponse.includes(d.verb) && level === "RequestResponse");
      if (leaks) verbsByRule.set(d.rule, [...(verbsByRule.get(d.rule) ?? []), d.verb]);
    }
    for (const [index, verbs] of verbsByRule) leaks.push({ rule: index, what: `${kind.label} ${verbs.join("/")}` });
  }
  return [...byRule(leaks)].map(([index, whats]) => {
    const r = rules[index]!;
    return findingAt(AUDIT_SECRETS_LOGGED, policy, ["rules", index, "level"], `rules[${index}] logs at ${r.level}${narrowing(r)} the bodies of ${whats.join(", ")}: Secret data or tokens land in the audit log`);
  });
}

function keyRequestsNotAudited(policy: LoadedObject, rules: readonly PolicyRule[]): Finding[] {
  const gaps: Array<{ rule: number; what: string }> = [];
  for (const kind of CIS_KINDS) {
    const verbsByRule = new Map<number, string[]>();
    for (const d of decisions(rules, kind)) {
      if (effectiveLevel(rules, d) === "None") verbsByRule.set(d.rule, [...(verbsByRule.get(d.rule) ?? []), d.verb]);
    }
    for (const [index, verbs] of verbsByRule) gaps.push({ rule: index, what: `${kind.label} ${verbs.join("/")}` });
  }
  return [...byRule(gaps)].map(([index, whats]) => {
    if (index < 0) return findingAt(AUDIT_KEY_REQUESTS_NOT_AUDITED, policy, ["rules"], `no rule matches some ${whats.join(", ")} requests, so the default level None applies and they are not audited (CIS 3.2.2)`);
    const r = rules[index]!;
    const why = r.level === "None" ? "level None" : "omitStages dropping every stage";
    return findingAt(AUDIT_KEY_REQUESTS_NOT_AUDITED, policy, r.level === "None" ? ["rules", index, "level"] : ["rules", index, "omitStages"], `rules[${index}] (${why})${narrowing(r)} leaves ${whats.join(", ")} requests unaudited (CIS 3.2.2)`);
  });
}
