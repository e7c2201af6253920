import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";

/** The README's library example, run as written against the built package (npm test builds first). */
describe("the package as a library", () => {
  it("runs the README's example through the package's entry point, with the CLI's answer", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### As a library"));
    const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example, "README has a js example under 'As a library'").toBeDefined();
    expect(example).toContain('from "palisade"');
    // Run inside the repository, where "palisade" resolves to this package through its exports.
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", example!], { cwd: repoRoot, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const [findings, bytes] = run.stdout.trim().split(" ").map(Number);
    const cli = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "scan", "examples/cluster/", "--level", "restricted", "-o", "json", "--fail-on", "none"], { cwd: repoRoot, encoding: "utf8" });
    const report = JSON.parse(cli.stdout) as { summary: { findings: number } };
    expect(findings).toBe(report.summary.findings);
    expect(findings).toBeGreaterThan(0);
    // The same report, to the character: renderJson and the CLI's JSON output agree.
    expect(bytes).toBe(cli.stdout.length);
  });

  it("computes the posture through the entry point as palisade posture does", () => {
    const script = `
      import { loadSnapshot, runScan } from "palisade";
      import { buildPosture, postureJsonPieces } from "palisade/posture";
      const snapshot = await loadSnapshot({ paths: ["examples/cluster/"] });
      const now = new Date();
      const report = buildPosture(snapshot, runScan(snapshot, { now }), { source: "examples/cluster/", now, tool: { name: "palisade", version: "x" } });
      console.log(JSON.stringify(report.workloads.map((w) => [w.ref.name, w.score])), [...postureJsonPieces(report)].join("").length > 0);
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "posture", "examples/cluster/", "-o", "json"], { cwd: repoRoot, encoding: "utf8" }).stdout) as { workloads: { ref: { name: string }; score: number }[] };
    expect(run.stdout.trim()).toBe(`${JSON.stringify(cli.workloads.map((w) => [w.ref.name, w.score]))} true`);
  });
});
