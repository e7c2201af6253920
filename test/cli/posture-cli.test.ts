/**
 * `palisade posture` as a user runs it: the table, -o wide, JSON valid against its
 * schema, -n, --fail-below and its exit codes, bad input, and no secret in any output.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import type { PostureReport } from "../../src/posture/types.js";
import { repoRoot } from "../support/conformance.js";

const bin = join(repoRoot, "bin/palisade.js");
const cluster = join(repoRoot, "examples/cluster");

function palisade(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function schemaValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The cluster findings are the scan report's: the posture schema refers to it by its $id.
  ajv.addSchema(JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8")));
  return ajv.compile(JSON.parse(readFileSync(join(repoRoot, "docs/posture-report.schema.json"), "utf8")));
}

describe("palisade posture", () => {
  it("prints the example cluster's workloads weakest first, with each pillar and the costliest reason", () => {
    const r = palisade(["posture", cluster]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^WORKLOAD\s+SCORE\s+GRADE\s+IDENTITY\s+WORKLOAD\s+NETWORK\s+DATA\s+WEAKEST BECAUSE$/);
    const scores = lines.slice(1).filter((l) => /^\S+\/\S+\/\S+\s+\d+/.test(l)).map((l) => Number(l.split(/\s+/)[1]));
    expect(scores.length).toBeGreaterThan(5);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(r.stdout).toMatch(/^analytics\/Deployment\/etl-worker\s+\d+\s+F\s.*pss\/privileged$/m);
    expect(r.stdout).toMatch(/^payments\/StatefulSet\/ledger-db\s.*posture\/secrets-plaintext-at-rest$/m);
    // The public storefront is published through a LoadBalancer with no policy narrowing who may connect: on its port, its node port and the pods' target port only.
    expect(palisade(["posture", cluster, "-o", "wide"]).stdout).toMatch(/^ +-15 network: posture\/published-to-every-address: published outside the cluster through Service web \(LoadBalancer\) on port 80\/TCP and an allocated node port, .*every address outside the cluster may connect to its pods on TCP 8080 \(.*10-storefront\.yaml:\d+:\d+\)$/m);
    expect(r.stdout).toMatch(/^\d+ workloads from .*examples\/cluster, mean score \d+: A \d+ · B \d+ · C \d+ · D \d+ · F \d+$/m);
  });

  it("orders tied Calico policies as --calico-version says, and notes when the release was assumed", () => {
    const pod = (app: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${app}, namespace: prod, labels: {app: ${app}}}\nspec: {containers: [{name: c, image: x}]}\n`;
    const policy = (kind: string, name: string, action: string, namespace = "") =>
      `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ""}}\nspec: {order: 100, selector: "app == 'web'", ingress: [{action: ${action}, source: {selector: "app == 'client'"}}]}\n`;
    const file = join(mkdtempSync(join(tmpdir(), "palisade-posture-calico-")), "tie.yaml");
    // Tied at order 100: Calico v3.29-v3.31 run the global deny first, v3.32+ the namespaced allow.
    writeFileSync(file, [pod("web"), pod("client"), policy("GlobalNetworkPolicy", "b-deny", "Deny"), policy("NetworkPolicy", "a-allow", "Allow", "prod")].join("---\n"));
    const reach = (...flags: string[]) => {
      const r = palisade(["posture", file, "-o", "json", ...flags]);
      expect(r.code).toBe(0);
      const web = (JSON.parse(r.stdout) as PostureReport).workloads.find((w) => w.ref.name === "web");
      return { facts: JSON.stringify(web), stderr: r.stderr };
    };
    expect(reach("--calico-version", "v3.30").facts).toContain("reachable from 0 of the other 1 workloads");
    const latest = reach("--calico-version", "v3.32");
    expect([latest.facts.includes("reachable from 1 of the other 1 workloads"), latest.stderr]).toEqual([true, ""]);
    expect(reach().stderr).toContain("give --calico-version for older clusters");
    expect(palisade(["posture", file, "--calico-version", "v2.6"]).code).toBe(2);
  });

  it("-o wide shows every deduction with its place, and the facts", () => {
    const r = palisade(["posture", cluster, "-o", "wide"]);
    expect(r.stdout).toMatch(/^ +-60 workload: pss\/privileged: .*\(.*examples\/cluster\/30-analytics\.yaml:\d+:\d+\)$/m);
    expect(r.stdout).toMatch(/^ +· reads Secrets ledger-db$/m);
  });

  it("-o json is valid against docs/posture-report.schema.json and agrees with the table", () => {
    const r = palisade(["posture", cluster, "-o", "json"]);
    const report = JSON.parse(r.stdout) as PostureReport;
    const validate = schemaValidator();
    validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(report.summary.workloads).toBe(report.workloads.length);
    for (const w of report.workloads) expect(w.score).toBe(Math.min(w.pillars.identity.score, w.pillars.workload.score, w.pillars.network.score, w.pillars.data.score));
    // The graph names every workload once.
    const nodes = report.graph.nodes.filter((n) => n.kind === "workload").map((n) => n.workload).sort();
    expect(nodes).toEqual(report.workloads.map((w) => `${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`).sort());
  });

  it("-n reports one namespace; --fail-below sets the exit code", () => {
    const payments = JSON.parse(palisade(["posture", cluster, "-n", "payments", "-o", "json"]).stdout) as PostureReport;
    expect(new Set(payments.workloads.map((w) => w.ref.namespace))).toEqual(new Set(["payments"]));
    const lowest = Math.min(...payments.workloads.map((w) => w.score));
    expect(palisade(["posture", cluster, "-n", "payments", "--fail-below", String(lowest)]).code).toBe(0);
    expect(palisade(["posture", cluster, "-n", "payments", "--fail-below", String(lowest + 1)]).code).toBe(1);
    // A namespace the input does not have would report nothing and pass any gate.
    const typo = palisade(["posture", cluster, "-n", "paymnets", "--fail-below", "90"]);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe("");
    expect(typo.stderr).toMatch(/^palisade: -n paymnets: the input has no namespace of that name\n {2}hint: did you mean "payments"\? namespaces in the input: .*payments/);
    const bad = palisade(["posture", cluster, "--fail-below", "high"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("palisade: --fail-below high: expected a score from 0 to 100\n");
  });

  it("-n scopes text, JSON and HTML alike: the namespace's workloads, and in the graph only the others that connect with them", () => {
    const r = palisade(["posture", cluster, "-n", "payments", "-o", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as PostureReport;
    const validate = schemaValidator();
    validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(report.namespace).toBe("payments");
    const names = report.workloads.map((w) => `${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`).sort();
    const byId = new Map(report.graph.nodes.map((n) => [n.id, n]));
    const reported = (id: string) => byId.get(id)?.kind === "workload" && byId.get(id)?.outOfScope === undefined;
    expect(report.graph.nodes.filter((n) => n.kind === "workload" && !n.outOfScope).map((n) => n.workload).sort()).toEqual(names);
    expect(names.every((name) => name.startsWith("payments/"))).toBe(true);
    // Every other node is another namespace's, marked, and drawn for a connection with payments; no connection leaves payments out.
    for (const n of report.graph.nodes.filter((node) => node.kind === "workload" && node.outOfScope)) {
      expect(n.workload?.startsWith("payments/")).toBe(false);
      expect(report.graph.edges.some((e) => (e.source === n.id && reported(e.target)) || (e.target === n.id && reported(e.source)))).toBe(true);
    }
    expect(report.graph.edges.every((e) => reported(e.source) || reported(e.target))).toBe(true);
    const whole = JSON.parse(palisade(["posture", cluster, "-o", "json"]).stdout) as PostureReport;
    expect(report.graph.edges.length).toBeLessThan(whole.graph.edges.length);
    // The text and the page say the same of the same workloads.
    expect(palisade(["posture", cluster, "-n", "payments"]).stdout).toMatch(new RegExp(`^${names.length} workloads in payments from .*examples/cluster, mean score ${report.summary.meanScore}: `, "m"));
    const html = palisade(["posture", cluster, "-n", "payments", "-o", "html"]).stdout;
    const embedded = html.slice(html.indexOf('<script type="application/json" id="posture-data">') + 50, html.indexOf("</script>"));
    expect({ ...(JSON.parse(embedded) as PostureReport), generatedAt: "" }).toEqual({ ...report, generatedAt: "" });
  });

  it("-A reports every namespace, as no flag does; -n default names objects that name no namespace; a namespace without workloads is an empty answer", () => {
    const strip = (text: string) => ({ ...(JSON.parse(text) as PostureReport), generatedAt: "" });
    expect(strip(palisade(["posture", cluster, "-A", "-o", "json"]).stdout)).toEqual(strip(palisade(["posture", cluster, "-o", "json"]).stdout));
    expect(palisade(["posture", cluster, "-A", "-n", "payments"]).stderr).toMatch(/^palisade: -n and -A both given/);
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-ns-"));
    writeFileSync(join(dir, "app.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: idle}\n");
    // The table names the pod default/Pod/p: -n default is that namespace, not a slip.
    const unnamed = palisade(["posture", dir, "-n", "default"]);
    expect(unnamed.stderr).toBe("");
    expect(unnamed.code).toBe(0);
    expect(unnamed.stdout).toMatch(/^default\/Pod\/p\s+\d+/m);
    const idle = palisade(["posture", dir, "-n", "idle", "-o", "json"]);
    expect(idle.code).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({ namespace: "idle", workloads: [], graph: { nodes: [], edges: [] }, summary: { workloads: 0 } });
    expect(palisade(["posture", dir, "-n", "idle"]).stdout).toMatch(/^No workloads in namespace idle\.$/m);
    expect(palisade(["posture", dir, "-n", "nowhere"]).code).toBe(2);
  });

  it("--baseline says what scores lower, higher, new or gone; --fail-on-drop exits 1 on a drop", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-baseline-"));
    const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
    const pod = (name: string, privileged: boolean) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: ${privileged}}}]\n---\n`;
    write("app.yaml", pod("steady", false) + pod("hardened", true) + pod("weakened", false) + pod("gone", false));
    const base = join(tmpdir(), `posture-base-${process.pid}.json`);
    writeFileSync(base, palisade(["posture", dir, "-o", "json"]).stdout);
    write("app.yaml", pod("steady", false) + pod("hardened", false) + pod("weakened", true) + pod("fresh", false));
    const r = palisade(["posture", dir, "--baseline", base]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^WORKLOAD\s+SCORE\s+CHANGE\s+GRADE\s/);
    expect(r.stdout).toMatch(/^shop\/Pod\/weakened\s+\d+\s+-\d+\s/m);
    expect(r.stdout).toMatch(/^shop\/Pod\/hardened\s+\d+\s+\+\d+\s/m);
    expect(r.stdout).toMatch(/^shop\/Pod\/fresh\s+\d+\s+new\s/m);
    expect(r.stdout).toMatch(/^shop\/Pod\/steady\s+\d+\s+[A-F]\s/m);
    expect(r.stdout).toContain("1 lower, 1 higher, 1 new, 1 gone");
    expect(r.stdout).toContain("Lower than before: shop/Pod/weakened");
    expect(r.stdout).toContain("Gone since: shop/Pod/gone");
    expect(palisade(["posture", dir, "--baseline", base, "--fail-on-drop"]).code).toBe(1);
    const json = JSON.parse(palisade(["posture", dir, "--baseline", base, "-o", "json"]).stdout) as PostureReport;
    const validate = schemaValidator();
    validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(json.baseline).toMatchObject({ lower: ["shop/Pod/weakened"], higher: ["shop/Pod/hardened"], added: ["shop/Pod/fresh"], removed: ["shop/Pod/gone"] });
    expect(json.workloads.find((w) => w.ref.name === "fresh")?.baselineScore).toBeUndefined();
    // Against itself nothing dropped.
    writeFileSync(base, palisade(["posture", dir, "-o", "json"]).stdout);
    expect(palisade(["posture", dir, "--baseline", base, "--fail-on-drop"]).code).toBe(0);
    // Not a posture report, not JSON, no file, no baseline: exit 2 with what to do.
    writeFileSync(base, palisade(["scan", dir, "-o", "json"]).stdout);
    const scanReport = palisade(["posture", dir, "--baseline", base]);
    expect(scanReport.code).toBe(2);
    expect(scanReport.stderr).toContain("not a posture report (schemaVersion \"palisade.dev/scan/v1\", expected palisade.dev/posture/v1)");
    expect(scanReport.stderr).toContain("that is a scan report");
    writeFileSync(base, "{ truncated");
    expect(palisade(["posture", dir, "--baseline", base]).stderr).toMatch(/^palisade: --baseline .*: not JSON \(/);
    expect(palisade(["posture", dir, "--baseline", join(dir, "nope.json")]).stderr).toMatch(/^palisade: --baseline .*nope\.json: no such file\n/);
    expect(palisade(["posture", dir, "--fail-on-drop"]).stderr).toMatch(/^palisade: --fail-on-drop needs --baseline FILE\n/);
  });

  it("-o html on a terminal says to send the page to a file instead of printing it", () => {
    // script(1) gives the CLI a terminal.
    const command = [process.execPath, bin, "posture", cluster, "-o", "html"].map((a) => `'${a}'`).join(" ");
    const r = spawnSync("script", ["-qec", `${command}; echo "exit=$?"`, "/dev/null"], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, CI: "", TERM: "xterm" } });
    expect(r.stdout).toContain("palisade: -o html writes a web page: send it to a file");
    expect(r.stdout).toContain("-o html > posture.html");
    expect(r.stdout).not.toContain("<html");
    expect(r.stdout).toMatch(/exit=2/);
  });

  it("palisade rules documents the facts posture adds", () => {
    const list = palisade(["rules", "posture/*"]).stdout;
    expect(list).toMatch(/^posture\/token-read-secrets {2}\[high, identity\] {2}Pods mount a token whose account can read Secrets$/m);
    expect(list).toMatch(/^posture\/published-to-every-address {2}\[medium, network\] /m);
    const one = palisade(["rules", "posture/secret-in-env"]).stdout;
    expect(one).toContain("Remediation: Mount the Secret as a file");
  });

  it("bad input: nothing given, a malformed file (reported with its place, the rest still judged)", () => {
    const none = palisade(["posture"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^palisade: nothing to judge\n/);
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-cli-"));
    writeFileSync(join(dir, "broken.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
    writeFileSync(join(dir, "ok.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: fine, namespace: a}\nspec:\n  containers: [{name: c, image: nginx}]\n");
    const r = palisade(["posture", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/^a\/Pod\/fine\s+\d+/m);
  });

  it("files with no object exit 2, as scan does; --fail-below of an empty or non-decimal value is refused, not read as 0", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-empty-"));
    const empty = palisade(["posture", dir, "--fail-below", "90"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/: no Kubernetes objects to scan \(0 files read\)\n {2}hint: check the paths/);
    expect(palisade(["scan", dir]).code).toBe(2);
    // An unset variable in --fail-below "$MIN" would otherwise make a gate that never fails.
    for (const bad of ["", " ", "0x10", "1e1", "-5", "101"]) {
      const r = palisade(["posture", cluster, "--fail-below", bad]);
      expect(r.code, `--fail-below ${JSON.stringify(bad)}`).toBe(2);
      expect(r.stderr).toMatch(/^palisade: --fail-below .*: expected a score from 0 to 100\n$/);
    }
    expect(palisade(["posture", cluster, "--fail-below", "100.0"]).code).toBe(1);
  });

  it("a workload defined twice, differently, exits 2 naming both places; the same file given twice does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-dup-"));
    const pod = (automount: boolean) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  serviceAccountName: admin\n  automountServiceAccountToken: ${automount}\n  containers: [{name: c, image: nginx}]\n---\n`;
    const admin = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: admin, namespace: a}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: admin, namespace: a}]\n---\n";
    writeFileSync(join(dir, "app.yaml"), admin + pod(false) + pod(true));
    const r = palisade(["posture", join(dir, "app.yaml"), "--fail-below", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/app\.yaml:\d+:\d+: a\/Pod\/p is defined 2 times, differently \(.*app\.yaml:\d+:\d+, .*app\.yaml:\d+:\d+\)/);
    expect(r.stdout).toMatch(/^a\/Pod\/p\s+\d+/m);
    writeFileSync(join(dir, "app.yaml"), admin + pod(true));
    const twice = palisade(["posture", dir, join(dir, "app.yaml")]);
    expect(twice.code).toBe(0);
    expect(twice.stderr).toBe("");
  });

  it("no Secret value, token or key reaches any output", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-secret-"));
    const value = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk"; // super-secret-password
    writeFileSync(
      join(dir, "app.yaml"),
      `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
data: {password: ${value}}
stringData: {token: plain-text-token-value}
---
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://10.0.0.1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: kubeconfig-bearer-token-value}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  containers:
    - name: c
      image: nginx
      env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}, {name: T, value: inline-env-token-value}]
`,
    );
    for (const format of ["text", "wide", "json", "html"]) {
      const out = palisade(["posture", dir, "-o", format]).stdout;
      expect(out.length).toBeGreaterThan(100);
      for (const secret of [value, "super-secret-password", "plain-text-token-value", "kubeconfig-bearer-token-value"]) expect(out, `${format} holds ${secret}`).not.toContain(secret);
    }
  });
});
