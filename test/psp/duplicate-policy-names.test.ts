import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { loadPolicies } from "../../src/psp/check.js";

// A cluster holds one PodSecurityPolicy per name: applying a second definition replaces the
// first. Judging pods against both (the permissive one admitting what the cluster's would
// refuse) was wrong, and said nothing.
const policy = (name: string, runAsUser: string) => `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: ${name}}
spec:
  runAsUser: {rule: ${runAsUser}}
  seLinux: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
`;

async function load(text: string) {
  return loadPolicies((await loadSnapshot({ paths: ["-"], stdinText: text })).objects);
}

describe("PodSecurityPolicies with the same name", () => {
  it("a different second definition is an input problem at its name, and only it is used", async () => {
    const { policies, findings } = await load(`${policy("dup", "RunAsAny")}---\n${policy("dup", "MustRunAsNonRoot")}`);
    expect(policies.map((p) => [p.name, p.spec.runAsUser.rule])).toEqual([["dup", "MustRunAsNonRoot"]]);
    expect(findings.map((f) => [f.ruleId, f.position?.line])).toEqual([["psp/invalid-policy", 12]]);
    expect(findings[0]?.message).toContain('PodSecurityPolicy "dup" is defined again, differently (first at <stdin>:1)');
  });

  it("an identical copy (a file given twice) is dropped silently", async () => {
    const { policies, findings } = await load(`${policy("same", "RunAsAny")}---\n${policy("same", "RunAsAny")}`);
    expect(policies.map((p) => p.name)).toEqual(["same"]);
    expect(findings).toEqual([]);
  });
});
