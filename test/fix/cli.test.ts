import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerFixCommand } from "../../src/cli/fix.js";
import { INDENTED_STYLE, KUBECTL_STYLE, UNFIXABLE } from "./fixtures.js";
import { runCli } from "./run-cli.js";

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "palisade-fix-"));
  mkdirSync(join(dir, "apps"));
  writeFileSync(join(dir, "apps", "web.yaml"), KUBECTL_STYLE);
  writeFileSync(join(dir, "apps", "report.yml"), INDENTED_STYLE);
  writeFileSync(join(dir, "agent.yaml"), UNFIXABLE);
  writeFileSync(join(dir, "README.md"), "not yaml");
  return dir;
}

describe("palisade fix (CLI)", () => {
  it("writes a single fixed file to stdout and reports to stderr; exit 0 when everything passes", async () => {
    const dir = workspace();
    const r = await runCli(registerFixCommand, ["fix", join(dir, "apps", "web.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("runAsNonRoot: true");
    expect(r.stdout).toContain("name: web   # keep in sync with the Service");
    expect(r.stderr).toContain("Deployment/shop/web: now passes restricted:latest");
    expect(readFileSync(join(dir, "apps", "web.yaml"), "utf8")).toBe(KUBECTL_STYLE);
  });

  it("reports each corrected field in file order, before the document's Pod Security changes", async () => {
    const dir = workspace();
    const file = join(dir, "typo.yaml");
    writeFileSync(file, KUBECTL_STYLE.replace("apiVersion: apps/v1\nkind: Deployment\n", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: \"80\"}]\n---\napiVersion: apps/v1\nkind: Deployment\n"));
    const r = await runCli(registerFixCommand, ["fix", file]);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe(`${file}:2: Service/s: fixed manifest/wrong-type: spec.ports[0].port: "80" → 80`);
    // Removing the NET_ADMIN the manifest added is an override: the run ends by saying so.
    expect(lines.at(-3)).toContain("Deployment/shop/web: now passes restricted:latest");
    expect(lines.at(-2)).toBe("1 change OVERRODE a value written in the manifests, which restricted forbids");
    expect(r.stdout).toContain("ports: [{port: 80}]");
  });

  it("exits 1 and says what it did not fix", async () => {
    const dir = workspace();
    const r = await runCli(registerFixCommand, ["fix", join(dir, "agent.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT fixed hostNamespaces: .*part of what this workload does/);
  });

  it("--in-place rewrites only files that change; a second run changes nothing", async () => {
    const dir = workspace();
    const first = await runCli(registerFixCommand, ["fix", dir, "--in-place"]);
    expect(first.stdout).toBe("");
    expect(first.code).toBe(1);
    const web = readFileSync(join(dir, "apps", "web.yaml"), "utf8");
    expect(web).not.toBe(KUBECTL_STYLE);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("not yaml");
    await runCli(registerFixCommand, ["fix", dir, "--in-place"]);
    expect(readFileSync(join(dir, "apps", "web.yaml"), "utf8")).toBe(web);
  });

  it("--output DIR mirrors the tree", async () => {
    const dir = workspace();
    const out = join(dir, "fixed");
    const r = await runCli(registerFixCommand, ["fix", join(dir, "apps"), "--output", out, "--level", "baseline"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "web.yaml"), "utf8")).toContain("- NET_BIND_SERVICE");
    expect(readFileSync(join(out, "web.yaml"), "utf8")).not.toContain("NET_ADMIN");
    expect(readFileSync(join(out, "report.yml"), "utf8")).toBe(INDENTED_STYLE);
  });

  it("usage errors exit 2 with one line", async () => {
    const dir = workspace();
    expect((await runCli(registerFixCommand, ["fix", dir, "--in-place", "--output", "x"])).code).toBe(2);
    const bad = await runCli(registerFixCommand, ["fix", join(dir, "missing.yaml")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("no such file or directory");
    expect((await runCli(registerFixCommand, ["fix", dir, "--pss-version", "1.30"])).code).toBe(2);
    writeFileSync(join(dir, "broken.yaml"), "kind: Pod\nmetadata: {name: p\n");
    const broken = await runCli(registerFixCommand, ["fix", join(dir, "broken.yaml")]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${join(dir, "broken.yaml")}:3:1: invalid YAML: unexpected end of the stream within a flow collection (left unchanged)\n`);
  });
});
