/**
 * Grants through upstream's built-in roles are judged at the manifest binding that makes them
 * (the role is not the user's text), once per binding and risk; and the grants that
 * the RBAC good-practices page names beyond the original set: API redefinition, namespace
 * relabelling, and exec by get alone on clusters before v1.35.
 */
import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { bootstrapPolicyObjects } from "../../../src/access/rbac/bootstrap.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import type { K8sObject, ObjectSource } from "../../../src/k8s/types.js";
import { clusterRole, clusterRoleBinding, role, roleBinding, saSubject } from "./helpers.js";

function source(file: string): ObjectSource {
  return { file, documentIndex: 0, position: { file, line: 1, column: 1 }, locate: (path) => ({ file: `${file}#${path.join(".")}`, line: 1, column: 1 }) };
}

/** As palisade scan judges manifests: beside the built-in policy. */
function findings(objects: K8sObject[]) {
  const policy = buildPolicy(
    objects.map((object, i) => ({ object, source: source(`f${i}.yaml`) })),
    { bootstrap: bootstrapPolicyObjects().map((object) => ({ object })) },
  );
  return rbacFindings(new RbacAuthorizer(policy)).map((f) => ({ rule: f.ruleId, severity: f.severity, at: f.position?.file, message: f.message }));
}

const ids = (fs: ReturnType<typeof findings>) => fs.map((f) => `${f.rule}@${f.at}:${f.severity}`).sort();
const ci = saSubject("ci", "ci");

describe("a binding to the built-in cluster-admin (kubernetes-dashboard's admin-user)", () => {
  it("is critical once, at the binding: the wildcard, with the one-step path beside it at high", () => {
    const got = findings([clusterRoleBinding("admin-user", "cluster-admin", [saSubject("admin-user", "kubernetes-dashboard")])]);
    expect(ids(got)).toEqual(["rbac/escalation-path@f0.yaml#roleRef:high", "rbac/wildcard@f0.yaml#roleRef:critical"]);
    expect(got.find((f) => f.rule === "rbac/wildcard")?.message).toBe(
      "ClusterRoleBinding admin-user grants the built-in ClusterRole cluster-admin cluster-wide to ServiceAccount kubernetes-dashboard/admin-user: every verb on everything (* in verbs, apiGroups, resources)",
    );
  });

  it("in one namespace too (a RoleBinding of cluster-admin), and a binding without subjects is latent", () => {
    expect(ids(findings([roleBinding("team", "owners", "ClusterRole", "cluster-admin", [ci])]))).toEqual(["rbac/wildcard@f0.yaml#roleRef:critical"]);
    expect(ids(findings([clusterRoleBinding("empty", "cluster-admin", [])]))).toEqual(["rbac/wildcard@f0.yaml#roleRef:medium"]);
  });

  it("a user-written wildcard role is reported at its rule only: nothing more at its binding", () => {
    const got = findings([clusterRole("god", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), clusterRoleBinding("g", "god", [ci])]);
    expect(got.filter((f) => f.rule === "rbac/wildcard").map((f) => `${f.at}:${f.severity}`)).toEqual(["f0.yaml#rules.0.verbs:critical"]);
    expect(got.filter((f) => f.at?.startsWith("f1.yaml") && f.rule !== "rbac/escalation-path")).toEqual([]);
  });
});

describe("a binding to a built-in role (admin, edit, view)", () => {
  it("reports what admin grants at the RoleBinding, one finding per risk, at the severities of a custom role's rule", () => {
    const got = findings([roleBinding("team-a", "ci-admin", "ClusterRole", "admin", [ci])]);
    expect(ids(got)).toEqual(
      [
        "rbac/create-pods@f0.yaml#roleRef:high",
        "rbac/impersonate@f0.yaml#roleRef:high",
        "rbac/pod-exec@f0.yaml#roleRef:high",
        "rbac/read-secrets@f0.yaml#roleRef:high",
        "rbac/serviceaccount-token@f0.yaml#roleRef:high",
        "rbac/write-rbac@f0.yaml#roleRef:high",
      ].sort(),
    );
    expect(got.find((f) => f.rule === "rbac/read-secrets")?.message).toBe("RoleBinding ci-admin grants the built-in ClusterRole admin in team-a to ServiceAccount ci/ci, which allows get secrets, list secrets, watch secrets");
    // The same grant written as a custom Role's rule is reported at the same severity.
    const custom = findings([role("team-b", "custom", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }]), roleBinding("team-b", "custom", "Role", "custom", [ci])]);
    expect(ids(custom)).toEqual(["rbac/read-secrets@f0.yaml#rules.0:high"]);
    // Impersonating service accounts is worth what they may do (high, as creating pods that run as them); users and groups stay critical.
    const accounts = findings([role("team-b", "sa", [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }]), roleBinding("team-b", "sa", "Role", "sa", [ci])]);
    expect(ids(accounts)).toEqual(["rbac/impersonate@f0.yaml#rules.0:high"]);
    // Users and groups are cluster-scoped: only a ClusterRoleBinding grants impersonating them.
    const users = findings([clusterRole("users", [{ apiGroups: [""], resources: ["users", "serviceaccounts"], verbs: ["impersonate"] }]), clusterRoleBinding("users", "users", [ci])]);
    expect(ids(users.filter((f) => f.rule === "rbac/impersonate"))).toEqual(["rbac/impersonate@f0.yaml#rules.0:critical"]);
  });

  it("edit bound cluster-wide: the same risks but RBAC writes, which only admin aggregates", () => {
    const got = ids(findings([clusterRoleBinding("ci-edit", "edit", [ci])])).filter((id) => !id.startsWith("rbac/escalation-path"));
    expect(got).toEqual(["rbac/create-pods@f0.yaml#roleRef:high", "rbac/impersonate@f0.yaml#roleRef:high", "rbac/pod-exec@f0.yaml#roleRef:high", "rbac/read-secrets@f0.yaml#roleRef:high", "rbac/serviceaccount-token@f0.yaml#roleRef:high"]);
  });

  it("view grants nothing risky: it leaves out secrets, exec and tokens", () => {
    expect(findings([clusterRoleBinding("viewers", "view", [ci]), roleBinding("team", "v", "ClusterRole", "view", [ci])])).toEqual([]);
  });

  it("a user's rule aggregated into admin stays reported at its rule, not again at the binding", () => {
    const extra = clusterRole("crds", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }], { labels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" } });
    const got = findings([extra, roleBinding("team", "a", "ClusterRole", "admin", [ci])]);
    expect(got.filter((f) => f.rule === "rbac/nodes-proxy").map((f) => f.at)).toEqual(["f0.yaml#rules.0"]);
  });

  it("a user-written ClusterRole that aggregates the built-in parts is judged by them, at its binding", () => {
    const mine = clusterRole("my-edit", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } }] } });
    const got = findings([mine, clusterRoleBinding("b", "my-edit", [ci])]);
    expect(got.find((f) => f.rule === "rbac/read-secrets")).toMatchObject({ at: "f1.yaml#roleRef", severity: "high", message: expect.stringContaining("ClusterRole my-edit (the built-in rules it aggregates)") });
  });
});

describe("write access to API definitions (cert-manager-cainjector)", () => {
  it("update of APIServices or CRDs is high, delete alone medium", () => {
    const got = findings([
      clusterRole("cainjector", [
        { apiGroups: ["apiregistration.k8s.io"], resources: ["apiservices"], verbs: ["get", "list", "watch", "update"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["patch"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["delete"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
      ]),
      clusterRoleBinding("cainjector", "cainjector", [saSubject("cert-manager-cainjector", "cert-manager")]),
    ]);
    expect(ids(got)).toEqual(["rbac/write-api-definitions@f0.yaml#rules.0:high", "rbac/write-api-definitions@f0.yaml#rules.1:high", "rbac/write-api-definitions@f0.yaml#rules.2:medium"]);
  });
});

describe("namespace relabelling (Pod Security and NetworkPolicy labels)", () => {
  it("patch or update on namespaces is medium; get is nothing", () => {
    const got = findings([
      role("team", "ns", [
        { apiGroups: [""], resources: ["namespaces"], verbs: ["patch"] },
        { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list"] },
      ]),
      roleBinding("team", "ns", "Role", "ns", [ci]),
    ]);
    expect(ids(got)).toEqual(["rbac/namespace-labels@f0.yaml#rules.0:medium"]);
  });

  it("a Role's rule reaches its own Namespace object only: one naming another namespace grants nothing", () => {
    // PATCH /api/v1/namespaces/team is a request in namespace team (the apiserver's NewRequestInfo),
    // the only namespace a Role of team is ever applied in.
    const named = (names: string[]) =>
      findings([role("team", "ns", [{ apiGroups: [""], resources: ["namespaces"], verbs: ["patch"], resourceNames: names }]), roleBinding("team", "ns", "Role", "ns", [ci])]).filter((f) => f.rule === "rbac/namespace-labels");
    expect(named(["other"])).toEqual([]);
    expect(ids(named(["team"]))).toEqual(["rbac/namespace-labels@f0.yaml#rules.0:low"]);
  });
});

describe("exec by get alone", () => {
  const exec = (verbs: string[]) => findings([role("team", "x", [{ apiGroups: [""], resources: ["pods/exec"], verbs }]), roleBinding("team", "x", "Role", "x", [ci])]).filter((f) => f.rule === "rbac/pod-exec");

  it("is medium and says it opens exec only before v1.35 or with the gate off", () => {
    const [got] = exec(["get"]);
    expect(got?.severity).toBe("medium");
    expect(got?.message).toContain("AuthorizePodWebsocketUpgradeCreatePermission");
    expect(got?.message).toContain("before v1.35");
  });

  it("with create beside it is high, without the note", () => {
    const [got] = exec(["get", "create"]);
    expect(got?.severity).toBe("high");
    expect(got?.message).not.toContain("v1.35");
  });
});
