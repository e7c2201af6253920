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
});
