/**
 * An audit Policy (audit.k8s.io, --audit-policy-file) as kube-apiserver reads and applies it:
 * LoadPolicyFromBytes and ValidatePolicy (k8s.io/apiserver/pkg/audit/policy/reader.go,
 * pkg/apis/audit/validation) decide whether it loads at all; policyChecker.LevelAndStages
 * (pkg/audit/policy/checker.go) gives a request the level of the FIRST rule that matches it, else
 * None, with the rule's omitStages joined to the policy's.
 *
 * Which rules decide some request of a kind is audit-policy-witnesses.ts's `decisions`; this file
 * parses the policy and says which stages, and so which events, a decided request writes.
 * Fields are named as upstream's field.Path prints them (rules[1].level), with the index of
 * each list entry, resources' too (upstream's validateResources leaves that one out).
 */
import { dns1123SubdomainErrors } from "../k8s/dns-names.js";
import { formatFieldPath, isRecord, type FieldPath } from "../k8s/types.js";
import type { Decision, RequestKind } from "./audit-policy-witnesses.js";

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

/**
 * LoadPolicyFromBytes decodes with the audit scheme's versions only: audit.k8s.io/v1 since
 * Kubernetes 1.24, which removed v1alpha1 and v1beta1 (kubernetes/kubernetes#108092; deprecated
 * since 1.21 by #98858). Another version fails to decode ("no kind Policy is registered").
 */
const LOADED_VERSION = "audit.k8s.io/v1";
const REMOVED_VERSIONS = new Set(["audit.k8s.io/v1alpha1", "audit.k8s.io/v1beta1"]);

/** The policy's rules, or every reason kube-apiserver would refuse to load it. */
export function parsePolicy(policy: Record<string, unknown>): ParsedPolicy {
  const problems: PolicyProblem[] = [];
  const strings = (value: unknown, path: FieldPath): string[] => {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
    problems.push({ path, message: `${formatFieldPath(path)} is not a list of strings` });
    return [];
  };
  const stages = (value: unknown, path: FieldPath, owner: string): string[] => {
    const listed = strings(value, path);
    listed.forEach((stage, i) => {
      if (!STAGES.includes(stage)) problems.push({ path: [...path, i], message: `${owner}omitStages[${i}] ${JSON.stringify(stage)} is not one of ${STAGES.join(", ")}` });
    });
    return listed;
  };
  if (policy.apiVersion !== LOADED_VERSION) {
    const version = JSON.stringify(policy.apiVersion);
    problems.push({ path: ["apiVersion"], message: REMOVED_VERSIONS.has(String(policy.apiVersion)) ? `apiVersion ${version} was removed in Kubernetes 1.24 (use ${LOADED_VERSION})` : `apiVersion ${version} is not ${LOADED_VERSION}, the only version kube-apiserver decodes` });
    return { problems };
  }
  // ValidatePolicy checks the policy-wide omitStages as it checks each rule's.
  const policyStages = stages(policy.omitStages, ["omitStages"], "");
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
    const omitStages = stages(raw.omitStages, at("omitStages"), `rules[${index}].`);
    const nonResourceURLs = strings(raw.nonResourceURLs, at("nonResourceURLs"));
    nonResourceURLs.forEach((url, i) => {
      if (url !== "*" && (!url.startsWith("/") || url.slice(0, -1).includes("*"))) problems.push({ path: at("nonResourceURLs", i), message: `rules[${index}].nonResourceURLs[${i}] must start with / and may end with a single *` });
    });
    const namespaces = strings(raw.namespaces, at("namespaces"));
    const resources = groupResources(raw.resources, at("resources"), problems);
    if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0)) problems.push({ path: at("nonResourceURLs"), message: `rules[${index}].nonResourceURLs is set beside resources or namespaces: rules cannot apply to both regular resources and non-resource URLs` });
    return { index, level: level as Level, users: strings(raw.users, at("users")), userGroups: strings(raw.userGroups, at("userGroups")), verbs: strings(raw.verbs, at("verbs")), namespaces, resources, nonResourceURLs, omitStages: [...new Set([...policyStages, ...omitStages])] };
  });
  if (problems.length > 0) return { problems };
  return { rules: rules as PolicyRule[], problems: [] };
}

function groupResources(value: unknown, path: FieldPath, problems: PolicyProblem[]): GroupResources[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ path, message: `${formatFieldPath(path)} is not a list` });
    return [];
  }
  return value.flatMap((entry, i) => {
    const at = [...path, i];
    if (!isRecord(entry)) {
      problems.push({ path: at, message: `${formatFieldPath(at)} is not a group/resources object` });
      return [];
    }
    const group = entry.group ?? "";
    const list = (v: unknown, name: string): string[] => {
      if (v === undefined || v === null) return [];
      if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
      problems.push({ path: [...at, name], message: `${formatFieldPath([...at, name])} is not a list of strings` });
      return [];
    };
    // ValidatePolicy: a named group must be a DNS subdomain (NameIsDNSSubdomain: "*" is not one), and resourceNames need resources.
    const groupErrors = typeof group !== "string" ? ["not a string"] : group === "" ? [] : dns1123SubdomainErrors(group);
    if (groupErrors.length > 0) problems.push({ path: [...at, "group"], message: `${formatFieldPath([...at, "group"])} ${JSON.stringify(group)} is not an API group name: ${groupErrors.join(", ")}` });
    const resources = list(entry.resources, "resources");
    const resourceNames = list(entry.resourceNames, "resourceNames");
    if (resourceNames.length > 0 && resources.length === 0) problems.push({ path: [...at, "resourceNames"], message: `${formatFieldPath([...at, "resourceNames"])} needs resources` });
    return [{ group: typeof group === "string" ? group : "", resources, resourceNames }];
  });
}

/**
 * BasicLongRunningRequestCheck as kube-apiserver configures it (pkg/controlplane/apiserver
 * config): the verbs watch and proxy, and the subresources attach, exec, proxy, log and portforward.
 */
const LONG_RUNNING_VERBS = new Set(["watch", "proxy"]);
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

export const isLongRunning = (kind: RequestKind, verb: string): boolean => LONG_RUNNING_VERBS.has(verb) || LONG_RUNNING_SUBRESOURCES.has(kind.subresource);

/**
 * The stages at which WithAudit (k8s.io/apiserver/pkg/endpoints/filters/audit.go) writes an event
 * for a request that does not panic: RequestReceived before the handler, ResponseStarted only when
 * the request is long-running (its response writer gets the sink; a long-running request that wrote
 * nothing gets a faked one), ResponseComplete after it. Panic is written only on a panic.
 */
export function stagesWritten(kind: RequestKind, verb: string): string[] {
  return isLongRunning(kind, verb) ? ["RequestReceived", "ResponseStarted", "ResponseComplete"] : ["RequestReceived", "ResponseComplete"];
}

/** The level a decision gives; a rule whose omitStages drop every stage these requests write records nothing, as None. */
export function effectiveLevel(rules: readonly PolicyRule[], decision: Decision, kind: RequestKind): Level {
  if (decision.rule < 0) return "None";
  const rule = rules[decision.rule]!;
  return stagesWritten(kind, decision.verb).every((s) => rule.omitStages.includes(s)) ? "None" : rule.level;
}

/**
 * Whether the bodies of these requests reach the log. Handlers attach the request and response
 * objects while they run (audit.LogRequestObject, LogResponseObject), after RequestReceived was
 * written, so ResponseComplete and Panic events carry them; none of the credential kinds is
 * long-running, so no ResponseStarted event is written for them at all. A rule keeping Panic still
 * writes the body whenever the handler panics after reading it.
 */
export function bodiesWritten(rule: PolicyRule): boolean {
  return !(rule.omitStages.includes("ResponseComplete") && rule.omitStages.includes("Panic"));
}
