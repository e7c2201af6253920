import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";

const bin = join(repoRoot, "bin/palisade.js");

function palisade(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Report {
  summary: { findings: number; baseline?: { file: string; known: number; fixed: number } };
  findings: Array<{ ruleId: string; fieldPath?: string; object?: { name: string }; position?: { file: string; line: number } }>;
}

const pod = (name: string, containers: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
spec:
  containers:
${containers}`;
const container = (name: string, extra = "") => `  - name: ${name}
    image: registry.example/${name}@sha256:${"a".repeat(64)}
    securityContext:
      privileged: true${extra}
`;

describe("palisade scan --baseline", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "palisade-baseline-"));
    mkdirSync(join(dir, "k8s"));
    writeFileSync(join(dir, "k8s/web.yaml"), pod("web", container("web")));
    writeFileSync(join(dir, "k8s/api.yaml"), pod("api", container("api")));
    const written = palisade(["scan", "k8s", "-o", "json"], dir);
    expect(written.code).toBe(1);
    writeFileSync(join(dir, "base.json"), written.stdout);
  });
  const k8s = (file: string) => join(dir, "k8s", file);
  const scanJson = (...args: string[]): Report => JSON.parse(palisade(["scan", "k8s", "-o", "json", ...args], dir).stdout) as Report;

  it("reports nothing new against its own report, after lines moved and a file was renamed, and exits 0", () => {
    writeFileSync(k8s("web.yaml"), `# owned by the web team\n\n${readFileSync(k8s("web.yaml"), "utf8")}`);
    renameSync(k8s("api.yaml"), k8s("api-pod.yaml"));
    const r = palisade(["scan", "k8s", "--baseline", "base.json"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const known = (JSON.parse(readFileSync(join(dir, "base.json"), "utf8")) as Report).findings.length;
    expect(known).toBeGreaterThan(4);
    expect(r.stdout).toContain("No new findings in 2 objects across 2 files.");
    expect(r.stdout).toContain(`against base.json: ${known} known findings not shown, 0 fixed since.`);
  });

  it("shows and fails on exactly the new findings, counts the fixed ones, and the JSON report matches its schema", () => {
    const before = scanJson();
    // web gains a privileged sidecar; api is fixed (removed).
    writeFileSync(k8s("web.yaml"), pod("web", container("web") + container("sidecar")));
    writeFileSync(k8s("api.yaml"), "# api moved to another repository\n");
    const all = scanJson();
    const report = scanJson("--baseline", "base.json");
    const sidecar = all.findings.filter((f) => f.fieldPath?.includes("containers[1]"));
    expect(sidecar.length).toBeGreaterThan(0);
    expect(report.findings).toEqual(sidecar);
    const apiFindings = before.findings.filter((f) => f.object?.name === "api").length;
    expect(report.summary.baseline).toEqual({ file: "base.json", known: all.findings.length - sidecar.length, fixed: apiFindings });
    expect(report.summary.findings).toBe(sidecar.length);
    const schema = JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8")) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const text = palisade(["scan", "k8s", "--baseline", "base.json"], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`${sidecar.length} new findings? \\(`));
    // Every format shows the new findings only: SARIF has one result per new finding.
    const sarif = JSON.parse(palisade(["scan", "k8s", "--baseline", "base.json", "-o", "sarif"], dir).stdout) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0]?.results).toHaveLength(sidecar.length);
    // --fail-on applies to the new findings alone.
    expect(palisade(["scan", "k8s", "--baseline", "base.json", "--fail-on", "critical", "-o", "json"], dir).code).toBe(sidecar.some((f) => (f as { severity?: string }).severity === "critical") ? 1 : 0);
  });

  it("does not count the findings of rules a narrower scan left out as fixed", () => {
    const report = scanJson("--baseline", "base.json", "--rules", "pss/privileged");
    expect(report.summary.baseline).toEqual({ file: "base.json", known: 2, fixed: 0 });
  });

  it("refuses a baseline that is missing, not JSON or not a scan report with exit 2, before scanning, and no stack trace", () => {
    writeFileSync(join(dir, "broken.json"), '{\n  "schemaVersion": "palisade.dev/scan/v1",\n  "findings": [,]\n}\n');
    writeFileSync(join(dir, "posture.json"), JSON.stringify({ schemaVersion: "palisade.dev/posture/v1", workloads: [] }));
    writeFileSync(join(dir, "report.yaml"), palisade(["scan", "k8s", "-o", "yaml"], dir).stdout);
    const cases: Array<[string, RegExp]> = [
      ["nope.json", /^palisade: --baseline nope\.json: no such file\n {2}hint: save a report first/],
      ["broken.json", /^palisade: --baseline broken\.json:3:16: not JSON \(/],
      ["posture.json", /^palisade: --baseline posture\.json: not a scan report \(a posture report; expected schemaVersion palisade\.dev\/scan\/v1\)/],
      ["k8s", /^palisade: --baseline k8s: a directory, not a report/],
      ["report.yaml", /^palisade: --baseline report\.yaml: a YAML report; --baseline reads the JSON one\n {2}hint: write it with -o json/],
    ];
    for (const [file, message] of cases) {
      // Scanning a path that does not exist: the baseline's error still comes first, as it is read before the scan.
      const r = palisade(["scan", "missing/", "--baseline", file], dir);
      expect(r.code, file).toBe(2);
      expect(r.stderr, file).toMatch(message);
      expect(r.stderr, file).not.toMatch(/\n\s+at /);
      expect(r.stdout, file).toBe("");
    }
  });
});
