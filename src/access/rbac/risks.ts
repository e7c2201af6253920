/**
 * Dangerous grants, broad and dangling bindings, invalid RBAC objects and escalation
 * paths as findings, each pointing at the manifest field that causes it. Only objects
 * from manifests are reported; bootstrap roles inform the analysis but are upstream's.
 */
import { severityRank, SEVERITIES, type Finding, type Rule, type Severity, type SourcePosition } from "../../findings/types.js";
import { formatFieldPath, type FieldPath } from "../../k8s/types.js";
import type { Grant, RbacAuthorizer } from "./authorizer.js";
import { bootstrapClusterRoleNames } from "./bootstrap.js";
import { buildEscalationGraph, describeNode, type EscalationGraph } from "./escalation.js";
import { ruleAllows } from "./matching.js";
import * as R from "./rules.js";
import { resolveResource } from "./resources.js";
import { describeSubject } from "./subjects.js";
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS_USER, RBAC_GROUP, type BindingDef, type Origin, type PolicyRule, type RoleDef, type SourcedRule, type UserInfo } from "./types.js";

interface Probe {
  verbs: string[];
  group: string;
  resource: string;
  sub?: string;
  /** Below the rule's own severity when this request alone is worth less. */
  severity?: Severity;
}

interface Danger {
  rule: Rule;
  probes: Probe[];
}

const p = (verbs: string[], group: string, resource: string, sub?: string): Probe => (sub ? { verbs, group, resource, sub } : { verbs, group, resource });
const WRITE = ["create", "update", "patch"];

const DANGERS: Danger[] = [
  { rule: R.READ_SECRETS, probes: [p(["get", "list", "watch"], "", "secrets")] },
  {
    rule: R.CREATE_PODS,
    probes: [p(["create"], "", "pods"), p(["create"], "", "replicationcontrollers"), ...["deployments", "daemonsets", "statefulsets", "replicasets"].map((r) => p(["create"], "apps", r)), p(["create"], "batch", "jobs"), p(["create"], "batch", "cronjobs")],
  },
  { rule: R.POD_EXEC, probes: [p(["create", "get"], "", "pods", "exec"), p(["create", "get"], "", "pods", "attach"), p(["patch", "update"], "", "pods", "ephemeralcontainers")] },
  {
    rule: R.IMPERSONATE,
    probes: [p(["impersonate"], "", "users"), p(["impersonate"], "", "groups"), p(["impersonate"], "", "serviceaccounts"), p(["impersonate"], "authentication.k8s.io", "userextras"), p(["impersonate"], "authentication.k8s.io", "uids")],
  },
  { rule: R.BIND_ESCALATE, probes: [p(["bind", "escalate"], RBAC_GROUP, "roles"), p(["bind", "escalate"], RBAC_GROUP, "clusterroles")] },
  { rule: R.WRITE_RBAC, probes: ["roles", "clusterroles", "rolebindings", "clusterrolebindings"].map((r) => p(WRITE, RBAC_GROUP, r)) },
  {
    rule: R.WRITE_WEBHOOKS,
    probes: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"].map((r) =>
      p([...WRITE, "delete"], "admissionregistration.k8s.io", r),
    ),
  },
  { rule: R.NODES_PROXY, probes: [p(["get", "create"], "", "nodes", "proxy")] },
  {
    rule: R.CSR_APPROVE,
    probes: [
      p(["update"], "certificates.k8s.io", "certificatesigningrequests", "approval"),
      p(["approve"], "certificates.k8s.io", "signers"),
      // Writing status.certificate mints nothing without the signer's private key, which RBAC does not give.
      { ...p(["update"], "certificates.k8s.io", "certificatesigningrequests", "status"), severity: "medium" },
      { ...p(["sign"], "certificates.k8s.io", "signers"), severity: "medium" },
    ],
  },
  { rule: R.SERVICE_ACCOUNT_TOKEN, probes: [p(["create"], "", "serviceaccounts", "token")] },
  { rule: R.CREATE_PERSISTENT_VOLUMES, probes: [p(["create"], "", "persistentvolumes")] },
];

/** The rules of the dangerous grants, in DANGERS order. */
export const DANGER_RULES: readonly Rule[] = DANGERS.map((danger) => danger.rule);

/** The requests of `probe` that `rule` allows for some object name: `get secrets`, `create pods/exec`... */
export function dangerousRequests(rule: PolicyRule, probe: Probe): string[] {
  const name = rule.resourceNames[0] ?? "";
  const hits: string[] = [];
  for (const verb of probe.verbs) {
    const request = { kind: "resource" as const, verb, apiGroup: probe.group, resource: probe.resource, subresource: probe.sub ?? "", name, namespace: "ns" };
    if (ruleAllows(request, rule)) hits.push(`${verb} ${probe.resource}${probe.sub ? `/${probe.sub}` : ""}${probe.group ? `.${probe.group}` : ""}`);
  }
  return hits;
}

export interface HeldDanger {
  rule: Rule;
  /** The dangerous requests allowed, with where: `get secrets in team-a`, `create pods cluster-wide`. */
  requests: string[];
  /** The grant that allows the first of them. */
  grant: Grant;
}

/**
 * The dangerous requests `user` is allowed, in `namespace` (namespaced resources) or
 * cluster-wide: what a workload's ServiceAccount token is worth to whoever steals it.
 * Judged by the authorizer, so bindings, aggregation and bootstrap roles all count.
 */
export function heldDangers(authorizer: RbacAuthorizer, user: UserInfo, namespace: string): HeldDanger[] {
  const held: HeldDanger[] = [];
  for (const danger of DANGERS) {
    const requests: string[] = [];
    let first: Grant | undefined;
    for (const probe of danger.probes) {
      const namespaced = resolveResource(probe.group ? `${probe.resource}.${probe.group}` : probe.resource).namespaced !== false;
      for (const verb of probe.verbs) {
        const base = { kind: "resource" as const, verb, apiGroup: probe.group, resource: probe.resource, subresource: probe.sub ?? "", name: "" };
        const everywhere = authorizer.authorize(user, { ...base, namespace: "" });
        const decision = everywhere.allowed || !namespaced ? everywhere : authorizer.authorize(user, { ...base, namespace });
        if (!decision.allowed) continue;
        const where = !namespaced ? "" : everywhere.allowed ? " in every namespace" : ` in ${namespace}`;
        requests.push(`${verb} ${probe.resource}${probe.sub ? `/${probe.sub}` : ""}${where}`);
        if (!first && !decision.superuser) first = decision.grant;
      }
    }
    if (first && requests.length > 0) held.push({ rule: danger.rule, requests, grant: first });
  }
  return held;
}

function lower(severity: Severity, steps: number): Severity {
  return SEVERITIES[Math.max(0, severityRank(severity) - steps)] as Severity;
}

function position(origin: Origin, path: FieldPath): SourcePosition | undefined {
  return origin.source?.locate(path);
}

function finding(rule: Rule, origin: Origin, path: FieldPath, message: string, severity: Severity = rule.severity, properties?: Record<string, unknown>): Finding {
  const result: Finding = { ruleId: rule.id, severity, pillar: rule.pillar, message, object: origin.ref, fieldPath: formatFieldPath(path), remediation: rule.docs.remediation };
  const at = position(origin, path);
  if (at) result.position = at;
  if (properties) result.properties = properties;
  return result;
}

/** The ClusterRoles (other than the rule's own) whose effective rules hold `rule`, by aggregation, directly or through a chain. */
function aggregatorsOf(rule: SourcedRule, clusterRoles: readonly RoleDef[]): RoleDef[] {
  return clusterRoles.filter((r) => r.origin !== rule.origin && r.rules.some((held) => held.origin === rule.origin && held.index === rule.index));
}

/** Bindings of a role, as words: where and to whom it is granted. */
function bindingsOf(role: RoleDef, bindings: BindingDef[]): BindingDef[] {
  return bindings.filter((b) => b.roleRef.kind === role.kind && b.roleRef.name === role.name && (role.kind === "ClusterRole" || b.namespace === role.namespace));
}

function describeBindings(bound: BindingDef[]): string {
  if (bound.length === 0) return "not bound in this snapshot";
  const parts = bound.slice(0, 3).map((b) => {
    const who = b.subjects.filter((s) => s.kind).map((s) => describeSubject(s, b.namespace)).join(", ") || "no subjects";
    return b.kind === "ClusterRoleBinding" ? `cluster-wide to ${who} (${b.name})` : `in ${b.namespace} to ${who} (${b.name})`;
  });
  return `granted ${parts.join("; ")}${bound.length > 3 ? ` and ${bound.length - 3} more` : ""}`;
}

export function roleRuleFindings(authorizer: RbacAuthorizer): Finding[] {
  const policy = authorizer.policy;
  const findings: Finding[] = [];
  const allBindings = [...policy.clusterRoleBindings, ...policy.roleBindings];
  for (const role of [...policy.clusterRoles, ...policy.roles]) {
    if (role.origin.bootstrap) continue;
    const bound = bindingsOf(role, allBindings);
    for (const own of role.ownRules) {
      const { rule, index } = own;
      // A rule aggregated into a bound ClusterRole is held through it, as if bound itself.
      const through = aggregatorsOf(own, policy.clusterRoles).map((aggregator) => ({ aggregator, bound: bindingsOf(aggregator, allBindings) })).filter((a) => a.bound.length > 0);
      const scope = [
        ...(bound.length > 0 || through.length === 0 ? [describeBindings(bound)] : []),
        ...through.map((a) => `aggregated into ClusterRole ${a.aggregator.name}, ${describeBindings(a.bound)}`),
      ].join("; ");
      // A rule nobody holds is latent: reported, but two steps lower.
      const latent = bound.length === 0 && through.length === 0 ? 2 : 0;
      const path = ["rules", index];
      const named = rule.resourceNames.length > 0 ? 1 : 0;
      const nameNote = named ? ` (only objects named ${rule.resourceNames.join(", ")})` : "";
      const wildcards = (["verbs", "apiGroups", "resources", "nonResourceURLs"] as const).filter((f) => rule[f].includes("*"));
      if (wildcards.length > 0) {
        const full = rule.verbs.includes("*") && ((rule.apiGroups.includes("*") && rule.resources.includes("*")) || rule.nonResourceURLs.includes("*"));
        findings.push(
          finding(R.WILDCARD, role.origin, [...path, wildcards[0] as string], `${role.kind} ${role.name} rule ${index} uses * in ${wildcards.join(", ")}${full ? " (every verb on everything)" : ""}; ${scope}`, lower(full ? "critical" : R.WILDCARD.severity, latent), { wildcards }),
        );
      }
      for (const danger of DANGERS) {
        let severity: Severity | undefined;
        const hits = danger.probes.flatMap((probe) => {
          const requests = dangerousRequests(rule, probe);
          const worth = probe.severity ?? danger.rule.severity;
          if (requests.length > 0 && (!severity || severityRank(worth) > severityRank(severity))) severity = worth;
          return requests;
        });
        if (hits.length === 0 || !severity) continue;
        findings.push(finding(danger.rule, role.origin, path, `${role.kind} ${role.name} rule ${index} allows ${hits.join(", ")}${nameNote}; ${scope}`, lower(severity, latent + named), { requests: hits }));
      }
    }
  }
  return findings;
}

const BROAD_GROUPS = new Set([ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ALL_SERVICE_ACCOUNTS]);

export function bindingFindings(authorizer: RbacAuthorizer): Finding[] {
  const policy = authorizer.policy;
  const findings: Finding[] = [];
  for (const binding of [...policy.clusterRoleBindings, ...policy.roleBindings]) {
    if (binding.origin.bootstrap) continue;
    binding.subjects.forEach((subject, i) => {
      const broad = (subject.kind === "Group" && BROAD_GROUPS.has(subject.name)) || (subject.kind === "User" && subject.name === ANONYMOUS_USER);
      if (!broad) return;
      const where = binding.kind === "ClusterRoleBinding" ? "cluster-wide" : `in namespace ${binding.namespace}`;
      const message = `${binding.kind} ${binding.name} grants ${binding.roleRef.kind} ${binding.roleRef.name} ${where} to ${subject.kind} ${subject.name}`;
      if (readsClusterInfoOnly(binding, policy.roles)) {
        findings.push(finding(R.BROAD_SUBJECT, binding.origin, ["subjects", i], `${message}: only get on the ConfigMap cluster-info in kube-public, which kubeadm publishes on purpose (the CA and the API server address, for nodes to join)`, "info"));
        return;
      }
      findings.push(finding(R.BROAD_SUBJECT, binding.origin, ["subjects", i], message));
    });
  }
  for (const { binding, error } of authorizer.danglingBindings()) {
    // A default ClusterRole is missing only because the snapshot has no --bootstrap: every cluster has it.
    if (binding.origin.bootstrap || (binding.roleRef.kind === "ClusterRole" && bootstrapClusterRoleNames().has(binding.roleRef.name))) continue;
    findings.push(finding(R.DANGLING_BINDING, binding.origin, ["roleRef", "name"], `${binding.kind} ${binding.name}: ${error}; whoever creates it grants its rules to ${binding.subjects.map((s) => describeSubject(s, binding.namespace)).join(", ") || "no subjects"}`));
  }
  for (const problem of policy.problems) {
    if (problem.origin.bootstrap) continue;
    findings.push(finding(R.INVALID_RBAC, problem.origin, problem.fieldPath ?? [], problem.message));
  }
  return findings;
}

/**
 * kubeadm's own grant to anonymous clients: a RoleBinding in kube-public of a Role that
 * allows nothing but get on the ConfigMap cluster-info. Any other rule disqualifies it.
 */
function readsClusterInfoOnly(binding: BindingDef, roles: readonly RoleDef[]): boolean {
  if (binding.kind !== "RoleBinding" || binding.namespace !== "kube-public" || binding.roleRef.kind !== "Role") return false;
  const role = roles.find((r) => r.namespace === "kube-public" && r.name === binding.roleRef.name);
  const exactly = (list: readonly string[], value: string) => list.length === 1 && list[0] === value;
  return (
    role !== undefined &&
    role.rules.length > 0 &&
    role.rules.every(({ rule }) => exactly(rule.verbs, "get") && exactly(rule.apiGroups, "") && exactly(rule.resources, "configmaps") && exactly(rule.resourceNames, "cluster-info") && rule.nonResourceURLs.length === 0)
  );
}

/** One finding per subject that can reach cluster-admin without already holding it outright. */
export function escalationFindings(graph: EscalationGraph): Finding[] {
  const findings: Finding[] = [];
  for (const [id, path] of graph.paths) {
    const first = path[0];
    if (!first || first.kind === "superuser") continue;
    // Subjects that hold cluster-admin directly are the wildcard finding's business, unless granted by a manifest.
    const grant: Grant | undefined = first.grant;
    if (!grant || grant.binding.origin.bootstrap) continue;
    const steps = path.map((e) => `${e.detail} -> ${describeNode(graph, e.to)}`).join("; then ");
    // Point at the rule when a manifest wrote it, else at the manifest binding that grants a bootstrap role.
    const [origin, at] = grant.rule.origin.bootstrap ? [grant.binding.origin, ["roleRef"]] : [grant.rule.origin, ["rules", grant.rule.index]];
    const f = finding(R.ESCALATION_PATH, origin, at, `${describeNode(graph, id)} reaches cluster-admin in ${path.length} step${path.length === 1 ? "" : "s"}: ${steps}`, R.ESCALATION_PATH.severity, {
      subject: id,
      path: path.map((e) => ({ from: e.from, to: e.to, kind: e.kind, detail: e.detail })),
    });
    if (path.length === 1 && first.kind === "wildcard") f.severity = "high";
    findings.push(f);
  }
  return findings;
}

export function rbacFindings(authorizer: RbacAuthorizer, graph: EscalationGraph = buildEscalationGraph(authorizer)): Finding[] {
  return [...roleRuleFindings(authorizer), ...bindingFindings(authorizer), ...escalationFindings(graph)];
}
