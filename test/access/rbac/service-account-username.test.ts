/**
 * Which user names are service accounts. Upstream's serviceaccount.SplitUsername
 * (apiserver/pkg/authentication/serviceaccount/util.go) accepts `system:serviceaccount:NS:NAME`
 * only with a namespace that is a DNS label and an account name that is a DNS subdomain; the
 * impersonation filter adds the service-account groups, and authorizes serviceaccounts/NAME,
 * only for names it accepts. Matching a ServiceAccount subject, though, compares names
 * (MatchesUsername) and validates nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildEscalationGraph, CLUSTER_ADMIN } from "../../../src/access/rbac/escalation.js";
import { linearScanAllows } from "../../../src/access/rbac/reference.js";
import { impersonatedUser, serviceAccountUsername, splitServiceAccountUsername } from "../../../src/access/rbac/subjects.js";
import { isDns1123Label, isDns1123Subdomain } from "../../../src/k8s/dns-names.js";
import { authorizer, clusterRole, clusterRoleBinding, groupSubject, res, roleBinding, saSubject, userSubject } from "./helpers.js";

describe("splitServiceAccountUsername is upstream's SplitUsername", () => {
  it("splits a valid name", () => {
    expect(splitServiceAccountUsername("system:serviceaccount:ci:deployer")).toEqual({ namespace: "ci", name: "deployer" });
    expect(splitServiceAccountUsername("system:serviceaccount:kube-system:a.b-c")).toEqual({ namespace: "kube-system", name: "a.b-c" });
  });

  it("refuses an account name that is no DNS subdomain, and a namespace that is no DNS label", () => {
    for (const username of [
      "system:serviceaccount:ci:Foo",
      "system:serviceaccount:ci:foo_bar",
      "system:serviceaccount:ci:-foo",
      `system:serviceaccount:ci:${"a".repeat(254)}`,
      "system:serviceaccount:CI:foo",
      "system:serviceaccount:a.b:foo",
      `system:serviceaccount:${"a".repeat(64)}:foo`,
      "system:serviceaccount:ci:",
      "system:serviceaccount::foo",
      "system:serviceaccount:ci:foo:bar",
      "system:serviceaccounts:ci:foo",
    ]) {
      expect(splitServiceAccountUsername(username), username).toBeUndefined();
    }
  });

  it("splits MakeUsername(ns, name) back exactly when ns is a DNS label and name a DNS subdomain", () => {
    const part = fc.stringMatching(/^[a-zA-Z0-9.:_-]{0,12}$/);
    fc.assert(
      fc.property(part, part, (namespace, name) => {
        const valid = isDns1123Label(namespace) && isDns1123Subdomain(name);
        expect(splitServiceAccountUsername(serviceAccountUsername(namespace, name))).toEqual(valid ? { namespace, name } : undefined);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("an impersonated user named like a service account but refused by SplitUsername", () => {
  // QA /tmp/qa-rbac/r1: pod-exec bound in payments to Group system:serviceaccounts:ci.
  const objects = [
    clusterRole("pod-exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
    roleBinding("payments", "exec-b", "ClusterRole", "pod-exec", [groupSubject("system:serviceaccounts:ci")]),
  ];
  const exec = res("create", "pods", { sub: "exec", ns: "payments" });

  it("gets no service-account groups, only system:authenticated", () => {
    expect(impersonatedUser("system:serviceaccount:ci:Foo").groups).toEqual(["system:authenticated"]);
    expect(impersonatedUser("system:serviceaccount:ci:foo").groups).toEqual(["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]);
  });

  it("is not granted what the namespace's service-account group is (can-i --as system:serviceaccount:ci:Foo answers no)", () => {
    const a = authorizer(objects);
    expect(a.authorize(impersonatedUser("system:serviceaccount:ci:Foo"), exec).allowed).toBe(false);
    expect(a.authorize(impersonatedUser("system:serviceaccount:ci:foo"), exec).allowed).toBe(true);
  });

  it("is impersonated as users/NAME, so a users rule naming it opens a path to cluster-admin", () => {
    const impersonate = (resource: string, names: string[]) => ({ apiGroups: [""], resources: [resource], verbs: ["impersonate"], resourceNames: names });
    const path = buildEscalationGraph(
      authorizer([clusterRole("imp", [impersonate("users", ["system:serviceaccount:ci:Foo"]), impersonate("groups", ["system:masters"])]), clusterRoleBinding("imp", "imp", [userSubject("ivy")])]),
    ).paths.get("User:ivy");
    expect(path?.[0]).toMatchObject({ kind: "impersonate", to: CLUSTER_ADMIN, detail: "impersonate User system:serviceaccount:ci:Foo with group system:masters" });
  });
});

describe("a ServiceAccount subject applies by name, whatever SplitUsername says (MatchesUsername)", () => {
  const reader = clusterRole("reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]);

  it("a subject whose namespace is no DNS label still applies to the user of that exact name", () => {
    // A subject's namespace is not validated by the API server; only the account name is.
    const a = authorizer([reader, clusterRoleBinding("b", "reader", [saSubject("ci", "Team")])]);
    expect(a.authorize(impersonatedUser("system:serviceaccount:Team:ci"), res("get", "pods", { ns: "x" })).allowed).toBe(true);
    expect(a.authorize(impersonatedUser("system:serviceaccount:team:ci"), res("get", "pods", { ns: "x" })).allowed).toBe(false);
  });

  it("the indexed authorizer agrees with the linear walk for any user name and subject namespace", () => {
    const namespaces = ["ns1", "NS1", "a:b", "ns2"];
    const names = ["app", "b:app", "ci"];
    const subject = fc.record({ name: fc.constantFrom("app", "ci"), namespace: fc.constantFrom(...namespaces, "") });
    const binding = fc.record({ cluster: fc.boolean(), namespace: fc.constantFrom("ns1", "ns2"), subjects: fc.array(subject, { minLength: 1, maxLength: 3 }) });
    const username = fc.tuple(fc.constantFrom(...namespaces), fc.constantFrom(...names)).map(([ns, name]) => serviceAccountUsername(ns, name));
    fc.assert(
      fc.property(fc.array(binding, { maxLength: 4 }), username, fc.constantFrom("", "ns1", "ns2"), (bindings, user, namespace) => {
        const objects = [
          reader,
          ...bindings.map((b, i) => {
            const subjects = b.subjects.map((s) => (s.namespace ? saSubject(s.name, s.namespace) : saSubject(s.name)));
            return b.cluster ? clusterRoleBinding(`b${i}`, "reader", subjects) : roleBinding(b.namespace, `b${i}`, "ClusterRole", "reader", subjects);
          }),
        ];
        const a = authorizer(objects);
        const request = res("get", "pods", { ns: namespace });
        const u = impersonatedUser(user);
        expect(a.authorize(u, request).allowed).toBe(linearScanAllows(a.policy, u, request));
      }),
      { numRuns: 1000 },
    );
  });
});
