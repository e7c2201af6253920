import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerPspCommand } from "../../src/cli/psp.js";
import { repoRoot } from "../support/conformance.js";
import { runCli } from "../fix/run-cli.js";
import { withStdin } from "../fix/stdin.js";

const restricted = `${repoRoot}/examples/psp-restricted.yaml`;
const NONROOT = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: nonroot}\nspec:\n  runAsUser: {rule: MustRunAsNonRoot}\n  seLinux: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n  fsGroup: {rule: RunAsAny}\n  volumes: ['*']\n";
const WT2 = 'apiVersion: v1\nkind: Pod\nmetadata: {name: w2}\nspec:\n  securityContext: "restricted"\n  containers:\n  - name: c\n    image: nginx\n    securityContext: [runAsNonRoot]\n';

function files(entries: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "palisade-psp-inputs-"));
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("psp mutate and check: inputs the API server would refuse, JSON, stdin", () => {
  it("mutate: JSON in gives the defaulted pod as JSON, in the file's layout (inline objects stay inline)", async () => {
    const dir = files({ "pod.json": '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {"name": "pj"},\n    "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}\n}\n' });
    const r = await runCli(registerPspCommand, ["psp", "mutate", "--policy", restricted, join(dir, "pod.json")]);
    expect(r.code).toBe(0);
    const pod = JSON.parse(r.stdout) as { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } };
    expect(pod.spec.containers[0]?.securityContext).toEqual({ runAsNonRoot: true, capabilities: { drop: ["ALL"] }, allowPrivilegeEscalation: false });
    expect(r.stdout.startsWith('{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {"name": "pj", "annotations": {')).toBe(true);
    expect(r.stdout.endsWith('"fsGroup": 1}}\n}\n')).toBe(true);
    expect(r.stderr).toBe(`${join(dir, "pod.json")}:1: Pod/pj: admitted by restricted (defaulted)\n`);
  });

  it("mutate: a field of the wrong type is an input problem (exit 2): the pod is neither judged nor defaulted", async () => {
    const dir = files({ "psp.yaml": NONROOT, "wt2.yaml": WT2 });
    const r = await runCli(registerPspCommand, ["psp", "mutate", "--policy", join(dir, "psp.yaml"), join(dir, "wt2.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(WT2);
    const hint = "  hint: write the field as the type it expects (`kubectl explain` shows it); the object was left unchanged and not judged";
    expect(r.stderr).toBe(
      [
        `${join(dir, "wt2.yaml")}:5:3: Pod/w2: spec.securityContext is a string where Kubernetes expects a mapping (PodSecurityContext): the API server refuses this object when decoding it, before any admission`,
        hint,
        `${join(dir, "wt2.yaml")}:9:5: Pod/w2: spec.containers[0].securityContext is a list where Kubernetes expects a mapping (SecurityContext): the API server refuses this object when decoding it, before any admission`,
        hint,
        "",
      ].join("\n"),
    );
  });

  it("check: the same object is an input problem at its field (exit 2), with no admission finding", async () => {
    const dir = files({ "psp.yaml": NONROOT, "wt2.yaml": WT2 });
    const r = await runCli(registerPspCommand, ["psp", "check", "--policy", join(dir, "psp.yaml"), join(dir, "wt2.yaml"), "-o", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { findings: unknown[]; problems: Array<{ kind: string; position: { line: number; column: number } }> };
    expect(report.findings).toEqual([]);
    expect(report.problems.map((p) => [p.kind, p.position.line, p.position.column])).toEqual([["invalid-object", 5, 3], ["invalid-object", 9, 5]]);
  });

  it("mutate: empty standard input is an input error, as for scan", async () => {
    const r = await withStdin("", () => runCli(registerPspCommand, ["psp", "mutate", "--policy", restricted, "-"]));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("<stdin>:1:1: standard input was empty: nothing was mutated\n  hint: check the command that feeds it; with `set -o pipefail` its failure stops the pipeline\n");
  });

  it("mutate: defaulting that would have to go through a YAML alias is not written, and says so (exit 1)", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext: &sc {}\n  - name: d\n    image: y1\n    securityContext: *sc\n";
    const r = await withStdin(text, () => runCli(registerPspCommand, ["psp", "mutate", "--policy", restricted, "-"]));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("runAsNonRoot");
    expect(r.stderr).toMatch(/^<stdin>:1: Pod\/a: admitted by restricted, but its defaulting was NOT written: spec\.containers\[1\]\.securityContext is a YAML alias \(\*sc\): editing it would change every place that uses the anchor\n$/);
  });
});
