import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { ruleAllows as linearRuleAllows } from "../../../src/access/rbac/matching.js";
import { linearScanAllows } from "../../../src/access/rbac/reference.js";
import { impersonatedUser, subjectAppliesTo } from "../../../src/access/rbac/subjects.js";
import type { RequestAttributes } from "../../../src/access/rbac/types.js";
import type { K8sObject } from "../../../src/k8s/types.js";
import { RBAC } from "./helpers.js";

// A small universe so that generated rules, subjects and requests collide often.
const NAMESPACES = ["ns1", "ns2"];
const VERBS = ["get", "list", "create", "delete", "impersonate"];
const GROUPS = ["", "apps"];
const RESOURCES = ["pods", "secrets", "deployments", "nodes"];
const SUBRESOURCES = ["", "", "exec", "scale"];
const NAMES = ["", "a", "b"];
const PATHS = ["/healthz", "/api", "/api/v1", "/metrics"];
const ROLE_NAMES = ["r1", "r2", "r3"];
const USERS = ["alice", "bob", "system:serviceaccount:ns1:app", "system:serviceaccount:ns2:app", "system:anonymous"];
const USER_GROUPS = ["devs", "ops", "system:masters"];

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const someOf = <T>(xs: readonly T[]) => fc.uniqueArray(pick(xs), { minLength: 1, maxLength: 3 });

const resourceRule = fc.record({
  verbs: someOf([...VERBS, "*"]),
  apiGroups: someOf([...GROUPS, "*"]),
  resources: someOf([...RESOURCES, "pods/exec", "*/scale", "deployments/scale", "*", "pods/*"]),
  resourceNames: fc.oneof(fc.constant([] as string[]), someOf(["a", "b"])),
});
const urlRule = fc.record({ verbs: someOf(["get", "post", "*"]), nonResourceURLs: someOf([...PATHS, "/api/*", "*", "/health*"]) });
const policyRule = fc.oneof({ weight: 4, arbitrary: resourceRule }, { weight: 1, arbitrary: urlRule });

const subject = fc.oneof(
  pick(["alice", "bob", "Alice"]).map((name) => ({ kind: "User", name })),
  pick(["devs", "ops", "system:authenticated", "system:unauthenticated", "system:serviceaccounts", "system:serviceaccounts:ns1"]).map((name) => ({ kind: "Group", name })),
  fc.record({ kind: fc.constant("ServiceAccount"), name: pick(["app", "other"]), namespace: pick(["", "ns1", "ns2"]) }).map((s) => (s.namespace ? s : { kind: s.kind, name: s.name })),
  fc.constant({ kind: "user", name: "alice" }),
);

const roleObject: fc.Arbitrary<K8sObject> = fc.record({
  cluster: fc.boolean(),
  name: pick(ROLE_NAMES),
  namespace: pick(NAMESPACES),
  rules: fc.array(policyRule, { maxLength: 3 }),
  aggregate: fc.boolean(),
  label: pick(["x", "y"]),
}).map(({ cluster, name, namespace, rules, aggregate, label }) =>
  cluster
    ? { apiVersion: RBAC, kind: "ClusterRole", metadata: { name, labels: { agg: label } }, rules, ...(aggregate ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: label === "x" ? "y" : "x" } }] } } : {}) }
    : { apiVersion: RBAC, kind: "Role", metadata: { name, namespace }, rules },
);

const bindingObject: fc.Arbitrary<K8sObject> = fc.record({
  cluster: fc.boolean(),
  name: fc.string({ minLength: 1, maxLength: 4 }),
  namespace: pick(NAMESPACES),
  roleKind: pick(["Role", "ClusterRole", "ClusterRole"]),
  roleName: pick(ROLE_NAMES),
  subjects: fc.array(subject, { minLength: 1, maxLength: 3 }),
}).map(({ cluster, name, namespace, roleKind, roleName, subjects }) => ({
  apiVersion: RBAC,
  kind: cluster ? "ClusterRoleBinding" : "RoleBinding",
  metadata: cluster ? { name } : { name, namespace },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName },
  subjects,
}));

const request: fc.Arbitrary<RequestAttributes> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("resource" as const), verb: pick(VERBS), apiGroup: pick(GROUPS), resource: pick(RESOURCES), subresource: pick(SUBRESOURCES), name: pick(NAMES), namespace: pick(["", ...NAMESPACES]) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("nonResource" as const), verb: pick(["get", "post"]), path: pick(PATHS) }) },
);

const user = fc.record({ name: pick(USERS), groups: fc.uniqueArray(pick(USER_GROUPS), { maxLength: 2 }) }).map((u) => impersonatedUser(u.name, u.groups));

const objects = fc.tuple(fc.array(roleObject, { maxLength: 6 }), fc.array(bindingObject, { maxLength: 6 })).map(([roles, bindings]) => [...roles, ...bindings]);
const build = (objs: K8sObject[]) => new RbacAuthorizer(buildPolicy(objs.map((object) => ({ object }))));

describe("RBAC properties", () => {
  it("the indexed authorizer decides exactly like upstream's linear walk", () => {
    fc.assert(
      fc.property(objects, user, request, (objs, u, req) => {
        const a = build(objs);
        const expected = linearScanAllows(a.policy, u, req);
        expect(a.authorize(u, req).allowed).toBe(expected);
        expect(a.authorizerFor(u)(req).allowed).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("adding a binding never removes a permission", () => {
    fc.assert(
      fc.property(objects, bindingObject, user, request, (objs, extra, u, req) => {
        const before = build(objs).authorize(u, req).allowed;
        const after = build([...objs, extra]).authorize(u, req).allowed;
        expect(!before || after).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("who-can and can-i agree on every (subject, request)", () => {
    fc.assert(
      fc.property(objects, user, request, (objs, u, req) => {
        const a = build(objs);
        const canI = a.authorize(u, req).allowed;
        const listed = a.whoCan(req).some((entry) => subjectAppliesTo(u, entry.subject, ""));
        expect(listed).toBe(canI);
      }),
      { numRuns: 1000 },
    );
  });

  it("every rule listed for a user in a namespace is one the user can use there", () => {
    fc.assert(
      fc.property(objects, user, request, (objs, u, req) => {
        const a = build(objs);
        const namespace = req.kind === "resource" ? req.namespace : "";
        const viaRules = a.rulesFor(u, namespace).some((g) => linearRuleAllows(req, g.rule.rule));
        if (!u.groups.includes("system:masters")) expect(viaRules).toBe(a.authorize(u, req).allowed);
      }),
      { numRuns: 1000 },
    );
  });
});

