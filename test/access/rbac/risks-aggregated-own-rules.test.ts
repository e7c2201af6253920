/**
 * The rules written in a ClusterRole that has an aggregationRule: the aggregation controller
 * (pkg/controller/clusterroleaggregation, syncClusterRole) sets its rules to what the selectors
 * gather from the other ClusterRoles, so the rules written there are no one's. risks must judge
 * the rules can-i and who-can decide by, and no others.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ruleAllows } from "../../../src/access/rbac/matching.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import { formatFieldPath } from "../../../src/k8s/types.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, res, userSubject } from "./helpers.js";

const getSecrets = { apiGroups: [""], resources: ["secrets"], verbs: ["get"] };
const getPods = { apiGroups: [""], resources: ["pods"], verbs: ["get"] };

describe("rules written in an aggregated ClusterRole", () => {
  // QA /tmp/qa-rbac/r8: a selector that matches nothing, a hand-written get secrets, bound to pat.
  const r8 = [clusterRole("aggr", [getSecrets], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { nobody: "has-this" } }] } }), clusterRoleBinding("aggr-b", "aggr", [userSubject("pat")])];

  it("grant nothing, so risks reports no dangerous grant of them, only that they are replaced", () => {
    const a = authorizer(r8);
    expect(a.authorize(impersonatedUser("pat"), res("get", "secrets", { ns: "default" })).allowed).toBe(false);
    expect(rbacFindings(a).map((f) => f.ruleId)).toEqual(["rbac/invalid-object"]);
  });

  it("nor a wildcard finding for a * written there", () => {
    const star = clusterRole("aggr", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { nobody: "has-this" } }] } });
    expect(rbacFindings(authorizer([star, clusterRoleBinding("b", "aggr", [userSubject("pat")])])).map((f) => f.ruleId)).toEqual(["rbac/invalid-object"]);
  });

  it("what the selectors gather is still reported, at the rule that wrote it", () => {
    const part = clusterRole("part", [getSecrets], { labels: { to: "aggr" } });
    const aggr = clusterRole("aggr", [getPods], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: "aggr" } }] } });
    const found = rbacFindings(authorizer([part, aggr, clusterRoleBinding("b", "aggr", [userSubject("pat")])])).filter((f) => f.ruleId === "rbac/read-secrets");
    expect(found.map((f) => `${f.object?.name} ${f.fieldPath} ${f.severity}`)).toEqual([`part ${formatFieldPath(["rules", 0])} high`]);
  });
});

describe("risks judges the rules the authorizer holds (property)", () => {
  const NAMES = ["r1", "r2", "r3"];
  const LABELS = ["x", "y"];
  const roleObject = fc.record({
    name: fc.constantFrom(...NAMES),
    label: fc.constantFrom(...LABELS),
    rules: fc.array(fc.constantFrom(getSecrets, getPods), { maxLength: 3 }),
    selects: fc.option(fc.constantFrom(...LABELS), { nil: undefined }),
  });

  it("a read-secrets finding points at a rule some bound ClusterRole holds, and every such rule has one", () => {
    fc.assert(
      fc.property(fc.uniqueArray(roleObject, { selector: (r) => r.name, maxLength: 3 }), (roles) => {
        // Every ClusterRole is bound, so every rule a ClusterRole holds is held by someone.
        const objects: K8sObject[] = roles.flatMap((r) => [
          clusterRole(r.name, r.rules, { labels: { tier: r.label }, ...(r.selects ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { tier: r.selects } }] } } : {}) }),
          clusterRoleBinding(`${r.name}-b`, r.name, [userSubject(`u-${r.name}`)]),
        ]);
        const a = authorizer(objects);
        const reported = new Set(rbacFindings(a).filter((f) => f.ruleId === "rbac/read-secrets").map((f) => `${f.object?.name} ${f.fieldPath}`));
        const held = new Set(
          a.policy.clusterRoles.flatMap((role) => role.rules.filter((r) => ruleAllows(res("get", "secrets"), r.rule)).map((r) => `${r.origin.ref.name} ${formatFieldPath(["rules", r.index])}`)),
        );
        expect([...reported].sort()).toEqual([...held].sort());
      }),
      { numRuns: 500 },
    );
  });
});
