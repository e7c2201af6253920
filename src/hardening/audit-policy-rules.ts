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
import { bodiesWritten, effectiveLevel, parsePolicy, type PolicyRule } from "./audit-policy.js";
import { decisions, MAX_WITNESSES, type Decision, type RequestKind } from "./audit-policy-witnesses.js";

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

export const AUDIT_POLICY_NOT_FULLY_JUDGED = rule(
  "policy-not-fully-judged",
  "The audit policy was too large to judge whole",
  "info",
  `Palisade finds which rule decides each kind of credential-bearing or CIS 3.2.2 request by trying one request per class of users, groups, namespaces and names that the earlier rules tell apart. When a policy's rules name so many overlapping values that a request kind needs more than ${MAX_WITNESSES} such requests, the rest are not tried, so audit/secrets-logged and audit/key-requests-not-audited may miss rules of this policy.`,
  "Review the rules after the finding's point by hand, or merge rules that list the same users, groups and namespaces in different combinations.",
);

export const AUDIT_POLICY_RULES: readonly Rule[] = [AUDIT_SECRETS_LOGGED, AUDIT_KEY_REQUESTS_NOT_AUDITED, AUDIT_INVALID_POLICY, AUDIT_POLICY_NOT_FULLY_JUDGED];

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
  const rules = parsed.rules;
  const unjudged = new Set<string>();
  const search = (kind: RequestKind): Decision[] => {
    const found = decisions(rules, kind);
    if (!found.complete) unjudged.add(kind.label);
    return found.decisions;
  };
  const findings = [...credentialsLogged(policy, rules, search), ...keyRequestsNotAudited(policy, rules, search)];
  if (unjudged.size > 0) findings.push(findingAt(AUDIT_POLICY_NOT_FULLY_JUDGED, policy, ["rules"], `the policy was not fully judged: its rules name too many overlapping users, groups, namespaces or names to try every class of ${listed([...unjudged])} requests, so rules that log credentials or leave them unaudited may be missing from these findings`));
  return findings;
}

const LISTED_MAX = 5;

/** The first few values, and how many more: a rule may list thousands of users. */
function listed(values: readonly string[]): string {
  const shown = values.slice(0, LISTED_MAX).join(",");
  return values.length > LISTED_MAX ? `${shown} +${values.length - LISTED_MAX} more` : shown;
}

/** What narrows a rule, for the message: it decides only for these requests (`identities` false leaves users and groups to the caller). */
function narrowing(r: PolicyRule, identities = true): string {
  const parts = [["users", r.users], ["userGroups", r.userGroups], ["verbs", r.verbs], ["namespaces", r.namespaces]] as const;
  const named = parts.filter(([k, v]) => v.length > 0 && (identities || (k !== "users" && k !== "userGroups"))).map(([k, v]) => `${k} ${listed(v)}`);
  return named.length > 0 ? ` (for ${named.join("; ")})` : "";
}

/** Group verdicts by the rule that decides them: one finding per rule, listing kinds and verbs. */
function byRule(entries: ReadonlyArray<{ rule: number; what: string }>): Map<number, string[]> {
  const grouped = new Map<number, string[]>();
  for (const { rule, what } of entries) grouped.set(rule, [...new Set([...(grouped.get(rule) ?? []), what])]);
  return grouped;
}

type Search = (kind: RequestKind) => Decision[];

function credentialsLogged(policy: LoadedObject, rules: readonly PolicyRule[], search: Search): Finding[] {
  const leaks: Array<{ rule: number; what: string }> = [];
  for (const { kind, inRequest, inResponse } of CREDENTIAL_KINDS) {
    const verbsByRule = new Map<number, string[]>();
    for (const d of search(kind)) {
      if (d.rule < 0 || !bodiesWritten(rules[d.rule]!)) continue;
      const level = rules[d.rule]!.level;
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

// Every authenticated request carries system:authenticated, every other one system:unauthenticated: a rule for these is for everyone.
const EVERYONE_GROUPS = new Set(["system:authenticated", "system:unauthenticated"]);

/** A rule that only decides for named users or groups: requests by anyone else fall through to later rules. */
const forNamedIdentities = (r: PolicyRule) => r.users.length > 0 || (r.userGroups.length > 0 && !r.userGroups.some((g) => EVERYONE_GROUPS.has(g)));

function keyRequestsNotAudited(policy: LoadedObject, rules: readonly PolicyRule[], search: Search): Finding[] {
  const gaps: Array<{ rule: number; what: string }> = [];
  for (const kind of CIS_KINDS) {
    const verbsByRule = new Map<number, string[]>();
    for (const d of search(kind)) {
      if (effectiveLevel(rules, d, kind) === "None") verbsByRule.set(d.rule, [...(verbsByRule.get(d.rule) ?? []), d.verb]);
    }
    for (const [index, verbs] of verbsByRule) gaps.push({ rule: index, what: `${kind.label} ${verbs.join("/")}` });
  }
  return [...byRule(gaps)].map(([index, whats]) => {
    if (index < 0) return findingAt(AUDIT_KEY_REQUESTS_NOT_AUDITED, policy, ["rules"], `no rule matches some ${whats.join(", ")} requests, so the default level None applies and they are not audited (CIS 3.2.2)`);
    const r = rules[index]!;
    const why = r.level === "None" ? "level None" : "omitStages dropping every stage these requests write";
    const path = r.level === "None" ? ["rules", index, "level"] : ["rules", index, "omitStages"];
    if (!forNamedIdentities(r)) return findingAt(AUDIT_KEY_REQUESTS_NOT_AUDITED, policy, path, `rules[${index}] (${why})${narrowing(r)} leaves ${whats.join(", ")} requests unaudited (CIS 3.2.2)`);
    const who = [r.users.length > 0 ? `users ${listed(r.users)}` : "", r.userGroups.length > 0 ? `userGroups ${listed(r.userGroups)}` : ""].filter(Boolean).join(" and ");
    const finding = findingAt(AUDIT_KEY_REQUESTS_NOT_AUDITED, policy, path, `rules[${index}] (${why})${narrowing(r, false)} is an exemption for ${who}: their ${whats.join(", ")} requests are not audited, while the same requests by other identities go on to later rules (CIS 3.2.2)`);
    return { ...finding, severity: "low" };
  });
}
