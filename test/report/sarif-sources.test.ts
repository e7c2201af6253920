/**
 * Findings and problems from sources that are no file of the checkout (standard input, a
 * live cluster, kustomize's rendered text): SARIF gives them no physical location, as
 * -o github gives them no `file=`, so code scanning attaches nothing to a file `<stdin>`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type AjvDraft04Module from "ajv-draft-04";
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { renderGithubPieces } from "../../src/report/github.js";
import { isCheckoutFile } from "../../src/k8s/types.js";
import { renderSarif, renderSarifPieces } from "../../src/report/sarif.js";
import { runScan, type ScanResult } from "../../src/scan/run.js";

const require = createRequire(import.meta.url);
const AjvDraft04 = require("ajv-draft-04") as (typeof AjvDraft04Module)["default"];
const validate = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(
  JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8")),
);

const NOT_FILES = ["<stdin>", "<cluster>", "<cluster kind-prod>", "<palisade>", "kustomize:overlays/prod"];

const finding = (file: string | undefined): Finding => ({
  ruleId: "pss/privileged",
  severity: "critical",
  pillar: "workload",
  message: "privileged",
  object: { kind: "Pod", namespace: "shop", name: "web" },
  fieldPath: "spec.containers[0].securityContext.privileged",
  ...(file !== undefined ? { position: { file, line: 9, column: 23 } } : {}),
});

function result(findings: Finding[], problemFiles: string[] = []): ScanResult {
  return {
    findings,
    problems: problemFiles.map((file) => ({ kind: "parse-error", message: "invalid YAML", position: { file, line: 8, column: 1 } })),
    rules: [],
    scanned: [],
    stats: { files: 1, documents: 1, objects: 1, skippedNonKubernetes: 0, skippedFiles: 0 },
  };
}

const sarif = (r: ScanResult) => JSON.parse(renderSarif(r)) as Log;

describe("SARIF locations of sources that are no file", () => {
  it("a scan of standard input names no file `<stdin>`: the object is the location (the QA reproduction)", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: readFileSync(new URL("../../examples/cluster/30-analytics.yaml", import.meta.url), "utf8") });
    const log = sarif(runScan(snapshot));
    const results = log.runs[0]!.results!;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.locations).toHaveLength(1);
      expect(r.locations![0]!.physicalLocation).toBeUndefined();
      expect(r.locations![0]!.logicalLocations?.[0]?.fullyQualifiedName).toMatch(/^[A-Za-z]+\//);
    }
    expect(JSON.stringify(log)).not.toContain("stdin%3E");
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
  });

  it("leaves out the physical location for a live cluster, kustomize's text and no position, and keeps it for files", () => {
    const log = sarif(result([...NOT_FILES.map(finding), finding(undefined), finding("k8s/web.yaml")]));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const locations = log.runs[0]!.results!.map((r) => r.locations?.[0]);
    for (const location of locations.slice(0, -1)) {
      expect(location?.physicalLocation).toBeUndefined();
      expect(location?.logicalLocations).toEqual([{ name: "web", fullyQualifiedName: "Pod/shop/web", kind: "Pod" }]);
    }
    expect(locations.at(-1)?.physicalLocation).toEqual({ artifactLocation: { uri: "k8s/web.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 9, startColumn: 23 } });
    // A finding with neither a file nor an object has no location to give, rather than an empty one.
    const bare = sarif(result([{ ...finding("<stdin>"), object: undefined }])).runs[0]!.results![0]!;
    expect(bare.locations).toBeUndefined();
    // The pieces the CLI writes are the same log.
    const r = result([...NOT_FILES.map(finding), finding("k8s/web.yaml")], ["<stdin>"]);
    expect([...renderSarifPieces(r)].join("")).toBe(renderSarif(r));
  });

  it("names such a source in an input problem's text instead of a location", () => {
    const log = sarif(result([], ["<stdin>", "kustomize:overlays/prod", "bad.yaml"]));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const notifications = log.runs[0]!.invocations![0]!.toolExecutionNotifications!;
    expect(notifications.map((n) => [n.message.text, n.locations?.[0]?.physicalLocation?.artifactLocation?.uri])).toEqual([
      ["<stdin>: invalid YAML", undefined],
      ["kustomize:overlays/prod: invalid YAML", undefined],
      ["invalid YAML", "bad.yaml"],
    ]);
  });
});

describe("one rule for what is a file of the checkout, -o github and -o sarif alike", () => {
  it("is no file: angle-bracket names and kustomize's rendered text", () => {
    for (const name of NOT_FILES) expect(isCheckoutFile(name), name).toBe(false);
    for (const name of ["k8s/web.yaml", "/abs/web.yaml", "a b.yaml", "kustomization.yaml"]) expect(isCheckoutFile(name), name).toBe(true);
  });

  it("-o github gives `file=` to exactly the findings SARIF gives a physical location", () => {
    const files = [...NOT_FILES, "k8s/web.yaml"];
    const annotations = [...renderGithubPieces(result(files.map(finding)))].join("").split("\n").slice(0, files.length);
    const physical = sarif(result(files.map(finding))).runs[0]!.results!.map((r) => r.locations?.[0]?.physicalLocation !== undefined);
    expect(annotations.map((line) => line.includes(" file="))).toEqual(physical);
    expect(physical).toEqual([...NOT_FILES.map(() => false), true]);
  });
});
