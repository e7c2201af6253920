import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, role, roleBinding, saSubject, userSubject } from "./helpers.js";

const RBAC = "rbac.authorization.k8s.io";
const all = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
const bindAdmin = { apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"] };

function path(objects: K8sObject[], subject: string): string[] | undefined {
  return buildEscalationGraph(authorizer(objects)).paths.get(subject)?.map((e) => `${e.kind}>${e.to}: ${e.detail}`);
}

// Upstream's ClusterRoleBinding/RoleBinding storage lets a create or an update through when
// the writer may bind the referenced role; roleRef itself is immutable on update.
describe("bind on cluster-admin with update or patch of an existing binding", () => {
  it("patch clusterrolebindings edits upstream's cluster-admin binding (QA esc.yaml)", () => {
    const objects = [clusterRole("crb-patcher", [bindAdmin, { apiGroups: [RBAC], resources: ["clusterrolebindings"], verbs: ["get", "list", "patch", "update"] }]), clusterRoleBinding("crb-patcher", "crb-patcher", [userSubject("patty")])];
    expect(path(objects, "User:patty")).toEqual([`bind>${CLUSTER_ADMIN}: update ClusterRoleBinding cluster-admin of cluster-admin to add itself (bind on cluster-admin)`]);
  });

  it("a write limited by name counts only for a binding that refers to cluster-admin", () => {
    const patchOnly = (names: string[]) => clusterRole("p", [bindAdmin, { apiGroups: [RBAC], resources: ["clusterrolebindings"], verbs: ["patch"], resourceNames: names }]);
    const ops = clusterRoleBinding("ops-admins", "cluster-admin", [userSubject("root")]);
    const readers = clusterRoleBinding("readers", "view", [userSubject("rita")]);
    expect(path([ops, readers, patchOnly(["ops-admins"]), clusterRoleBinding("p", "p", [userSubject("pat")])], "User:pat")).toEqual([
      `bind>${CLUSTER_ADMIN}: patch ClusterRoleBinding ops-admins of cluster-admin to add itself (bind on cluster-admin)`,
    ]);
    // Its roleRef cannot be changed to cluster-admin.
    expect(path([ops, readers, patchOnly(["readers"]), clusterRoleBinding("p", "p", [userSubject("pat")])], "User:pat")).toBeUndefined();
  });

  it("update without bind is no path", () => {
    const objects = [clusterRole("u", [{ apiGroups: [RBAC], resources: ["clusterrolebindings"], verbs: ["update", "patch"] }]), clusterRoleBinding("u", "u", [userSubject("ulla")])];
    expect(path(objects, "User:ulla")).toBeUndefined();
  });

  it("bind on cluster-admin and a RoleBinding write in a namespace reach its service accounts", () => {
    const root = clusterRoleBinding("root", "cluster-admin", [saSubject("root", "kube-system")]);
    const admin = clusterRole("cluster-admin", [all]);
    const create = [role("kube-system", "rb", [{ apiGroups: [RBAC], resources: ["rolebindings"], verbs: ["create"] }]), roleBinding("kube-system", "rb", "Role", "rb", [userSubject("rob")])];
    const bind = roleBinding("kube-system", "bind", "ClusterRole", "binder", [userSubject("rob")]);
    const binder = clusterRole("binder", [bindAdmin]);
    expect(path([admin, root, binder, bind, ...create], "User:rob")).toEqual([
      "bind>ServiceAccount:kube-system/root: create a RoleBinding of cluster-admin in kube-system (bind on cluster-admin) and create pods there running as ServiceAccount root",
      `wildcard>${CLUSTER_ADMIN}: holds every verb on every resource cluster-wide`,
    ]);
    // An existing RoleBinding of cluster-admin there, patched, is the same step.
    const existing = roleBinding("kube-system", "ns-admins", "ClusterRole", "cluster-admin", [userSubject("nina")]);
    const patch = [role("kube-system", "rbp", [{ apiGroups: [RBAC], resources: ["rolebindings"], verbs: ["patch"], resourceNames: ["ns-admins"] }]), roleBinding("kube-system", "rbp", "Role", "rbp", [userSubject("rob")])];
    expect(path([admin, root, binder, bind, existing, ...patch], "User:rob")?.[0]).toBe(
      "bind>ServiceAccount:kube-system/root: patch RoleBinding ns-admins of cluster-admin in kube-system to add itself (bind on cluster-admin) and create pods there running as ServiceAccount root",
    );
    // Without bind, neither is a step.
    expect(path([admin, root, ...create], "User:rob")).toBeUndefined();
  });
});

describe("certificate signing is no path to cluster-admin", () => {
  const csr = (rules: object[]) => [clusterRole("c", rules), clusterRoleBinding("c", "c", [userSubject("sig")])];
  const create = { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create", "get", "list", "watch"] };

  it("sign + update status (QA esc.yaml): writing status.certificate needs the CA key", () => {
    const objects = csr([
      create,
      { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/status"], verbs: ["update"] },
      { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["sign"], resourceNames: ["kubernetes.io/kube-apiserver-client"] },
    ]);
    expect(path(objects, "User:sig")).toBeUndefined();
    expect(buildEscalationGraph(authorizer(objects)).edges.filter((e) => e.from === "User:sig")).toEqual([]);
  });

  it("approve + update approval still is one", () => {
    const objects = csr([
      create,
      { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
      { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["kubernetes.io/kube-apiserver-client"] },
    ]);
    expect(path(objects, "User:sig")).toEqual([`approve-csr>${CLUSTER_ADMIN}: approve a kube-apiserver-client certificate for group system:masters`]);
  });
});
