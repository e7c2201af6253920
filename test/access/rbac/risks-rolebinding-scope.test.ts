/**
 * A RoleBinding grants only in its own namespace, and nothing on cluster-scoped resources
 * (upstream rbac.go visits a RoleBinding only for requests in its namespace; a request on a
 * PersistentVolume or a CSR has namespace ""), but for its own Namespace object. And a note
 * on a lesser request ("get alone") is dropped once a request worth more is allowed.
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

/** Judged beside `builtin` as the built-in policy (upstream's by default). */
function findings(objects: K8sObject[], builtin: K8sObject[] = bootstrapPolicyObjects()) {
  const policy = buildPolicy(
    objects.map((object, i) => ({ object, source: source(`f${i}.yaml`) })),
    { bootstrap: builtin.map((object) => ({ object })) },
  );
  return rbacFindings(new RbacAuthorizer(policy)).map((f) => ({ rule: f.ruleId, severity: f.severity, at: f.position?.file, message: f.message }));
}

const ci = saSubject("ci", "ci");
const of = (rule: string, got: ReturnType<typeof findings>) => got.filter((f) => f.rule === rule).map((f) => `${f.at}:${f.severity}`);

describe("cluster-admin bound in one namespace", () => {
  it("is every verb on everything in that namespace, graded as a Role's * on * there", () => {
    const bound = findings([roleBinding("team", "owners", "ClusterRole", "cluster-admin", [ci])]);
    expect(bound.filter((f) => f.rule === "rbac/wildcard")).toEqual([
      {
        rule: "rbac/wildcard",
        severity: "critical",
        at: "f0.yaml#roleRef",
        message: "RoleBinding owners grants the built-in ClusterRole cluster-admin in team to ServiceAccount ci/ci: every verb on everything in team (* in verbs, apiGroups, resources)",
      },
    ]);
    const written = findings([role("team", "owner", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), roleBinding("team", "owner", "Role", "owner", [ci])]);
    expect(written.filter((f) => f.rule === "rbac/wildcard")).toEqual([
      { rule: "rbac/wildcard", severity: "critical", at: "f0.yaml#rules.0.verbs", message: "Role owner rule 0 uses * in verbs, apiGroups, resources (every verb on everything in team); granted in team to ServiceAccount ci/ci (owner)" },
    ]);
  });

  it("cluster-wide it stays every verb on everything, with no namespace", () => {
    const [wildcard] = findings([clusterRoleBinding("owners", "cluster-admin", [ci])]).filter((f) => f.rule === "rbac/wildcard");
    expect(wildcard?.message).toBe("ClusterRoleBinding owners grants the built-in ClusterRole cluster-admin cluster-wide to ServiceAccount ci/ci: every verb on everything (* in verbs, apiGroups, resources)");
  });

  it("a built-in role whose only full wildcard is on non-resource URLs grants nothing through a RoleBinding", () => {
    const urls = clusterRole("urls", [{ nonResourceURLs: ["*"], verbs: ["*"] }]);
    expect(of("rbac/wildcard", findings([roleBinding("team", "u", "ClusterRole", "urls", [ci])], [urls]))).toEqual([]);
    expect(of("rbac/wildcard", findings([clusterRoleBinding("u", "urls", [ci])], [urls]))).toEqual(["f0.yaml#roleRef:critical"]);
  });
});

describe("built-in roles on cluster-scoped resources", () => {
  it("persistent-volume-binder: create PersistentVolumes cluster-wide only", () => {
    const role = "system:controller:persistent-volume-binder";
    expect(of("rbac/create-persistentvolumes", findings([roleBinding("team", "pv", "ClusterRole", role, [ci])]))).toEqual([]);
    expect(of("rbac/create-persistentvolumes", findings([clusterRoleBinding("pv", role, [ci])]))).toEqual(["f0.yaml#roleRef:high"]);
  });

  it("certificate-controller: CSR approval and signing cluster-wide only", () => {
    const role = "system:controller:certificate-controller";
    expect(of("rbac/csr-approve-sign", findings([roleBinding("team", "csr", "ClusterRole", role, [ci])]))).toEqual([]);
    expect(of("rbac/csr-approve-sign", findings([clusterRoleBinding("csr", role, [ci])]))).toEqual(["f0.yaml#roleRef:high"]);
  });

  it("admin in a namespace keeps its namespaced grants, and its own Namespace object", () => {
    // A built-in rule patching namespaces reaches, through a RoleBinding in team, the Namespace team itself.
    const relabel = clusterRole("relabel", [{ apiGroups: [""], resources: ["namespaces"], verbs: ["patch"] }]);
    expect(of("rbac/namespace-labels", findings([roleBinding("team", "r", "ClusterRole", "relabel", [ci])], [relabel]))).toEqual(["f0.yaml#roleRef:medium"]);
    expect(of("rbac/read-secrets", findings([roleBinding("team", "a", "ClusterRole", "admin", [ci])]))).toEqual(["f0.yaml#roleRef:high"]);
  });
});

describe("a manifest's ClusterRole on cluster-scoped resources, held through RoleBindings alone", () => {
  const mixed = clusterRole("mixed", [
    { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"] },
    { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
    { apiGroups: [""], resources: ["users", "serviceaccounts"], verbs: ["impersonate"] },
    { apiGroups: [""], resources: ["namespaces"], verbs: ["patch"] },
  ]);

  it("is latent on the cluster-scoped rules, held in the namespace for the rest", () => {
    const got = findings([mixed, roleBinding("team", "m", "ClusterRole", "mixed", [ci])], []);
    expect(got.find((f) => f.rule === "rbac/create-persistentvolumes")).toEqual({
      rule: "rbac/create-persistentvolumes",
      severity: "low",
      at: "f0.yaml#rules.0",
      message: "ClusterRole mixed rule 0 allows create persistentvolumes; granted in team to ServiceAccount ci/ci (m); a RoleBinding grants nothing outside its namespace",
    });
    expect(of("rbac/read-secrets", got)).toEqual(["f0.yaml#rules.1:high"]);
    // Impersonating users is cluster-scoped; service accounts of team are what is left.
    expect(got.filter((f) => f.rule === "rbac/impersonate").map((f) => [f.severity, f.message])).toEqual([["high", "ClusterRole mixed rule 2 allows impersonate serviceaccounts; granted in team to ServiceAccount ci/ci (m)"]]);
    expect(of("rbac/namespace-labels", got)).toEqual(["f0.yaml#rules.3:medium"]);
  });

  it("bound cluster-wide, every rule is held at its grade", () => {
    const got = findings([mixed, clusterRoleBinding("m", "mixed", [ci])], []);
    expect(of("rbac/create-persistentvolumes", got)).toEqual(["f0.yaml#rules.0:high"]);
    expect(of("rbac/impersonate", got)).toEqual(["f0.yaml#rules.2:critical"]);
  });

  it("a full wildcard on non-resource URLs is latent through RoleBindings, critical through a ClusterRoleBinding", () => {
    const urls = clusterRole("urls", [{ nonResourceURLs: ["*"], verbs: ["*"] }]);
    const [latent] = findings([urls, roleBinding("team", "u", "ClusterRole", "urls", [ci])], []).filter((f) => f.rule === "rbac/wildcard");
    expect(latent).toMatchObject({ severity: "medium", message: expect.stringContaining("(every verb on everything); granted in team to ServiceAccount ci/ci (u); a RoleBinding grants nothing outside its namespace") });
    expect(of("rbac/wildcard", findings([urls, clusterRoleBinding("u", "urls", [ci])], []))).toEqual(["f0.yaml#rules.0.verbs:critical"]);
  });

  it("a Role never grants cluster-scoped requests", () => {
    const got = findings([role("team", "pv", [{ apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"] }]), roleBinding("team", "pv", "Role", "pv", [ci])], []);
    expect(of("rbac/create-persistentvolumes", got)).toEqual([]);
  });
});

describe("the note on get pods/exec alone", () => {
  const exec = (rules: object[]) => findings([roleBinding("team", "x", "ClusterRole", "execs", [ci])], [clusterRole("execs", rules)]).filter((f) => f.rule === "rbac/pod-exec");
  const getExec = { apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] };
  const createNamed = { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"], resourceNames: ["debug"] };

  it("is dropped when create is allowed under another rule, even on named pods only, in either order", () => {
    for (const rules of [
      [getExec, createNamed],
      [createNamed, getExec],
    ]) {
      const [got] = exec(rules);
      expect(got?.severity).toBe("medium");
      expect(got?.message).toContain("create pods/exec (named debug)");
      expect(got?.message).not.toContain("v1.35");
    }
  });

  it("is kept when only get is allowed, under any number of rules", () => {
    const [got] = exec([getExec, { ...getExec, resourceNames: ["debug"] }]);
    expect(got?.severity).toBe("medium");
    expect(got?.message).toContain("before v1.35");
  });
});
