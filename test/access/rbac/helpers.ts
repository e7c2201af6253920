import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { bootstrapPolicyObjects } from "../../../src/access/rbac/bootstrap.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import type { PolicyRule, RequestAttributes } from "../../../src/access/rbac/types.js";
import type { K8sObject } from "../../../src/k8s/types.js";

export const RBAC = "rbac.authorization.k8s.io/v1";

export function authorizer(objects: K8sObject[], options: { bootstrap?: boolean } = {}): RbacAuthorizer {
  const bootstrap = options.bootstrap ? bootstrapPolicyObjects().map((object) => ({ object })) : [];
  return new RbacAuthorizer(buildPolicy(objects.map((object) => ({ object })), { bootstrap }));
}

export function rule(partial: Partial<PolicyRule> & { verbs: string[] }): PolicyRule {
  return { apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial };
}

export function clusterRole(name: string, rules: object[], extra: { labels?: Record<string, string>; aggregationRule?: object } = {}): K8sObject {
  const object: K8sObject = { apiVersion: RBAC, kind: "ClusterRole", metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) }, rules };
  if (extra.aggregationRule) object.aggregationRule = extra.aggregationRule;
  return object;
}

export function role(namespace: string, name: string, rules: object[]): K8sObject {
  return { apiVersion: RBAC, kind: "Role", metadata: { name, namespace }, rules };
}

export function clusterRoleBinding(name: string, roleName: string, subjects: object[], roleKind = "ClusterRole"): K8sObject {
  return { apiVersion: RBAC, kind: "ClusterRoleBinding", metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName }, subjects };
}

export function roleBinding(namespace: string, name: string, roleKind: string, roleName: string, subjects: object[]): K8sObject {
  return { apiVersion: RBAC, kind: "RoleBinding", metadata: { name, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName }, subjects };
}

export const userSubject = (name: string) => ({ kind: "User", name, apiGroup: "rbac.authorization.k8s.io" });
export const groupSubject = (name: string) => ({ kind: "Group", name, apiGroup: "rbac.authorization.k8s.io" });
export const saSubject = (name: string, namespace?: string) => (namespace ? { kind: "ServiceAccount", name, namespace } : { kind: "ServiceAccount", name });

export function res(verb: string, resource: string, options: { group?: string; sub?: string; name?: string; ns?: string } = {}): RequestAttributes {
  return { kind: "resource", verb, apiGroup: options.group ?? "", resource, subresource: options.sub ?? "", name: options.name ?? "", namespace: options.ns ?? "" };
}

export function url(verb: string, path: string): RequestAttributes {
  return { kind: "nonResource", verb, path };
}
