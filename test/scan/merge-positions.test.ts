/**
 * `palisade scan` (the built CLI) points a finding about a field that a YAML merge key
 * brings in at the field where it is written, inside the anchored mapping of the same
 * document; a field written beside the merge key at its own line.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";

const bin = join(repoRoot, "bin/palisade.js");

// Anchors do not cross documents: the shared defaults live in the List itself.
const LIST = `apiVersion: v1
kind: List
x-defaults:
  sc: &sc {privileged: true, allowPrivilegeEscalation: true}
  pod: &pod
    hostPID: true
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: q
    namespace: default
  spec:
    <<: *pod
    containers:
    - name: c
      image: nginx
      securityContext:
        <<: *sc
        allowPrivilegeEscalation: false
`;

interface Finding {
  ruleId: string;
  fieldPath?: string;
  position?: { line: number; column: number };
}

describe("scan positions through YAML merge keys", () => {
  it("points merged fields into the anchored mapping, with exact line:column in JSON and text", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-merge-"));
    const file = join(dir, "list.yaml");
    writeFileSync(file, LIST);
    const env = { ...process.env, CI: "true", FORCE_COLOR: "0" };
    const json = spawnSync(process.execPath, [bin, "scan", file, "-o", "json"], { cwd: repoRoot, encoding: "utf8", env });
    expect(json.stderr).toBe("");
    const findings = (JSON.parse(json.stdout) as { findings: Finding[] }).findings;
    const where = (ruleId: string) => findings.find((f) => f.ruleId === ruleId);
    // `privileged: true` in the flow mapping anchored as &sc, line 4.
    expect(where("pss/privileged")).toMatchObject({ fieldPath: "spec.containers[0].securityContext.privileged", position: { line: 4, column: 12 } });
    // `hostPID: true` in the block mapping anchored as &pod, merged into the pod's spec.
    expect(where("pss/hostNamespaces")).toMatchObject({ fieldPath: "spec.hostPID", position: { line: 6, column: 5 } });
    // Written beside the merge key, the container's own allowPrivilegeEscalation wins: no finding for it.
    expect(where("pss/allowPrivilegeEscalation")).toBeUndefined();

    const text = spawnSync(process.execPath, [bin, "scan", file], { cwd: repoRoot, encoding: "utf8", env });
    expect(text.stdout).toMatch(/^ {4}4:12 +critical pss\/privileged /m);
  });
});
