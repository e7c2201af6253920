/**
 * GitHub code scanning's limits on a SARIF run ("SARIF support for code scanning"): an
 * upload whose run holds more than 25,000 results is rejected whole, and of a run it
 * accepts GitHub keeps 5,000 results. A big scan's SARIF keeps the most severe findings,
 * says in the run and on stderr what it left out, and is still valid SARIF.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type AjvDraft04Module from "ajv-draft-04";
import type { Log } from "sarif";
import { describe, expect, it, vi } from "vitest";
import type { Finding, Rule, Severity } from "../../src/findings/types.js";
import { renderReport } from "../../src/report/render.js";
import { thousands } from "../../src/report/most-severe.js";
import { GITHUB_SARIF_LIMITS, renderSarif, renderSarifPieces, type SarifLimits } from "../../src/report/sarif.js";
import type { ScanResult } from "../../src/scan/run.js";
import { repoRoot } from "../support/conformance.js";

const require = createRequire(import.meta.url);
const AjvDraft04 = require("ajv-draft-04") as (typeof AjvDraft04Module)["default"];
const validate = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(
  JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8")),
);

/** The n-th finding of a report: in file order, at the severity given. */
const finding = (severity: Severity, n: number): Finding => ({
  ruleId: `pss/${severity}`,
  severity,
  pillar: "workload",
  message: `finding ${n}`,
  object: { kind: "Pod", namespace: "shop", name: `p${n}` },
  position: { file: "k8s/pods.yaml", line: n + 1, column: 3 },
});

function result(severities: readonly Severity[]): ScanResult {
  return {
    findings: severities.map((s, n) => finding(s, n)),
    problems: [],
    rules: [],
    scanned: [],
    stats: { files: 1, objects: severities.length, documents: severities.length, skippedNonKubernetes: 0, skippedFiles: 0 },
  };
}

const sarif = (r: ScanResult, limits?: SarifLimits) => JSON.parse(renderSarif(r, limits)) as Log;
/** Each result's message, "finding n", as n. */
const numbers = (log: Log) => log.runs[0]!.results!.map((r) => Number(/finding (\d+)$/.exec(r.message.text!)![1]));
const notifications = (log: Log) => log.runs[0]!.invocations![0]!.toolExecutionNotifications!;

describe("SARIF within GitHub code scanning's limits", () => {
  it("uses GitHub's documented numbers: 25,000 results a run, 5,000 kept", () => {
    expect(GITHUB_SARIF_LIMITS).toEqual({ results: 25_000, shown: 5_000 });
  });

  it("keeps the most severe findings, then the report order, and the run says what it left out", () => {
    // Report (file) order mixes severities; two of the lows and the info must go.
    const r = result(["low", "critical", "medium", "info", "high", "low", "critical", "medium", "low"]);
    const limits = { results: 6, shown: 3 };
    const log = sarif(r, limits);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    // Most severe first, report order within a severity; the first low in the report stays.
    expect(numbers(log)).toEqual([1, 6, 4, 2, 7, 0]);
    const [notice] = notifications(log);
    expect(notice!.level).toBe("warning");
    expect(notice!.message.text).toBe(
      "9 findings, more than the 6 results GitHub code scanning accepts in a run (it rejects the whole upload): the 6 most severe are written, most severe first, and 3 are left out (2 low, 1 info); GitHub then keeps 3 of them. -o json reports every finding.",
    );
    expect(notice!.properties).toEqual({ findings: 9, results: 6, omitted: 3 });
    // The pieces the CLI writes are the same log.
    expect([...renderSarifPieces(r, limits)].join("")).toBe(renderSarif(r, limits));
    // Input problems keep their notifications, before this one.
    const withProblem: ScanResult = { ...r, problems: [{ kind: "parse-error", message: "invalid YAML", position: { file: "bad.yaml", line: 2, column: 1 } }] };
    expect(notifications(sarif(withProblem, limits)).map((n) => n.level)).toEqual(["error", "warning"]);
  });

  it("writes a run GitHub would cut short most severe first, with a note, and leaves a smaller one as it was", () => {
    const severities: Severity[] = ["low", "critical", "medium", "high"];
    const over = sarif(result(severities), { results: 10, shown: 3 });
    expect(numbers(over)).toEqual([1, 3, 2, 0]);
    expect(notifications(over)).toEqual([
      { level: "note", message: { text: "4 results, more than the 3 GitHub code scanning keeps of a run: they are written most severe first. -o json reports every finding." }, properties: { findings: 4, results: 4, omitted: 0 } },
    ]);
    const within = sarif(result(severities), { results: 10, shown: 4 });
    expect(numbers(within)).toEqual([0, 1, 2, 3]);
    expect(notifications(within)).toEqual([]);
  });

  it("never writes more than 25,000 results, whatever the scan found (the default limits)", () => {
    const r = result([...Array.from({ length: 25_000 }, () => "medium" as const), "low", "high"]);
    const log = JSON.parse([...renderSarifPieces(r)].join("")) as Log;
    const results = log.runs[0]!.results!;
    expect(results).toHaveLength(25_000);
    expect(results[0]!.message.text).toBe("Pod/shop/p25001: finding 25001");
    expect(results.some((x) => x.level === "note")).toBe(false);
    expect(notifications(log)[0]!.message.text).toMatch(/^25,002 findings, more than the 25,000 results .* and 2 are left out \(1 medium, 1 low\); GitHub then keeps 5,000 of them\./);
  });

  it("warns once on stderr when it leaves findings out, and not for a report GitHub takes whole", () => {
    const warn = vi.fn<(line: string) => void>();
    const big = result([...Array.from({ length: 25_000 }, () => "high" as const), "info"]);
    const text = [...renderReport(big, { output: "sarif", warn })].join("");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^palisade: -o sarif: 25,001 findings, .* 1 is left out \(1 info\).* -o json reports every finding\.\n$/);
    // The warning is not part of the report.
    expect(text).not.toContain("palisade: -o sarif");
    warn.mockClear();
    Array.from(renderReport(result(["high", "low"]), { output: "sarif", warn }));
    Array.from(renderReport(big, { output: "json", warn }));
    expect(warn).not.toHaveBeenCalled();
  });

  it("keeps a rule's descriptions within the 1,024 characters GitHub takes; its help has them whole", () => {
    const description = `${"A long description. ".repeat(60)}😀 end`;
    const rule: Rule = { id: "pss/long", title: "t".repeat(1100), family: "pss", pillar: "workload", severity: "high", docs: { description, remediation: "Fix it." } };
    const log = sarif({ ...result([]), rules: [rule] });
    const descriptor = log.runs[0]!.tool.driver.rules![0]!;
    expect(descriptor.fullDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(descriptor.shortDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(descriptor.fullDescription!.text).toMatch(/^A long description\. .*…$/);
    expect(descriptor.help!.text).toContain(description);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe("palisade scan of a big repository, for GitHub (the CLI)", () => {
  /** A pod Pod Security faults about 11 times, at every severity but info. */
  const pod = (n: number) => `apiVersion: v1
kind: Pod
metadata:
  name: p${n}
spec:
  hostNetwork: true
  hostPID: true
  hostIPC: true
  volumes: [{name: h, hostPath: {path: /}}]
  containers:
  - {name: a, image: x, ports: [{containerPort: 80, hostPort: 80}], securityContext: {privileged: true, runAsUser: 0, capabilities: {add: [SYS_ADMIN]}, procMount: Unmasked, seLinuxOptions: {type: spc_t}}}
`;

  it("writes SARIF GitHub accepts, warns once on stderr, annotates what GitHub shows, and exits on every finding", () => {
    if (!existsSync(join(repoRoot, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
    const dir = mkdtempSync(join(tmpdir(), "palisade-sarif-limits-"));
    // 2,500 pods: some 27,500 findings.
    writeFileSync(join(dir, "pods.yaml"), Array.from({ length: 2500 }, (_, n) => pod(n)).join("---\n"));
    const palisade = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "scan", join(dir, "pods.yaml"), "--rules", "pss/*", ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CI: "true" } });
    const github = palisade(["-o", "github"]);
    const lines = github.stdout.trimEnd().split("\n");
    const findings = Number(/^(\d+) findings \(/m.exec(github.stdout)![1]);
    expect(findings).toBeGreaterThan(25_000);
    // One annotation per finding, and the notice counting those GitHub does not show; nothing on stderr.
    expect(lines.filter((l) => l.startsWith("::"))).toHaveLength(findings + 1);
    expect(lines.filter((l) => l.startsWith("::notice title=palisade%3A not every finding is annotated::"))).toEqual([expect.stringMatching(new RegExp(`::${thousands(findings - 29)} findings \\(.*\\) not annotated: `))]);
    expect(github.stderr).toBe("");
    expect(github.status).toBe(1);
    const r = palisade(["-o", "sarif", "--fail-on", "low"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^palisade: -o sarif: ${thousands(findings)} findings, more than the 25,000 results GitHub code scanning accepts in a run \\(it rejects the whole upload\\): the 25,000 most severe are written, most severe first, and ${thousands(findings - 25_000)} are left out \\([^)]+\\); GitHub then keeps 5,000 of them\\. -o json reports every finding\\.\\n$`),
    );
    const log = JSON.parse(r.stdout) as Log;
    expect(log.runs[0]!.results).toHaveLength(25_000);
    expect(log.runs[0]!.results![0]!.properties!["severity"]).toBe("critical");
    expect(notifications(log).map((n) => n.level)).toEqual(["warning"]);
  });
});
