/**
 * The impersonation filter (apiserver pkg/endpoints/filters/impersonation.go) asks a user name
 * that serviceaccount.SplitUsername accepts as impersonate on serviceaccounts/NAME in its
 * namespace, never as impersonate on users/system:serviceaccount:NS:NAME: a users rule naming
 * it lets no one impersonate anybody.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import { impersonateUserRequest, unaskedImpersonationNote } from "../../../src/access/rbac/impersonation.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { palisade } from "../../support/cli-in-process.js";
import { authorizer, clusterRole, clusterRoleBinding, res, userSubject } from "./helpers.js";

const impersonate = (resource: string, names: string[]) => ({ apiGroups: [""], resources: [resource], verbs: ["impersonate"], resourceNames: names });
const SA_USER = "system:serviceaccount:ns:sa";

function impersonateFindings(objects: K8sObject[]) {
  return rbacFindings(new RbacAuthorizer(buildPolicy(objects.map((object) => ({ object }))))).filter((f) => f.ruleId === "rbac/impersonate");
}

describe("rbac/impersonate on a users rule naming service-account user names", () => {
  it("is not reported when every name is a service account's", () => {
    expect(impersonateFindings([clusterRole("imp", [impersonate("users", [SA_USER])]), clusterRoleBinding("imp", "imp", [userSubject("ivy")])])).toEqual([]);
  });

  it("is reported for the other names beside them, and for a name SplitUsername refuses", () => {
    expect(impersonateFindings([clusterRole("imp", [impersonate("users", [SA_USER, "bob"])]), clusterRoleBinding("imp", "imp", [userSubject("ivy")])])).toHaveLength(1);
    expect(impersonateFindings([clusterRole("imp", [impersonate("users", ["system:serviceaccount:ns:Sa"])]), clusterRoleBinding("imp", "imp", [userSubject("ivy")])])).toHaveLength(1);
  });
});

describe("impersonating a User subject named like a service account", () => {
  const admin = [clusterRole("cluster-admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), clusterRoleBinding("root", "cluster-admin", [userSubject(SA_USER)])];
  const pathOf = (rule: object) => buildEscalationGraph(authorizer([...admin, clusterRole("imp", [rule]), clusterRoleBinding("imp", "imp", [userSubject("ivy")])])).paths.get("User:ivy");

  it("is asked as serviceaccounts in its namespace", () => {
    expect(impersonateUserRequest(SA_USER)).toEqual(res("impersonate", "serviceaccounts", { name: "sa", ns: "ns" }));
    expect(pathOf(impersonate("serviceaccounts", ["sa"]))?.map((e) => e.to)).toEqual([`User:${SA_USER}`, CLUSTER_ADMIN]);
  });

  it("is no step through a users rule", () => {
    expect(pathOf(impersonate("users", [SA_USER]))).toBeUndefined();
  });
});

describe("can-i and who-can on impersonate users with a service-account user name", () => {
  it("answer the request as asked (as a SubjectAccessReview does) and warn that impersonation never asks it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-impersonate-sa-"));
    const file = join(dir, "rbac.yaml");
    writeFileSync(file, [clusterRole("imp", [impersonate("users", [SA_USER])]), clusterRoleBinding("imp", "imp", [userSubject("ivy")])].map((o) => JSON.stringify(o)).join("\n---\n"));
    const canI = await palisade(["rbac", "can-i", "impersonate", "users", SA_USER, "--as", "ivy", "-f", file]);
    expect(canI.stdout.trim()).toMatch(/^yes/);
    expect(canI.stderr).toContain("asks impersonate serviceaccounts sa in namespace ns");
    const whoCan = await palisade(["rbac", "who-can", "impersonate", "users", SA_USER, "-f", file]);
    expect(whoCan.stderr).toContain("asks impersonate serviceaccounts sa in namespace ns");
    expect((await palisade(["rbac", "can-i", "impersonate", "users", "bob", "--as", "ivy", "-f", file])).stderr).not.toContain("impersonation filter");
    expect(unaskedImpersonationNote({ verb: "get", apiGroup: "", resource: "users", subresource: "", name: SA_USER })).toBeUndefined();
  });
});
