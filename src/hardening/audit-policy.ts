/**
 * An audit Policy (audit.k8s.io, --audit-policy-file) as kube-apiserver reads and applies it:
 * LoadPolicyFromBytes and ValidatePolicy (k8s.io/apiserver/pkg/audit/policy/reader.go,
 * pkg/apis/audit/validation) decide whether it loads at all; policyChecker.LevelAndStages
 * (pkg/audit/policy/checker.go) gives a request the level of the FIRST rule that matches it, else
 * None, with the rule's omitStages joined to the policy's.
 *
 * `decisions` answers "which rules decide SOME request of this kind": a rule narrowed to some users,
 * groups, verbs, namespaces or names decides for the requests it matches that no earlier rule
 * matched. Each rule's match is a conjunction of independent per-field tests, so the requests that
 * match the fewest earlier rules are built from the rule's own values where it names some and from
 * a value no rule names where it does not (and, for groups, one of its groups beside the groups
 * every user has). Running the first-match evaluation on those requests finds every rule that
 * decides some request, and the default None when some request matches no rule.
 */
import { isRecord, type FieldPath } from "../k8s/types.js";

export const LEVELS = ["None", "Metadata", "Request", "RequestResponse"] as const;
export type Level = (typeof LEVELS)[number];
const STAGES = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

export interface GroupResources {
  group: string;
  resources: string[];
  resourceNames: string[];
}

export interface PolicyRule {
  index: number;
  level: Level;
  users: string[];
  userGroups: string[];
  verbs: string[];
  namespaces: string[];
  resources: GroupResources[];
  nonResourceURLs: string[];
  omitStages: string[];
}

export interface PolicyProblem {
  path: FieldPath;
  message: string;
}

export type ParsedPolicy = { rules: PolicyRule[]; problems: [] } | { rules?: undefined; problems: PolicyProblem[] };

export const isAuditPolicy = (object: { kind?: unknown; apiVersion?: unknown }) => object.kind === "Policy" && typeof object.apiVersion === "string" && object.apiVersion.startsWith("audit.k8s.io/");

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The policy's rules, or every reason kube-apiserver would refuse to load it. */
export function parsePolicy(policy: Record<string, unknown>): ParsedPolicy {
  const problems: PolicyProblem[] = [];
  const strings = (value: unknown, path: FieldPath): string[] => {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
    problems.push({ path, message: `${path.join(".")} is not a list of strings` });
    return [];
  };
  const policyStages = strings(policy.omitStages, ["omitStages"]);
  if (!Array.isArray(policy.rules) || policy.rules.length === 0) {
    problems.push({ path: ["rules"], message: Array.isArray(policy.rules) ? "the policy has no rules, which kube-apiserver refuses to load" : "rules is not a list" });
    return { problems };
  }
  const rules = policy.rules.map((raw, index): PolicyRule | undefined => {
    const at = (...rest: FieldPath): FieldPath => ["rules", index, ...rest];
    if (!isRecord(raw)) {
      problems.push({ path: at(), message: `rules[${index}] is not a rule object` });
      return undefined;
    }
    const level = raw.level;
    if (typeof level !== "string" || !(LEVELS as readonly string[]).includes(level)) {
      problems.push({ path: at("level"), message: level === undefined || level === "" ? `rules[${index}].level is required` : `rules[${index}].level ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}` });
    }
    const omitStages = strings(raw.omitStages, at("omitStages"));
    omitStages.forEach((stage, i) => {
      if (!STAGES.includes(stage)) problems.push({ path: at("omitStages", i), message: `rules[${index}].omitStages[${i}] ${JSON.stringify(stage)} is not one of ${STAGES.join(", ")}` });
    });
    const nonResourceURLs = strings(raw.nonResourceURLs, at("nonResourceURLs"));
    nonResourceURLs.forEach((url, i) => {
      if (url !== "*" && (!url.startsWith("/") || url.slice(0, -1).includes("*"))) problems.push({ path: at("nonResourceURLs", i), message: `rules[${index}].nonResourceURLs[${i}] must start with / and may end with a single *` });
    });
    const namespaces = strings(raw.namespaces, at("namespaces"));
    const resources = groupResources(raw.resources, at("resources"), problems);
    if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0)) problems.push({ path: at("nonResourceURLs"), message: `rules[${index}] names both nonResourceURLs and resources or namespaces` });
    return { index, level: level as Level, users: strings(raw.users, at("users")), userGroups: strings(raw.userGroups, at("userGroups")), verbs: strings(raw.verbs, at("verbs")), namespaces, resources, nonResourceURLs, omitStages: [...new Set([...policyStages, ...omitStages])] };
  });
  if (problems.length > 0) return { problems };
  return { rules: rules as PolicyRule[], problems: [] };
}

function groupResources(value: unknown, path: FieldPath, problems: PolicyProblem[]): GroupResources[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ path, message: `${path.join(".")} is not a list` });
    return [];
  }
  return value.flatMap((entry, i) => {
    const at = [...path, i];
    if (!isRecord(entry)) {
      problems.push({ path: at, message: `${at.join(".")} is not a group/resources object` });
      return [];
    }
    const group = entry.group ?? "";
    const list = (v: unknown, name: string): string[] => {
      if (v === undefined || v === null) return [];
      if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
      problems.push({ path: [...at, name], message: `${[...at, name].join(".")} is not a list of strings` });
      return [];
    };
    // ValidatePolicy: a named group must be a DNS subdomain ("*" is not one), and resourceNames need resources.
    if (typeof group !== "string" || (group !== "" && (group.length > 253 || !DNS_SUBDOMAIN.test(group)))) problems.push({ path: [...at, "group"], message: `${at.join(".")}.group ${JSON.stringify(group)} is not an API group name` });
    const resources = list(entry.resources, "resources");
    const resourceNames = list(entry.resourceNames, "resourceNames");
    if (resourceNames.length > 0 && resources.length === 0) problems.push({ path: [...at, "resourceNames"], message: `${at.join(".")}.resourceNames needs resources` });
    return [{ group: typeof group === "string" ? group : "", resources, resourceNames }];
  });
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

/** ruleMatches in checker.go: users, groups and verbs by exact string; then resources and namespaces, or nonResourceURLs. */
export function ruleMatches(rule: PolicyRule, r: AuditRequest): boolean {
  if (rule.users.length > 0 && !rule.users.includes(r.user)) return false;
  if (rule.userGroups.length > 0 && !r.groups.some((g) => rule.userGroups.includes(g))) return false;
  if (rule.verbs.length > 0 && !rule.verbs.includes(r.verb)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return resourceMatches(rule, r);
  // A rule of nonResourceURLs only never matches a resource request.
  return rule.nonResourceURLs.length === 0;
}

/** ruleMatchesResource: `*` matches any resource and subresource, `*\/sub` a subresource of any, `res/*` the resource itself and its subresources. */
function resourceMatches(rule: PolicyRule, r: AuditRequest): boolean {
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(r.namespace)) return false;
  if (rule.resources.length === 0) return true;
  const combined = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return rule.resources.some((gr) => {
    if (gr.group !== r.group) return false;
    if (gr.resources.length === 0) return true;
    if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(r.name)) return false;
    return gr.resources.some((res) => res === combined || res === "*" || (r.subresource !== "" && res === `*/${r.subresource}`) || (res.endsWith("/*") && res.slice(0, -2) === r.resource));
  });
}

/** The index of the rule that decides the request, or -1 for the default level None. */
export function firstMatch(rules: readonly PolicyRule[], r: AuditRequest): number {
  return rules.findIndex((rule) => ruleMatches(rule, r));
}

/** A kind of request: the resource it addresses and the verbs that matter. */
export interface RequestKind {
  label: string;
  group: string;
  resource: string;
  subresource: string;
  namespaced: boolean;
  verbs: readonly string[];
}

// Verbs whose request addresses one object by name (RequestInfo.Name), and those that may span namespaces.
const NAMED_VERBS = new Set(["get", "update", "patch", "delete"]);
const ALL_NAMESPACES_VERBS = new Set(["list", "watch"]);
// Values no policy is expected to name (a policy that names them is matched literally all the same).
const UNNAMED = "\u0000palisade-unnamed";
// A hostile policy (thousands of users times thousands of namespaces) stops the search here: what was found is still exact.
const MAX_WITNESSES = 50_000;

function groupsOf(user: string): string[] {
  if (user === "system:anonymous") return ["system:unauthenticated"];
  // serviceaccount.UserInfo: a service account's user always carries these groups.
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user);
  return sa ? ["system:authenticated", "system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : ["system:authenticated"];
}

/** Requests of `kind` that match as few rules as possible: first one that matches only unconditional rules, then one set per rule. */
function witnesses(rules: readonly PolicyRule[], kind: RequestKind): AuditRequest[] {
  const out: AuditRequest[] = [];
  const templates: Array<Pick<PolicyRule, "users" | "userGroups" | "verbs" | "namespaces" | "resources">> = [{ users: [], userGroups: [], verbs: [], namespaces: [], resources: [] }, ...rules];
  for (const rule of templates) {
    const users = rule.users.length > 0 ? rule.users : [UNNAMED];
    const extraGroups = rule.userGroups.length > 0 ? rule.userGroups.map((g) => [g]) : [[]];
    const names = [...new Set([UNNAMED, ...rule.resources.flatMap((gr) => gr.resourceNames)])];
    const namespaces = rule.namespaces.length > 0 ? rule.namespaces : [UNNAMED, ""];
    for (const verb of kind.verbs) {
      if (rule.verbs.length > 0 && !rule.verbs.includes(verb)) continue;
      const named = NAMED_VERBS.has(verb) || kind.subresource !== "";
      for (const user of users)
        for (const extra of extraGroups)
          for (const namespace of namespaces) {
            if (!kind.namespaced ? namespace !== "" : namespace === "" && !ALL_NAMESPACES_VERBS.has(verb)) continue;
            for (const name of names) {
              if (named ? name === "" : name !== UNNAMED) continue;
              if (out.length >= MAX_WITNESSES) return out;
              out.push({ user, groups: [...new Set([...groupsOf(user), ...extra])], verb, namespace, group: kind.group, resource: kind.resource, subresource: kind.subresource, name: named ? name : "" });
            }
          }
    }
  }
  return out;
}

export interface Decision {
  /** The deciding rule's index, or -1 for the default None. */
  rule: number;
  verb: string;
}

/** Every (rule, verb) that decides some request of `kind`, in rule order. */
export function decisions(rules: readonly PolicyRule[], kind: RequestKind): Decision[] {
  const seen = new Map<string, Decision>();
  for (const request of witnesses(rules, kind)) {
    const rule = firstMatch(rules, request);
    seen.set(`${rule}/${request.verb}`, { rule, verb: request.verb });
  }
  return [...seen.values()].sort((a, b) => (a.rule === -1 ? Infinity : a.rule) - (b.rule === -1 ? Infinity : b.rule));
}

/** The level a decision gives; stages omitted so that no event is ever written count as None. */
export function effectiveLevel(rules: readonly PolicyRule[], decision: Decision): Level {
  if (decision.rule < 0) return "None";
  const rule = rules[decision.rule]!;
  return STAGES.every((s) => rule.omitStages.includes(s)) ? "None" : rule.level;
}

/** Request and response bodies are attached while the handler runs, so only ResponseComplete and Panic events carry them. */
export function bodiesWritten(rule: PolicyRule): boolean {
  return !(rule.omitStages.includes("ResponseComplete") && rule.omitStages.includes("Panic"));
}
