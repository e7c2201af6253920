import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import fastJsonPatch from "fast-json-patch";
import jsYaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { JsonPatchOperation } from "../../src/findings/types.js";
import { repoRoot } from "../support/conformance.js";
import { builtCli } from "../support/etcd.js";

const bin = join(repoRoot, "bin/palisade.js");

function palisade(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Report {
  findings: Array<{ ruleId: string; fix?: JsonPatchOperation[] }>;
}

/** Shares the node's network (refused by palisade fix) and leaves every restricted field unset (fixed by it). */
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: registry.example.com/web@sha256:${"0".repeat(64)}
        securityContext:
          capabilities:
            add: [NET_ADMIN]
`;

describe("palisade scan --fixes", () => {
  let dir = "";
  let file = "";
  beforeAll(() => {
    builtCli();
    dir = mkdtempSync(join(tmpdir(), "palisade-fixes-"));
    file = join(dir, "web.yaml");
    writeFileSync(file, DEPLOYMENT);
  });

  const pssRules = (report: Report) => report.findings.filter((f) => f.ruleId.startsWith("pss/"));

  it("gives the fixable Pod Security findings the object's fix as a JSON patch, in a report that follows the schema; applied once it clears them, applied twice it is refused", () => {
    const r = palisade(["scan", file, "--fixes", "-o", "json", "--fail-on", "none"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8")));
    validate(report);
    expect(validate.errors ?? []).toEqual([]);
    const byRule = new Map(pssRules(report).map((f) => [f.ruleId, f.fix]));
    expect(byRule.get("pss/hostNamespaces")).toBeUndefined();
    const spec = "/spec/template/spec";
    const objectFix = [
      { op: "test", path: `${spec}/containers/0/securityContext/capabilities/add/0`, value: "NET_ADMIN" },
      { op: "add", path: `${spec}/containers/0/securityContext/allowPrivilegeEscalation`, value: false },
      { op: "add", path: `${spec}/containers/0/securityContext/capabilities/drop`, value: ["ALL"] },
      { op: "add", path: `${spec}/securityContext`, value: {} },
      { op: "add", path: `${spec}/securityContext/runAsNonRoot`, value: true },
      { op: "add", path: `${spec}/securityContext/seccompProfile`, value: { type: "RuntimeDefault" } },
      { op: "remove", path: `${spec}/containers/0/securityContext/capabilities/add/0` },
    ];
    const fixed = [...byRule].filter(([, fix]) => fix !== undefined);
    expect(fixed.map(([ruleId]) => ruleId).sort()).toEqual(["pss/allowPrivilegeEscalation", "pss/capabilities_restricted", "pss/runAsNonRoot", "pss/seccompProfile_restricted"]);
    for (const [, fix] of fixed) expect(fix).toEqual(objectFix);
    // As kubectl patch --type json would: the object as written, the patch once; scanned again, only what palisade leaves to a person is left.
    const once = fastJsonPatch.applyPatch(jsYaml.load(DEPLOYMENT), objectFix as fastJsonPatch.Operation[], true, false).newDocument;
    const patchedFile = join(dir, "patched.json");
    writeFileSync(patchedFile, JSON.stringify(once));
    const after = pssRules(JSON.parse(palisade(["scan", patchedFile, "-o", "json", "--fail-on", "none"]).stdout) as Report).map((f) => f.ruleId);
    expect(after).toEqual(["pss/hostNamespaces"]);
    // A second application (the next finding's patch, which is the same) is refused whole by its test.
    expect(() => fastJsonPatch.applyPatch(structuredClone(once), objectFix as fastJsonPatch.Operation[], true, false)).toThrow(/Test operation failed/);
  });

  it("leaves patches out without the flag, and -o wide says one exists with it", () => {
    const plain = JSON.parse(palisade(["scan", file, "-o", "json", "--fail-on", "none"]).stdout) as Report;
    expect(pssRules(plain).length).toBeGreaterThan(0);
    for (const finding of pssRules(plain)) expect(finding.fix).toBeUndefined();
    const wide = palisade(["scan", file, "--fixes", "-o", "wide", "--no-color", "--rules", "pss/allowPrivilegeEscalation,pss/hostNamespaces"]).stdout;
    expect(wide.match(/patch: a JSON patch of 7 operations \(-o json\)/g)).toHaveLength(1);
    expect(palisade(["scan", file, "-o", "wide", "--no-color", "--rules", "pss/*"]).stdout).not.toContain("patch:");
  });

  it("refuses --fixes and --summary with an output they do not change (exit 2, nothing on stdout), and keeps the combinations that work", () => {
    for (const [args, message] of [
      [["--fixes", "-o", "text"], "--fixes does nothing with -o text: it applies to -o json, -o yaml (each finding's fix) and -o wide (which findings have a patch) only"],
      [["--fixes", "-o", "sarif"], "--fixes does nothing with -o sarif"],
      [["--fixes"], "--fixes does nothing with -o text"],
      [["--summary", "-o", "json"], "--summary does nothing with -o json: it applies to -o text and -o wide only"],
      [["--summary", "-o", "junit"], "--summary does nothing with -o junit"],
      [["--fixes", "--summary", "-o", "wide"], "--fixes does nothing with --summary"],
    ] as const) {
      const r = palisade(["scan", file, "--fail-on", "none", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr, args.join(" ")).toContain(`palisade: ${message}`);
    }
    const yaml = palisade(["scan", file, "--fixes", "-o", "yaml", "--fail-on", "none"]);
    expect(yaml.code).toBe(0);
    const report = jsYaml.load(yaml.stdout) as Report;
    expect(report.findings.find((f) => f.ruleId === "pss/runAsNonRoot")?.fix?.length).toBe(7);
    const summary = palisade(["scan", file, "--summary", "-o", "wide", "--no-color", "--fail-on", "none"]);
    expect(summary.code).toBe(0);
    // One line, the summary: no file heading, no finding.
    expect(summary.stdout).toMatch(/^\d+ findings \([^\n]*, across 1 file\.\n$/);
  });
});
