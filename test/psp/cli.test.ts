import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerPspCommand } from "../../src/cli/psp.js";
import { repoRoot } from "../support/conformance.js";
import { runCli } from "../fix/run-cli.js";

const restricted = `${repoRoot}/examples/psp-restricted.yaml`;
const privileged = `${repoRoot}/examples/psp-privileged.yaml`;

function manifests(): string {
  const dir = mkdtempSync(join(tmpdir(), "palisade-psp-"));
  writeFileSync(join(dir, "web.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n");
  writeFileSync(join(dir, "agent.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n  hostPID: true\n  containers:\n  - name: a\n    image: x\n");
  return dir;
}

describe("palisade psp (CLI)", () => {
  it("check: findings with positions, exit 1; every pod admitted with the privileged policy too, exit 0", async () => {
    const dir = manifests();
    const r = await runCli(registerPspCommand, ["psp", "check", "--policy", restricted, dir, "-o", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const findings = report.findings as Array<{ ruleId: string; message: string; position: { line: number } }>;
    expect(findings.find((f) => f.ruleId === "psp/not-admitted")?.message).toContain("Host PID is not allowed to be used");
    expect(findings.find((f) => f.ruleId === "psp/not-admitted")?.position.line).toBe(6);
    const both = await runCli(registerPspCommand, ["psp", "check", "--policy", restricted, "--policy", privileged, dir]);
    expect(both.code).toBe(0);
  });

  it("check: an invalid policy is an input error (exit 2), reported at its line", async () => {
    const dir = manifests();
    const bad = join(dir, "bad-psp.yaml");
    writeFileSync(bad, "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: bad\nspec:\n  runAsUser: {rule: Nobody}\n  seLinux: {rule: RunAsAny}\n  fsGroup: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n");
    const r = await runCli(registerPspCommand, ["psp", "check", "--policy", bad, join(dir, "web.yaml"), "-o", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("spec.runAsUser.rule: Unsupported value");
    const none = await runCli(registerPspCommand, ["psp", "check", join(dir, "web.yaml")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no policies given");
  });

  it("mutate: defaulted manifests on stdout, refusals on stderr", async () => {
    const dir = manifests();
    const r = await runCli(registerPspCommand, ["psp", "mutate", "--policy", restricted, join(dir, "web.yaml"), join(dir, "agent.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("# Source: ");
    expect(r.stdout).toContain("allowPrivilegeEscalation: false");
    expect(r.stderr).toMatch(/Deployment\/web: admitted by restricted \(defaulted\)/);
    expect(r.stderr).toMatch(/Pod\/agent: PodSecurityPolicy: unable to admit pod/);
  });

  it("migrate: level, labels and differences as JSON", async () => {
    const r = await runCli(registerPspCommand, ["psp", "migrate", restricted, privileged, "-o", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Array<{ policy: string; level: string; version: string; labels: Record<string, string> }>;
    expect(out.map((m) => [m.policy, m.level, m.version])).toEqual([["restricted", "privileged", "latest"], ["privileged", "privileged", "latest"]]);
    expect(out[0]?.labels["pod-security.kubernetes.io/warn"]).toBe("baseline");
    const text = await runCli(registerPspCommand, ["psp", "migrate", restricted]);
    expect(text.stdout).toContain("seLinuxOptions: any SELinux options (seLinux: RunAsAny)");
  });

  it("says why a file did not load (YAML error at file:line:column) instead of exiting 2 without a reason or blaming a missing policy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-psp-bad-"));
    const tabbed = join(dir, "tabbed.yaml");
    writeFileSync(tabbed, "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n\tname: x\n");
    const beside = await runCli(registerPspCommand, ["psp", "migrate", restricted, tabbed]);
    expect(beside.code).toBe(2);
    expect(beside.stderr).toContain(`${tabbed}:4:1: invalid YAML: tab characters must not be used in indentation`);
    const alone = await runCli(registerPspCommand, ["psp", "migrate", tabbed]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(`${tabbed}:4:1: invalid YAML`);
    const asPolicy = await runCli(registerPspCommand, ["psp", "check", "--policy", tabbed, join(manifests(), "web.yaml")]);
    expect(asPolicy.code).toBe(2);
    expect(asPolicy.stderr).toContain(`${tabbed}:4:1: invalid YAML`);
  });

  it("check --rbac: only policies the pod's service account may use count", async () => {
    const dir = manifests();
    writeFileSync(join(dir, "rbac.yaml"), `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-privileged}
rules:
- {apiGroups: [policy], resources: [podsecuritypolicies], resourceNames: [privileged], verbs: [use]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: agent-privileged, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-privileged}
subjects:
- {kind: ServiceAccount, name: agent, namespace: ops}
`);
    writeFileSync(join(dir, "agent.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: ops\nspec:\n  serviceAccountName: agent\n  hostPID: true\n  containers:\n  - name: a\n    image: x\n");
    const withRbac = await runCli(registerPspCommand, ["psp", "check", "--rbac", "--policy", restricted, "--policy", privileged, join(dir, "agent.yaml"), join(dir, "rbac.yaml"), "-o", "json"]);
    expect(withRbac.code).toBe(0);
    const other = join(dir, "other.yaml");
    writeFileSync(other, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n  namespace: ops\nspec:\n  hostPID: true\n  containers:\n  - name: a\n    image: x\n");
    const denied = await runCli(registerPspCommand, ["psp", "check", "--rbac", "--policy", restricted, "--policy", privileged, other, join(dir, "rbac.yaml"), "-o", "json"]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain("not usable by user or serviceaccount");
  });
});
