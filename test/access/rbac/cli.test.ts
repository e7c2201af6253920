import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../support/conformance.js";
import { palisade } from "../../support/cli-in-process.js";

const bin = join(repoRoot, "bin/palisade.js");
const example = join(repoRoot, "examples/access-rbac-cluster.yaml");

/** The real bin, as a user runs it (one smoke test: every spawn pays the whole CLI's start-up). */
function spawnPalisade(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, CI: "true", FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-rbac-"));
  writeFileSync(join(dir, "broken.yaml"), "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: [x\n");
});

describe("palisade rbac can-i", () => {
  it("answers yes with the binding and rule, exit 0 (through the real bin)", () => {
    if (!existsSync(join(repoRoot, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
    const r = spawnPalisade(["rbac", "can-i", "create", "pods", "--subresource", "exec", "-n", "payments", "--as", "alice", "-f", example, "--bootstrap"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^yes\n {2}granted by RoleBinding payments\/developers-edit \(.*access-rbac-cluster\.yaml:\d+:\d+\)/);
    expect(r.stdout).toContain("rule 2 of ClusterRole system:aggregate-to-edit (bootstrap policy)");
  });

  it("reads TYPE/NAME as kubectl auth can-i does (secrets/db is the Secret db), and warns when NAME looks like a subresource", async () => {
    const byName = await palisade(["rbac", "can-i", "get", "secrets/db", "-n", "payments", "--as", "alice", "-f", example, "--bootstrap", "-o", "json"]);
    const separate = await palisade(["rbac", "can-i", "get", "secrets", "db", "-n", "payments", "--as", "alice", "-f", example, "--bootstrap", "-o", "json"]);
    expect(byName.code).toBe(separate.code);
    expect(JSON.parse(byName.stdout)).toEqual(JSON.parse(separate.stdout));
    expect(JSON.parse(byName.stdout)).toMatchObject({ request: { resource: "secrets", subresource: "", name: "db" } });
    const asName = await palisade(["rbac", "can-i", "create", "pods/exec", "-n", "payments", "--as", "alice", "-f", example, "--bootstrap"]);
    expect(asName.stderr).toContain("warning: pods/exec is the pods named exec, as kubectl auth can-i reads it; for the exec subresource give pods --subresource exec");
    const both = await palisade(["rbac", "can-i", "get", "secrets/db", "other", "-f", example]);
    expect(both.code).toBe(2);
  });

  it("answers no with exit 1, and -q prints nothing", async () => {
    const r = await palisade(["rbac", "can-i", "delete", "nodes", "--as", "alice", "-f", example, "--bootstrap"]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("no");
    const q = await palisade(["rbac", "can-i", "delete", "nodes", "--as", "alice", "-f", example, "--bootstrap", "-q"]);
    expect(q.code).toBe(1);
    expect(q.stdout).toBe("");
  });

  it("resolves short names and groups, and service-account users get their groups", async () => {
    const r = await palisade(["rbac", "can-i", "create", "deploy", "-n", "payments", "--as", "system:serviceaccount:payments:deployer", "-f", example, "-o", "json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.request).toMatchObject({ apiGroup: "apps", resource: "deployments", namespace: "payments" });
    expect(json.user.groups).toEqual(["system:serviceaccounts", "system:serviceaccounts:payments", "system:authenticated"]);
    expect(json.grant.binding).toMatchObject({ kind: "RoleBinding", name: "deployer", namespace: "payments" });
  });

  it("--list prints the rules with where they come from", async () => {
    const r = await palisade(["rbac", "can-i", "--list", "-n", "payments", "--as", "system:serviceaccount:payments:deployer", "-f", example]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deployments.apps");
    expect(r.stdout).toContain("RoleBinding payments/deployer");
  });

  it("non-resource URLs and system:masters", async () => {
    expect((await palisade(["rbac", "can-i", "get", "/healthz", "--as", "system:anonymous", "-f", example, "--bootstrap"])).code).toBe(0);
    expect((await palisade(["rbac", "can-i", "get", "/metrics", "--as", "system:anonymous", "-f", example, "--bootstrap"])).code).toBe(1);
    const root = await palisade(["rbac", "can-i", "*", "*", "--as", "root", "--as-group", "system:masters", "-f", example]);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain("system:masters");
  });

  it("refuses bad input with exit 2 and one line, no stack", async () => {
    const noInput = await palisade(["rbac", "can-i", "get", "pods", "--as", "alice"]);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain("no manifests given");
    const broken = await palisade(["rbac", "can-i", "get", "pods", "--as", "alice", "-f", join(dir, "broken.yaml")]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml:\d+:\d+/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    const both = await palisade(["rbac", "can-i", "get", "pods", "--as", "alice", "-n", "a", "-A", "-f", example]);
    expect(both.code).toBe(2);
  });
});

describe("palisade rbac who-can", () => {
  it("lists subjects with bindings, the superuser group first", async () => {
    const r = await palisade(["rbac", "who-can", "get", "nodes", "--subresource", "proxy", "-f", example]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^KIND\s+NAME\s+GRANTED BY/);
    expect(lines[1]).toMatch(/^Group\s+system:masters\s+\(superuser group\)/);
    expect(r.stdout).toMatch(/ServiceAccount\s+kube-system\/backup\s+ClusterRoleBinding backup-reader/);
  });
});

describe("palisade rbac risks", () => {
  it("reports findings at their positions and the escalation paths, exit 1 at --fail-on high", async () => {
    const r = await palisade(["rbac", "risks", example, "--bootstrap"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/83:3\s+critical rbac\/nodes-proxy/);
    expect(r.stdout).toContain("User alice  (3 steps)");
    expect((await palisade(["rbac", "risks", example, "--fail-on", "none"])).code).toBe(0);
  });

  it("-o json carries the graph and -o dot is Graphviz", async () => {
    const json = JSON.parse((await palisade(["rbac", "risks", example, "-o", "json"])).stdout);
    expect(json.escalation.paths["ServiceAccount:payments/deployer"].map((e: { kind: string }) => e.kind)).toEqual(["impersonate", "nodes-proxy"]);
    const dot = (await palisade(["rbac", "risks", example, "-o", "dot"])).stdout;
    expect(dot.startsWith("digraph escalation {")).toBe(true);
    expect(dot).toContain('"ServiceAccount:payments/deployer" -> "ServiceAccount:kube-system/backup" [label="impersonate"');
  });

  it("scan runs the rbac family too", async () => {
    const r = await palisade(["scan", example, "-o", "json", "--fail-on", "none"]);
    const ids = new Set(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId));
    expect(ids.has("rbac/nodes-proxy")).toBe(true);
    expect(ids.has("rbac/escalation-path")).toBe(true);
  });
});
