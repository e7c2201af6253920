/**
 * Defects found using `palisade scan` as a user would: each test fails without its fix.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { colorFor } from "../../src/cli/common.js";
import type { Finding, ObjectRef } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { kubectlErrorText } from "../../src/k8s/kubectl-stderr.js";
import { isJsonText, parseJsonFile, parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { checkPodSecurity } from "../../src/podsecurity/family.js";
import { POD_SECURITY_RULES } from "../../src/podsecurity/rules.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderSarif, sarifUri } from "../../src/report/sarif.js";
import { renderGithubPieces } from "../../src/report/github.js";
import { findingSubjects } from "../../src/report/summary.js";
import { summaryLine } from "../../src/report/text.js";
import { runScan, type ScanResult } from "../../src/scan/run.js";
import { palisade } from "../support/cli-in-process.js";

function podSecurityFindings(text: string, level?: "baseline" | "restricted"): Finding[] {
  const parsed = parseYamlFile("m.yaml", text);
  return checkPodSecurity({ ...emptySnapshot(), objects: parsed.objects }, level ? { podSecurity: { level } } : {});
}

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n${spec}`;

describe("Pod Security severities at restricted", () => {
  const severityOf = (findings: Finding[], ruleId: string) => findings.find((f) => f.ruleId === ruleId)?.severity;

  it("reports a hostPath volume as severely in a restricted namespace as in a baseline one", () => {
    const text = pod("  containers:\n  - name: c\n    image: x\n  volumes:\n  - name: h\n    hostPath:\n      path: /etc\n");
    expect(severityOf(podSecurityFindings(text, "baseline"), "pss/hostPathVolumes")).toBe("high");
    // At restricted, restrictedVolumes replaces hostPathVolumes: it was reported medium, so --fail-on high passed it.
    expect(severityOf(podSecurityFindings(text, "restricted"), "pss/restrictedVolumes")).toBe("high");
    // A volume type that is only restricted (not a baseline violation) keeps the rule's own severity.
    const nfs = pod("  containers:\n  - name: c\n    image: x\n  volumes:\n  - name: n\n    nfs: {server: s, path: /}\n");
    expect(severityOf(podSecurityFindings(nfs, "restricted"), "pss/restrictedVolumes")).toBe("medium");
  });

  it("reports an added SYS_ADMIN and an Unconfined seccomp profile at their baseline severities", () => {
    const text = pod("  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      capabilities: {add: [SYS_ADMIN]}\n");
    const restricted = podSecurityFindings(text, "restricted");
    expect(severityOf(restricted, "pss/capabilities_restricted")).toBe("high");
    expect(severityOf(restricted, "pss/seccompProfile_restricted")).toBe("medium");
    // Only missing drop: ALL and a missing profile: the restricted rules' own (low) severity.
    const bare = podSecurityFindings(pod("  containers:\n  - name: c\n    image: x\n"), "restricted");
    expect(severityOf(bare, "pss/capabilities_restricted")).toBe("low");
    expect(severityOf(bare, "pss/seccompProfile_restricted")).toBe("low");
  });
});

describe("invalid pod-security namespace labels", () => {
  const ns = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n${labels}`;

  it("are reported at the label, as PSA refuses to create such a Namespace", () => {
    const findings = podSecurityFindings(ns('    pod-security.kubernetes.io/enforce: Restricted\n    pod-security.kubernetes.io/warn: baseline\n    pod-security.kubernetes.io/warn-version: "1.25"\n'));
    const labels = findings.filter((f) => f.ruleId === "pss/namespace-labels");
    expect(labels.map((f) => [f.position?.line, f.position?.column, f.severity])).toEqual([
      [6, 5, "high"],
      [8, 5, "high"],
    ]);
    expect(labels[0]?.message).toBe(
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Restricted": must be one of privileged, baseline, restricted (PSA refuses to create this Namespace; on an existing one it reads enforce as restricted)',
    );
    expect(labels[1]?.message).toMatch(/Invalid value: "1\.25": must be "latest" or "v1\.x"/);
    expect(POD_SECURITY_RULES.map((r) => r.id)).toContain("pss/namespace-labels");
  });

  it("are not reported when valid", () => {
    expect(podSecurityFindings(ns("    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.30\n    pod-security.kubernetes.io/audit-version: latest\n"))).toEqual([]);
  });
});

describe("loading", () => {
  const PRIVILEGED_JSON = (name: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}`;

  it("holds standard input to --max-file-size, as it holds files", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: `${PRIVILEGED_JSON("a")}\n`, maxFileBytes: 64 });
    expect(snapshot.objects).toEqual([]);
    expect(snapshot.problems.map((p) => [p.kind, p.message])).toEqual([["too-large", "skipped: standard input is over the 64-byte limit"]]);
  });

  it("drops a UTF-8 byte-order mark on standard input, so JSON is read as JSON with its positions", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: `\uFEFF${PRIVILEGED_JSON("bom")}` });
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.objects[0]?.source.locate(["spec", "containers", 0, "securityContext", "privileged"])).toMatchObject({ line: 1, column: 124 });
  });

  it("skips binary standard input as binary, not as invalid YAML", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: "apiVersion: v1\u0000kind: Pod\n" });
    expect(snapshot.problems.map((p) => p.kind)).toEqual(["binary"]);
  });

  it("reads a stream of JSON objects (jq -c '.items[]') as documents, as kubectl does, with their positions", async () => {
    const text = `${PRIVILEGED_JSON("a")}\n  ${PRIVILEGED_JSON("b")}\n{"broken": }\n`;
    expect(isJsonText(`${PRIVILEGED_JSON("a")}\n${PRIVILEGED_JSON("b")}\n`)).toBe(true);
    const parsed = parseJsonFile("s.json", text);
    expect(parsed.documents).toBe(3);
    expect(parsed.objects.map((o) => o.object.metadata?.name)).toEqual(["a", "b"]);
    expect(parsed.objects[1]?.source.locate(["spec", "containers", 0, "securityContext", "privileged"])).toMatchObject({ file: "s.json", line: 2, column: 124 });
    expect(parsed.problems.map((p) => [p.position.line, p.position.column])).toEqual([[3, 12]]);
    // From standard input too (no .json name).
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: `${PRIVILEGED_JSON("a")}\n${PRIVILEGED_JSON("b")}\n` });
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.objects.map((o) => o.object.metadata?.name)).toEqual(["a", "b"]);
  });

  it("flattens a list inside a List instead of dropping its items", () => {
    const text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PodList\n  items:\n  - metadata: {name: inner}\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: x}]\n";
    const parsed = parseYamlFile("l.yaml", text);
    expect(parsed.objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`)).toEqual(["Pod/inner"]);
    expect(parsed.objects[0]?.source.locate(["spec", "hostNetwork"])).toMatchObject({ line: 9, column: 7 });
  });

  it("names a missing -k directory itself, and strips kubectl's log header from its errors", async () => {
    await expect(loadSnapshot({ paths: [], kustomizeDirs: [join(tmpdir(), "palisade-no-such-kustomization")] })).rejects.toThrow(/no such directory/);
    expect(kubectlErrorText(`E1130 16:10:58.128929   15305 run.go:72] "command failed" err="must build at directory: not a valid directory: \\"x\\""`)).toBe('must build at directory: not a valid directory: "x"');
    expect(kubectlErrorText("error: something else")).toBe("error: something else");
  });
});

describe("reports", () => {
  const ref = (name: string): ObjectRef => ({ kind: "Pod", name, namespace: "default" });
  const finding = (object: ObjectRef, file: string): Finding => ({ ruleId: "pss/privileged", severity: "critical", pillar: "workload", message: "m", object, position: { file, line: 1, column: 1 } });
  const result = (findings: Finding[], scanned: ScanResult["scanned"]): ScanResult => ({
    findings,
    problems: [],
    rules: [],
    scanned,
    stats: { files: 2, documents: scanned.length, objects: scanned.length, skippedNonKubernetes: 0, skippedFiles: 1 },
  });

  it("counts same-named objects of different files as different objects", () => {
    const scanned = [
      { object: ref("p"), file: "base/pod.yaml" },
      { object: ref("p"), file: "prod/pod.yaml" },
    ];
    const both = result([finding(ref("p"), "base/pod.yaml"), finding(ref("p"), "prod/pod.yaml")], scanned);
    expect(findingSubjects(both).objects).toBe(2);
    expect(summaryLine(both)).toBe("2 findings (2 critical) in 2 of 2 objects, across 2 files.\n1 other file skipped.");
    // A finding that points into another file (a policy's) is about an object already counted.
    expect(findingSubjects(result([finding(ref("p"), "base/pod.yaml"), finding(ref("p"), "netpol.yaml")], scanned)).objects).toBe(1);
  });

  it("counts a binary file once, as skipped, not also as an input problem (it does not make the exit code 2)", () => {
    const scanned = [{ object: ref("p"), file: "pod.yaml" }];
    const binary = { kind: "binary" as const, message: "skipped: binary file", position: { file: "logo.yaml", line: 1, column: 1 } };
    const broken = { kind: "parse-error" as const, message: "invalid YAML", position: { file: "bad.yaml", line: 3, column: 1 } };
    expect(summaryLine({ ...result([], scanned), problems: [binary] })).toBe("No findings in 1 object across 2 files.\n1 binary file skipped (see above).");
    expect(summaryLine({ ...result([], scanned), problems: [binary, broken] })).toBe("No findings in 1 object across 2 files.\n1 input problem (see above); 1 binary file skipped (see above).");
  });

  it("names what the scan read: files, rendered kustomizations (not counted as files), a live cluster", () => {
    const scanned = [{ object: ref("p"), file: "pod.yaml" }];
    const read = (stats: Partial<ScanResult["stats"]>) => summaryLine({ ...result([], scanned), stats: { ...result([], scanned).stats, skippedFiles: 0, ...stats } }).split("\n")[0];
    expect(read({ files: 0, kustomizations: 1 })).toBe("No findings in 1 object across 1 kustomization.");
    expect(read({ files: 2, kustomizations: 2 })).toBe("No findings in 1 object across 2 files and 2 kustomizations.");
    expect(read({ files: 0, cluster: "<cluster kind>" })).toBe("No findings in 1 object read from <cluster kind>.");
    expect(read({ files: 1, kustomizations: 1, cluster: "<cluster kind>" })).toBe("No findings in 1 object across 1 file, 1 kustomization and <cluster kind>.");
    expect(read({ files: 0 })).toBe("No findings in 1 object across 0 files.");
  });

  it("percent-encodes SARIF artifact URIs (spaces, #, %, non-ASCII, a first segment with a colon)", () => {
    expect(sarifUri("my dir/#1 100%/ü.yaml")).toBe("my%20dir/%231%20100%25/%C3%BC.yaml");
    expect(sarifUri("kustomize:overlays/prod")).toBe("kustomize%3Aoverlays/prod");
    expect(sarifUri(join(process.cwd(), "a b.yaml"))).toBe("a%20b.yaml");
    const sarif = JSON.parse(renderSarif({ ...result([finding(ref("p"), "a b.yaml")], []), problems: [{ kind: "parse-error", message: "bad", position: { file: "c d.yaml", line: 2, column: 3 } }] })) as {
      runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: unknown } }> }>; invocations: Array<{ toolExecutionNotifications: Array<{ locations: Array<{ physicalLocation: { artifactLocation: unknown } }> }> }> }>;
    };
    expect(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: "a%20b.yaml", uriBaseId: "%SRCROOT%" });
    expect(sarif.runs[0]?.invocations[0]?.toolExecutionNotifications[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: "c%20d.yaml", uriBaseId: "%SRCROOT%" });
    // GitHub annotations take the path as written, not a URI.
    expect([...renderGithubPieces(result([finding(ref("p"), "a b.yaml")], []))].join("")).toContain("file=a b.yaml,");
  });
});

describe("JUnit", () => {
  it("puts a file's input problems in that file's suite: one suite per file name", () => {
    const parsed = parseYamlFile("m.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n---\nbroken: [\n---\nalso: {broken\n");
    const scan = runScan({ ...emptySnapshot(), objects: parsed.objects, problems: parsed.problems });
    const xml = renderJunit(scan);
    expect(xml.match(/<testsuite name="m\.yaml"/g)).toHaveLength(1);
    const errors = parsed.problems.length;
    expect(errors).toBe(2);
    expect(xml).toMatch(new RegExp(`<testsuite name="m\\.yaml" tests="${scan.findings.length + errors}" failures="${scan.findings.length}" errors="${errors}"`));
  });
});

describe("colour", () => {
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR, CI: process.env.CI, TERM: process.env.TERM };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it("honours NO_COLOR on a terminal, FORCE_COLOR in a pipe, and --no-color over both", () => {
    delete process.env.CI;
    delete process.env.FORCE_COLOR;
    process.env.TERM = "xterm";
    process.env.NO_COLOR = "1";
    expect(colorFor(tty, undefined)).toBe(false);
    delete process.env.NO_COLOR;
    expect(colorFor(tty, undefined)).toBe(true);
    expect(colorFor(pipe, undefined)).toBe(false);
    process.env.FORCE_COLOR = "1";
    expect(colorFor(pipe, undefined)).toBe(true);
    expect(colorFor(pipe, false)).toBe(false);
    process.env.FORCE_COLOR = "0";
    expect(colorFor(tty, undefined)).toBe(false);
  });
});

describe("the scan command", () => {
  it("refuses an empty --pss-version instead of ignoring it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-qa-"));
    const file = join(dir, "pod.yaml");
    writeFileSync(file, pod("  containers:\n  - name: c\n    image: x\n"));
    const run = await palisade(["scan", file, "--pss-version", "", "--rules", "pss/*"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--pss-version : expected latest or v1\.N/);
  });

  it("runs the namespace-label rule in a whole scan", () => {
    const parsed = parseYamlFile("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels:\n    pod-security.kubernetes.io/enforce: bogus\n");
    const scan = runScan({ ...emptySnapshot(), objects: parsed.objects });
    expect(scan.findings.filter((f) => f.ruleId === "pss/namespace-labels")).toHaveLength(1);
  });
});
