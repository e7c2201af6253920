import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, role, roleBinding, userSubject } from "./helpers.js";

/** The first step of the subject's shortest path to cluster-admin, as kind>target: detail. */
function firstStep(objects: K8sObject[], subject: string): string | undefined {
  const step = buildEscalationGraph(authorizer(objects)).paths.get(subject)?.[0];
  return step && `${step.kind}>${step.to}: ${step.detail}`;
}

const impersonate = (resource: string, names?: string[]) => ({ apiGroups: [""], resources: [resource], verbs: ["impersonate"], ...(names ? { resourceNames: names } : {}) });
const masters = impersonate("groups", ["system:masters"]);

// The impersonation filter authorizes users/NAME (or serviceaccounts/NAME) and groups/NAME one by one:
// any one impersonable identity carries the group system:masters.
describe("impersonating system:masters needs some impersonable user, not any user", () => {
  it("one named user plus group system:masters is a one-step path (QA esc.yaml)", () => {
    const objects = [clusterRole("imp-masters", [impersonate("users", ["bob"]), masters]), clusterRoleBinding("imp-masters", "imp-masters", [userSubject("mallory")])];
    expect(firstStep(objects, "User:mallory")).toBe(`impersonate>${CLUSTER_ADMIN}: impersonate User bob with group system:masters`);
  });

  it("any user plus system:masters still is", () => {
    const objects = [clusterRole("imp", [impersonate("users"), masters]), clusterRoleBinding("imp", "imp", [userSubject("ann")])];
    expect(firstStep(objects, "User:ann")).toBe(`impersonate>${CLUSTER_ADMIN}: impersonate any user with group system:masters`);
  });

  it("a service account of the subject's namespace plus system:masters is a path", () => {
    const objects = [
      role("ci", "imp-sa", [impersonate("serviceaccounts", ["builder"])]),
      roleBinding("ci", "imp-sa", "Role", "imp-sa", [userSubject("sam")]),
      clusterRole("imp-masters", [masters]),
      clusterRoleBinding("imp-masters", "imp-masters", [userSubject("sam")]),
    ];
    expect(firstStep(objects, "User:sam")).toBe(`impersonate>${CLUSTER_ADMIN}: impersonate ServiceAccount builder of ci with group system:masters`);
  });

  it("no path without an impersonable user: groups alone, an empty name, or a service-account-shaped user name", () => {
    const groupsOnly = [clusterRole("g", [masters]), clusterRoleBinding("g", "g", [userSubject("gus")])];
    expect(firstStep(groupsOnly, "User:gus")).toBeUndefined();
    const emptyName = [clusterRole("e", [impersonate("users", [""]), masters]), clusterRoleBinding("e", "e", [userSubject("eli")])];
    expect(firstStep(emptyName, "User:eli")).toBeUndefined();
    // The filter checks such a name as serviceaccounts/NAME, which this rule does not grant.
    const saShaped = [clusterRole("s", [impersonate("users", ["system:serviceaccount:ci:builder"]), masters]), clusterRoleBinding("s", "s", [userSubject("sid")])];
    expect(firstStep(saShaped, "User:sid")).toBeUndefined();
  });

  it("a user without group system:masters is no path to cluster-admin", () => {
    const objects = [clusterRole("u", [impersonate("users", ["bob"]), impersonate("groups", ["devs"])]), clusterRoleBinding("u", "u", [userSubject("una")])];
    expect(firstStep(objects, "User:una")).toBeUndefined();
  });
});
