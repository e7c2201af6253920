/**
 * `palisade netpol` on AdminNetworkPolicies with misspelt fields: explain, matrix and diff
 * warn with the key's file:line:column and answer for the policy as the API server stores it;
 * lint reports each as a finding.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runNetpol } from "./cli-run.js";
import { WEB_AND_CLIENT_PODS } from "./support.js";

afterEach(() => vi.restoreAllMocks());

function write(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-anp-")), name);
  writeFileSync(file, text);
  return file;
}

const workloads = WEB_AND_CLIENT_PODS;

// Meant: deny ingress to web from pods labelled app=scanner, on port 443 only. Written with
// NetworkPolicy habits, the API server stores a Deny from every pod of every namespace, on every port.
const anp = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}
  ingress:
  - action: Deny
    from:
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabel: {app: scanner}}
    prots:
    - portNumber: {port: 443, protocol: TCP}
`;

describe("unknown fields in AdminNetworkPolicies", () => {
  it("explain warns at each key's line and column, and answers for the policy without them", async () => {
    const file = write("anp.yaml", `${workloads}---\n${anp}`);
    const r = await runNetpol("explain", file, "--from", "b/client", "--to", "a/web", "--port", "80");
    expect(r.out).toContain("DENIED");
    expect(r.err).toContain(
      `warning: ${file}:22:23: AdminNetworkPolicy/guard: spec.ingress[0].from[0].pods.podSelector.matchLabel is not a field of LabelSelector: did you mean matchLabels?`,
    );
    expect(r.err).toContain(`warning: ${file}:23:5: AdminNetworkPolicy/guard: spec.ingress[0].prots is not a field of AdminNetworkPolicyIngressRule: did you mean ports?`);
    expect(r.err).toContain("the answer below is for the policy without it");
  });

  it("matrix and diff warn too", async () => {
    const before = write("before.yaml", workloads);
    const after = write("after.yaml", `${workloads}---\n${anp}`);
    expect((await runNetpol("matrix", after)).err).toContain("spec.ingress[0].prots is not a field");
    const diff = await runNetpol("diff", before, after);
    expect(diff.err).toContain("spec.ingress[0].prots is not a field");
    expect(diff.out).toContain("b/client");
  });

  it("lint reports each as a manifest/unknown-field finding with its position", async () => {
    const file = write("anp.yaml", `${workloads}---\n${anp}`);
    const r = await runNetpol("lint", file, "-o", "json");
    const findings = JSON.parse(r.out).findings as { ruleId: string; fieldPath?: string; position?: { line: number; column: number } }[];
    const unknown = findings.filter((f) => f.ruleId === "manifest/unknown-field").map((f) => [f.fieldPath, f.position?.line, f.position?.column]);
    expect(unknown).toEqual([
      ["spec.ingress[0].from[0].pods.podSelector.matchLabel", 22, 23],
      ["spec.ingress[0].prots", 23, 5],
    ]);
  });
});
