/**
 * The RBAC model as the authorizer sees it: rules, subjects, role references, roles and
 * bindings, plus the request attributes and user info a decision is made over. Every
 * role and binding remembers where it came from (a manifest position or the bootstrap
 * policy) so that answers and findings can point at the exact rule.
 */
import type { ObjectRef } from "../../findings/types.js";
import type { LabelSelector, Labels } from "../../k8s/labels.js";
import type { ObjectSource } from "../../k8s/types.js";

/** rbac/v1 PolicyRule with absent lists normalised to []. */
export interface PolicyRule {
  verbs: readonly string[];
  apiGroups: readonly string[];
  resources: readonly string[];
  resourceNames: readonly string[];
  nonResourceURLs: readonly string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** Where a role or binding came from: a loaded manifest, or upstream's bootstrap policy. */
export interface Origin {
  ref: ObjectRef;
  /** Absent for bootstrap objects, which have no file. */
  source?: ObjectSource;
  bootstrap: boolean;
}

/**
 * One rule as a role holds it. For an aggregated ClusterRole the rule keeps the origin and
 * index of the ClusterRole it was aggregated from, so reports point at the rule someone wrote.
 */
export interface SourcedRule {
  rule: PolicyRule;
  origin: Origin;
  /** Index of the rule in `rules` of the object named by `origin`. */
  index: number;
}

export interface RoleDef {
  kind: "Role" | "ClusterRole";
  name: string;
  /** Set for Roles only. */
  namespace?: string;
  labels: Labels;
  /** The rules written in the object itself. */
  ownRules: SourcedRule[];
  /** Effective rules: own rules, or for an aggregated ClusterRole what the aggregation controller would write. */
  rules: SourcedRule[];
  aggregationRule?: { clusterRoleSelectors: LabelSelector[] };
  origin: Origin;
}

export interface BindingDef {
  kind: "RoleBinding" | "ClusterRoleBinding";
  name: string;
  /** Set for RoleBindings only. */
  namespace?: string;
  roleRef: RoleRef;
  subjects: Subject[];
  origin: Origin;
  /** Position in the upstream visit order (ClusterRoleBindings first, then RoleBindings); used to report the first grant. */
  order: number;
}

/** A problem found while reading RBAC objects; the rest still load. */
export interface PolicyProblem {
  message: string;
  origin: Origin;
  fieldPath?: ReadonlyArray<string | number>;
}

export interface Policy {
  roles: RoleDef[];
  clusterRoles: RoleDef[];
  roleBindings: BindingDef[];
  clusterRoleBindings: BindingDef[];
  /** Service accounts known from ServiceAccount objects: `namespace/name`. */
  serviceAccounts: string[];
  /** Secrets of type kubernetes.io/service-account-token: namespace, secret name, service account name. */
  serviceAccountTokenSecrets: Array<{ namespace: string; name: string; serviceAccount: string }>;
  /** Service accounts that workloads in the snapshot run as (and so whose tokens sit in their pods). */
  podServiceAccounts: Array<{ namespace: string; serviceAccount: string; workload: ObjectRef }>;
  problems: PolicyProblem[];
}

/** user.Info as the authorizer reads it. */
export interface UserInfo {
  name: string;
  groups: readonly string[];
}

export interface ResourceRequest {
  kind: "resource";
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  /** "" for cluster-scoped requests and for namespaced requests across all namespaces. */
  namespace: string;
}

export interface NonResourceRequest {
  kind: "nonResource";
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceRequest | NonResourceRequest;

/** Well-known names of the apiserver's authentication layer. */
export const SYSTEM_MASTERS = "system:masters";
export const ALL_AUTHENTICATED = "system:authenticated";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
export const ANONYMOUS_USER = "system:anonymous";
export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
export const ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";
export const RBAC_GROUP = "rbac.authorization.k8s.io";
