import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerFixCommand } from "../../src/cli/fix.js";
import { runCli } from "./run-cli.js";
import { withStdin } from "./stdin.js";

const FLOW_POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec:\n  containers: [{name: c, image: "nginx:1.25"}]\n';
const FLOW_POD_FIXED =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec:\n  containers: [{name: c, image: "nginx:1.25", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]\n' +
  "  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n";
const WRONG_TYPES = "apiVersion: v1\nkind: Pod\nmetadata: {name: w2}\nspec:\n  securityContext: \"restricted\"\n  containers:\n  - name: c\n    image: nginx\n    securityContext: [runAsNonRoot]\n";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "palisade-fix-inputs-"));
}

describe("palisade fix: every file processed and reported, whatever one of them holds", () => {
  it("--in-place over a directory: a file with a refused object is reported and left as it was; the files after it are still fixed", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.yaml"), FLOW_POD);
    writeFileSync(join(dir, "b.yaml"), WRONG_TYPES);
    writeFileSync(join(dir, "c.yaml"), FLOW_POD);
    const r = await runCli(registerFixCommand, ["fix", "--in-place", dir]);
    expect(r.code).toBe(2);
    expect(readFileSync(join(dir, "a.yaml"), "utf8")).toBe(FLOW_POD_FIXED);
    expect(readFileSync(join(dir, "b.yaml"), "utf8")).toBe(WRONG_TYPES);
    expect(readFileSync(join(dir, "c.yaml"), "utf8")).toBe(FLOW_POD_FIXED);
    expect(r.stderr).not.toContain("internal error");
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => l.endsWith("now passes restricted:latest"))).toEqual([`${join(dir, "a.yaml")}:1: Pod/p1: now passes restricted:latest`, `${join(dir, "c.yaml")}:1: Pod/p1: now passes restricted:latest`]);
    expect(lines.filter((l) => l.startsWith(join(dir, "b.yaml")))).toEqual([
      `${join(dir, "b.yaml")}:5:3: Pod/w2: spec.securityContext is a string where Kubernetes expects a mapping (PodSecurityContext): the API server refuses this object when decoding it, before any admission`,
      `${join(dir, "b.yaml")}:9:5: Pod/w2: spec.containers[0].securityContext is a list where Kubernetes expects a mapping (SecurityContext): the API server refuses this object when decoding it, before any admission`,
    ]);
  });

  it("input with no Kubernetes object is an input error (exit 2), as for the scan; a ConfigMap is an object with nothing to fix", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "values.yaml"), "replicas: 2\nimage: {tag: latest}\n");
    writeFileSync(join(dir, "list.json"), '[{"apiVersion": "v1", "kind": "Pod"}]\n');
    const nothing = await runCli(registerFixCommand, ["fix", dir]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("no Kubernetes objects to fix in 2 files (no document has apiVersion and kind)");
    writeFileSync(join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    const something = await runCli(registerFixCommand, ["fix", dir]);
    expect(something.code).toBe(0);
    expect(something.stderr).not.toContain("no Kubernetes objects");
  });

  it("JSON in place stays JSON that the scan reads", async () => {
    const dir = tempDir();
    const file = join(dir, "pod.json");
    writeFileSync(file, '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "pj"},\n  "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}\n}\n');
    const r = await runCli(registerFixCommand, ["fix", "--in-place", file]);
    expect(r.code).toBe(0);
    const written = readFileSync(file, "utf8");
    expect(JSON.parse(written)).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pj" },
      spec: {
        containers: [{ name: "c", image: "nginx:1.25", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      },
    });
    expect(written.endsWith("}\n")).toBe(true);
    // A directory walk takes .json manifests as the scan does.
    const walked = tempDir();
    writeFileSync(join(walked, "pod.json"), JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "pw" }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } }, null, 2) + "\n");
    const run = await runCli(registerFixCommand, ["fix", "--in-place", walked]);
    expect(run.code).toBe(0);
    expect((JSON.parse(readFileSync(join(walked, "pod.json"), "utf8")) as { spec: { securityContext?: unknown } }).spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  });
});

describe("palisade fix --output keeps files apart", () => {
  it("files named one by one are placed relative to their common parent, so p.yaml in two directories stay two files", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "x"));
    mkdirSync(join(dir, "y"));
    writeFileSync(join(dir, "x", "p.yaml"), FLOW_POD);
    writeFileSync(join(dir, "y", "p.yaml"), FLOW_POD.replace("p1", "p2"));
    const out = join(dir, "out");
    const r = await runCli(registerFixCommand, ["fix", "--output", out, join(dir, "x", "p.yaml"), join(dir, "y", "p.yaml")]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "x", "p.yaml"), "utf8")).toBe(FLOW_POD_FIXED);
    expect(readFileSync(join(out, "y", "p.yaml"), "utf8")).toBe(FLOW_POD_FIXED.replace("p1", "p2"));
  });

  it("one file named twice is fixed once; a clash between a directory's file and a named file is refused before anything is written", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "x"));
    writeFileSync(join(dir, "x", "p.yaml"), FLOW_POD);
    writeFileSync(join(dir, "p.yaml"), FLOW_POD);
    const out = join(dir, "out");
    const twice = await runCli(registerFixCommand, ["fix", "--output", out, join(dir, "x", "p.yaml"), join(dir, "x", "..", "x", "p.yaml")]);
    expect(twice.code).toBe(0);
    expect(twice.stderr.match(/now passes/g)).toHaveLength(1);
    const clash = await runCli(registerFixCommand, ["fix", "--output", join(dir, "out2"), join(dir, "x"), join(dir, "p.yaml")]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toBe(
      `palisade: --output ${join(dir, "out2")}: ${join(dir, "x", "p.yaml")} and ${join(dir, "p.yaml")} would both be written to ${join(dir, "out2", "p.yaml")}\n  hint: fix them in separate runs, or give their common directory instead\n`,
    );
    expect(existsSync(join(dir, "out2"))).toBe(false);
  });
});

describe("palisade fix on standard input", () => {
  it("empty standard input is an input error, as for scan", async () => {
    const r = await withStdin("", () => runCli(registerFixCommand, ["fix", "-"]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("<stdin>:1:1: standard input was empty: nothing was fixed\n  hint: check the command that feeds it; with `set -o pipefail` its failure stops the pipeline\n");
  });

  it("YAML errors at their line and column, the other documents still fixed, the bad one kept byte for byte", async () => {
    const bad = "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n   image: x\n";
    const r = await withStdin(FLOW_POD + bad, () => runCli(registerFixCommand, ["fix", "-"]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(FLOW_POD_FIXED + bad);
    expect(r.stderr).toContain("<stdin>:14:4: invalid YAML: bad indentation of a sequence entry (left unchanged)\n  hint: fix the YAML syntax at that position; the other documents were still fixed\n");
  });
});
