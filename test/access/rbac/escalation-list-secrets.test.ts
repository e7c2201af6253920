/**
 * list and watch on Secrets return each Secret whole, data included: a legacy token Secret
 * read that way is as much a step to its service account as a get of it.
 */
import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, role, roleBinding, saSubject, userSubject } from "./helpers.js";

const admin = [clusterRole("cluster-admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), clusterRoleBinding("root-sa", "cluster-admin", [saSubject("root", "kube-system")])];
const secret: K8sObject = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "root-token", namespace: "kube-system", annotations: { "kubernetes.io/service-account.name": "root" } } };

function pathOf(rule: object): string[] | undefined {
  const objects = [...admin, secret, role("kube-system", "reader", [rule]), roleBinding("kube-system", "r", "Role", "reader", [userSubject("eve")])];
  return buildEscalationGraph(authorizer(objects)).paths.get("User:eve")?.map((e) => `${e.kind}>${e.to}: ${e.detail}`);
}

describe("reading a token Secret by list or watch", () => {
  it("list secrets in the namespace reaches the token's service account", () => {
    expect(pathOf({ apiGroups: [""], resources: ["secrets"], verbs: ["list"] })).toEqual([
      "read-token-secret>ServiceAccount:kube-system/root: list token Secret kube-system/root-token",
      `wildcard>${CLUSTER_ADMIN}: holds every verb on every resource cluster-wide`,
    ]);
  });

  it("watch narrowed to the Secret's name does too", () => {
    expect(pathOf({ apiGroups: [""], resources: ["secrets"], verbs: ["watch"], resourceNames: ["root-token"] })?.[0]).toBe("read-token-secret>ServiceAccount:kube-system/root: watch token Secret kube-system/root-token");
  });

  it("list of another Secret's name does not", () => {
    expect(pathOf({ apiGroups: [""], resources: ["secrets"], verbs: ["list"], resourceNames: ["other"] })).toBeUndefined();
  });
});
