/**
 * JUnit consumers key a test case by its suite, class and name: GitLab keeps only the last
 * case of a key (lib/gitlab/ci/reports/test_suite.rb), so a key that repeats loses
 * failures and the counts GitLab shows disagree with the report's. Every case's key must
 * be unique, and a name must not change when nothing about its finding does.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { LoadProblem } from "../../src/k8s/types.js";
import { renderJunit } from "../../src/report/junit.js";
import { runScan, type ScanResult } from "../../src/scan/run.js";
import { repoRoot } from "../support/conformance.js";

/** [suite, classname, name] of every test case, attributes unescaped. */
function caseKeys(xml: string): string[][] {
  const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const keys: string[][] = [];
  for (const suite of xml.split("<testsuite ").slice(1)) {
    const suiteName = unescape(/^name="([^"]*)"/.exec(suite)![1]!);
    for (const [, classname, name] of suite.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)) keys.push([suiteName, unescape(classname!), unescape(name!)]);
  }
  return keys;
}

function expectUniqueKeys(xml: string): void {
  const keys = caseKeys(xml).map((k) => JSON.stringify(k));
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
}

const finding = (fieldPath: string | undefined, line: number): Finding => ({
  ruleId: "quota/container-without-resources",
  severity: "low",
  pillar: "workload",
  message: "container sets no requests",
  object: { kind: "Deployment", namespace: "shop", name: "web" },
  ...(fieldPath !== undefined ? { fieldPath } : {}),
  position: { file: "web.yaml", line, column: 5 },
});

const problem = (line: number): LoadProblem => ({ kind: "parse-error", message: "invalid YAML", position: { file: "web.yaml", line, column: 1 } });

function resultOf(findings: Finding[], problems: LoadProblem[]): ScanResult {
  return {
    findings,
    problems,
    rules: [],
    scanned: [{ object: { kind: "Deployment", namespace: "shop", name: "web" }, file: "web.yaml" }],
    stats: { files: 1, documents: 1, objects: 1, skippedNonKubernetes: 0, skippedFiles: 0 },
  };
}

describe("JUnit test case names", () => {
  let example: ScanResult;
  beforeAll(async () => {
    example = runScan(await loadSnapshot({ paths: [join(repoRoot, "examples/cluster")] }));
  });

  it("are unique per suite and class in the example cluster's report (two containers, two RBAC rules)", () => {
    expectUniqueKeys(renderJunit(example));
  });

  it("keep the rule id when it does not repeat, name the field when it does, and number what still repeats", () => {
    const xml = renderJunit(resultOf([finding("spec.template.spec.containers[0].resources", 10), finding("spec.template.spec.containers[1].resources", 20), finding(undefined, 30), finding("metadata", 40), finding("metadata", 41)], [problem(2), problem(7)]));
    expectUniqueKeys(xml);
    expect(caseKeys(xml).map((k) => k[2])).toEqual([
      "quota/container-without-resources (spec.template.spec.containers[0].resources)",
      "quota/container-without-resources (spec.template.spec.containers[1].resources)",
      "quota/container-without-resources (line 30, column 5)",
      "quota/container-without-resources (metadata) #1",
      "quota/container-without-resources (metadata) #2",
      "parse-error (line 2, column 1)",
      "parse-error (line 7, column 1)",
    ]);
    expect(caseKeys(renderJunit(resultOf([finding("spec.template.spec.containers[0].resources", 10)], [problem(2)]))).map((k) => k[2])).toEqual(["quota/container-without-resources", "parse-error"]);
  });
});
