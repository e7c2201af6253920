import { describe, expect, it } from "vitest";
import { RbacAuthorizer } from "../../../src/access/rbac/authorizer.js";
import { bootstrapPolicyObjects } from "../../../src/access/rbac/bootstrap.js";
import { buildPolicy } from "../../../src/access/rbac/policy.js";
import { rbacFindings } from "../../../src/access/rbac/risks.js";
import type { K8sObject, ObjectSource } from "../../../src/k8s/types.js";
import { clusterRole, clusterRoleBinding, groupSubject, role, roleBinding, userSubject } from "./helpers.js";

function source(file: string): ObjectSource {
  return { file, documentIndex: 0, position: { file, line: 1, column: 1 }, locate: (path) => ({ file: `${file}#${path.join(".")}`, line: 1, column: 1 }) };
}

function findings(objects: K8sObject[], bootstrap = false) {
  const policy = buildPolicy(
    objects.map((object, i) => ({ object, source: source(`f${i}.yaml`) })),
    { bootstrap: bootstrap ? bootstrapPolicyObjects().map((object) => ({ object })) : [] },
  );
  return rbacFindings(new RbacAuthorizer(policy)).map((f) => ({ rule: f.ruleId, severity: f.severity, message: f.message, at: f.position?.file }));
}

const secrets = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] };

describe("rules that reach a bound role by aggregation are judged as bound (QA agg.yaml)", () => {
  const sneaky = clusterRole("sneaky", [secrets], { labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } });
  const viewers = roleBinding("kube-system", "viewers", "ClusterRole", "view", [groupSubject("system:authenticated")]);

  it("a view-aggregated rule is reported at a bound grant's severity, naming view and its binding", () => {
    expect(findings([sneaky, viewers], true).filter((f) => f.rule === "rbac/read-secrets")).toEqual([
      { rule: "rbac/read-secrets", severity: "high", at: "f0.yaml#rules.0", message: "ClusterRole sneaky rule 0 allows get secrets, list secrets; aggregated into ClusterRole view, granted in kube-system to Group system:authenticated (viewers)" },
    ]);
  });

  it("through a chain of aggregation too (view -> edit), and still latent when no aggregating role is bound", () => {
    const editors = clusterRoleBinding("editors", "edit", [userSubject("ed")]);
    const chained = findings([sneaky, editors], true).find((f) => f.rule === "rbac/read-secrets");
    expect(chained).toMatchObject({ severity: "high", message: "ClusterRole sneaky rule 0 allows get secrets, list secrets; aggregated into ClusterRole edit, granted cluster-wide to User ed (editors)" });
    expect(findings([sneaky], true).find((f) => f.rule === "rbac/read-secrets")).toMatchObject({ severity: "low", message: "ClusterRole sneaky rule 0 allows get secrets, list secrets; not bound in this snapshot" });
  });
});

describe("CSR signing is reported at its worth", () => {
  it("update status and sign are medium (named: low); approve stays high", () => {
    const objects = [
      clusterRole("csr", [
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/status"], verbs: ["update"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["sign"], resourceNames: ["kubernetes.io/kube-apiserver-client"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve", "sign"] },
      ]),
      clusterRoleBinding("csr", "csr", [userSubject("sig")]),
    ];
    expect(findings(objects).filter((f) => f.rule === "rbac/csr-approve-sign").map((f) => `${f.at}:${f.severity}`)).toEqual(["f0.yaml#rules.0:medium", "f0.yaml#rules.1:low", "f0.yaml#rules.2:high"]);
    expect(findings(objects).some((f) => f.rule === "rbac/escalation-path")).toBe(false);
  });
});

describe("kubeadm's anonymous read of cluster-info", () => {
  const clusterInfo = { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-info"], verbs: ["get"] };
  const binding = roleBinding("kube-public", "kubeadm:bootstrap-signer-clusterinfo", "Role", "kubeadm:bootstrap-signer-clusterinfo", [userSubject("system:anonymous")]);
  const broad = (objects: K8sObject[]) => findings(objects).filter((f) => f.rule === "rbac/broad-subject");

  it("is info, with why, for exactly that grant", () => {
    expect(broad([role("kube-public", "kubeadm:bootstrap-signer-clusterinfo", [clusterInfo]), binding])).toEqual([
      {
        rule: "rbac/broad-subject",
        severity: "info",
        at: "f1.yaml#subjects.0",
        message:
          "RoleBinding kubeadm:bootstrap-signer-clusterinfo grants Role kubeadm:bootstrap-signer-clusterinfo in namespace kube-public to User system:anonymous: only get on the ConfigMap cluster-info in kube-public, which kubeadm publishes on purpose (the CA and the API server address, for nodes to join)",
      },
    ]);
  });

  it("stays high for anything more: another verb, another ConfigMap, another namespace", () => {
    expect(broad([role("kube-public", "kubeadm:bootstrap-signer-clusterinfo", [{ ...clusterInfo, verbs: ["get", "list"] }]), binding])[0]?.severity).toBe("high");
    expect(broad([role("kube-public", "kubeadm:bootstrap-signer-clusterinfo", [clusterInfo, { ...clusterInfo, resourceNames: ["other"] }]), binding])[0]?.severity).toBe("high");
    const elsewhere = roleBinding("kube-system", "k", "Role", "k", [userSubject("system:anonymous")]);
    expect(broad([role("kube-system", "k", [clusterInfo]), elsewhere])[0]?.severity).toBe("high");
  });
});

describe("a binding with an invalid roleRef", () => {
  it("is said to be rejected by the API server, not to wait for its role", () => {
    const objects = [clusterRole("r1", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]), { ...clusterRoleBinding("b2", "r1", [userSubject("carol")]), roleRef: { kind: "clusterrole", name: "r1" } }];
    const got = findings(objects).filter((f) => f.rule === "rbac/invalid-object" || f.rule === "rbac/dangling-binding");
    expect(got).toEqual([
      { rule: "rbac/invalid-object", severity: "medium", at: "f1.yaml#roleRef.kind", message: 'roleRef.kind "clusterrole" is not ClusterRole (case matters): the API server rejects this ClusterRoleBinding, so it grants nothing' },
    ]);
  });
});
