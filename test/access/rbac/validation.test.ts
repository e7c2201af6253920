/**
 * Objects the API server rejects grant nothing: upstream's ValidateRoleBindingSubject (after
 * v1 defaulting of Subject.apiGroup) and ValidateClusterRole's aggregationRule checks.
 */
import { describe, expect, it } from "vitest";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import { authorizer, clusterRole, clusterRoleBinding, res, roleBinding } from "./helpers.js";

const secretReader = clusterRole("reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
const get = res("get", "secrets", { ns: "team" });

describe("binding subjects the API server rejects", () => {
  it("a User or Group subject with an apiGroup other than rbac.authorization.k8s.io", () => {
    const a = authorizer([secretReader, clusterRoleBinding("b", "reader", [{ kind: "User", name: "alice", apiGroup: "v1" }]), clusterRoleBinding("g", "reader", [{ kind: "Group", name: "devs", apiGroup: "core" }])]);
    expect(a.authorize(impersonatedUser("alice"), get).allowed).toBe(false);
    expect(a.authorize(impersonatedUser("bob", ["devs"]), get).allowed).toBe(false);
    expect(a.policy.problems.map((p) => p.fieldPath?.join("."))).toEqual(["subjects.0.apiGroup", "subjects.0.apiGroup"]);
    // An empty or absent apiGroup is defaulted to RBAC's, not rejected.
    const defaulted = authorizer([secretReader, clusterRoleBinding("b", "reader", [{ kind: "User", name: "carol", apiGroup: "" }, { kind: "User", name: "dave" }])]);
    expect(defaulted.authorize(impersonatedUser("carol"), get).allowed).toBe(true);
    expect(defaulted.authorize(impersonatedUser("dave"), get).allowed).toBe(true);
  });

  it("a ServiceAccount subject with the RBAC apiGroup, or an invalid account name", () => {
    const a = authorizer([
      secretReader,
      clusterRoleBinding("b", "reader", [{ kind: "ServiceAccount", name: "ci", namespace: "team", apiGroup: "rbac.authorization.k8s.io" }]),
      roleBinding("team", "rb", "ClusterRole", "reader", [{ kind: "ServiceAccount", name: "Deployer" }]),
    ]);
    expect(a.authorize(impersonatedUser("system:serviceaccount:team:ci"), get).allowed).toBe(false);
    expect(a.authorize(impersonatedUser("system:serviceaccount:team:Deployer"), get).allowed).toBe(false);
    expect(a.policy.problems.map((p) => p.fieldPath?.join("."))).toEqual(["subjects.0.apiGroup", "subjects.0.name"]);
  });
});

describe("aggregationRule the API server rejects", () => {
  it("an aggregationRule without selectors rejects the ClusterRole", () => {
    const a = authorizer([clusterRole("agg", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], { aggregationRule: {} }), clusterRoleBinding("b", "agg", [{ kind: "User", name: "alice" }])]);
    expect(a.policy.clusterRoles).toEqual([]);
    expect(a.policy.problems.some((p) => p.message.includes("at least one clusterRoleSelector"))).toBe(true);
  });

  it("an invalid selector rejects the ClusterRole: its own rules grant nothing", () => {
    const invalid = { clusterRoleSelectors: [{ matchExpressions: [{ key: "x", operator: "In" }] }] };
    const a = authorizer([clusterRole("agg", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], { aggregationRule: invalid }), clusterRoleBinding("b", "agg", [{ kind: "User", name: "alice" }])]);
    expect(a.authorize(impersonatedUser("alice"), get).allowed).toBe(false);
  });

  it("a selector of the wrong shape is a problem, not a crash", () => {
    const a = authorizer([clusterRole("agg", [], { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: "x" }, { matchLabels: { a: 1 } }] } })]);
    expect(a.policy.clusterRoles).toEqual([]);
    expect(a.policy.problems.map((p) => p.fieldPath?.join("."))).toEqual(["aggregationRule.clusterRoleSelectors.0"]);
  });
});
