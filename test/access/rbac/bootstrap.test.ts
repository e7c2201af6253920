import { describe, expect, it } from "vitest";
import { impersonatedUser } from "../../../src/access/rbac/subjects.js";
import { authorizer, res, roleBinding, url, userSubject } from "./helpers.js";

// Facts of a fresh cluster's default policy (upstream bootstrappolicy), checked through the authorizer.
describe("bootstrap policy", () => {
  const a = authorizer(
    [
      roleBinding("team", "viewers", "ClusterRole", "view", [userSubject("vera")]),
      roleBinding("team", "editors", "ClusterRole", "edit", [userSubject("ed")]),
      roleBinding("team", "admins", "ClusterRole", "admin", [userSubject("ada")]),
    ],
    { bootstrap: true },
  );
  const vera = impersonatedUser("vera");
  const ed = impersonatedUser("ed");
  const ada = impersonatedUser("ada");
  const ns = { ns: "team" };

  it("view reads workloads but not secrets", () => {
    expect(a.authorize(vera, res("list", "pods", ns)).allowed).toBe(true);
    expect(a.authorize(vera, res("get", "deployments", { ...ns, group: "apps" })).allowed).toBe(true);
    expect(a.authorize(vera, res("get", "secrets", ns)).allowed).toBe(false);
    expect(a.authorize(vera, res("create", "pods", ns)).allowed).toBe(false);
  });

  it("edit aggregates view, writes workloads and secrets, execs, but cannot touch RBAC", () => {
    expect(a.authorize(ed, res("list", "pods", ns)).allowed).toBe(true);
    expect(a.authorize(ed, res("get", "secrets", ns)).allowed).toBe(true);
    expect(a.authorize(ed, res("create", "pods", { ...ns, sub: "exec" })).allowed).toBe(true);
    expect(a.authorize(ed, res("create", "serviceaccounts", { ...ns, sub: "token" })).allowed).toBe(true);
    expect(a.authorize(ed, res("impersonate", "serviceaccounts", ns)).allowed).toBe(true);
    expect(a.authorize(ed, res("create", "rolebindings", { ...ns, group: "rbac.authorization.k8s.io" })).allowed).toBe(false);
  });

  it("admin aggregates edit and view, and manages Roles and RoleBindings", () => {
    expect(a.authorize(ada, res("create", "rolebindings", { ...ns, group: "rbac.authorization.k8s.io" })).allowed).toBe(true);
    expect(a.authorize(ada, res("get", "secrets", ns)).allowed).toBe(true);
    expect(a.authorize(ada, res("watch", "pods", ns)).allowed).toBe(true);
    expect(a.authorize(ada, res("create", "clusterrolebindings", { group: "rbac.authorization.k8s.io" })).allowed).toBe(false);
  });

  it("every authenticated user may review itself and read discovery, anonymous only public info", () => {
    expect(a.authorize(vera, res("create", "selfsubjectaccessreviews", { group: "authorization.k8s.io" })).allowed).toBe(true);
    expect(a.authorize(vera, url("get", "/apis/apps/v1")).allowed).toBe(true);
    const anonymous = impersonatedUser("system:anonymous");
    expect(a.authorize(anonymous, url("get", "/healthz")).allowed).toBe(true);
    expect(a.authorize(anonymous, url("get", "/version")).allowed).toBe(true);
    expect(a.authorize(anonymous, url("get", "/api")).allowed).toBe(false);
  });

  it("system:masters is bound to cluster-admin and every service account may read issuer discovery", () => {
    const binding = a.policy.clusterRoleBindings.find((b) => b.name === "cluster-admin");
    expect(binding?.roleRef.name).toBe("cluster-admin");
    expect(binding?.subjects.map((s) => `${s.kind}:${s.name}`)).toEqual(["Group:system:masters"]);
    // who-can names the privileged group once, as the superuser it is, not again for its binding.
    const who = a.whoCan(res("delete", "nodes")).map((e) => `${e.subject.kind}:${e.subject.name}:${e.grant?.binding.name ?? "superuser"}`);
    expect(who.filter((w) => w.startsWith("Group:system:masters:"))).toEqual(["Group:system:masters:superuser"]);
    expect(a.authorize(impersonatedUser("system:serviceaccount:x:y"), url("get", "/openid/v1/jwks")).allowed).toBe(true);
  });

  it("controller service accounts hold their roles", () => {
    const aggregator = impersonatedUser("system:serviceaccount:kube-system:clusterrole-aggregation-controller");
    expect(a.authorize(aggregator, res("escalate", "clusterroles", { group: "rbac.authorization.k8s.io" })).allowed).toBe(true);
    const tokenCleaner = impersonatedUser("system:serviceaccount:kube-system:token-cleaner");
    expect(a.authorize(tokenCleaner, res("list", "secrets", { ns: "kube-system" })).allowed).toBe(true);
    expect(a.authorize(tokenCleaner, res("list", "secrets", { ns: "default" })).allowed).toBe(false);
  });

  it("a manifest object replaces the bootstrap object of the same name", () => {
    const b = authorizer([{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "view" }, rules: [] }, roleBinding("team", "viewers", "ClusterRole", "view", [userSubject("vera")])], { bootstrap: true });
    expect(b.authorize(vera, res("list", "pods", ns)).allowed).toBe(false);
  });
});
