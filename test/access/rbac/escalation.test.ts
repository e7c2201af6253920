import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, groupSubject, role, roleBinding, saSubject, userSubject } from "./helpers.js";

const RBAC = "rbac.authorization.k8s.io";
const all = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
const admin = [clusterRole("cluster-admin", [all]), clusterRoleBinding("root-sa", "cluster-admin", [saSubject("root", "kube-system")])];

function pathOf(objects: K8sObject[], subject: string, options: { bootstrap?: boolean } = {}): string[] | undefined {
  const graph = buildEscalationGraph(authorizer(objects, options));
  return graph.paths.get(subject)?.map((e) => `${e.kind}>${e.to}`);
}

describe("escalation paths (hand-built clusters with known shortest paths)", () => {
  it("impersonate -> create pods -> cluster-admin: 3 steps, the shortest of two routes", () => {
    const objects = [
      ...admin,
      clusterRole("impersonator", [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"], resourceNames: ["robot"] }]),
      roleBinding("ci", "alice-imp", "ClusterRole", "impersonator", [userSubject("alice")]),
      clusterRole("pod-maker", [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }]),
      roleBinding("kube-system", "robot-pods", "ClusterRole", "pod-maker", [saSubject("robot", "ci")]),
      // A longer route: alice -> token for ci/helper -> helper impersonates ci/robot -> ...
      clusterRole("tokens", [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: ["helper"] }]),
      roleBinding("ci", "alice-tokens", "ClusterRole", "tokens", [userSubject("alice")]),
      roleBinding("ci", "helper-imp", "ClusterRole", "impersonator", [saSubject("helper")]),
    ];
    expect(pathOf(objects, "User:alice")).toEqual(["impersonate>ServiceAccount:ci/robot", "create-pods>ServiceAccount:kube-system/root", `wildcard>${CLUSTER_ADMIN}`]);
    expect(pathOf(objects, "ServiceAccount:ci/helper")).toHaveLength(3);
    expect(pathOf(objects, "ServiceAccount:kube-system/root")).toEqual([`wildcard>${CLUSTER_ADMIN}`]);
  });

  it("a cluster-wide pod creator reaches every namespace's accounts in one step, named in the path", () => {
    const objects = [...admin, clusterRole("pods-everywhere", [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] }]), clusterRoleBinding("pe", "pods-everywhere", [userSubject("jo")])];
    const graph = buildEscalationGraph(authorizer(objects));
    const path = graph.paths.get("User:jo");
    expect(path?.map((e) => e.detail)).toEqual(["create jobs in kube-system running as ServiceAccount root", "holds every verb on every resource cluster-wide"]);
    // One edge from jo into the all-namespaces hub, not one per account.
    expect(graph.edges.filter((e) => e.from === "User:jo").map((e) => e.to)).toEqual(["hub:create-pods:*"]);
  });

  it("bind on cluster-admin needs create clusterrolebindings too", () => {
    const bind = { apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"] };
    const crb = { apiGroups: [RBAC], resources: ["clusterrolebindings"], verbs: ["create"] };
    const objects = [...admin, clusterRole("binder", [bind, crb]), clusterRoleBinding("b", "binder", [userSubject("bob")]), clusterRole("half", [bind]), clusterRoleBinding("h", "half", [userSubject("hal")])];
    expect(pathOf(objects, "User:bob")).toEqual([`bind>${CLUSTER_ADMIN}`]);
    expect(pathOf(objects, "User:hal")).toBeUndefined();
  });

  it("escalate + update clusterroles by a holder of a ClusterRoleBinding", () => {
    const objects = [...admin, clusterRole("esc", [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["escalate", "update"] }]), clusterRoleBinding("e", "esc", [groupSubject("platform")])];
    expect(pathOf(objects, "Group:platform")).toEqual([`escalate>${CLUSTER_ADMIN}`]);
  });

  it("nodes/proxy is one step; approving client CSRs is one step", () => {
    const objects = [
      clusterRole("kubelet", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }]),
      clusterRoleBinding("k", "kubelet", [userSubject("carol")]),
      clusterRole("approver", [
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["kubernetes.io/kube-apiserver-client"] },
      ]),
      clusterRoleBinding("a", "approver", [userSubject("dave")]),
      clusterRole("kubelet-approver", [
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests", "certificatesigningrequests/approval"], verbs: ["create", "update"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["kubernetes.io/kubelet-serving"] },
      ]),
      clusterRoleBinding("ka", "kubelet-approver", [userSubject("kim")]),
    ];
    expect(pathOf(objects, "User:carol")).toEqual([`nodes-proxy>${CLUSTER_ADMIN}`]);
    expect(pathOf(objects, "User:dave")).toEqual([`approve-csr>${CLUSTER_ADMIN}`]);
    expect(pathOf(objects, "User:kim")).toBeUndefined();
  });

  it("reading a legacy token Secret is a step to its service account", () => {
    const secret: K8sObject = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "root-token", namespace: "kube-system", annotations: { "kubernetes.io/service-account.name": "root" } } };
    const objects = [...admin, secret, role("kube-system", "reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["root-token"] }]), roleBinding("kube-system", "r", "Role", "reader", [userSubject("eve")])];
    expect(pathOf(objects, "User:eve")).toEqual(["read-token-secret>ServiceAccount:kube-system/root", `wildcard>${CLUSTER_ADMIN}`]);
  });

  it("exec into a pod reaches the service account the workload runs as", () => {
    const deployment: K8sObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ops", namespace: "kube-system" }, spec: { template: { spec: { serviceAccountName: "root", containers: [] } } } };
    const optOut: K8sObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "quiet", namespace: "tools" }, spec: { template: { spec: { serviceAccountName: "quiet", automountServiceAccountToken: false, containers: [] } } } };
    const objects = [
      ...admin,
      deployment,
      optOut,
      clusterRoleBinding("quiet-admin", "cluster-admin", [saSubject("quiet", "tools")]),
      clusterRole("exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
      roleBinding("kube-system", "x", "ClusterRole", "exec", [userSubject("frank")]),
      roleBinding("tools", "x", "ClusterRole", "exec", [userSubject("gina")]),
    ];
    expect(pathOf(objects, "User:frank")).toEqual(["exec>ServiceAccount:kube-system/root", `wildcard>${CLUSTER_ADMIN}`]);
    expect(pathOf(objects, "User:gina")).toBeUndefined();
  });

  it("system:masters members are cluster-admin; viewers reach nothing", () => {
    const objects = [clusterRoleBinding("m", "view", [groupSubject("system:masters")]), roleBinding("team", "v", "ClusterRole", "view", [userSubject("vera")])];
    expect(pathOf(objects, "Group:system:masters")).toEqual([`superuser>${CLUSTER_ADMIN}`]);
    expect(pathOf(objects, "User:vera", { bootstrap: true })).toBeUndefined();
  });

  it("with the bootstrap policy, a namespace edit holder reaches cluster-admin through a privileged service account of that namespace", () => {
    const objects = [roleBinding("kube-system", "ed", "ClusterRole", "edit", [userSubject("ed")])];
    const path = pathOf(objects, "User:ed", { bootstrap: true });
    // edit creates pods (and tokens) in kube-system; the clusterrole-aggregation-controller account may escalate clusterroles.
    expect(path?.length).toBe(2);
    expect(path?.[1]).toMatch(/>cluster-admin$/);
  });
});
