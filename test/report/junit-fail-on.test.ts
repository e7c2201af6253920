/**
 * JUnit and --fail-on: a finding below the threshold must not be a <failure>, or GitLab,
 * Jenkins and Azure mark red or unstable a run whose exit code passed. It is a <skipped> case
 * with the finding as its message and text (GitLab shows a skipped case's text and drops a
 * passing case's system-out), counted in the suite's skipped. QA round 2, defect 11.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding, Severity } from "../../src/findings/types.js";
import { renderJunit } from "../../src/report/junit.js";
import type { ScanResult } from "../../src/scan/run.js";
import { palisade } from "../support/cli-in-process.js";

const finding = (severity: Severity, name: string): Finding => ({
  ruleId: `demo/${severity}`,
  severity,
  pillar: "workload",
  message: `${severity} finding on ${name} <&>`,
  object: { kind: "Deployment", namespace: "shop", name },
  position: { file: "web.yaml", line: 3, column: 5 },
});

const result: ScanResult = {
  findings: [finding("critical", "a"), finding("high", "b"), finding("low", "c"), finding("info", "d")],
  problems: [],
  rules: [],
  scanned: ["a", "b", "c", "d", "e"].map((name) => ({ object: { kind: "Deployment", namespace: "shop", name }, file: "web.yaml" })),
  stats: { files: 1, documents: 5, objects: 5, skippedNonKubernetes: 0, skippedFiles: 0 },
};

const count = (xml: string, pattern: RegExp) => (xml.match(pattern) ?? []).length;

/** Each case holds at most one outcome element, as the JUnit schemas' choice of skipped, error or failure allows. */
function expectOneOutcomePerCase(xml: string): void {
  for (const [body] of xml.matchAll(/<testcase [^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g)) expect(count(body, /<(failure|skipped|error)[ >]/g), body).toBeLessThanOrEqual(1);
}

describe("JUnit with --fail-on", () => {
  it("fails only the findings at or above the threshold, and skips the others with their text", () => {
    const xml = renderJunit(result, { failOn: "high" });
    expect(xml).toContain('<testsuites name="palisade" tests="5" failures="2" errors="0">');
    expect(xml).toContain('<testsuite name="web.yaml" tests="5" failures="2" errors="0" skipped="2">');
    expect(count(xml, /<failure /g)).toBe(2);
    expect(xml).toContain('<failure type="high" message="high finding on b &lt;&amp;&gt;">');
    expect(xml).toContain(
      '<testcase classname="Deployment/shop/c" name="demo/low" file="web.yaml">\n      <skipped message="low finding on c &lt;&amp;&gt;">web.yaml:3:5: low finding on c &lt;&amp;&gt;\nseverity: low, below --fail-on high: reported, not failing the run\n</skipped>\n    </testcase>',
    );
    expect(count(xml, /<skipped /g)).toBe(2);
    expectOneOutcomePerCase(xml);
  });

  it("--fail-on none fails nothing; without a threshold every finding fails, as before", () => {
    const none = renderJunit(result, { failOn: "none" });
    expect(none).toContain('failures="0" errors="0" skipped="4"');
    expect(count(none, /<failure /g)).toBe(0);
    const every = renderJunit(result);
    expect(every).toContain('<testsuites name="palisade" tests="5" failures="4" errors="0">');
    expect(every).toContain('failures="4" errors="0" skipped="0"');
    expect(count(every, /<skipped /g)).toBe(0);
  });

  it("agrees with the exit code of scan -o junit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-junit-"));
    const file = join(dir, "pod.yaml");
    writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers: [{name: c, image: nginx}]\n");
    const passed = await palisade(["scan", file, "-o", "junit", "--fail-on", "critical", "--rules", "images/*"]);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/<testsuites name="palisade" tests="\d+" failures="0"/);
    expect(passed.stdout).toContain("<skipped ");
    const failed = await palisade(["scan", file, "-o", "junit", "--fail-on", "info", "--rules", "images/*"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).not.toContain("<skipped ");
    expect(failed.stdout).toContain("<failure ");
  });
});
