import { describe, expect, it } from "vitest";
import { bootstrapPolicyObjects } from "../../../src/access/rbac/bootstrap.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import type { K8sObject, ObjectSource } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, res, role, roleBinding, userSubject } from "./helpers.js";

function source(file: string, line: number): ObjectSource {
  const position = { file, line, column: 1 };
  return { file, documentIndex: 0, position, locate: () => position };
}

const pods = { apiGroups: [""], resources: ["pods"], verbs: ["get"] };
const secrets = { apiGroups: [""], resources: ["secrets"], verbs: ["get"] };

describe("an object defined twice (QA dup.yaml)", () => {
  const objects = [clusterRole("r", [pods]), clusterRoleBinding("b", "r", [userSubject("u")]), clusterRole("r", [secrets])];

  it("counts as its last copy, as kubectl apply -f leaves it", () => {
    const a = authorizer(objects);
    const u = impersonatedUser("u");
    expect(a.authorize(u, res("get", "secrets", { ns: "x" })).allowed).toBe(true);
    expect(a.authorize(u, res("get", "pods", { ns: "x" })).allowed).toBe(false);
    expect(a.policy.clusterRoles.map((r) => r.name)).toEqual(["r"]);
  });

  it("says so at the overridden copy, naming where the last one is", () => {
    const policy = buildPolicy([
      { object: objects[0] as K8sObject, source: source("dup.yaml", 1) },
      { object: objects[1] as K8sObject, source: source("dup.yaml", 6) },
      { object: objects[2] as K8sObject, source: source("dup.yaml", 13) },
    ]);
    expect(policy.problems.map((p) => `${p.origin.source?.position.line}: ${p.message}`)).toEqual(["1: this ClusterRole is defined again at dup.yaml:13:1; the last definition is used, as kubectl apply -f leaves it"]);
  });

  it("a later copy the API server rejects leaves the earlier one live", () => {
    const a = authorizer([clusterRole("r", [pods]), clusterRoleBinding("b", "r", [userSubject("u")]), { ...clusterRoleBinding("b", "r", [userSubject("u")]), roleRef: { kind: "Role", name: "r" } }]);
    expect(a.authorize(impersonatedUser("u"), res("get", "pods", { ns: "x" })).allowed).toBe(true);
  });

  it("a manifest copy still stands in for upstream's default of the same name, silently", () => {
    const policy = buildPolicy([{ object: clusterRole("view", [secrets]) }], { bootstrap: bootstrapPolicyObjects().map((object) => ({ object })) });
    expect(policy.clusterRoles.filter((r) => r.name === "view").map((r) => r.origin.bootstrap)).toEqual([false]);
    expect(policy.problems.filter((p) => p.message.includes("defined again"))).toEqual([]);
  });
});

describe("roleRef as the API server validates it", () => {
  const withRef = (binding: K8sObject, roleRef: object): K8sObject => ({ ...binding, roleRef });
  const cases: Array<[string, K8sObject, string, string]> = [
    ["a lower-case kind", withRef(clusterRoleBinding("b", "r", []), { kind: "clusterrole", name: "r" }), "kind", 'roleRef.kind "clusterrole" is not ClusterRole (case matters): the API server rejects this ClusterRoleBinding, so it grants nothing'],
    ["a Role in a ClusterRoleBinding", withRef(clusterRoleBinding("b", "r", []), { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }), "kind", 'roleRef.kind "Role" is not ClusterRole (case matters): the API server rejects this ClusterRoleBinding, so it grants nothing'],
    ["another apiGroup", withRef(roleBinding("ns", "b", "Role", "r", []), { apiGroup: "example.com", kind: "Role", name: "r" }), "apiGroup", 'roleRef.apiGroup "example.com" is not rbac.authorization.k8s.io: the API server rejects this RoleBinding, so it grants nothing'],
    ["an empty name", withRef(roleBinding("ns", "b", "Role", "r", []), { kind: "Role", name: "" }), "name", "roleRef.name is empty: the API server rejects this RoleBinding, so it grants nothing"],
  ];
  for (const [what, object, field, message] of cases) {
    it(`${what} is rejected, the binding left out`, () => {
      const policy = buildPolicy([{ object }]);
      expect(policy.problems.map((p) => [p.fieldPath, p.message])).toEqual([[["roleRef", field], message]]);
      expect([...policy.clusterRoleBindings, ...policy.roleBindings]).toEqual([]);
    });
  }

  it("an empty apiGroup defaults to RBAC's, as v1 defaulting does", () => {
    const policy = buildPolicy([{ object: withRef(roleBinding("ns", "b", "Role", "r", []), { kind: "ClusterRole", name: "view" }) }]);
    expect(policy.problems).toEqual([]);
    expect(policy.roleBindings.map((b) => b.roleRef.name)).toEqual(["view"]);
  });
});

describe("rules and subjects as the API server validates them: one bad field and the whole object is rejected", () => {
  const get = { apiGroups: [""], resources: ["pods"], verbs: ["get"] };
  const cases: Array<[string, K8sObject, string]> = [
    ["no verbs", clusterRole("r", [get, { ...get, verbs: [] }]), "rules.1.verbs: a PolicyRule needs at least one verb"],
    ["resources without apiGroups", clusterRole("r", [get, { resources: ["pods"], verbs: ["get"] }]), "rules.1.apiGroups: a PolicyRule with resources needs apiGroups"],
    ["apiGroups without resources", clusterRole("r", [get, { apiGroups: [""], verbs: ["get"] }]), "rules.1.resources: a PolicyRule needs resources"],
    ["both kinds of target", clusterRole("r", [get, { ...get, nonResourceURLs: ["/healthz"] }]), "rules.1: a PolicyRule has resources or nonResourceURLs, not both"],
    ["nonResourceURLs in a Role", role("ns", "r", [get, { nonResourceURLs: ["/healthz"], verbs: ["get"] }]), "rules.1.nonResourceURLs: nonResourceURLs are only for a ClusterRole"],
    ["verbs as a string", clusterRole("r", [get, { ...get, verbs: "get" }]), "rules.1.verbs: verbs must be a list of strings"],
  ];
  for (const [what, object, problem] of cases) {
    it(`${what}: the role grants nothing, not even its good rule`, () => {
      const policy = buildPolicy([{ object }]);
      expect(policy.problems.map((p) => `${p.fieldPath?.join(".")}: ${p.message}`)).toEqual([expect.stringContaining(problem)]);
      expect(policy.problems[0]?.message).toMatch(/: the API server rejects this (Cluster)?Role, so it grants nothing$/);
      expect([...policy.roles, ...policy.clusterRoles]).toEqual([]);
    });
  }

  it("a subject of an unknown kind rejects the binding, and every bad subject is named", () => {
    const policy = buildPolicy([{ object: clusterRoleBinding("b", "view", [userSubject("alice"), { kind: "user", name: "bob" }, { kind: "ServiceAccount", name: "app" }]) }]);
    expect(policy.problems.map((p) => p.fieldPath?.join("."))).toEqual(["subjects.1.kind", "subjects.2.namespace"]);
    expect(policy.clusterRoleBindings).toEqual([]);
  });
});
