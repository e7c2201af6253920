/**
 * create on Secrets cannot be limited by resourceNames (the request names no object), so whoever
 * may create Secrets and read one fixed name X may create a service-account-token Secret named X
 * for any ServiceAccount of the namespace and read the token the token controller writes into it.
 */
import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, role, roleBinding, saSubject, userSubject } from "./helpers.js";

const admin = [clusterRole("cluster-admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), clusterRoleBinding("root-sa", "cluster-admin", [saSubject("root", "kube-system")])];
const create = { apiGroups: [""], resources: ["secrets"], verbs: ["create"] };
const readOnly = (verb: string, name: string) => ({ apiGroups: [""], resources: ["secrets"], verbs: [verb], resourceNames: [name] });

function steps(objects: K8sObject[]): string[] | undefined {
  return buildEscalationGraph(authorizer([...admin, ...objects])).paths.get("User:eve")?.map((e) => `${e.kind}>${e.to}: ${e.detail}`);
}

describe("create secrets plus a read limited to one name", () => {
  it("get on one name: create the token Secret under that name and read it", () => {
    const objects = [role("kube-system", "minter", [create, readOnly("get", "x")]), roleBinding("kube-system", "m", "Role", "minter", [userSubject("eve")])];
    expect(steps(objects)).toEqual([
      "read-token-secret>ServiceAccount:kube-system/root: create a service-account-token Secret named x (the one name it may get) in kube-system and read it once the token controller fills it for ServiceAccount root",
      `wildcard>${CLUSTER_ADMIN}: holds every verb on every resource cluster-wide`,
    ]);
  });

  it("a list narrowed to the name does as well, and cluster-wide grants reach every namespace", () => {
    const objects = [clusterRole("minter", [create, readOnly("list", "x")]), clusterRoleBinding("m", "minter", [userSubject("eve")])];
    expect(steps(objects)?.[0]).toBe(
      "read-token-secret>ServiceAccount:kube-system/root: create a service-account-token Secret named x (the one name it may list) in kube-system and read it once the token controller fills it for ServiceAccount root",
    );
  });

  it("no step without create, or when the one name is no valid Secret name", () => {
    expect(steps([role("kube-system", "r", [readOnly("get", "x")]), roleBinding("kube-system", "m", "Role", "r", [userSubject("eve")])])).toBeUndefined();
    expect(steps([role("kube-system", "r", [create, readOnly("get", "Not_A_Name")]), roleBinding("kube-system", "m", "Role", "r", [userSubject("eve")])])).toBeUndefined();
  });

  it("a read of any name keeps the plain wording", () => {
    const objects = [role("kube-system", "r", [create, { apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]), roleBinding("kube-system", "m", "Role", "r", [userSubject("eve")])];
    expect(steps(objects)?.[0]).toBe("read-token-secret>ServiceAccount:kube-system/root: create a service-account-token Secret in kube-system and read it for ServiceAccount root");
  });
});
