import { describe, expect, it } from "vitest";
import { describeGrant } from "../../../src/access/rbac/authorizer.js";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import {
  authorizer,
  clusterRole,
  clusterRoleBinding,
  groupSubject,
  res,
  role,
  roleBinding,
  saSubject,
  url,
  userSubject,
} from "./helpers.js";

const podReader = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] };
const alice = impersonatedUser("alice");

describe("bindings and scope", () => {
  it("a RoleBinding to a ClusterRole grants it only in the binding's namespace", () => {
    const a = authorizer([clusterRole("reader", [podReader]), roleBinding("team", "rb", "ClusterRole", "reader", [userSubject("alice")])]);
    expect(a.authorize(alice, res("get", "pods", { ns: "team" })).allowed).toBe(true);
    expect(a.authorize(alice, res("get", "pods", { ns: "other" })).allowed).toBe(false);
    // Listing across all namespaces is a cluster-wide request: only ClusterRoleBindings count.
    expect(a.authorize(alice, res("list", "pods")).allowed).toBe(false);
  });

  it("a RoleBinding to a Role finds the Role in the binding's namespace only", () => {
    const a = authorizer([role("team", "reader", [podReader]), role("other", "writer", [{ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }]), roleBinding("team", "rb", "Role", "reader", [userSubject("alice")]), roleBinding("team", "rb2", "Role", "writer", [userSubject("alice")])]);
    expect(a.authorize(alice, res("get", "pods", { ns: "team" })).allowed).toBe(true);
    expect(a.authorize(alice, res("delete", "pods", { ns: "team" })).allowed).toBe(false);
    expect(a.danglingBindings().map((d) => d.binding.name)).toEqual(["rb2"]);
  });

  it("a ClusterRoleBinding grants everywhere, cluster-scoped resources included", () => {
    const a = authorizer([clusterRole("nodes", [{ apiGroups: [""], resources: ["nodes", "pods"], verbs: ["get"] }]), clusterRoleBinding("crb", "nodes", [userSubject("alice")])]);
    expect(a.authorize(alice, res("get", "nodes")).allowed).toBe(true);
    expect(a.authorize(alice, res("get", "pods", { ns: "x" })).allowed).toBe(true);
  });

  it("a ClusterRoleBinding to a Role grants nothing", () => {
    const a = authorizer([role("default", "reader", [podReader]), clusterRoleBinding("crb", "reader", [userSubject("alice")], "Role")]);
    expect(a.authorize(alice, res("get", "pods", { ns: "default" })).allowed).toBe(false);
  });

  it("a RoleBinding never grants cluster-scoped resources or non-resource URLs", () => {
    const a = authorizer([
      clusterRole("all", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, { nonResourceURLs: ["*"], verbs: ["*"] }]),
      roleBinding("team", "rb", "ClusterRole", "all", [userSubject("alice")]),
    ]);
    expect(a.authorize(alice, res("get", "nodes")).allowed).toBe(false);
    expect(a.authorize(alice, url("get", "/metrics")).allowed).toBe(false);
    expect(a.authorize(alice, res("get", "secrets", { ns: "team" })).allowed).toBe(true);
  });

  it("non-resource URLs are granted by ClusterRoleBindings", () => {
    const a = authorizer([clusterRole("metrics", [{ nonResourceURLs: ["/metrics", "/logs/*"], verbs: ["get"] }]), clusterRoleBinding("crb", "metrics", [groupSubject("monitoring")])]);
    const prom = impersonatedUser("prom", ["monitoring"]);
    expect(a.authorize(prom, url("get", "/metrics")).allowed).toBe(true);
    expect(a.authorize(prom, url("get", "/logs/kube")).allowed).toBe(true);
    expect(a.authorize(prom, url("post", "/metrics")).allowed).toBe(false);
    expect(a.authorize(alice, url("get", "/metrics")).allowed).toBe(false);
  });

  it("a missing role denies and says why", () => {
    const a = authorizer([clusterRoleBinding("crb", "ghost", [userSubject("alice")])]);
    const decision = a.authorize(alice, res("get", "pods"));
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.errors.join()).toContain(`clusterrole.rbac.authorization.k8s.io "ghost" not found`);
  });

  it("reports the first grant in upstream order: ClusterRoleBindings before RoleBindings", () => {
    const a = authorizer([
      clusterRole("reader", [podReader]),
      roleBinding("team", "rb", "ClusterRole", "reader", [userSubject("alice")]),
      clusterRoleBinding("crb", "reader", [groupSubject("devs"), userSubject("alice")]),
    ]);
    const decision = a.authorize(alice, res("get", "pods", { ns: "team" }));
    expect(decision.allowed && !decision.superuser && describeGrant(decision.grant)).toBe(`ClusterRoleBinding "crb" of ClusterRole "reader" to User "alice", rule 0`);
  });
});

describe("subjects", () => {
  it("User and Group subjects match by exact name and kind", () => {
    const a = authorizer([clusterRole("reader", [podReader]), clusterRoleBinding("a", "reader", [{ kind: "user", name: "alice" }]), clusterRoleBinding("b", "reader", [groupSubject("devs")])]);
    expect(a.authorize(alice, res("get", "pods")).allowed).toBe(false);
    expect(a.authorize(impersonatedUser("bob", ["devs"]), res("get", "pods")).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("Alice"), res("get", "pods")).allowed).toBe(false);
  });

  it("a ServiceAccount subject without namespace takes the RoleBinding's namespace", () => {
    const a = authorizer([clusterRole("reader", [podReader]), roleBinding("team", "rb", "ClusterRole", "reader", [saSubject("builder")])]);
    expect(a.authorize(impersonatedUser("system:serviceaccount:team:builder"), res("get", "pods", { ns: "team" })).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("system:serviceaccount:other:builder"), res("get", "pods", { ns: "team" })).allowed).toBe(false);
  });

  it("a ServiceAccount subject in a RoleBinding may name another namespace's account", () => {
    const a = authorizer([clusterRole("reader", [podReader]), roleBinding("team", "rb", "ClusterRole", "reader", [saSubject("ci", "tools")])]);
    expect(a.authorize(impersonatedUser("system:serviceaccount:tools:ci"), res("get", "pods", { ns: "team" })).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("system:serviceaccount:tools:ci"), res("get", "pods", { ns: "tools" })).allowed).toBe(false);
  });

  it("a ServiceAccount subject without namespace in a ClusterRoleBinding matches nobody", () => {
    const a = authorizer([clusterRole("reader", [podReader]), clusterRoleBinding("crb", "reader", [saSubject("builder")])]);
    expect(a.authorize(impersonatedUser("system:serviceaccount:default:builder"), res("get", "pods", { ns: "default" })).allowed).toBe(false);
  });

  it("service accounts carry system:serviceaccounts, system:serviceaccounts:NS and system:authenticated", () => {
    const sa = impersonatedUser("system:serviceaccount:team:app");
    expect(sa.groups).toEqual(["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]);
    const a = authorizer([clusterRole("reader", [podReader]), clusterRoleBinding("crb", "reader", [groupSubject("system:serviceaccounts:team")])]);
    expect(a.authorize(sa, res("get", "pods", { ns: "x" })).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("system:serviceaccount:other:app"), res("get", "pods", { ns: "x" })).allowed).toBe(false);
  });

  it("impersonated users get system:authenticated, anonymous gets system:unauthenticated", () => {
    expect(impersonatedUser("alice").groups).toEqual(["system:authenticated"]);
    expect(impersonatedUser("alice", ["devs"]).groups).toEqual(["devs", "system:authenticated"]);
    expect(impersonatedUser("alice", ["system:unauthenticated"]).groups).toEqual(["system:unauthenticated"]);
    expect(impersonatedUser("system:anonymous").groups).toEqual(["system:unauthenticated"]);
    // Requested groups replace the service-account groups.
    expect(impersonatedUser("system:serviceaccount:a:b", ["g"]).groups).toEqual(["g", "system:authenticated"]);
  });

  it("system:masters is allowed everything, with no binding at all", () => {
    const a = authorizer([]);
    const decision = a.authorize(impersonatedUser("root", ["system:masters"]), res("delete", "nodes", { name: "n1" }));
    expect(decision.allowed).toBe(true);
    expect(decision.allowed && decision.superuser).toBe(true);
  });
});

describe("aggregation", () => {
  const label = (k: string) => ({ [k]: "true" });
  it("an aggregated ClusterRole holds the rules of every matching ClusterRole, its own rules replaced", () => {
    const a = authorizer([
      clusterRole("monitoring", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: label("agg/monitoring") }] } }),
      clusterRole("pods", [podReader], { labels: label("agg/monitoring") }),
      clusterRole("svc", [{ apiGroups: [""], resources: ["services"], verbs: ["get"] }], { labels: label("agg/monitoring") }),
      clusterRole("other", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]),
      clusterRoleBinding("crb", "monitoring", [userSubject("alice")]),
    ]);
    expect(a.authorize(alice, res("get", "pods", { ns: "x" })).allowed).toBe(true);
    expect(a.authorize(alice, res("get", "services", { ns: "x" })).allowed).toBe(true);
    expect(a.authorize(alice, res("get", "nodes")).allowed).toBe(false);
    expect(a.authorize(alice, res("get", "secrets", { ns: "x" })).allowed).toBe(false);
  });

  it("chains settle (view -> edit -> admin) and the grant names the contributing role", () => {
    const a = authorizer([
      clusterRole("top", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: label("to-top") }] } }),
      clusterRole("middle", [], { labels: label("to-top"), aggregationRule: { clusterRoleSelectors: [{ matchLabels: label("to-middle") }] } }),
      clusterRole("leaf", [podReader], { labels: label("to-middle") }),
      clusterRoleBinding("crb", "top", [userSubject("alice")]),
    ]);
    const decision = a.authorize(alice, res("get", "pods", { ns: "x" }));
    expect(decision.allowed && !decision.superuser && describeGrant(decision.grant)).toContain(`aggregated from ClusterRole "leaf"`);
  });

  it("matchExpressions select, and an empty selector selects every ClusterRole but itself", () => {
    const a = authorizer([
      clusterRole("everything", [], { aggregationRule: { clusterRoleSelectors: [{}] } }),
      clusterRole("nodes", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]),
      clusterRole("exp", [], { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] }] } }),
      clusterRole("tiered", [podReader], { labels: { tier: "a" } }),
      clusterRoleBinding("crb", "everything", [userSubject("alice")]),
      clusterRoleBinding("crb2", "exp", [userSubject("bob")]),
    ]);
    expect(a.authorize(alice, res("get", "nodes")).allowed).toBe(true);
    expect(a.authorize(alice, res("get", "pods")).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("bob"), res("get", "pods")).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("bob"), res("get", "nodes")).allowed).toBe(false);
  });

  it("duplicate rules are kept once", () => {
    const a = authorizer([
      clusterRole("agg", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: label("x") }, { matchLabels: label("y") }] } }),
      clusterRole("one", [podReader], { labels: { x: "true", y: "true" } }),
      clusterRole("two", [podReader], { labels: label("y") }),
    ]);
    expect(a.policy.clusterRoles.find((r) => r.name === "agg")?.rules).toHaveLength(1);
  });
});

describe("who-can", () => {
  it("lists every subject with the binding that grants it, plus system:masters", () => {
    const a = authorizer([
      clusterRole("reader", [podReader]),
      roleBinding("team", "rb", "ClusterRole", "reader", [saSubject("app"), groupSubject("devs")]),
      roleBinding("other", "rb", "ClusterRole", "reader", [userSubject("eve")]),
      clusterRoleBinding("crb", "reader", [userSubject("alice")]),
    ]);
    const names = a.whoCan(res("get", "pods", { ns: "team" })).map((e) => `${e.subject.kind}:${e.subject.namespace ?? ""}:${e.subject.name}`);
    expect(names.sort()).toEqual(["Group::devs", "Group::system:masters", "ServiceAccount:team:app", "User::alice"]);
  });
});

describe("policy problems", () => {
  it("rules written into an aggregated ClusterRole are reported as replaced", async () => {
    const { buildPolicy } = await import("../../../src/access/rbac/policy.js");
    const policy = buildPolicy([{ object: clusterRole("agg", [podReader], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: "y" } }] } }) }]);
    expect(policy.problems.map((p) => p.message)).toEqual(["ClusterRole agg has an aggregationRule, so the aggregation controller replaces the 1 rule(s) written here"]);
    expect(policy.clusterRoles[0]?.rules).toEqual([]);
  });

  it("an invalid aggregation selector makes the API server reject the ClusterRole (ValidateClusterRole)", async () => {
    const { buildPolicy } = await import("../../../src/access/rbac/policy.js");
    const policy = buildPolicy([{ object: clusterRole("agg", [podReader], { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "x", operator: "Bogus" }] }] } }) }]);
    expect(policy.problems.some((p) => p.message.includes("is invalid") && p.message.includes("rejects this ClusterRole"))).toBe(true);
    expect(policy.clusterRoles).toEqual([]);
  });

  it("rules with non-list fields or no verbs are problems with their field path", async () => {
    const { buildPolicy } = await import("../../../src/access/rbac/policy.js");
    const policy = buildPolicy([{ object: clusterRole("bad", [{ verbs: "get", resources: ["pods"] }, { resources: ["pods"] }]) }]);
    expect(policy.problems.map((p) => p.fieldPath?.join("."))).toEqual(["rules.0.verbs", "rules.1.verbs"]);
  });
});
