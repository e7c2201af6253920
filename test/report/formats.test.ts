import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv } from "ajv";
import type AjvDraft04Module from "ajv-draft-04";
import jsYaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { renderJson, renderJsonPieces } from "../../src/report/json.js";
import { renderJunit, renderJunitPieces } from "../../src/report/junit.js";
import { renderSarif, renderSarifPieces } from "../../src/report/sarif.js";
import { renderText } from "../../src/report/text.js";
import { renderYaml, renderYamlPieces } from "../../src/report/yaml.js";
import { runScan, type ScanResult } from "../../src/scan/run.js";
import { repoRoot } from "../support/conformance.js";

/** The start of an ANSI colour sequence. */
const ESC = new RegExp(String.fromCharCode(27) + "\\[");

const require = createRequire(import.meta.url);
// A CommonJS class whose typings only declare a default export: require() gives the constructor.
const AjvDraft04 = require("ajv-draft-04") as (typeof AjvDraft04Module)["default"];
let result: ScanResult;

beforeAll(async () => {
  const snapshot = await loadSnapshot({
    paths: [join(repoRoot, "examples"), "-"],
    stdinText: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stdin-pod\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x}]\n---\nbroken: [\n",
  });
  result = runScan(snapshot);
});

describe("report formats", () => {
  it("finds the example cluster's deliberate weaknesses", () => {
    const ids = new Set(result.findings.map((f) => `${f.object?.name}:${f.ruleId}`));
    for (const expected of ["etl-worker:pss/privileged", "etl-worker:pss/hostPathVolumes", "cart:pss/capabilities_restricted", "ledger-db:pss/runAsUser", "stdin-pod:pss/hostNamespaces"]) {
      expect(ids).toContain(expected);
    }
    // The hardened front end passes restricted.
    expect(result.findings.filter((f) => f.object?.name === "web" && f.ruleId.startsWith("pss/"))).toEqual([]);
    expect(result.problems.map((p) => p.position.file)).toContain("<stdin>");
  });

  it("SARIF is valid against the SARIF 2.1.0 schema, with rules, help text and regions", () => {
    const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    const ajv = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const sarif = JSON.parse(renderSarif(result));
    const valid = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.length).toBeGreaterThanOrEqual(19);
    for (const rule of run.tool.driver.rules) {
      expect(rule.help.text.length).toBeGreaterThan(20);
      expect(rule.properties["security-severity"]).toMatch(/^\d+\.\d$/);
    }
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const loc = r.locations[0].physicalLocation;
      // Standard input is no file of the checkout: its findings are located by their object alone,
      // and so are namespace default's quota findings, anchored at its first workload (stdin-pod).
      const logical = r.locations[0].logicalLocations[0].name;
      if (logical === "stdin-pod" || (logical === "default" && r.ruleId.startsWith("quota/namespace-without-"))) {
        expect(loc).toBeUndefined();
        continue;
      }
      expect(loc.artifactLocation.uri).not.toMatch(/^\//);
      expect(loc.region.startLine).toBeGreaterThan(0);
    }
    const privileged = run.results.find((r: { ruleId: string }) => r.ruleId === "pss/privileged");
    expect(privileged.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: expect.stringMatching(/examples\/cluster\/30-analytics\.yaml$/) }, region: { startLine: 22, startColumn: 13 } });
  });

  it("JSON follows the documented schema (docs/scan-report.schema.json)", () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8"));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const json = JSON.parse(renderJson(result));
    validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(json.summary.findings).toBe(result.findings.length);
    expect(json.summary.problems).toBe(1);
  });

  it("records the findings exceptions left out: counted and listed in JSON, suppressed results in SARIF", () => {
    const [kept, ...rest] = result.findings;
    const exception = { id: "legacy", owner: "team-a@example.com", reason: "vendor agent", expires: "2999-01-01T00:00:00.000Z" };
    const withExceptions: ScanResult = { ...result, findings: rest, exceptions: { file: "exceptions.yaml", excepted: [{ finding: kept!, exception }] } };
    const json = JSON.parse(renderJson(withExceptions));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8")));
    validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(json.summary.exceptions).toEqual({ file: "exceptions.yaml", excepted: 1 });
    expect(json.excepted).toEqual([{ finding: JSON.parse(JSON.stringify(kept)), exception }]);
    expect([...renderJsonPieces(withExceptions)].join("")).toBe(renderJson(withExceptions));

    const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    const validateSarif = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
    const sarif = JSON.parse(renderSarif(withExceptions));
    validateSarif(sarif);
    expect(validateSarif.errors ?? []).toEqual([]);
    const results = sarif.runs[0].results as { ruleId: string; suppressions?: unknown[] }[];
    expect(results).toHaveLength(result.findings.length);
    expect(results.filter((r) => r.suppressions)).toEqual([
      expect.objectContaining({ ruleId: kept!.ruleId, suppressions: [{ kind: "external", status: "accepted", justification: "exception legacy (owner team-a@example.com, until 2999-01-01): vendor agent" }] }),
    ]);
    expect([...renderSarifPieces(withExceptions)].join("")).toBe(renderSarif(withExceptions));
    // Beyond what code scanning accepts in a run, the open findings go first and the suppressed stay out.
    const tight = JSON.parse(renderSarif(withExceptions, { results: rest.length, shown: rest.length }));
    expect(tight.runs[0].results.some((r: { suppressions?: unknown }) => r.suppressions)).toBe(false);
  });

  it("JSON in pieces is byte for byte the report JSON.stringify would print, with findings and without", () => {
    // renderJson is one JSON.stringify of the report; the pieces must add up to exactly that.
    const pieces = (r: ScanResult): string => [...renderJsonPieces(r)].join("");
    expect(pieces(result)).toBe(renderJson(result));
    expect(result.findings.length).toBeGreaterThan(10);
    // Text with quotes, backslashes, newlines and non-ASCII survives the re-indenting.
    const tricky: ScanResult = { ...result, findings: result.findings.slice(0, 3).map((f) => ({ ...f, message: 'a "quoted"\\ line\nnext — ✓ 😀' })) };
    expect(pieces(tricky)).toBe(renderJson(tricky));
    expect(JSON.parse(pieces(tricky)).findings[0].message).toBe('a "quoted"\\ line\nnext — ✓ 😀');
    // Findings go out in batches: counts at, around and across batch boundaries.
    for (const count of [1, 63, 64, 65, 200]) {
      const many: ScanResult = { ...result, findings: Array.from({ length: count }, (_, i) => ({ ...result.findings[i % result.findings.length]!, message: `finding ${i}` })) };
      expect(pieces(many), `${count} findings`).toBe(renderJson(many));
    }
    const empty: ScanResult = { ...result, findings: [] };
    expect(pieces(empty)).toBe(renderJson(empty));
    expect(pieces(empty)).toContain('"findings": [],');
  });

  it("YAML is the JSON report's document, printed in pieces exactly as one dump would print it", () => {
    const options = { noRefs: true, lineWidth: -1, skipInvalid: true };
    // What JSON keeps (no undefined fields), without the mark-and-batch machinery.
    const whole = (r: ScanResult): string => jsYaml.dump(JSON.parse(renderJson(r)), options);
    const tricky = (i: number) => ["plain", 'a "quoted"\\ line\nnext — ✓ 😀\n\nafter a blank line', "123", "true", "- dash: colon", `${"x".repeat(200)} long`][i % 6]!;
    for (const count of [0, 1, 63, 64, 65, 200]) {
      const many: ScanResult = { ...result, findings: Array.from({ length: count }, (_, i) => ({ ...result.findings[i % result.findings.length]!, message: tricky(i) })) };
      const text = [...renderYamlPieces(many)].join("");
      expect(text, `${count} findings`).toBe(whole(many));
      expect(jsYaml.load(text), `${count} findings`).toEqual(JSON.parse(renderJson(many)));
    }
    expect(renderYaml({ ...result, findings: [] })).toContain("findings: []\n");
    // Findings of one object share its reference: YAML must not print anchors for them.
    expect(renderYaml(result)).not.toMatch(/[&*]ref_/);
  });

  it("SARIF in pieces is byte for byte the one-string SARIF, across batch boundaries and with no findings", () => {
    const pieces = (r: ScanResult): string => [...renderSarifPieces(r)].join("");
    for (const count of [0, 1, 63, 64, 65, 200]) {
      const many: ScanResult = { ...result, findings: Array.from({ length: count }, (_, i) => ({ ...result.findings[i % result.findings.length]!, message: `finding ${i} "q"\n — ✓` })) };
      expect(pieces(many), `${count} findings`).toBe(renderSarif(many));
    }
    expect(pieces({ ...result, findings: [] })).toContain('"results": [],');
  });

  it("JUnit in pieces keeps every case, line and total across batch boundaries", () => {
    // Long messages fill a piece before 64 cases do: pieces then end on size.
    for (const [count, padding] of [[63, 0], [64, 0], [65, 0], [200, 0], [200, 3000]] as const) {
      const many: ScanResult = { ...result, findings: Array.from({ length: count }, (_, i) => ({ ...result.findings[0]!, message: `finding ${i}${"—".repeat(padding)}` })) };
      const pieces = [...renderJunitPieces(many)];
      const xml = pieces.join("");
      expect(xml).toBe(renderJunit(many));
      const cases = (xml.match(/<testcase /g) ?? []).length;
      expect(xml).toContain(`<testsuites name="palisade" tests="${cases}" failures="${count}"`);
      expect((xml.match(/<failure /g) ?? []).length).toBe(count);
      for (let i = 0; i < count; i++) expect(xml).toContain(`message="finding ${i}${"—".repeat(padding)}"`);
      if (padding > 0) expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(64 * 1024);
      // Each case starts on a line of its own: no two cases run together at a batch edge.
      expect(xml).not.toMatch(/<\/testcase> *<testcase/);
      expect(xml).not.toMatch(/\/> *<testcase/);
      expect(xml).not.toMatch(/\n\n/);
    }
  });

  it("JUnit has a failing case per finding, a passing case per clean object, and an error per problem", () => {
    const xml = renderJunit(result);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const failures = (xml.match(/<failure /g) ?? []).length;
    expect(failures).toBe(result.findings.length);
    expect(xml).toContain('name="all checks"');
    expect((xml.match(/<error /g) ?? []).length).toBe(result.problems.length);
    expect((xml.match(/<testsuite /g) ?? []).length).toBe((xml.match(/<\/testsuite>/g) ?? []).length);
    expect(xml).not.toMatch(/="[^"]*</); // no unescaped markup inside attribute values
  });

  it("text groups by file and object, with colour only when asked", () => {
    const plain = renderText(result, { color: false });
    expect(plain).not.toMatch(ESC);
    expect(plain).toMatch(/examples\/cluster\/30-analytics\.yaml\n {2}Deployment\/analytics\/etl-worker/);
    expect(plain).toMatch(/findings \(\d+ critical/);
    expect(renderText(result, { color: true })).toMatch(ESC);
    expect(renderText(result, { color: false, summaryOnly: true }).split("\n").length).toBeLessThanOrEqual(4);
  });

  it("text heads an object with the level Pod Security judged it at, beside findings of rules that note nothing", () => {
    const object = { apiVersion: "v1", kind: "Pod", name: "web" };
    const at = (line: number) => ({ file: "pod.yaml", line, column: 3 });
    const mixed: ScanResult = {
      ...result,
      problems: [],
      findings: [
        { ruleId: "quota/container-without-resources", severity: "low", pillar: "workload", message: "no requests", object, position: at(7) },
        { ruleId: "pss/privileged", severity: "critical", pillar: "workload", message: "privileged", object, position: at(9), note: "judged at baseline:latest (--level)" },
      ],
    };
    expect(renderText(mixed, { color: false }).split("\n").slice(0, 2)).toEqual(["pod.yaml", "  Pod/web  — judged at baseline:latest (--level)"]);
  });
});
