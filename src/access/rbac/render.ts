/**
 * Plain-text, JSON-ready and DOT renderings of can-i answers, who-can lists, rule lists
 * and the escalation graph. Pure: strings and plain objects out, nothing printed.
 */
import { formatPosition } from "../../errors.js";
import { describeGrant, type Decision, type Grant, type WhoCanEntry } from "./authorizer.js";
import { CLUSTER_ADMIN, describeNode, isHub, type EscalationEdge, type EscalationGraph } from "./escalation.js";
import { describeRule } from "./matching.js";
import { normalizeSubject, subjectKey } from "./subjects.js";
import type { BindingDef, Origin, Policy, PolicyRule, RequestAttributes, Subject, UserInfo } from "./types.js";
import { columns } from "../../report/columns.js";
import { printable, printableLineStart } from "../../report/printable.js";

function where(origin: Origin, path: ReadonlyArray<string | number>): string {
  if (origin.bootstrap) return "bootstrap policy";
  const position = origin.source?.locate(path);
  return position ? formatPosition(position) : origin.ref.name;
}

/** The RBAC objects (or parts) left out or misread, one `file:line:col: warning: ...` line each; bootstrap objects are upstream's and skipped. */
export function policyProblemsText(policy: Policy): string {
  return policy.problems
    .filter((p) => !p.origin.bootstrap)
    .map((p) => `${printableLineStart(`${where(p.origin, p.fieldPath ?? [])}: warning: ${p.origin.ref.kind} ${p.origin.ref.namespace ? `${p.origin.ref.namespace}/` : ""}${p.origin.ref.name}: ${p.message}`)}\n`)
    .join("");
}

export function grantJson(grant: Grant) {
  const { binding, rule, role, subjectIndex } = grant;
  return {
    binding: { kind: binding.kind, name: binding.name, namespace: binding.namespace ?? null, position: where(binding.origin, ["subjects", subjectIndex]) },
    role: { kind: role.kind, name: role.name, namespace: role.namespace ?? null },
    rule: { from: { kind: rule.origin.ref.kind, name: rule.origin.ref.name }, index: rule.index, position: where(rule.origin, ["rules", rule.index]), ...ruleJson(rule.rule) },
    text: describeGrant(grant),
  };
}

function ruleJson(rule: PolicyRule) {
  return { verbs: rule.verbs, apiGroups: rule.apiGroups, resources: rule.resources, resourceNames: rule.resourceNames, nonResourceURLs: rule.nonResourceURLs };
}

export function canIText(decision: Decision): string {
  if (!decision.allowed) {
    return ["no", ...(decision.errors.length ? [`  resolution errors: ${decision.errors.join("; ")}`] : [])].map(printableLineStart).join("\n") + "\n";
  }
  if (decision.superuser) return `yes\n  ${printable(decision.reason)}\n`;
  const { grant } = decision;
  return [
    "yes",
    `  granted by ${grant.binding.kind} ${bindingName(grant.binding)} (${where(grant.binding.origin, ["subjects", grant.subjectIndex])})`,
    `  role ${grant.role.kind} ${grant.role.name}, rule ${grant.rule.index}${grant.rule.origin.ref.name !== grant.role.name ? ` of ${grant.rule.origin.ref.kind} ${grant.rule.origin.ref.name}` : ""} (${where(grant.rule.origin, ["rules", grant.rule.index])})`,
    `  ${describeRule(grant.rule.rule)}`,
  ].map(printableLineStart).join("\n") + "\n";
}

export function canIJson(user: UserInfo, request: RequestAttributes, decision: Decision) {
  return {
    allowed: decision.allowed,
    user: { name: user.name, groups: user.groups },
    request,
    reason: decision.reason,
    superuser: decision.allowed ? decision.superuser : false,
    grant: decision.allowed && !decision.superuser ? grantJson(decision.grant) : null,
  };
}

function bindingName(binding: BindingDef): string {
  return binding.namespace ? `${binding.namespace}/${binding.name}` : binding.name;
}

function table(rows: string[][]): string {
  return columns(rows, { gap: "   ", trimEnd: true }).join("\n") + "\n";
}

/** `kubectl auth can-i --list` columns, plus where each rule comes from. */
export function rulesText(grants: Grant[]): string {
  const rows = [["Resources", "Non-Resource URLs", "Resource Names", "Verbs", "Granted by"]];
  for (const { rule, binding } of grants) {
    const r = rule.rule;
    const resources = r.resources.flatMap((res) => (r.apiGroups.length ? r.apiGroups.map((g) => resourceWithGroup(res, g)) : [res]));
    rows.push([resources.join(" ") || "", r.nonResourceURLs.length ? `[${r.nonResourceURLs.join(" ")}]` : "[]", `[${r.resourceNames.join(" ")}]`, `[${r.verbs.join(" ")}]`, `${binding.kind} ${bindingName(binding)}`]);
  }
  return table(rows);
}

/** kubectl's form: the group goes between resource and subresource (`deployments.apps/scale`). */
export function resourceWithGroup(resource: string, group: string): string {
  if (!group) return resource;
  const slash = resource.indexOf("/");
  return slash < 0 ? `${resource}.${group}` : `${resource.slice(0, slash)}.${group}${resource.slice(slash)}`;
}

function subjectName(subject: Subject): string {
  return subject.kind === "ServiceAccount" ? `${subject.namespace}/${subject.name}` : subject.name;
}

export function whoCanText(entries: WhoCanEntry[]): string {
  const rows = [["KIND", "NAME", "GRANTED BY", "ROLE", "RULE AT"]];
  for (const { subject, grant } of entries) {
    if (!grant) rows.push([subject.kind, subjectName(subject), "(superuser group)", "-", "-"]);
    else rows.push([subject.kind, subjectName(subject), `${grant.binding.kind} ${bindingName(grant.binding)}`, `${grant.role.kind} ${grant.role.name}`, `${where(grant.rule.origin, ["rules", grant.rule.index])} rule ${grant.rule.index}`]);
  }
  return table(rows);
}

export function whoCanJson(request: RequestAttributes, entries: WhoCanEntry[]) {
  return { request, subjects: entries.map((e) => ({ ...e.subject, superuser: !e.grant, grant: e.grant ? grantJson(e.grant) : null })) };
}

/**
 * Whether a path starts from what the manifests grant: its first step is a manifest binding's
 * grant, or (for system:masters membership, which no binding grants) its subject is named by one.
 * The built-in policy's own paths (controllers that may rewrite roles, and so on) are every cluster's.
 */
function fromManifests(id: string, path: readonly EscalationEdge[], manifestSubjects: ReadonlySet<string>): boolean {
  const grant = path[0]?.grant;
  return grant ? !grant.binding.origin.bootstrap : manifestSubjects.has(id);
}

/**
 * The escalation paths as text. Given `manifestsOf` (the policy the graph was built from),
 * paths that start in the built-in policy are counted, not listed, as palisade scan leaves them out.
 */
export function escalationText(graph: EscalationGraph, manifestsOf?: Policy): string {
  const lines: string[] = [];
  const manifestSubjects = new Set(
    [...(manifestsOf?.clusterRoleBindings ?? []), ...(manifestsOf?.roleBindings ?? [])].filter((b) => !b.origin.bootstrap).flatMap((b) => b.subjects.map((s) => subjectKey(normalizeSubject(s, b.namespace ?? "")))),
  );
  const all = [...graph.paths].sort((a, b) => a[1].length - b[1].length || (a[0] < b[0] ? -1 : 1));
  const paths = manifestsOf ? all.filter(([id, path]) => fromManifests(id, path, manifestSubjects)) : all;
  const hidden = all.length - paths.length;
  for (const [id, path] of paths) {
    lines.push(`${describeNode(graph, id)}  (${path.length} step${path.length === 1 ? "" : "s"})`);
    for (const edge of path) {
      const at = edge.grant ? ` [${edge.grant.binding.kind} ${bindingName(edge.grant.binding)}; ${where(edge.grant.rule.origin, ["rules", edge.grant.rule.index])}]` : "";
      lines.push(`  -> ${edge.detail} => ${describeNode(graph, edge.to)}${at}`);
    }
  }
  const more = hidden > 0 ? `${hidden} subject${hidden === 1 ? "" : "s"} of the built-in policy (every cluster's default roles and bindings) reach${hidden === 1 ? "es" : ""} cluster-admin too; --bootstrap lists them.\n` : "";
  if (lines.length === 0) return `No subject ${hidden > 0 ? "the manifests grant to " : ""}can reach cluster-admin.\n${more}`;
  return `Escalation paths to cluster-admin (${paths.length} subjects):\n${lines.map(printableLineStart).join("\n")}\n${more}`;
}

export function escalationJson(graph: EscalationGraph) {
  return {
    nodes: [...graph.nodes.keys()],
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, detail: e.detail, grant: e.grant ? grantJson(e.grant) : null })),
    paths: Object.fromEntries([...graph.paths].map(([id, path]) => [id, path.map((e) => ({ to: e.to, kind: e.kind, detail: e.detail }))])),
  };
}

/** Graphviz DOT: subjects that reach cluster-admin in red, cluster-admin as a double octagon. */
export function escalationDot(graph: EscalationGraph): string {
  const q = (s: string) => JSON.stringify(s);
  const connected = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
  const lines = ["digraph escalation {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];'];
  for (const id of graph.nodes.keys()) {
    if (!connected.has(id)) continue;
    if (id === CLUSTER_ADMIN) lines.push(`  ${q(id)} [shape=doubleoctagon, style=filled, fillcolor="#f4cccc"];`);
    else if (isHub(graph.nodes.get(id))) lines.push(`  ${q(id)} [label=${q(describeNode(graph, id))}, shape=ellipse, style=dashed];`);
    else lines.push(`  ${q(id)} [label=${q(describeNode(graph, id))}${graph.paths.has(id) ? ", color=red" : ""}];`);
  }
  for (const e of graph.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(e.kind)}, tooltip=${q(e.detail)}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
