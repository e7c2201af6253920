/**
 * escalate on a role bound to the subject: upstream's RoleEscalationAuthorized asks for
 * escalate on the role's own name, so resourceNames do not stop the rewrite.
 */
import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, role, roleBinding, saSubject, userSubject } from "./helpers.js";

const RBAC = "rbac.authorization.k8s.io";
const admin = [clusterRole("cluster-admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), clusterRoleBinding("root-sa", "cluster-admin", [saSubject("root", "kube-system")])];

function pathOf(objects: K8sObject[], subject: string): string[] | undefined {
  return buildEscalationGraph(authorizer(objects)).paths.get(subject)?.map((e) => `${e.kind}>${e.to}`);
}

describe("escalate on a bound role, limited by resourceNames", () => {
  it("a ClusterRole that may rewrite itself, bound cluster-wide, is cluster-admin", () => {
    const objects = [...admin, clusterRole("self", [{ apiGroups: [RBAC], resources: ["clusterroles"], resourceNames: ["self"], verbs: ["get", "update", "escalate"] }]), clusterRoleBinding("b", "self", [userSubject("alice")])];
    expect(pathOf(objects, "User:alice")).toEqual([`escalate>${CLUSTER_ADMIN}`]);
    // Without update or patch, or on another role's name, escalate is no step.
    const noWrite = [...admin, clusterRole("self", [{ apiGroups: [RBAC], resources: ["clusterroles"], resourceNames: ["self"], verbs: ["get", "escalate"] }]), clusterRoleBinding("b", "self", [userSubject("alice")])];
    expect(pathOf(noWrite, "User:alice")).toBeUndefined();
    const other = [...admin, clusterRole("self", [{ apiGroups: [RBAC], resources: ["clusterroles"], resourceNames: ["other"], verbs: ["update", "escalate"] }]), clusterRoleBinding("b", "self", [userSubject("alice")])];
    expect(pathOf(other, "User:alice")).toBeUndefined();
  });

  it("a Role that may rewrite itself is every permission in its namespace: its pods' accounts", () => {
    const objects = [
      ...admin,
      role("kube-system", "self", [{ apiGroups: [RBAC], resources: ["roles"], resourceNames: ["self"], verbs: ["patch", "escalate"] }]),
      roleBinding("kube-system", "b", "Role", "self", [userSubject("bob")]),
    ];
    expect(pathOf(objects, "User:bob")).toEqual(["escalate>ServiceAccount:kube-system/root", `wildcard>${CLUSTER_ADMIN}`]);
  });

  it("a binding to a missing ClusterRole is filled by creating it (create + escalate)", () => {
    const objects = [...admin, clusterRole("maker", [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["create", "escalate"] }]), clusterRoleBinding("b", "maker", [userSubject("carol")]), clusterRoleBinding("later", "not-yet", [userSubject("carol")])];
    expect(pathOf(objects, "User:carol")).toEqual([`escalate>${CLUSTER_ADMIN}`]);
  });
});
