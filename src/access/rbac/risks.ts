/**
 * Dangerous grants, broad and dangling bindings, invalid RBAC objects and escalation
 * paths as findings, each pointing at the manifest field that causes it. Only objects
 * from manifests are reported; bootstrap roles inform the analysis but are upstream's.
 */
import { severityRank, type Finding, type Rule, type Severity, type SourcePosition } from "../../findings/types.js";
import { formatFieldPath, type FieldPath } from "../../k8s/types.js";
import type { Grant, RbacAuthorizer } from "./authorizer.js";
import { bootstrapClusterRoleNames } from "./bootstrap.js";
import { bindingReach, DangerTally, lower, notesWorthSaying, type RuleDanger } from "./danger-scope.js";
import { buildEscalationGraph, describeNode, type EscalationGraph } from "./escalation.js";
import { DANGERS, dangerousRequests } from "./danger-probes.js";
import * as R from "./rules.js";
import { describeSubject } from "./subjects.js";
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS_USER, type BindingDef, type Origin, type PolicyRule, type RoleDef, type SourcedRule } from "./types.js";


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

/**
 * Whether `role` holds the rule written in it. The aggregation controller (syncClusterRole)
 * sets an aggregated ClusterRole's rules to what its selectors gather from other ClusterRoles,
 * so the rules written there are held only if gathered back (through an aggregation cycle).
 */
function holdsOwnRule(role: RoleDef, own: SourcedRule): boolean {
  return role.rules.some((held) => held.origin === own.origin && held.index === own.index);
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

/**
 * What `rule` allows of each danger. `roleNamespace`: the rule is applied only in that
 * namespace (a Role's, or any role's through a RoleBinding): requests on cluster-scoped
 * resources carry no namespace there, so they are never allowed, but for the Namespace
 * object of that namespace itself.
 */
function ruleDangers(rule: PolicyRule, roleNamespace?: string): RuleDanger[] {
  const found: RuleDanger[] = [];
  for (const danger of DANGERS) {
    let severity: Severity | undefined;
    const hits: string[] = [];
    const noted = new Map<string, Severity>();
    for (const probe of danger.probes) {
      const requests = dangerousRequests(rule, probe, roleNamespace);
      if (requests.length === 0) continue;
      hits.push(...requests);
      const worth = probe.severity ?? danger.rule.severity;
      if (!severity || severityRank(worth) > severityRank(severity)) severity = worth;
      if (probe.note) noted.set(probe.note, worth);
    }
    if (hits.length === 0 || !severity) continue;
    found.push({ rule: danger.rule, hits, severity, notes: noted });
  }
  return found;
}

/** The `*` a rule holds, and whether it is every verb on everything (cluster-admin's rule). */
function ruleWildcards(rule: PolicyRule): { fields: string[]; full: boolean } | undefined {
  const fields = (["verbs", "apiGroups", "resources", "nonResourceURLs"] as const).filter((f) => rule[f].includes("*"));
  if (fields.length === 0) return undefined;
  const full = rule.verbs.includes("*") && ((rule.apiGroups.includes("*") && rule.resources.includes("*")) || rule.nonResourceURLs.includes("*"));
  return { fields, full };
}

const withNotes = (text: string, notes: readonly string[]) => (notes.length > 0 ? `${text} (${notes.join("; ")})` : text);

export function roleRuleFindings(authorizer: RbacAuthorizer): Finding[] {
  const policy = authorizer.policy;
  const findings: Finding[] = [];
  const allBindings = [...policy.clusterRoleBindings, ...policy.roleBindings];
  for (const role of [...policy.clusterRoles, ...policy.roles]) {
    if (role.origin.bootstrap) continue;
    const boundToRole = bindingsOf(role, allBindings);
    for (const own of role.ownRules) {
      const { rule, index } = own;
      const aggregators = aggregatorsOf(own, policy.clusterRoles);
      const heldByRole = holdsOwnRule(role, own);
      // Replaced by the aggregation controller and gathered by no other ClusterRole: no binding
      // can grant it (can-i answers no), so no risk of it is reported; rbac/invalid-object says it is replaced.
      if (!heldByRole && aggregators.length === 0) continue;
      const bound = heldByRole ? boundToRole : [];
      // A rule aggregated into a bound ClusterRole is held through it, as if bound itself.
      const through = aggregators.map((aggregator) => ({ aggregator, bound: bindingsOf(aggregator, allBindings) })).filter((a) => a.bound.length > 0);
      const scope = [
        ...(bound.length > 0 || through.length === 0 ? [describeBindings(bound)] : []),
        ...through.map((a) => `aggregated into ClusterRole ${a.aggregator.name}, ${describeBindings(a.bound)}`),
      ].join("; ");
      // A rule nobody holds is latent: reported, but two steps lower.
      const latent = bound.length === 0 && through.length === 0 ? 2 : 0;
      // A Role's rule applies in its namespace only; a ClusterRole's too when only RoleBindings hold it.
      // Unheld, a ClusterRole's rule is judged as written: whoever binds it may do so cluster-wide.
      const reach = role.kind === "Role" ? { clusterWide: false, namespaces: role.namespace ? [role.namespace] : [] } : bindingReach([...bound, ...through.flatMap((a) => a.bound)]);
      const namespaces = role.kind === "Role" ? reach.namespaces : reach.clusterWide || latent ? [] : reach.namespaces;
      const inNamespaces = namespaces.length > 0 ? ` in ${namespaces.join(", ")}` : "";
      const noClusterScope = "; a RoleBinding grants nothing outside its namespace";
      const path = ["rules", index];
      const named = rule.resourceNames.length > 0 ? 1 : 0;
      const nameNote = named ? ` (only objects named ${rule.resourceNames.join(", ")})` : "";
      const wildcards = ruleWildcards(rule);
      if (wildcards) {
        const { fields, full } = wildcards;
        // Non-resource URLs are never namespaced: only a ClusterRoleBinding grants them.
        const unheld = inNamespaces && rule.resources.length === 0 ? 2 : 0;
        const what = full ? ` (every verb on everything${unheld ? "" : inNamespaces})` : "";
        findings.push(
          finding(R.WILDCARD, role.origin, [...path, fields[0] as string], `${role.kind} ${role.name} rule ${index} uses * in ${fields.join(", ")}${what}; ${scope}${unheld ? noClusterScope : ""}`, lower(full ? "critical" : R.WILDCARD.severity, latent + unheld), {
            wildcards: fields,
          }),
        );
      }
      const report = (danger: { rule: Rule; hits: string[]; severity: Severity; notes: string[] }, steps: number, after = "") =>
        findings.push(finding(danger.rule, role.origin, path, `${role.kind} ${role.name} rule ${index} allows ${withNotes(danger.hits.join(", "), danger.notes)}${nameNote}; ${scope}${after}`, lower(danger.severity, steps), { requests: danger.hits }));
      const asWritten = ruleDangers(rule, role.kind === "Role" ? role.namespace : undefined);
      if (namespaces.length === 0 || role.kind === "Role") {
        for (const danger of asWritten) report({ ...danger, notes: notesWorthSaying(danger.notes, danger.severity) }, latent + named);
        continue;
      }
      // A ClusterRole held through RoleBindings alone: what it allows in those namespaces; a danger
      // only cluster-scoped requests make is held nowhere, so latent, as an unbound rule.
      const held = new DangerTally();
      for (const namespace of namespaces) for (const danger of ruleDangers(rule, namespace)) held.add(danger);
      for (const danger of held.entries()) report(danger, named);
      for (const danger of asWritten) if (!held.has(danger.rule)) report({ ...danger, notes: notesWorthSaying(danger.notes, danger.severity) }, 2 + named, noClusterScope);
    }
  }
  return findings;
}

/**
 * What a manifest's binding grants through upstream's own rules (admin, edit, cluster-admin,
 * system:*, and what they aggregate): the built-in role is not the user's text, so the grant
 * is reported where the user wrote it, at the binding's roleRef, once per binding and risk.
 * A rule a manifest wrote (aggregated into admin, say) is left to roleRuleFindings.
 */
export function builtinGrantFindings(authorizer: RbacAuthorizer): Finding[] {
  const policy = authorizer.policy;
  const clusterRoles = new Map(policy.clusterRoles.map((r) => [r.name, r]));
  const roles = new Map(policy.roles.map((r) => [`${r.namespace}/${r.name}`, r]));
  const findings: Finding[] = [];
  for (const binding of [...policy.clusterRoleBindings, ...policy.roleBindings]) {
    if (binding.origin.bootstrap) continue;
    const { kind, name } = binding.roleRef;
    // Resolved as the authorizer resolves a roleRef (a ClusterRoleBinding holds no Role).
    const role = kind === "ClusterRole" ? clusterRoles.get(name) : kind === "Role" && binding.namespace ? roles.get(`${binding.namespace}/${name}`) : undefined;
    const builtin = role?.rules.filter((r) => r.origin.bootstrap) ?? [];
    if (!role || builtin.length === 0) continue;
    const who = binding.subjects.filter((s) => s.kind).map((s) => describeSubject(s, binding.namespace)).join(", ");
    const where = binding.kind === "ClusterRoleBinding" ? "cluster-wide" : `in ${binding.namespace}`;
    const what = role.origin.bootstrap ? `the built-in ${role.kind} ${role.name}` : `${role.kind} ${role.name} (the built-in rules it aggregates)`;
    const grants = `${binding.kind} ${binding.name} grants ${what} ${where} to ${who || "no subjects"}`;
    // A binding without subjects grants nothing yet: latent, as a role nobody holds.
    const latent = who ? 0 : 2;
    const at = ["roleRef"];
    // A RoleBinding's rules are applied only to requests in its namespace (rbac.go, VisitRulesFor):
    // never to non-resource URLs or cluster-scoped resources, but for its own Namespace object.
    const inNamespace = binding.kind === "RoleBinding" ? binding.namespace : undefined;
    const held = inNamespace === undefined ? builtin : builtin.filter((r) => r.rule.resources.length > 0);
    const full = held.find((r) => ruleWildcards(r.rule)?.full);
    if (full) {
      // Every verb on everything holds every risk below: one finding says it all. In one
      // namespace it is that namespace's admin, graded as a Role's * on * there (roleRuleFindings).
      const fields = ruleWildcards(full.rule)?.fields;
      const everything = `every verb on everything${inNamespace === undefined ? "" : ` in ${inNamespace}`}`;
      findings.push(finding(R.WILDCARD, binding.origin, at, `${grants}: ${everything} (* in ${fields?.join(", ")})`, lower("critical", latent), { wildcards: fields, role: role.name }));
      continue;
    }
    const partial = held.flatMap((r) => ruleWildcards(r.rule)?.fields ?? []);
    if (partial.length > 0) findings.push(finding(R.WILDCARD, binding.origin, at, `${grants}: * in ${[...new Set(partial)].join(", ")}`, lower(R.WILDCARD.severity, latent), { wildcards: [...new Set(partial)], role: role.name }));
    const byRisk = new DangerTally();
    for (const { rule } of held) {
      const named = rule.resourceNames.length > 0 ? 1 : 0;
      for (const danger of ruleDangers(rule, inNamespace)) byRisk.add(danger, named, named ? ` (named ${rule.resourceNames.join(", ")})` : "");
    }
    for (const { rule, hits, severity, notes } of byRisk.entries()) {
      findings.push(finding(rule, binding.origin, at, `${grants}, which allows ${withNotes(hits.join(", "), notes)}`, lower(severity, latent), { requests: hits, role: role.name }));
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
    // Holding every verb on everything is already reported critical by rbac/wildcard: at the
    // role's rule, or for the built-in cluster-admin at this same binding (builtinGrantFindings).
    if (path.length === 1 && first.kind === "wildcard") f.severity = "high";
    findings.push(f);
  }
  return findings;
}

export function rbacFindings(authorizer: RbacAuthorizer, graph: EscalationGraph = buildEscalationGraph(authorizer)): Finding[] {
  return [...roleRuleFindings(authorizer), ...builtinGrantFindings(authorizer), ...bindingFindings(authorizer), ...escalationFindings(graph)];
}
