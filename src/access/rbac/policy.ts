/**
 * Reading RBAC objects (and the ServiceAccounts and token Secrets escalation analysis
 * needs) from loaded Kubernetes objects into the authorizer's model. Bad fields become
 * problems with their field path; the rest of the object and the other objects still load.
 */
import { formatPosition } from "../../errors.js";
import { pathSegmentNameErrors } from "../../k8s/name-formats.js";
import { apiGroupOf } from "../../k8s/snapshot.js";
import { podServiceAccountName, tokenMount } from "../../k8s/service-accounts.js";
import { podTemplate } from "../../k8s/workloads.js";
import { validateLabelSelector, type LabelSelector, type LabelSelectorRequirement } from "../../k8s/labels.js";
import { isRecord, objectRef, type K8sObject, type ObjectSource } from "../../k8s/types.js";
import { apiServerAudiences } from "../authn/api-audiences.js";
import { aggregateClusterRoles } from "./aggregation.js";
import { isClusterDefault } from "./bootstrap.js";
import { RBAC_GROUP, type BindingDef, type Origin, type Policy, type PolicyProblem, type PolicyRule, type RoleDef, type SourcedRule, type Subject } from "./types.js";

export interface PolicyInput {
  object: K8sObject;
  /** Absent for objects that have no file (the bootstrap policy). */
  source?: ObjectSource;
}

const RULE_FIELDS = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"] as const;

const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** A Role, ClusterRole, RoleBinding or ClusterRoleBinding of rbac.authorization.k8s.io, valid or not. */
export function isRbacObject(object: K8sObject): boolean {
  return apiGroupOf(object.apiVersion) === RBAC_GROUP && RBAC_KINDS.has(object.kind ?? "");
}

export function buildPolicy(inputs: readonly PolicyInput[], options: { bootstrap?: readonly PolicyInput[]; defaultNamespace?: string } = {}): Policy {
  const defaultNamespace = options.defaultNamespace || "default";
  const policy: Policy = { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [], serviceAccounts: [], serviceAccountTokenSecrets: [], podServiceAccounts: [], problems: [] };
  /** Where each role or binding key's current definition sits, so that a later copy can replace it. */
  const seen = new Map<string, { origin: Origin; builtin: boolean; list: Array<RoleDef | BindingDef>; index: number }>();
  // Whether a workload's pods carry a token depends on its ServiceAccount too, which may come later in the input.
  const accounts = new Map<string, K8sObject>();
  const workloads: Array<{ object: K8sObject; spec: Record<string, unknown> }> = [];
  const all: Array<PolicyInput & { bootstrap: boolean; builtin: boolean }> = [
    // Upstream's defaults as a live cluster holds them are upstream's, as the built-in copies are.
    ...inputs.map((i) => ({ ...i, bootstrap: isClusterDefault(i.object), builtin: false })),
    ...(options.bootstrap ?? []).map((i) => ({ ...i, bootstrap: true, builtin: true })),
  ];
  for (const input of all) {
    const { object } = input;
    const origin: Origin = { ref: objectRef(object), bootstrap: input.bootstrap };
    if (input.source) origin.source = input.source;
    const group = apiGroupOf(object.apiVersion);
    const kind = object.kind;
    if (group === "" && kind === "ServiceAccount") {
      const name = object.metadata?.name;
      if (name) {
        policy.serviceAccounts.push(`${object.metadata?.namespace || defaultNamespace}/${name}`);
        accounts.set(`${object.metadata?.namespace || defaultNamespace}/${name}`, object);
      }
      continue;
    }
    if (group === "" && kind === "Secret") {
      readTokenSecret(object, policy, defaultNamespace);
      continue;
    }
    const template = podTemplate(object);
    if (template) {
      workloads.push({ object, spec: template.pod.spec as Record<string, unknown> });
      continue;
    }
    if (group !== RBAC_GROUP) continue;
    if (kind !== "Role" && kind !== "ClusterRole" && kind !== "RoleBinding" && kind !== "ClusterRoleBinding") continue;
    const name = object.metadata?.name;
    if (!name) {
      policy.problems.push({ message: `${kind} has no metadata.name; it is ignored`, origin, fieldPath: ["metadata"] });
      continue;
    }
    const badMetadata = nonStringMapEntry(object.metadata as Record<string, unknown>);
    if (badMetadata) {
      policy.problems.push({ message: `metadata.${badMetadata.join(".")} must be a string (quote it: "true", not true): ${rejected(kind)}`, origin, fieldPath: ["metadata", ...badMetadata] });
      continue;
    }
    const namespaced = kind === "Role" || kind === "RoleBinding";
    // Manifests often leave the namespace to `kubectl apply -n`; without it they land in "default".
    const namespace = namespaced ? object.metadata?.namespace || defaultNamespace : undefined;
    const key = `${kind}/${namespace ?? ""}/${name}`;
    const earlier = seen.get(key);
    // The input's own copy stands in for upstream's default of the same name: reconciliation
    // leaves a cluster's edited defaults alone only with autoupdate false, but the input is what is asked about.
    if (earlier && input.builtin) continue;
    const list: Array<RoleDef | BindingDef> = kind === "Role" ? policy.roles : kind === "ClusterRole" ? policy.clusterRoles : kind === "RoleBinding" ? policy.roleBindings : policy.clusterRoleBindings;
    const def = kind === "Role" || kind === "ClusterRole" ? readRole(object, kind, name, namespace, origin, policy.problems) : readBinding(object, kind, name, namespace, origin, policy.problems);
    // The API server rejects the whole object for one bad field: it grants nothing, and a copy it rejects never replaces what is live.
    if (!def) continue;
    if (!earlier) {
      seen.set(key, { origin, builtin: input.builtin, list, index: list.push(def) - 1 });
      continue;
    }
    // `kubectl apply -f` applies documents in order: the last copy is the one left live.
    list[earlier.index] = def;
    seen.set(key, { ...earlier, origin });
    const at = origin.source ? ` at ${formatPosition(origin.source.position)}` : "";
    // Reported at the overridden copy (where an edit would be lost), unless that copy is a default the risks report skips.
    policy.problems.push({ message: `this ${kind} is defined again${at}; the last definition is used, as kubectl apply -f leaves it`, origin: earlier.origin.bootstrap ? origin : earlier.origin });
  }
  // A projected token for the API server's own audience (a kube-apiserver static pod in the input says which) authenticates like an automounted one.
  const audiences = apiServerAudiences(inputs) ?? new Set<string>();
  for (const { object, spec } of workloads) readPodServiceAccount(object, spec, accounts, audiences, policy, defaultNamespace);
  policy.problems.push(...aggregateClusterRoles(policy.clusterRoles));
  // Upstream visits every ClusterRoleBinding before the RoleBindings of the request namespace.
  let order = 0;
  for (const binding of policy.clusterRoleBindings) binding.order = order++;
  for (const binding of policy.roleBindings) binding.order = order++;
  return policy;
}

/**
 * The first label or annotation whose value is not a string. ObjectMeta holds them as
 * map[string]string, so the API server cannot decode the object at all (an unquoted
 * `aggregate-to-view: true` is a bool): it is never created and, for a ClusterRole, never aggregated.
 */
function nonStringMapEntry(metadata: Record<string, unknown>): [string, string] | undefined {
  for (const field of ["labels", "annotations"] as const) {
    const map = metadata[field];
    if (!isRecord(map)) continue;
    // null decodes to "" (Go's zero string); any other non-string cannot be decoded.
    for (const [key, value] of Object.entries(map)) if (typeof value !== "string" && value !== null) return [field, key];
  }
  return undefined;
}

/** Why the API server rejects a whole object, said once: it then grants nothing. */
const rejected = (kind: string) => `the API server rejects this ${kind}, so it grants nothing`;

function readRole(object: K8sObject, kind: "Role" | "ClusterRole", name: string, namespace: string | undefined, origin: Origin, problems: PolicyProblem[]): RoleDef | undefined {
  const ownRules: SourcedRule[] = [];
  const rawRules = object.rules;
  if (rawRules !== undefined && rawRules !== null && !Array.isArray(rawRules)) {
    problems.push({ message: `rules must be a list of PolicyRules: ${rejected(kind)}`, origin, fieldPath: ["rules"] });
    return undefined;
  }
  const before = problems.length;
  (rawRules ?? []).forEach((raw: unknown, index: number) => {
    const rule = readRule(raw, ["rules", index], kind, origin, problems);
    if (rule) ownRules.push({ rule, origin, index });
  });
  if (problems.length > before) return undefined;
  // A null label value decodes to "": the label is there, empty, for the aggregation selectors.
  const labels = Object.fromEntries(Object.entries(object.metadata?.labels ?? {}).map(([key, value]) => [key, (value as string | null) ?? ""]));
  const role: RoleDef = { kind, name, labels, ownRules, rules: ownRules, origin };
  if (namespace !== undefined) role.namespace = namespace;
  if (kind === "ClusterRole" && object.aggregationRule !== undefined && object.aggregationRule !== null) {
    const selectors = readAggregationSelectors(object.aggregationRule, origin, problems);
    if (!selectors) return undefined;
    role.aggregationRule = { clusterRoleSelectors: selectors };
  }
  return role;
}

/**
 * An aggregationRule's selectors, or undefined with a problem: upstream's ValidateClusterRole
 * rejects the whole ClusterRole for an aggregationRule without selectors or with an invalid one.
 */
function readAggregationSelectors(raw: unknown, origin: Origin, problems: PolicyProblem[]): LabelSelector[] | undefined {
  const refuse = (message: string, at: Array<string | number>) => {
    problems.push({ message: `${message}: ${rejected("ClusterRole")}`, origin, fieldPath: at });
    return undefined;
  };
  const path = ["aggregationRule", "clusterRoleSelectors"];
  const selectors = isRecord(raw) ? raw.clusterRoleSelectors : undefined;
  if (selectors !== undefined && selectors !== null && !Array.isArray(selectors)) return refuse("aggregationRule.clusterRoleSelectors must be a list of label selectors", path);
  if (!Array.isArray(selectors) || selectors.length === 0) return refuse("an aggregationRule needs at least one clusterRoleSelector", isRecord(raw) ? path : ["aggregationRule"]);
  const decoded: LabelSelector[] = [];
  for (const [i, selector] of selectors.entries()) {
    const decodedSelector = decodeLabelSelector(selector);
    if (!decodedSelector) return refuse(`aggregationRule.clusterRoleSelectors[${i}] must be a label selector (matchLabels of strings, matchExpressions with key, operator and string values)`, [...path, i]);
    const errors = validateLabelSelector(decodedSelector);
    if (errors.length > 0) return refuse(`aggregationRule.clusterRoleSelectors[${i}] is invalid (${errors.join("; ")})`, [...path, i]);
    decoded.push(decodedSelector);
  }
  return decoded;
}

/** A JSON null where Go decodes a string: its zero value, "". Anything else not a string cannot be decoded. */
const goString = (value: unknown): string | undefined => (value === null || value === undefined ? "" : typeof value === "string" ? value : undefined);

/**
 * A label selector as the API server's JSON decoding leaves it, or undefined when it cannot be
 * decoded. Go leaves every null at its zero value: a null selector (a bare `-` in YAML) is the
 * empty selector, which the aggregation controller reads as every ClusterRole; a null
 * matchLabels value, requirement key, operator or value is ""; a null requirement is one of
 * empty key and operator; a null map or list is absent. Validation then judges the result.
 */
function decodeLabelSelector(raw: unknown): LabelSelector | undefined {
  if (raw === null) return {};
  if (!isRecord(raw)) return undefined;
  const selector: LabelSelector = {};
  const { matchLabels, matchExpressions } = raw;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) return undefined;
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(matchLabels)) {
      const decoded = goString(value);
      if (decoded === undefined) return undefined;
      labels[key] = decoded;
    }
    selector.matchLabels = labels;
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) return undefined;
    const requirements: LabelSelectorRequirement[] = [];
    for (const item of matchExpressions as unknown[]) {
      const requirement = item === null ? {} : item;
      if (!isRecord(requirement)) return undefined;
      const key = goString(requirement.key);
      const operator = goString(requirement.operator);
      if (key === undefined || operator === undefined) return undefined;
      const decoded: LabelSelectorRequirement = { key, operator };
      if (requirement.values !== undefined && requirement.values !== null) {
        if (!Array.isArray(requirement.values)) return undefined;
        const values = (requirement.values as unknown[]).map(goString);
        if (values.some((v) => v === undefined)) return undefined;
        decoded.values = values as string[];
      }
      requirements.push(decoded);
    }
    selector.matchExpressions = requirements;
  }
  return selector;
}

/** One rule, or undefined with a problem when it makes the API server reject its role. */
function readRule(raw: unknown, path: Array<string | number>, kind: "Role" | "ClusterRole", origin: Origin, problems: PolicyProblem[]): PolicyRule | undefined {
  if (!isRecord(raw)) {
    problems.push({ message: `a PolicyRule must be a mapping: ${rejected(kind)}`, origin, fieldPath: path });
    return undefined;
  }
  const rule: Record<string, string[]> = {};
  for (const field of RULE_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) {
      rule[field] = [];
    } else if (Array.isArray(value) && value.every((v) => typeof v === "string" || v === null)) {
      // A null item decodes to Go's zero string: `verbs: [get, ~]` is get and "", which the API server accepts.
      rule[field] = value.map((v: string | null) => v ?? "");
    } else {
      problems.push({ message: `${field} must be a list of strings: ${rejected(kind)}`, origin, fieldPath: [...path, field] });
      return undefined;
    }
  }
  const result = rule as unknown as PolicyRule;
  const refuse = (message: string, at: Array<string | number>) => {
    problems.push({ message: `${message}: ${rejected(kind)}`, origin, fieldPath: at });
    return undefined;
  };
  // As upstream's ValidatePolicyRule: verbs required; resources with their groups, or nonResourceURLs, not both; the latter only in a ClusterRole.
  if (result.verbs.length === 0) return refuse("a PolicyRule needs at least one verb", [...path, "verbs"]);
  if (result.nonResourceURLs.length > 0) {
    if (kind === "Role") return refuse("nonResourceURLs are only for a ClusterRole", [...path, "nonResourceURLs"]);
    if (result.resources.length > 0 || result.apiGroups.length > 0 || result.resourceNames.length > 0) return refuse("a PolicyRule has resources or nonResourceURLs, not both", path);
  } else {
    if (result.resources.length === 0) return refuse("a PolicyRule needs resources (or, in a ClusterRole, nonResourceURLs)", [...path, "resources"]);
    if (result.apiGroups.length === 0) return refuse("a PolicyRule with resources needs apiGroups (\"\" for the core group)", [...path, "apiGroups"]);
  }
  return result;
}

function readBinding(object: K8sObject, kind: "RoleBinding" | "ClusterRoleBinding", name: string, namespace: string | undefined, origin: Origin, problems: PolicyProblem[]): BindingDef | undefined {
  const roleRef = object.roleRef;
  if (!isRecord(roleRef) || typeof roleRef.kind !== "string" || typeof roleRef.name !== "string") {
    problems.push({ message: `roleRef with kind and name is required; this ${kind} is ignored`, origin, fieldPath: ["roleRef"] });
    return undefined;
  }
  const refused = roleRef.apiGroup !== undefined && roleRef.apiGroup !== null && typeof roleRef.apiGroup !== "string" ? (["apiGroup", "roleRef.apiGroup must be a string"] as [string, string]) : roleRefRejection(kind, roleRef);
  if (refused) {
    problems.push({ message: `${refused[1]}: the API server rejects this ${kind}, so it grants nothing`, origin, fieldPath: ["roleRef", refused[0]] });
    return undefined;
  }
  // As upstream's ValidateRoleBindingSubject: one bad subject and the API server rejects the whole binding.
  const subjects: Subject[] = [];
  const rawSubjects = object.subjects;
  let valid = true;
  const refuse = (message: string, at: Array<string | number>) => {
    problems.push({ message: `${message}: ${rejected(kind)}`, origin, fieldPath: at });
    valid = false;
  };
  if (rawSubjects !== undefined && rawSubjects !== null && !Array.isArray(rawSubjects)) refuse("subjects must be a list", ["subjects"]);
  for (const [i, raw] of (Array.isArray(rawSubjects) ? (rawSubjects as unknown[]) : []).entries()) {
    if (!isRecord(raw) || typeof raw.kind !== "string" || typeof raw.name !== "string" || raw.name === "") {
      refuse("a subject needs a kind and a name", ["subjects", i]);
      continue;
    }
    if (raw.kind !== "User" && raw.kind !== "Group" && raw.kind !== "ServiceAccount") refuse(`subject kind ${JSON.stringify(raw.kind)} is not User, Group or ServiceAccount (case matters)`, ["subjects", i, "kind"]);
    // A subject is decoded into strings: any other type and the API server cannot read the binding.
    const mistyped = (["namespace", "apiGroup"] as const).find((field) => raw[field] !== undefined && raw[field] !== null && typeof raw[field] !== "string");
    if (mistyped) refuse(`a subject's ${mistyped} must be a string`, ["subjects", i, mistyped]);
    const subject: Subject = { kind: raw.kind, name: raw.name };
    if (typeof raw.namespace === "string" && raw.namespace) subject.namespace = raw.namespace;
    if (typeof raw.apiGroup === "string") subject.apiGroup = raw.apiGroup;
    if (raw.kind === "ServiceAccount" && kind === "ClusterRoleBinding" && !subject.namespace) refuse("a ServiceAccount subject of a ClusterRoleBinding needs a namespace", ["subjects", i, "namespace"]);
    const subjectProblem = subjectRejection(raw.kind, raw.name, raw.apiGroup);
    if (subjectProblem) refuse(subjectProblem[1], ["subjects", i, subjectProblem[0]]);
    subjects.push(subject);
  }
  if (!valid) return undefined;
  const binding: BindingDef = {
    kind,
    name,
    roleRef: { apiGroup: typeof roleRef.apiGroup === "string" ? roleRef.apiGroup : "", kind: roleRef.kind, name: roleRef.name },
    subjects,
    origin,
    order: 0,
  };
  if (namespace !== undefined) binding.namespace = namespace;
  return binding;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Upstream's ValidateRoleBindingSubject after v1 defaulting (an empty apiGroup becomes
 * RBAC's for User and Group, stays "" for ServiceAccount): User and Group subjects must
 * name rbac.authorization.k8s.io, ServiceAccount subjects no group and a valid account name.
 */
function subjectRejection(kind: string, name: string, rawApiGroup: unknown): [string, string] | undefined {
  const apiGroup = typeof rawApiGroup === "string" ? rawApiGroup : "";
  if (kind === "ServiceAccount") {
    if (apiGroup !== "") return ["apiGroup", `a ServiceAccount subject's apiGroup must be "" (the core group), not ${JSON.stringify(apiGroup)}`];
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return ["name", `ServiceAccount name ${JSON.stringify(name)} is not a valid name (lower-case DNS subdomain)`];
    return undefined;
  }
  if ((kind === "User" || kind === "Group") && apiGroup !== "" && apiGroup !== RBAC_GROUP) {
    return ["apiGroup", `a ${kind} subject's apiGroup must be ${RBAC_GROUP}, not ${JSON.stringify(apiGroup)}`];
  }
  return undefined;
}

/** Upstream's validation of a binding's roleRef (apiGroup defaults to RBAC's when empty). */
function roleRefRejection(kind: "RoleBinding" | "ClusterRoleBinding", roleRef: Record<string, unknown>): [string, string] | undefined {
  const apiGroup = typeof roleRef.apiGroup === "string" && roleRef.apiGroup ? roleRef.apiGroup : RBAC_GROUP;
  if (apiGroup !== RBAC_GROUP) return ["apiGroup", `roleRef.apiGroup ${JSON.stringify(apiGroup)} is not ${RBAC_GROUP}`];
  const kinds = kind === "ClusterRoleBinding" ? ["ClusterRole"] : ["Role", "ClusterRole"];
  if (!kinds.includes(roleRef.kind as string)) return ["kind", `roleRef.kind ${JSON.stringify(roleRef.kind)} is not ${kinds.join(" or ")} (case matters)`];
  if (!roleRef.name) return ["name", "roleRef.name is empty"];
  // Upstream's ValidateRBACName: the path-segment rule.
  const nameErrors = pathSegmentNameErrors(roleRef.name as string);
  if (nameErrors.length > 0) return ["name", `roleRef.name ${JSON.stringify(roleRef.name)} is not a valid name: ${nameErrors.join(", ")}`];
  return undefined;
}

function readTokenSecret(object: K8sObject, policy: Policy, defaultNamespace: string): void {
  if (object.type !== "kubernetes.io/service-account-token") return;
  const serviceAccount = object.metadata?.annotations?.["kubernetes.io/service-account.name"];
  const name = object.metadata?.name;
  if (!serviceAccount || !name) return;
  policy.serviceAccountTokenSecrets.push({ namespace: object.metadata?.namespace || defaultNamespace, name, serviceAccount });
}

/** The service account whose token a workload's pods carry, when they carry one the API server accepts. */
function readPodServiceAccount(object: K8sObject, spec: Record<string, unknown>, accounts: ReadonlyMap<string, K8sObject>, apiAudiences: ReadonlySet<string>, policy: Policy, defaultNamespace: string): void {
  const namespace = object.metadata?.namespace || defaultNamespace;
  const serviceAccount = podServiceAccountName(spec);
  if (!tokenMount(spec, accounts.get(`${namespace}/${serviceAccount}`), apiAudiences).mounted) return;
  policy.podServiceAccounts.push({ namespace, serviceAccount, workload: objectRef(object) });
}
