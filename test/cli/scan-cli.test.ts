import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import jsYaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { hasKubectl } from "../support/kubectl.js";

/** The start of an ANSI colour sequence. */
const ESC = new RegExp(String.fromCharCode(27) + "\\[");

const bin = join(repoRoot, "bin/palisade.js");

function palisade(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: "utf8", env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CLEAN_POD = `apiVersion: v1
kind: Pod
metadata:
  name: clean
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: registry.example.com/app@sha256:${"0".repeat(64)}
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
`;

/** Zero trust: a pod is only clean when a policy isolates it too. */
const DEFAULT_DENY = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
`;

let dir: string;
beforeAll(() => {
  if (!existsSync(join(repoRoot, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "palisade-cli-"));
  writeFileSync(join(dir, "clean.yaml"), CLEAN_POD + DEFAULT_DENY);
  writeFileSync(join(dir, "low.yaml"), CLEAN_POD.replace("name: clean", "name: low").replace("    seccompProfile: {type: RuntimeDefault}\n", ""));
  writeFileSync(join(dir, "broken.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n");
});

describe("palisade scan (the CLI)", () => {
  it("exits 0 when no finding reaches --fail-on", () => {
    const r = palisade(["scan", join(dir, "clean.yaml"), "--fail-on", "medium", "-o", "json"]);
    const report = JSON.parse(r.stdout);
    expect(report.summary.objects).toBe(2);
    expect(report.findings.filter((f: { severity: string }) => f.severity !== "low" && f.severity !== "info")).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("exits 1 for findings at or above --fail-on, 0 below it", () => {
    expect(palisade(["scan", join(dir, "low.yaml")]).code).toBe(1);
    expect(palisade(["scan", join(dir, "low.yaml"), "--fail-on", "high"]).code).toBe(0);
    expect(palisade(["scan", join(dir, "low.yaml"), "--fail-on", "none"]).code).toBe(0);
  });

  it("exits 2 with file:line:col for malformed input, without a stack trace, and still reports the rest", () => {
    const r = palisade(["scan", dir, "-o", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+: invalid YAML: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(r.stdout);
    expect(report.summary.objects).toBe(3);
    expect(report.findings.some((f: { object: { name: string } }) => f.object.name === "low")).toBe(true);
  });

  it("exits 2 on usage errors with a hint", () => {
    const none = palisade(["scan"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/nothing to scan/);
    const badVersion = palisade(["scan", dir, "--pss-version", "1.30"]);
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toMatch(/expected latest or v1\.N/);
    const missing = palisade(["scan", "/no/such/dir"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory/);
    expect(palisade(["scan", dir, "-o", "xml"]).code).toBe(2);
    expect(palisade(["frobnicate"]).code).toBe(2);
  });

  it("exits 2 when the input holds no Kubernetes object (a wrong path in CI), but not for Dockerfiles alone", () => {
    const empty = mkdtempSync(join(tmpdir(), "palisade-cli-empty-"));
    writeFileSync(join(empty, "README.md"), "# docs\n");
    const noManifests = palisade(["scan", empty]);
    expect(noManifests.code).toBe(2);
    expect(noManifests.stderr).toContain(`${empty}:1:1: no Kubernetes objects to scan (0 files read)`);
    writeFileSync(join(empty, "values.yaml"), "# only a comment\n---\nreplicas: 3\n");
    expect(palisade(["scan", empty]).stderr).toContain("no Kubernetes objects to scan (1 file read, 1 document without apiVersion and kind)");
    if (hasKubectl) {
      const kustomization = mkdtempSync(join(tmpdir(), "palisade-cli-empty-k-"));
      writeFileSync(join(kustomization, "kustomization.yaml"), "resources: []\n");
      const rendered = palisade(["scan", "-k", kustomization]);
      expect(rendered.code).toBe(2);
      expect(rendered.stderr).toContain("no Kubernetes objects to scan (1 kustomization rendered)");
    }
    writeFileSync(join(empty, "Dockerfile"), "FROM scratch\nUSER 1000\n");
    const dockerfile = palisade(["scan", empty, "--fail-on", "none"]);
    expect(dockerfile.stderr).not.toContain("no Kubernetes objects");
    expect(dockerfile.code).toBe(0);
  });

  it("reads stdin with -, and --level overrides namespace levels", () => {
    const r = palisade(["scan", "-", "--level", "baseline", "-o", "json"], CLEAN_POD.replace("name: clean", "name: s").replace(/image: (.*)/, "image: $1\n    securityContext: {privileged: true}").replace(/ {4}securityContext:\n {6}allowPrivilegeEscalation: false\n {6}capabilities: \{drop: \[ALL\]\}\n/, ""));
    const report = JSON.parse(r.stdout);
    const podSecurity = report.findings.filter((f: { ruleId: string }) => f.ruleId.startsWith("pss/"));
    expect(podSecurity.map((f: { ruleId: string }) => f.ruleId)).toEqual(["pss/privileged"]);
    expect(podSecurity[0].properties.podSecurity).toBe("baseline:latest");
    expect(r.code).toBe(1);
  });

  it("reads UTF-16 on stdin as it reads UTF-16 files (kubectl get -o yaml piped through Windows PowerShell)", () => {
    const text = CLEAN_POD.replace("name: clean", "name: utf16");
    const r = spawnSync(process.execPath, [bin, "scan", "-", "-o", "json", "--fail-on", "none"], { cwd: repoRoot, input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]), env: { ...process.env, CI: "true" } });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.toString("utf8"));
    expect(report.problems).toEqual([]);
    expect(report.summary.objects).toBe(1);
  });

  it("emits SARIF, JUnit and YAML (the JSON report's document, as kubectl's -o yaml)", () => {
    expect(JSON.parse(palisade(["scan", join(dir, "low.yaml"), "-o", "sarif"]).stdout).version).toBe("2.1.0");
    expect(palisade(["scan", join(dir, "low.yaml"), "-o", "junit"]).stdout).toMatch(/<testsuites name="palisade"/);
    const yaml = palisade(["scan", join(dir, "low.yaml"), "-o", "yaml"]);
    const json = palisade(["scan", join(dir, "low.yaml"), "-o", "json"]);
    expect(yaml.code).toBe(json.code);
    expect(jsYaml.load(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it("prints no colour and no progress bar when not on a terminal", () => {
    const r = palisade(["scan", join(repoRoot, "examples")]);
    expect(r.stdout + r.stderr).not.toMatch(ESC);
    expect(r.stderr).not.toMatch(/scanning \[/);
  });

  it("lists every rule with its docs", () => {
    const list = palisade(["rules", "-o", "json"]);
    const rules = JSON.parse(list.stdout) as Array<{ id: string; docs: { description: string; remediation: string } }>;
    // One rule per Pod Security check, and pss/namespace-labels.
    expect(rules.filter((r) => r.id.startsWith("pss/")).length).toBe(20);
    for (const r of rules) expect(r.docs.remediation.length).toBeGreaterThan(0);
    const one = palisade(["rules", "pss/privileged"]);
    expect(one.stdout).toMatch(/Remediation: /);
  });

  it("--rules and --skip-rules limit the scan to some rules, say so, and refuse a rule id that does not exist", () => {
    const cluster = join(repoRoot, "examples/cluster");
    const all = JSON.parse(palisade(["scan", cluster, "-o", "json", "--fail-on", "none"]).stdout) as { findings: { ruleId: string }[] };
    const only = palisade(["scan", cluster, "-o", "json", "--rules", "pss/*", "--fail-on", "none"]);
    const report = JSON.parse(only.stdout) as { summary: { ruleSelection: unknown }; findings: { ruleId: string }[] };
    expect(report.findings).toEqual(all.findings.filter((f) => f.ruleId.startsWith("pss/")));
    expect(report.summary.ruleSelection).toEqual({ rules: ["pss/*"], skipRules: [] });
    const schema = JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8"));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    validate(report);
    expect(validate.errors ?? []).toEqual([]);
    // The text summary says the scan was partial, and which rules it checked.
    const text = palisade(["scan", cluster, "--summary", "--rules", "pss/privileged,pss/hostNamespaces", "--skip-rules", "pss/hostNamespaces"]);
    expect(text.stdout).toMatch(/^1 rule checked \(only pss\/privileged, pss\/hostNamespaces; skipping pss\/hostNamespaces\)\.$/m);
    expect(text.code).toBe(1);
    // Without findings of the selected rules the scan is clean.
    expect(palisade(["scan", cluster, "--rules", "pss/windowsHostProcess"]).code).toBe(0);
    const typo = palisade(["scan", cluster, "--rules", "pss/runasnonroot"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('palisade: --rules pss/runasnonroot: no rule has this id\n  hint: did you mean "pss/runAsNonRoot"? `palisade rules` lists every rule id\n');
    expect(typo.stdout).toBe("");
  });

  it("-o github prints one workflow annotation per finding, and exits as --fail-on says", () => {
    const r = palisade(["scan", join(repoRoot, "examples/cluster"), "-o", "github"]);
    const json = JSON.parse(palisade(["scan", join(repoRoot, "examples/cluster"), "-o", "json", "--fail-on", "none"]).stdout) as { findings: unknown[] };
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.filter((line) => /^::(error|warning|notice) file=examples\/cluster\/[^,]+,line=\d+,col=\d+,title=/.test(line))).toHaveLength(json.findings.length);
    expect(lines.at(-1)).toMatch(/^\d+ findings \(/);
    expect(r.code).toBe(1);
  });

  it("palisade rules takes the same patterns", () => {
    const list = palisade(["rules", "rbac/*", "-o", "json"]);
    const ids = (JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.every((id) => id.startsWith("rbac/"))).toBe(true);
    const typo = palisade(["rules", "pss/Privileged"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean "pss\/privileged"/);
  });

  it("--version and --help exit 0", () => {
    expect(palisade(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = palisade(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 clean, 1 findings/);
  });
});
