/**
 * `palisade rbac risks` judges manifests beside the built-in roles, as `palisade scan` does:
 * a ClusterRoleBinding to edit has the same findings from both, without --bootstrap.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { palisade } from "../../support/cli-in-process.js";

let file: string;
beforeAll(() => {
  file = join(mkdtempSync(join(tmpdir(), "palisade-rbac-builtin-")), "ci-edit.yaml");
  writeFileSync(
    file,
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ci-edit}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects:\n- {kind: ServiceAccount, name: deployer, namespace: ci}\n",
  );
});

type Listed = { ruleId: string; severity: string; position?: { line: number } };
const keyed = (stdout: string) => (JSON.parse(stdout) as { findings: Listed[] }).findings.map((f) => `${f.ruleId}:${f.severity}:${f.position?.line}`).sort();

describe("palisade rbac risks and palisade scan agree on a binding to a built-in role", () => {
  it("finds the same findings, the 2-step path among them, without --bootstrap", async () => {
    const risks = await palisade(["rbac", "risks", file, "-o", "json", "--fail-on", "none"]);
    const scan = await palisade(["scan", file, "-o", "json", "--fail-on", "none"]);
    expect(risks.code).toBe(0);
    expect(keyed(risks.stdout)).toEqual(keyed(scan.stdout));
    expect(keyed(risks.stdout)).toContain("rbac/escalation-path:critical:4");
  });

  it("the text lists the manifests' paths and counts the built-in policy's own, which --bootstrap lists", async () => {
    const text = await palisade(["rbac", "risks", file, "--fail-on", "none"]);
    expect(text.stdout).not.toContain("No subject");
    expect(text.stdout).toContain("ServiceAccount ci/deployer  (2 steps)");
    expect(text.stdout).not.toContain("ServiceAccount kube-system/replicaset-controller  (2 steps)");
    expect(text.stdout).toMatch(/\d+ subjects of the built-in policy .* reach cluster-admin too; --bootstrap lists them\./);
    const all = await palisade(["rbac", "risks", file, "--bootstrap", "--fail-on", "none"]);
    expect(all.stdout).toContain("ServiceAccount kube-system/replicaset-controller  (2 steps)");
    expect(all.stdout).not.toContain("--bootstrap lists them");
  });
});
