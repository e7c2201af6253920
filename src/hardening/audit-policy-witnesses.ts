/**
 * Which rules of an audit Policy decide SOME request of a kind (`decisions`), for audit-policy-rules.ts.
 *
 * policyChecker.LevelAndStages (k8s.io/apiserver/pkg/audit/policy/checker.go) gives a request the
 * first rule that matches it; each rule's match is a conjunction of per-field tests (users, groups,
 * verbs, namespaces, resources with resourceNames). A rule R decides some request exactly when some
 * request matching R matches no earlier rule. Per field, two values that the same earlier rules name
 * are matched by the same earlier rules, so R's requests need only one value per such class: its own
 * values grouped by which earlier rules name them (a value no earlier rule names is one class), or a
 * value no rule names where R names none (an authenticated user, and system:anonymous). A user's
 * class also counts the groups every such user carries (serviceaccount.UserInfo,
 * system:authenticated). Checked against the exhaustive enumeration on random policies, the search
 * finds the same decisions; only a policy whose classes multiply past MAX_WITNESSES for one rule is
 * left partly judged, and audit/policy-not-fully-judged says so.
 */
import { serviceAccountGroups, splitServiceAccountUsername } from "../access/rbac/subjects.js";
import type { PolicyRule } from "./audit-policy.js";

/** A kind of request: the resource it addresses and the verbs that matter. */
export interface RequestKind {
  label: string;
  group: string;
  resource: string;
  subresource: string;
  namespaced: boolean;
  verbs: readonly string[];
}

/** One resource request, as authorizer.Attributes carry it. */
export interface AuditRequest {
  user: string;
  groups: string[];
  verb: string;
  namespace: string;
  group: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface Decision {
  /** The deciding rule's index, or -1 for the default None. */
  rule: number;
  verb: string;
}

export interface DecisionSearch {
  /** Every (rule, verb) found to decide some request of the kind, in rule order. */
  decisions: Decision[];
  /** False when some rule's requests were too many to try: the decisions may then miss some. */
  complete: boolean;
}

// Verbs whose request addresses one object by name (RequestInfo.Name), and those that may span namespaces.
const NAMED_VERBS = new Set(["get", "update", "patch", "delete"]);
const ALL_NAMESPACES_VERBS = new Set(["list", "watch"]);
// A value no policy is expected to name (a policy that names it is matched literally all the same).
export const UNNAMED = "\u0000palisade-unnamed";
// Requests tried per kind; classes multiply only when many rules name the same values in different combinations.
export const MAX_WITNESSES = 200_000;

/** A rule with Sets for membership; `undefined` where the rule names nothing (any value matches). */
interface CompiledRule {
  users?: ReadonlySet<string>;
  groups?: ReadonlySet<string>;
  verbs?: ReadonlySet<string>;
  namespaces?: ReadonlySet<string>;
  resources: ReadonlyArray<{ group: string; resources: readonly string[]; names?: ReadonlySet<string> }>;
  nonResourceOnly: boolean;
}

const setOf = (values: readonly string[]) => (values.length > 0 ? new Set(values) : undefined);
const compiledRules = new WeakMap<PolicyRule, CompiledRule>();

function compile(rule: PolicyRule): CompiledRule {
  let compiled = compiledRules.get(rule);
  if (!compiled) {
    compiled = {
      users: setOf(rule.users),
      groups: setOf(rule.userGroups),
      verbs: setOf(rule.verbs),
      namespaces: setOf(rule.namespaces),
      resources: rule.resources.map((gr) => ({ group: gr.group, resources: gr.resources, names: setOf(gr.resourceNames) })),
      nonResourceOnly: rule.nonResourceURLs.length > 0,
    };
    compiledRules.set(rule, compiled);
  }
  return compiled;
}

/** ruleMatches in checker.go: users, groups and verbs by exact string; then resources and namespaces, or nonResourceURLs. */
export function ruleMatches(rule: PolicyRule, r: AuditRequest): boolean {
  const c = compile(rule);
  if (c.users && !c.users.has(r.user)) return false;
  if (c.groups && !r.groups.some((g) => c.groups!.has(g))) return false;
  if (c.verbs && !c.verbs.has(r.verb)) return false;
  if (c.namespaces || c.resources.length > 0) return resourceMatches(c, r);
  // A rule of nonResourceURLs only never matches a resource request.
  return !c.nonResourceOnly;
}

/** ruleMatchesResource: `*` matches any resource and subresource, `*\/sub` a subresource of any, `res/*` the resource itself and its subresources. */
function resourceMatches(c: CompiledRule, r: AuditRequest): boolean {
  if (c.namespaces && !c.namespaces.has(r.namespace)) return false;
  if (c.resources.length === 0) return true;
  return c.resources.some((gr) => gr.group === r.group && (gr.resources.length === 0 || ((!gr.names || gr.names.has(r.name)) && gr.resources.some((res) => resourcePatternMatches(res, r.resource, r.subresource)))));
}

function resourcePatternMatches(pattern: string, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return pattern === combined || pattern === "*" || (subresource !== "" && pattern === `*/${subresource}`) || (pattern.endsWith("/*") && pattern.slice(0, -2) === resource);
}

/** The index of the rule that decides the request, or -1 for the default level None. */
export function firstMatch(rules: readonly PolicyRule[], r: AuditRequest): number {
  return rules.findIndex((rule) => ruleMatches(rule, r));
}

/**
 * A request by someone no rule names is by an authenticated user (system:authenticated beside
 * whatever groups the rule asks for) or, when anonymous requests are enabled (--anonymous-auth,
 * on by default), by system:anonymous, whose only group is system:unauthenticated.
 */
const ANONYMOUS = "system:anonymous";
const UNAUTHENTICATED = "system:unauthenticated";

function groupsOf(user: string): string[] {
  if (user === ANONYMOUS) return [UNAUTHENTICATED];
  // serviceaccount.UserInfo: a service account's user always carries its groups.
  const sa = splitServiceAccountUsername(user);
  return sa ? ["system:authenticated", ...serviceAccountGroups(sa.namespace)] : ["system:authenticated"];
}

/**
 * For one field, which rules name each value (ascending rule order), interned so that values named
 * by the same rules share one list: a value's class before rule i is its list's id and how many of
 * its rules come before i.
 */
class NamingIndex {
  private readonly byValue = new Map<string, { id: number; rules: number[] }>();

  constructor(lists: ReadonlyArray<readonly string[]>) {
    const raw = new Map<string, number[]>();
    lists.forEach((values, rule) => {
      for (const value of new Set(values)) {
        const named = raw.get(value);
        if (named) named.push(rule);
        else raw.set(value, [rule]);
      }
    });
    const ids = new Map<string, number>();
    for (const [value, rules] of raw) {
      const key = rules.join(",");
      if (!ids.has(key)) ids.set(key, ids.size);
      this.byValue.set(value, { id: ids.get(key)!, rules });
    }
  }

  /** The rules that name `value`, ascending. */
  rules(value: string): readonly number[] {
    return this.byValue.get(value)?.rules ?? [];
  }

  /** Equal for two values exactly when the same rules before `before` name them (or may be unequal when they do: then both are tried). */
  classBefore(value: string, before: number): string {
    const entry = this.byValue.get(value);
    if (!entry) return "-";
    // Binary search: how many of the ascending rules come before `before`.
    let low = 0;
    let high = entry.rules.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (entry.rules[mid]! < before) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? "-" : `${entry.id}:${low}`;
  }
}

/** One value of each class `classOf` tells apart, the first in the rule's order. */
function representatives(values: readonly string[], classOf: (value: string) => string): string[] {
  const chosen = new Map<string, string>();
  for (const value of values) {
    const key = classOf(value);
    if (!chosen.has(key)) chosen.set(key, value);
  }
  return [...chosen.values()];
}

/** Whether a rule can match some request of the kind at all (resource and group, before names and namespaces). */
function mayMatchKind(rule: PolicyRule, kind: RequestKind): boolean {
  if (rule.nonResourceURLs.length > 0) return false;
  if (rule.verbs.length > 0 && !kind.verbs.some((v) => rule.verbs.includes(v))) return false;
  if (rule.resources.length === 0) return true;
  return rule.resources.some((gr) => gr.group === kind.group && (gr.resources.length === 0 || gr.resources.some((res) => resourcePatternMatches(res, kind.resource, kind.subresource))));
}

interface PolicyIndexes {
  users: NamingIndex;
  groups: NamingIndex;
  namespaces: NamingIndex;
  /** resourceNames, one list per group/resources entry in rule order; `firstEntry[i]` is rule i's first entry. */
  names: NamingIndex;
  firstEntry: number[];
  /** Rules that name no users: with the rules naming the request's user, the only ones that can match it. */
  anyUser: number[];
}

// Built once per policy, shared by the request kinds judged on it.
const policyIndexes = new WeakMap<readonly PolicyRule[], PolicyIndexes>();

function indexesOf(rules: readonly PolicyRule[]): PolicyIndexes {
  let indexes = policyIndexes.get(rules);
  if (!indexes) {
    const firstEntry: number[] = [];
    let entries = 0;
    for (const r of rules) {
      firstEntry.push(entries);
      entries += r.resources.length;
    }
    firstEntry.push(entries);
    indexes = {
      users: new NamingIndex(rules.map((r) => r.users)),
      groups: new NamingIndex(rules.map((r) => r.userGroups)),
      namespaces: new NamingIndex(rules.map((r) => r.namespaces)),
      names: new NamingIndex(rules.flatMap((r) => r.resources.map((gr) => gr.resourceNames))),
      firstEntry,
      anyUser: rules.flatMap((r, i) => (r.users.length === 0 ? [i] : [])),
    };
    policyIndexes.set(rules, indexes);
  }
  return indexes;
}

/** Every (rule, verb) that decides some request of `kind`, in rule order, and whether the search was whole. */
export function decisions(rules: readonly PolicyRule[], kind: RequestKind): DecisionSearch {
  const { users, groups, namespaces, names, firstEntry, anyUser } = indexesOf(rules);
  const seen = new Map<string, Decision>();
  let tried = 0;
  let complete = true;

  // Rules naming the same values build the same requests: each is judged once.
  const judged = new Set<string>();
  const decide = (request: AuditRequest) => {
    const key = [request.user, ...request.groups, "", request.verb, request.namespace, request.name].join("\u0000");
    if (judged.has(key)) return;
    judged.add(key);
    const rule = firstMatchAmong(rules, mergeAscending(anyUser, users.rules(request.user)), request);
    seen.set(`${rule}/${request.verb}`, { rule, verb: request.verb });
  };

  // The request no rule names anything of decides the default None when no rule matches it; then each rule's own.
  const targets: Array<{ index: number; rule?: PolicyRule }> = [{ index: rules.length }, ...rules.map((rule, index) => ({ index, rule })).filter(({ rule }) => mayMatchKind(rule, kind))];
  for (const { index, rule } of targets) {
    const nameClass = (name: string) => names.classBefore(name, firstEntry[index]!);
    const userValues = rule && rule.users.length > 0 ? representatives(rule.users, (u) => `${u === ANONYMOUS ? "anonymous" : users.classBefore(u, index)}/${groupsOf(u).map((g) => groups.classBefore(g, index)).sort().join(",")}`) : [UNNAMED, ANONYMOUS];
    const extraGroups = rule && rule.userGroups.length > 0 ? representatives(rule.userGroups, (g) => groups.classBefore(g, index)).map((g) => [g]) : [[]];
    const namespaceValues = rule && rule.namespaces.length > 0 ? representatives(rule.namespaces, (ns) => `${ns === "" ? "cluster" : "namespaced"}/${namespaces.classBefore(ns, index)}`) : [UNNAMED, ""];
    const nameValues = rule ? [UNNAMED, ...representatives([...new Set(rule.resources.flatMap((gr) => gr.resourceNames))], nameClass)] : [UNNAMED];
    const verbs = kind.verbs.filter((verb) => !rule || rule.verbs.length === 0 || rule.verbs.includes(verb));
    const count = userValues.length * extraGroups.length * namespaceValues.length * nameValues.length * verbs.length;
    if (tried + count > MAX_WITNESSES) {
      complete = false;
      continue;
    }
    tried += count;
    for (const verb of verbs) {
      const named = NAMED_VERBS.has(verb) || kind.subresource !== "";
      for (const namespace of namespaceValues) {
        if (!kind.namespaced ? namespace !== "" : namespace === "" && !ALL_NAMESPACES_VERBS.has(verb)) continue;
        for (const name of named ? nameValues : [""]) {
          for (const user of userValues)
            for (const extra of extraGroups) {
              // The anonymous user has no group but system:unauthenticated (anonymous.NewAuthenticator).
              if (user === ANONYMOUS && extra.some((g) => g !== UNAUTHENTICATED)) continue;
              decide({ user, groups: [...new Set([...groupsOf(user), ...extra])], verb, namespace, group: kind.group, resource: kind.resource, subresource: kind.subresource, name });
            }
        }
      }
    }
  }
  const found = [...seen.values()].sort((a, b) => (a.rule === -1 ? Infinity : a.rule) - (b.rule === -1 ? Infinity : b.rule));
  return { decisions: found, complete };
}

/** The first of `candidates` (ascending rule indices) that matches, or -1. */
function firstMatchAmong(rules: readonly PolicyRule[], candidates: Iterable<number>, request: AuditRequest): number {
  for (const i of candidates) if (ruleMatches(rules[i]!, request)) return i;
  return -1;
}

/** The union of two ascending lists, ascending. */
function* mergeAscending(a: readonly number[], b: readonly number[]): Generator<number> {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) yield a[i++]!;
    else if (i >= a.length || b[j]! < a[i]!) yield b[j++]!;
    else {
      yield a[i++]!;
      j++;
    }
  }
}
