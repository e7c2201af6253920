/**
 * kubeconfig/missing-user: a context naming a user the file does not define. clientcmd's
 * DirectClientConfig takes the missing user as an empty one (getAuthInfo errs only for a user
 * chosen with --user) and its ConfirmUsable does not check the context's references, so
 * kubectl sends the context's requests without credentials instead of refusing it.
 */
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { palisade } from "../support/cli-in-process.js";

const TOKEN = "marker-token-8e22fa";

function kubeconfig(contexts: string, current = "prod", server = "https://10.0.0.1:6443"): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "${server}"}
users:
- name: admin
  user: {token: ${TOKEN}}
contexts:
${contexts.trim()}
current-context: ${current}
`;
}

const judge = (text: string) => checkKubeconfigs({ ...emptySnapshot(), objects: parseYamlFile("config", text).objects }, {});
const missing = (text: string) => judge(text).filter((f) => f.ruleId === "kubeconfig/missing-user");

describe("kubeconfig/missing-user", () => {
  it("the current context naming a user the file lacks: medium, at the context's user", () => {
    const found = missing(kubeconfig("- name: prod\n  context: {cluster: prod, user: admn}"));
    expect(found.map((f) => [f.severity, f.fieldPath, f.message])).toEqual([
      [
        "medium",
        "contexts[0].context.user",
        "context prod names user admn, which the file does not define: kubectl and client-go do not refuse it, they send its requests to cluster prod without any credentials (as system:anonymous, or refused with 401 Unauthorized where anonymous access is off)",
      ],
    ]);
    // kubectl does not refuse it, so it is not a refused entry.
    expect(judge(kubeconfig("- name: prod\n  context: {cluster: prod, user: admn}")).map((f) => f.ruleId)).not.toContain("kubeconfig/refused-entry");
  });

  it("another context: low, and said to matter once it is chosen", () => {
    const found = missing(kubeconfig("- name: prod\n  context: {cluster: prod, user: admin}\n- name: ci\n  context: {cluster: prod, user: deployer}"));
    expect(found.map((f) => [f.severity, f.fieldPath])).toEqual([["low", "contexts[1].context.user"]]);
    expect(found[0]?.message).toMatch(/^context ci names user deployer, .* where anonymous access is off\), once the context is chosen \(--context\); it is not the current context$/);
  });

  it("not for a defined user, a context without a user, or a cluster reached over plain HTTP (credentials are never sent there)", () => {
    expect(missing(kubeconfig("- name: prod\n  context: {cluster: prod, user: admin}"))).toEqual([]);
    expect(missing(kubeconfig("- name: prod\n  context: {cluster: prod}"))).toEqual([]);
    expect(missing(kubeconfig("- name: prod\n  context: {cluster: prod, user: admn}", "prod", "http://127.0.0.1:8001"))).toEqual([]);
    // Without a scheme client-go speaks plain HTTP too.
    expect(missing(kubeconfig("- name: prod\n  context: {cluster: prod, user: admn}", "prod", "10.0.0.1:6443"))).toEqual([]);
  });

  it("with a cluster the file lacks as well: both are reported", () => {
    const findings = judge(kubeconfig("- name: prod\n  context: {cluster: staging, user: admn}"));
    expect(findings.filter((f) => f.ruleId === "kubeconfig/missing-user").map((f) => f.message)).toEqual([
      "context prod names user admn, which the file does not define: kubectl and client-go do not refuse it, they send its requests without any credentials (as system:anonymous, or refused with 401 Unauthorized where anonymous access is off)",
    ]);
    expect(findings.filter((f) => f.ruleId === "kubeconfig/refused-entry").map((f) => f.fieldPath)).toEqual(["contexts[0].context.cluster"]);
  });

  it("is documented by palisade rules", async () => {
    const listed = JSON.parse((await palisade(["rules", "kubeconfig/missing-user", "-o", "json"])).stdout) as Array<{ id: string; severity: string; docs: { description: string } }>;
    expect(listed.map((r) => [r.id, r.severity])).toEqual([["kubeconfig/missing-user", "medium"]]);
    expect(listed[0]?.docs.description).toContain("getAuthInfo");
  });
});
