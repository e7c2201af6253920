import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";

function palisade(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/palisade.js"), ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const WORKLOAD = `apiVersion: v1
kind: Namespace
metadata:
  name: billing
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy-billing, namespace: billing}
spec:
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      hostNetwork: true
      containers: [{name: app, image: registry.example.com/legacy@sha256:0000000000000000000000000000000000000000000000000000000000000000}]
`;

const exceptionsFile = (expires: string, extra = "") => `apiVersion: palisade.dev/v1alpha1
kind: PolicyExceptionList
exceptions:
  - id: legacy-host-network
    policy: pod-security
    rule: hostNamespaces
    namespace: billing
    workload: {kind: Deployment, name: legacy-billing}
    owner: team-billing@example.com
    reason: vendor agent needs the host network
    expires: ${expires}
${extra}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-scan-admission-"));
  writeFileSync(join(dir, "workload.yaml"), WORKLOAD);
});

const pssIds = (stdout: string) =>
  (JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId).filter((id) => id.startsWith("pss/"));

describe("palisade scan with the webhook's exceptions and mutations", () => {
  it("leaves out findings a live exception covers, and reports unused ones", () => {
    const file = join(dir, "exceptions.yaml");
    writeFileSync(
      file,
      exceptionsFile("2999-01-01", `  - id: stale\n    policy: pod-security\n    rule: privileged\n    namespace: nowhere\n    owner: ops@example.com\n    reason: forgotten\n    expires: 2999-01-01\n`),
    );
    expect(pssIds(palisade(["scan", join(dir, "workload.yaml"), "-o", "json"]).stdout)).toContain("pss/hostNamespaces");
    const r = palisade(["scan", join(dir, "workload.yaml"), "-o", "json", "--exceptions", file]);
    expect(pssIds(r.stdout)).not.toContain("pss/hostNamespaces");
    // At the line where the exception is written.
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:12:5: exception stale .* matched no finding`));
    expect(r.stderr).toMatch(/1 finding\(s\) excepted/);
    // The report keeps what was excepted, and by whom: an audit tells it from a fix.
    const report = JSON.parse(r.stdout) as { summary: { exceptions: unknown }; excepted: { finding: { ruleId: string }; exception: { id: string; owner: string } }[] };
    expect(report.summary.exceptions).toEqual({ file, excepted: 1 });
    expect(report.excepted.map((e) => `${e.finding.ruleId} ${e.exception.id} ${e.exception.owner}`)).toEqual(["pss/hostNamespaces legacy-host-network team-billing@example.com"]);
  });

  it("names an exception whose rule no rule is, at its line, even when --rules leaves that rule out", () => {
    const file = join(dir, "exceptions-typo.yaml");
    writeFileSync(file, exceptionsFile("2999-01-01", `  - id: typo\n    policy: pod-security\n    rule: privilegd\n    namespace: a\n    owner: ops@example.com\n    reason: misspelt\n    expires: 2999-01-01\n`));
    for (const narrowed of [[], ["--rules", "pss/*"], ["--rules", "quota/*"]]) {
      const r = palisade(["scan", join(dir, "workload.yaml"), "-o", "json", "--exceptions", file, ...narrowed]);
      expect(r.stderr).toContain(`palisade: ${file}:14:11: exception typo (owner ops@example.com) names rule "privilegd", which no rule is (did you mean "privileged"?): it excepts nothing`);
      // Said once, as what it is, not also as unused.
      expect(r.stderr).not.toMatch(/exception typo .* matched no finding/);
    }
  });

  it("an exception for a rule the scan left out (--rules, --skip-rules) is not reported as unused", () => {
    const file = join(dir, "exceptions-selected.yaml");
    writeFileSync(file, exceptionsFile("2999-01-01"));
    const skipped = palisade(["scan", join(dir, "workload.yaml"), "-o", "json", "--exceptions", file, "--skip-rules", "pss/hostNamespaces"]);
    expect(skipped.stderr).not.toMatch(/matched no finding/);
    const other = palisade(["scan", join(dir, "workload.yaml"), "-o", "json", "--exceptions", file, "--rules", "quota/*"]);
    expect(other.stderr).not.toMatch(/matched no finding/);
    // Selected, and still covering nothing: stale, and said so.
    writeFileSync(join(dir, "namespace-only.yaml"), WORKLOAD.split("---\n")[0]!);
    const selected = palisade(["scan", join(dir, "namespace-only.yaml"), "-o", "json", "--exceptions", file, "--rules", "pss/*"]);
    expect(selected.stderr).toMatch(/exception legacy-host-network .* matched no finding/);
  });

  it("an expired exception no longer applies, and says so", () => {
    const file = join(dir, "expired.yaml");
    writeFileSync(file, exceptionsFile("2020-01-01"));
    const r = palisade(["scan", join(dir, "workload.yaml"), "-o", "json", "--exceptions", file]);
    expect(pssIds(r.stdout)).toContain("pss/hostNamespaces");
    expect(r.stderr).toMatch(/exception legacy-host-network .* expired on 2020-01-01/);
  });

  it("a malformed exceptions file is a usage error at file:line:column", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, exceptionsFile("2999-01-01").replace("    owner: team-billing@example.com\n", ""));
    const r = palisade(["scan", join(dir, "workload.yaml"), "--exceptions", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: /);
  });

  it("applies the webhook's mutations before judging (PodSecurityPolicy defaults fix what admission would fix)", () => {
    copyFileSync(join(repoRoot, "examples/psp-restricted.yaml"), join(dir, "psp.yaml"));
    writeFileSync(
      join(dir, "palisade.yaml"),
      "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\npolicies:\n  podSecurityPolicy:\n    mode: enforce\n    policiesFile: psp.yaml\n",
    );
    // PodSecurityPolicy mutates Pods (not workload templates), as its admission plugin did.
    const pod = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: billing\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n---\n" +
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: billing}\nspec:\n  containers: [{name: app, image: registry.example.com/app@sha256:" + "0".repeat(64) + "}]\n";
    writeFileSync(join(dir, "plain.yaml"), pod);
    const before = pssIds(palisade(["scan", join(dir, "plain.yaml"), "-o", "json"]).stdout);
    const after = pssIds(palisade(["scan", join(dir, "plain.yaml"), "-o", "json", "--admission-config", join(dir, "palisade.yaml")]).stdout);
    expect(before.length).toBeGreaterThan(after.length);
    expect(before).toContain("pss/allowPrivilegeEscalation");
    expect(after).not.toContain("pss/allowPrivilegeEscalation");
  });

  it("judges Pod Security with the webhook's PSA defaults and exemptions", () => {
    writeFileSync(join(dir, "psa.yaml"), "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {enforce: baseline}\nexemptions: {namespaces: [kube-system]}\n");
    writeFileSync(join(dir, "palisade.yaml"), "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\npolicies:\n  podSecurity:\n    mode: enforce\n    configurationFile: psa.yaml\n");
    const pod = (ns: string) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: ${ns}}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: x}]\n`;
    writeFileSync(join(dir, "agents.yaml"), pod("kube-system") + pod("apps"));
    const judged = (args: string[]) => {
      const findings = (JSON.parse(palisade(["scan", join(dir, "agents.yaml"), "-o", "json", "--rules", "pss/*", "--fail-on", "none", ...args]).stdout) as { findings: Array<{ ruleId: string; object: { namespace: string }; properties: { podSecurity: string; levelSource: string } }> }).findings;
      return [...new Set(findings.map((f) => `${f.object.namespace} ${f.properties.podSecurity} ${f.properties.levelSource}`))].sort();
    };
    // Without the webhook's configuration: both judged at the scan's default level.
    expect(judged([])).toEqual(["apps restricted:latest default", "kube-system restricted:latest default"]);
    // With it: kube-system is exempt, apps is judged at the webhook's default (baseline; hostNetwork fails it).
    expect(judged(["--admission-config", join(dir, "palisade.yaml")])).toEqual(["apps baseline:latest cluster-default"]);
  });

  it("judges images with the webhook's images policy, and the webhook's exceptions cover image findings too", () => {
    writeFileSync(
      join(dir, "images.yaml"),
      "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\npolicies:\n  images:\n    mode: enforce\n    allowedRegistries: [registry.example.com]\n    requireDigest: true\n",
    );
    const workload = "apiVersion: v1\nkind: Pod\nmetadata: {name: tools, namespace: ops}\nspec:\n  containers:\n  - {name: shell, image: busybox}\n  - {name: api, image: 'registry.example.com/api:1.2'}\n";
    writeFileSync(join(dir, "tools.yaml"), workload);
    type Report = { findings: Array<{ ruleId: string; note?: string; properties: { container: string } }> };
    const images = (args: string[]) =>
      (JSON.parse(palisade(["scan", join(dir, "tools.yaml"), "-o", "json", "--rules", "images/*", "--fail-on", "none", ...args]).stdout) as Report).findings.map((f) => `${f.properties.container} ${f.ruleId}${f.note ? " (rejected)" : ""}`);
    // Without the webhook's configuration: the scan's own judgement, which rejects nothing.
    expect(images([])).toEqual(["shell images/latest", "api images/not-pinned"]);
    const config = ["--admission-config", join(dir, "images.yaml")];
    // In report order: by line, then rule id.
    expect(images(config)).toEqual(["shell images/digest (rejected)", "shell images/latest (rejected)", "shell images/registry (rejected)", "api images/digest (rejected)"]);
    // An exception written for the webhook's images policy and rule covers the scan's finding.
    writeFileSync(
      join(dir, "image-exceptions.yaml"),
      "apiVersion: palisade.dev/v1alpha1\nkind: PolicyExceptionList\nexceptions:\n  - id: debug-shell\n    policy: images\n    rule: latest\n    namespace: ops\n    container: shell\n    owner: ops@example.com\n    reason: a debugging shell\n    expires: 2999-01-01\n",
    );
    expect(images([...config, "--exceptions", join(dir, "image-exceptions.yaml")])).toEqual(["shell images/digest (rejected)", "shell images/registry (rejected)", "api images/digest (rejected)"]);
  });
});
