/**
 * Fields the API server decodes into strings: a value of another type (a YAML number or an
 * unquoted `true`) makes it refuse the whole object, so the object grants nothing and, for a
 * ClusterRole, is never aggregated.
 */
import { describe, expect, it } from "vitest";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { authorizer, clusterRole, clusterRoleBinding, res, RBAC } from "./helpers.js";

const alice = impersonatedUser("alice");
const problems = (objects: K8sObject[]) => buildPolicy(objects.map((object) => ({ object }))).problems.map((p) => `${p.fieldPath?.join(".")}: ${p.message}`);

describe("mistyped strings make the API server refuse the object", () => {
  it("a subject whose namespace or apiGroup is not a string: the binding grants nothing", () => {
    const reader = clusterRole("reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]);
    for (const subject of [
      { kind: "User", name: "alice", apiGroup: 7 },
      { kind: "User", name: "alice", namespace: ["team"] },
    ]) {
      const objects = [reader, clusterRoleBinding("b", "reader", [subject])];
      expect(authorizer(objects).authorize(alice, res("get", "pods", { ns: "team" })).allowed).toBe(false);
      expect(problems(objects)).toEqual([expect.stringMatching(/^subjects\.0\.(apiGroup|namespace): a subject's (apiGroup|namespace) must be a string: the API server rejects/)]);
    }
  });

  it("a roleRef whose apiGroup is not a string: the binding grants nothing", () => {
    const objects: K8sObject[] = [
      clusterRole("reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]),
      { apiVersion: RBAC, kind: "ClusterRoleBinding", metadata: { name: "b" }, roleRef: { apiGroup: 1, kind: "ClusterRole", name: "reader" }, subjects: [{ kind: "User", name: "alice" }] },
    ];
    expect(authorizer(objects).authorize(alice, res("get", "pods", { ns: "team" })).allowed).toBe(false);
    expect(problems(objects)).toEqual([expect.stringContaining("roleRef.apiGroup: roleRef.apiGroup must be a string")]);
  });

  it("an unquoted label value: the ClusterRole is not created, so it is neither aggregated nor reported as a held rule", () => {
    const extra: K8sObject = {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "extra", labels: { "rbac.authorization.k8s.io/aggregate-to-view": true as unknown as string } },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
    };
    const objects = [extra, clusterRoleBinding("b", "extra", [{ kind: "User", name: "alice" }])];
    expect(authorizer(objects).authorize(alice, res("get", "secrets", { ns: "team" })).allowed).toBe(false);
    expect(problems(objects)).toEqual([expect.stringMatching(/^metadata\.labels\.rbac\.authorization\.k8s\.io\/aggregate-to-view: metadata\.labels\..* must be a string \(quote it/)]);
  });

  it("string labels and annotations load as before", () => {
    const ok = clusterRole("ok", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }], { labels: { a: "true" } });
    expect(problems([ok, clusterRoleBinding("b", "ok", [{ kind: "User", name: "alice" }])])).toEqual([]);
  });
});

describe("a null clusterRoleSelectors item", () => {
  it("decodes to the empty selector, which gathers every ClusterRole: cluster-admin's rules included", () => {
    const objects = [
      clusterRole("everything", [], { aggregationRule: { clusterRoleSelectors: [null] } }),
      clusterRoleBinding("b", "everything", [{ kind: "User", name: "alice" }]),
    ];
    const decision = authorizer(objects, { bootstrap: true }).authorize(alice, res("delete", "nodes", { name: "n1" }));
    expect(decision.allowed).toBe(true);
    expect(problems(objects)).toEqual([]);
  });
});

describe("null items of string lists and maps decode to the empty string", () => {
  it("verbs [get, null] is get and \"\": the role is accepted and allows get", () => {
    const objects = [clusterRole("reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", null] }]), clusterRoleBinding("b", "reader", [{ kind: "User", name: "alice" }])];
    expect(problems(objects)).toEqual([]);
    expect(authorizer(objects).authorize(alice, res("get", "pods", { ns: "team" })).allowed).toBe(true);
  });

  it("a null label value is the empty value, which matchLabels with \"\" selects", () => {
    const part: K8sObject = { apiVersion: RBAC, kind: "ClusterRole", metadata: { name: "part", labels: { agg: null as unknown as string } }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] };
    const objects = [part, clusterRole("whole", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: "" } }] } }), clusterRoleBinding("b", "whole", [{ kind: "User", name: "alice" }])];
    expect(problems(objects)).toEqual([]);
    expect(authorizer(objects).authorize(alice, res("get", "pods", { ns: "team" })).allowed).toBe(true);
  });
});
