/**
 * Two of upstream's object checks: the API server decodes JSON null into a Go string as ""
 * (so null values in an aggregation selector are empty strings, then validated), and
 * ValidateRoleBinding / ValidateClusterRoleBinding check roleRef.name with ValidateRBACName
 * (apimachinery's IsValidPathSegmentName: not "." or "..", no "/" or "%").
 */
import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, res, roleBinding, userSubject } from "./helpers.js";

const get = res("get", "secrets", { ns: "team" });
const alice = impersonatedUser("alice");
const reader = (labels: Record<string, string>) => clusterRole("reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], { labels });

describe("null values in aggregation selectors decode as Go's empty string", () => {
  const aggregated = (selector: object) => [reader({ tier: "" }), clusterRole("agg", [], { aggregationRule: { clusterRoleSelectors: [selector] } }), clusterRoleBinding("b", "agg", [userSubject("alice")])];

  it("a null matchLabels value selects the label with an empty value", () => {
    const a = authorizer(aggregated({ matchLabels: { tier: null } }));
    expect(a.policy.problems).toEqual([]);
    expect(a.authorize(alice, get).allowed).toBe(true);
  });

  it("a null matchExpressions value is the empty value", () => {
    const a = authorizer(aggregated({ matchExpressions: [{ key: "tier", operator: "In", values: [null] }] }));
    expect(a.policy.problems).toEqual([]);
    expect(a.authorize(alice, get).allowed).toBe(true);
  });

  it("a null key or operator decodes to \"\", which validation still rejects", () => {
    const a = authorizer(aggregated({ matchExpressions: [{ key: null, operator: "Exists" }] }));
    expect(a.policy.clusterRoles.map((r) => r.name)).toEqual(["reader"]);
    expect(a.policy.problems[0]?.message).toContain("is invalid");
  });
});

describe("roleRef.name must be a valid path segment", () => {
  const binding = (name: string): K8sObject[] => [reader({}), roleBinding("team", "rb", "ClusterRole", name, [userSubject("alice")]), clusterRoleBinding("crb", name, [userSubject("alice")])];

  for (const name of [".", "..", "a/b", "50%"]) {
    it(`${JSON.stringify(name)} is rejected as rbac/invalid-object at roleRef.name`, () => {
      const policy = buildPolicy(binding(name).map((object) => ({ object })));
      expect(policy.roleBindings).toEqual([]);
      expect(policy.clusterRoleBindings).toEqual([]);
      const invalid = rbacFindings(new RbacAuthorizer(policy)).filter((f) => f.ruleId === "rbac/invalid-object");
      expect(invalid.map((f) => f.fieldPath)).toEqual(["roleRef.name", "roleRef.name"]);
      expect(invalid[0]?.message).toMatch(/roleRef\.name .* is not a valid name: may not (be|contain)/);
    });
  }

  it("other names, colons and dots included, are accepted", () => {
    const policy = buildPolicy(binding("system:a.b").map((object) => ({ object })));
    expect(policy.problems).toEqual([]);
    expect(policy.clusterRoleBindings).toHaveLength(1);
  });
});
