import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { bootstrapPolicyObjects, isClusterDefault } from "../../../src/access/rbac/bootstrap.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import type { K8sObject, ObjectSource } from "../../../src/k8s/types.js";
import { clusterRole, clusterRoleBinding, groupSubject, role, roleBinding, saSubject, userSubject } from "./helpers.js";

/** A source whose positions encode the field path, so tests see exactly which field a finding points at. */
function fakeSource(file: string): ObjectSource {
  return { file, documentIndex: 0, position: { file, line: 1, column: 1 }, locate: (path) => ({ file: `${file}#${path.join(".")}`, line: 1, column: 1 }) };
}

function findings(objects: K8sObject[]) {
  const policy = buildPolicy(objects.map((object, i) => ({ object, source: fakeSource(`f${i}.yaml`) })));
  return rbacFindings(new RbacAuthorizer(policy));
}

const ids = (fs: ReturnType<typeof findings>) => fs.map((f) => `${f.ruleId}@${f.position?.file}:${f.severity}`).sort();

describe("dangerous grants", () => {
  it("each dangerous rule is reported at its rule, with its severity", () => {
    const objects = [
      clusterRole("danger", [
        { apiGroups: [""], resources: ["secrets"], verbs: ["list"] },
        { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] },
        { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
        { apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] },
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"] },
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["patch"] },
        { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["update"] },
        { apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["kubernetes.io/kube-apiserver-client"] },
        { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
        { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
      ]),
      clusterRoleBinding("b", "danger", [userSubject("alice")]),
    ];
    const got = ids(findings(objects)).filter((id) => !id.startsWith("rbac/escalation-path"));
    expect(got).toEqual(
      [
        "rbac/read-secrets@f0.yaml#rules.0:high",
        "rbac/create-pods@f0.yaml#rules.1:high",
        "rbac/pod-exec@f0.yaml#rules.2:high",
        "rbac/impersonate@f0.yaml#rules.3:critical",
        "rbac/bind-escalate@f0.yaml#rules.4:critical",
        "rbac/write-rbac@f0.yaml#rules.5:high",
        "rbac/write-admission@f0.yaml#rules.6:high",
        "rbac/nodes-proxy@f0.yaml#rules.7:critical",
        // Restricted to one signer name: one step lower.
        "rbac/csr-approve-sign@f0.yaml#rules.8:medium",
        "rbac/serviceaccount-token@f0.yaml#rules.9:high",
        "rbac/create-persistentvolumes@f0.yaml#rules.10:high",
      ].sort(),
    );
  });

  it("wildcards are found by what they match, and a full wildcard is critical", () => {
    const objects = [
      clusterRole("god", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      clusterRoleBinding("g", "god", [userSubject("root")]),
      role("team", "scaler", [{ apiGroups: ["*"], resources: ["*/scale"], verbs: ["update"] }]),
      roleBinding("team", "s", "Role", "scaler", [userSubject("sam")]),
    ];
    const got = ids(findings(objects));
    expect(got).toContain("rbac/wildcard@f0.yaml#rules.0.verbs:critical");
    // * on everything also trips every specific danger it covers.
    expect(got).toContain("rbac/read-secrets@f0.yaml#rules.0:high");
    expect(got).toContain("rbac/impersonate@f0.yaml#rules.0:critical");
    expect(got).toContain("rbac/wildcard@f2.yaml#rules.0.apiGroups:high");
    expect(got.filter((id) => id.includes("f2.yaml") && !id.startsWith("rbac/wildcard"))).toEqual([]);
  });

  it("a role nobody holds is reported two steps lower", () => {
    const got = ids(findings([clusterRole("latent", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }])]));
    expect(got).toEqual(["rbac/read-secrets@f0.yaml#rules.0:low"]);
  });

  it("harmless rules produce nothing", () => {
    const objects = [role("team", "reader", [{ apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list"] }]), roleBinding("team", "r", "Role", "reader", [saSubject("app")])];
    expect(findings(objects)).toEqual([]);
  });
});

describe("bindings", () => {
  it("reports broad subjects, dangling role references and invalid subjects at their fields", () => {
    const objects = [
      clusterRole("reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]),
      clusterRoleBinding("everyone", "reader", [groupSubject("system:authenticated"), userSubject("ok")]),
      roleBinding("team", "ghost", "Role", "missing", [userSubject("alice")]),
      clusterRoleBinding("bad", "reader", [{ kind: "user", name: "bob" }, saSubject("app")]),
    ];
    expect(ids(findings(objects))).toEqual(
      [
        "rbac/broad-subject@f1.yaml#subjects.0:high",
        "rbac/dangling-binding@f2.yaml#roleRef.name:medium",
        "rbac/invalid-object@f3.yaml#subjects.0.kind:medium",
        "rbac/invalid-object@f3.yaml#subjects.1.namespace:medium",
      ].sort(),
    );
  });
});

describe("escalation findings", () => {
  it("name the path and point at the rule of the first step", () => {
    const objects = [
      clusterRole("cluster-admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      clusterRoleBinding("root", "cluster-admin", [saSubject("root", "kube-system")]),
      role("kube-system", "tokens", [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: ["root"] }]),
      roleBinding("kube-system", "t", "Role", "tokens", [userSubject("mallory")]),
    ];
    const escalations = findings(objects).filter((f) => f.ruleId === "rbac/escalation-path");
    const mallory = escalations.find((f) => f.properties?.subject === "User:mallory");
    expect(mallory?.position?.file).toBe("f2.yaml#rules.0");
    expect(mallory?.message).toBe("User mallory reaches cluster-admin in 2 steps: create a token for ServiceAccount kube-system/root -> ServiceAccount kube-system/root; then holds every verb on every resource cluster-wide -> cluster-admin");
    expect(mallory?.severity).toBe("critical");
  });
});

describe("upstream's defaults as a live cluster holds them", () => {
  const defaults = () => bootstrapPolicyObjects();
  const withAnnotation = (object: K8sObject, value: string): K8sObject => ({ ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, "rbac.authorization.kubernetes.io/autoupdate": value } } });

  it("reports none of the defaults (cluster-admin's wildcard, system:* roles) when read as objects, as when built in", () => {
    const live = findings(defaults());
    expect(live.filter((f) => f.ruleId !== "rbac/escalation-path")).toEqual([]);
    expect(defaults().every(isClusterDefault)).toBe(true);
  });

  it("reports a default that an admin has made their own (autoupdate: false), and a role that only wears the defaults' label", () => {
    const clusterAdmin = defaults().find((o) => o.kind === "ClusterRole" && o.metadata?.name === "cluster-admin") as K8sObject;
    expect(isClusterDefault(withAnnotation(clusterAdmin, "false"))).toBe(false);
    const impostor = clusterRole("backdoor", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], { labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } });
    expect(isClusterDefault(impostor)).toBe(false);
    const wildcards = findings([withAnnotation(clusterAdmin, "false"), impostor]).filter((f) => f.ruleId === "rbac/wildcard");
    expect(new Set(wildcards.map((f) => f.object?.name))).toEqual(new Set(["cluster-admin", "backdoor"]));
  });

  it("reports what was added to a default (reconciliation never removes it): a subject on the cluster-admin binding, a rule on a default role", () => {
    const objects = defaults();
    const binding = objects.find((o) => o.kind === "ClusterRoleBinding" && o.metadata?.name === "cluster-admin") as K8sObject & { subjects: object[] };
    binding.subjects.push(saSubject("backup", "ops"));
    const basicUser = objects.find((o) => o.kind === "ClusterRole" && o.metadata?.name === "system:basic-user") as K8sObject & { rules: object[] };
    basicUser.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] });
    expect(isClusterDefault(binding)).toBe(false);
    expect(isClusterDefault(basicUser)).toBe(false);
    const got = findings(objects).map((f) => `${f.ruleId} ${f.object?.name}`);
    expect(got).toContain("rbac/escalation-path cluster-admin");
    expect(got).toContain("rbac/read-secrets system:basic-user");
    // The same objects as upstream wrote them, rules and subjects in another order, are upstream's.
    const reordered = defaults().map((o) => ({ ...o, ...(Array.isArray(o.rules) ? { rules: [...(o.rules as object[])].reverse() } : {}), ...(Array.isArray(o.subjects) ? { subjects: [...(o.subjects as object[])].reverse() } : {}) }));
    expect(reordered.every(isClusterDefault)).toBe(true);
  });
});
