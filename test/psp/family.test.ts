import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { pspFamily } from "../../src/psp/family.js";
import { repoRoot } from "../support/conformance.js";

describe("psp scan family", () => {
  it("stays silent without PodSecurityPolicies in the snapshot", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: x}]\n" });
    expect(pspFamily.check(snapshot, {})).toEqual([]);
  });

  it("judges workloads against the PodSecurityPolicies scanned with them", async () => {
    const pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: x}]\n";
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(`${repoRoot}/examples/psp-restricted.yaml`, "utf8") + pod;
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: text });
    const findings = pspFamily.check(snapshot, {});
    expect(findings.map((f) => f.ruleId)).toEqual(["psp/not-admitted"]);
    expect(findings[0]?.message).toContain("Host network is not allowed to be used");
  });
});
