/**
 * Reading RBAC objects (and the ServiceAccounts and token Secrets escalation analysis
 * needs) from loaded Kubernetes objects into the authorizer's model. Bad fields become
 * problems with their field path; the rest of the object and the other objects still load.
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import { podServiceAccountName, tokenMount } from "../../k8s/service-accounts.js";
import { podTemplate } from "../../k8s/workloads.js";
import type { LabelSelector } from "../../k8s/labels.js";
import { isRecord, objectRef, type K8sObject, type ObjectSource } from "../../k8s/types.js";
import { aggregateClusterRoles } from "./aggregation.js";
import { isClusterDefault } from "./bootstrap.js";
import { RBAC_GROUP, type BindingDef, type Origin, type Policy, type PolicyProblem, type PolicyRule, type RoleDef, type SourcedRule, type Subject } from "./types.js";

export interface PolicyInput {
  object: K8sObject;
  /** Absent for objects that have no file (the bootstrap policy). */
  source?: ObjectSource;
}

const RULE_FIELDS = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"] as const;

export function buildPolicy(inputs: readonly PolicyInput[], options: { bootstrap?: readonly PolicyInput[]; defaultNamespace?: string } = {}): Policy {
  const defaultNamespace = options.defaultNamespace || "default";
  const policy: Policy = { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [], serviceAccounts: [], serviceAccountTokenSecrets: [], podServiceAccounts: [], problems: [] };
  const seen = new Map<string, Origin>();
  // Whether a workload's pods carry a token depends on its ServiceAccount too, which may come later in the input.
  const accounts = new Map<string, K8sObject>();
  const workloads: Array<{ object: K8sObject; spec: Record<string, unknown> }> = [];
  const all: Array<PolicyInput & { bootstrap: boolean }> = [
    // Upstream's defaults as a live cluster holds them are upstream's, as the built-in copies are.
    ...inputs.map((i) => ({ ...i, bootstrap: isClusterDefault(i.object) })),
    ...(options.bootstrap ?? []).map((i) => ({ ...i, bootstrap: true })),
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
    const namespaced = kind === "Role" || kind === "RoleBinding";
    // Manifests often leave the namespace to `kubectl apply -n`; without it they land in "default".
    const namespace = namespaced ? object.metadata?.namespace || defaultNamespace : undefined;
    const key = `${kind}/${namespace ?? ""}/${name}`;
    const earlier = seen.get(key);
    if (earlier) {
      // A manifest object replaces a bootstrap default of the same name, as reconciliation
      // leaves user edits alone only when autoupdate is false; a second manifest copy is a mistake.
      if (!earlier.bootstrap || input.bootstrap) {
        if (!input.bootstrap) policy.problems.push({ message: `${key} is defined more than once; the first definition is used`, origin });
        continue;
      }
    }
    seen.set(key, origin);
    if (kind === "Role" || kind === "ClusterRole") {
      const role = readRole(object, kind, name, namespace, origin, policy.problems);
      (kind === "Role" ? policy.roles : policy.clusterRoles).push(role);
    } else {
      const binding = readBinding(object, kind, name, namespace, origin, policy.problems);
      if (binding) (kind === "RoleBinding" ? policy.roleBindings : policy.clusterRoleBindings).push(binding);
    }
  }
  for (const { object, spec } of workloads) readPodServiceAccount(object, spec, accounts, policy, defaultNamespace);
  policy.problems.push(...aggregateClusterRoles(policy.clusterRoles));
  // Upstream visits every ClusterRoleBinding before the RoleBindings of the request namespace.
  let order = 0;
  for (const binding of policy.clusterRoleBindings) binding.order = order++;
  for (const binding of policy.roleBindings) binding.order = order++;
  return policy;
}

function readRole(object: K8sObject, kind: "Role" | "ClusterRole", name: string, namespace: string | undefined, origin: Origin, problems: PolicyProblem[]): RoleDef {
  const ownRules: SourcedRule[] = [];
  const rawRules = object.rules;
  if (rawRules !== undefined && rawRules !== null && !Array.isArray(rawRules)) {
    problems.push({ message: `rules must be a list of PolicyRules`, origin, fieldPath: ["rules"] });
  } else {
    (rawRules ?? []).forEach((raw: unknown, index: number) => {
      const rule = readRule(raw, ["rules", index], origin, problems);
      if (rule) ownRules.push({ rule, origin, index });
    });
  }
  const role: RoleDef = { kind, name, labels: { ...(object.metadata?.labels ?? {}) }, ownRules, rules: ownRules, origin };
  if (namespace !== undefined) role.namespace = namespace;
  if (kind === "ClusterRole" && isRecord(object.aggregationRule)) {
    const selectors = object.aggregationRule.clusterRoleSelectors;
    role.aggregationRule = { clusterRoleSelectors: Array.isArray(selectors) ? (selectors.filter(isRecord) as LabelSelector[]) : [] };
  }
  return role;
}

function readRule(raw: unknown, path: Array<string | number>, origin: Origin, problems: PolicyProblem[]): PolicyRule | undefined {
  if (!isRecord(raw)) {
    problems.push({ message: `a PolicyRule must be a mapping`, origin, fieldPath: path });
    return undefined;
  }
  const rule: Record<string, string[]> = {};
  for (const field of RULE_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) {
      rule[field] = [];
    } else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      rule[field] = value as string[];
    } else {
      problems.push({ message: `${field} must be a list of strings; this rule is ignored`, origin, fieldPath: [...path, field] });
      return undefined;
    }
  }
  const result = rule as unknown as PolicyRule;
  if (result.verbs.length === 0) {
    problems.push({ message: `a PolicyRule needs at least one verb (the apiserver rejects this role)`, origin, fieldPath: [...path, "verbs"] });
  } else if (result.nonResourceURLs.length > 0 && result.resources.length > 0) {
    problems.push({ message: `a PolicyRule has resources or nonResourceURLs, not both (the apiserver rejects this role)`, origin, fieldPath: path });
  }
  return result;
}

function readBinding(object: K8sObject, kind: "RoleBinding" | "ClusterRoleBinding", name: string, namespace: string | undefined, origin: Origin, problems: PolicyProblem[]): BindingDef | undefined {
  const roleRef = object.roleRef;
  if (!isRecord(roleRef) || typeof roleRef.kind !== "string" || typeof roleRef.name !== "string") {
    problems.push({ message: `roleRef with kind and name is required; this ${kind} is ignored`, origin, fieldPath: ["roleRef"] });
    return undefined;
  }
  const subjects: Subject[] = [];
  const rawSubjects = object.subjects;
  if (Array.isArray(rawSubjects)) {
    rawSubjects.forEach((raw: unknown, i: number) => {
      if (!isRecord(raw) || typeof raw.kind !== "string" || typeof raw.name !== "string") {
        problems.push({ message: `a subject needs a kind and a name; it is ignored`, origin, fieldPath: ["subjects", i] });
        subjects.push({ kind: "", name: "" }); // keep indices aligned with the manifest
        return;
      }
      if (raw.kind !== "User" && raw.kind !== "Group" && raw.kind !== "ServiceAccount") {
        problems.push({ message: `subject kind ${JSON.stringify(raw.kind)} is not User, Group or ServiceAccount (case matters); it matches nobody`, origin, fieldPath: ["subjects", i, "kind"] });
      }
      const subject: Subject = { kind: raw.kind, name: raw.name };
      if (typeof raw.namespace === "string" && raw.namespace) subject.namespace = raw.namespace;
      if (typeof raw.apiGroup === "string") subject.apiGroup = raw.apiGroup;
      if (raw.kind === "ServiceAccount" && kind === "ClusterRoleBinding" && !subject.namespace) {
        problems.push({ message: `a ServiceAccount subject of a ClusterRoleBinding needs a namespace; without one it matches nobody`, origin, fieldPath: ["subjects", i] });
      }
      subjects.push(subject);
    });
  } else if (rawSubjects !== undefined && rawSubjects !== null) {
    problems.push({ message: `subjects must be a list`, origin, fieldPath: ["subjects"] });
  }
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

function readTokenSecret(object: K8sObject, policy: Policy, defaultNamespace: string): void {
  if (object.type !== "kubernetes.io/service-account-token") return;
  const serviceAccount = object.metadata?.annotations?.["kubernetes.io/service-account.name"];
  const name = object.metadata?.name;
  if (!serviceAccount || !name) return;
  policy.serviceAccountTokenSecrets.push({ namespace: object.metadata?.namespace || defaultNamespace, name, serviceAccount });
}

/** The service account whose token a workload's pods carry, when they carry one the API server accepts. */
function readPodServiceAccount(object: K8sObject, spec: Record<string, unknown>, accounts: ReadonlyMap<string, K8sObject>, policy: Policy, defaultNamespace: string): void {
  const namespace = object.metadata?.namespace || defaultNamespace;
  const serviceAccount = podServiceAccountName(spec);
  if (!tokenMount(spec, accounts.get(`${namespace}/${serviceAccount}`)).mounted) return;
  policy.podServiceAccounts.push({ namespace, serviceAccount, workload: objectRef(object) });
}
