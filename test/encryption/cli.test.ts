import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmsPlugin } from "../../src/adapters/kms-server.js";
import { repoRoot } from "../support/conformance.js";
import { builtCli } from "../support/etcd.js";

/** The real `palisade` binary as a child process, stdin and stdout as raw bytes. */
function palisade(args: string[], stdin: Uint8Array = new Uint8Array(0)) {
  return new Promise<{ status: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli(), ...args], { cwd: repoRoot });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(Buffer.from(stdin));
  });
}

const dir = mkdtempSync(join(tmpdir(), "palisade-encryption-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Compiling the CLI (only when a source is newer than dist) can take a while on 2 shared cores.
beforeAll(() => void builtCli(), 240_000);

const HEADER = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n";
function configFile(name: string, providers: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${HEADER}resources:\n  - resources: [secrets]\n    providers:\n${providers}`);
  return file;
}

const gcmKey = randomBytes(32).toString("base64");
const boxKey = randomBytes(32).toString("base64");
const gcm = configFile("gcm.yaml", `      - aesgcm:\n          keys: [{name: k1, secret: "${gcmKey}"}]\n      - secretbox:\n          keys: [{name: b1, secret: "${boxKey}"}]\n      - identity: {}\n`);

// Each test spawns the real binary (about 0.5 s of CPU, seconds of wall time on a loaded
// machine): the tests are independent, so they run concurrently.
describe.concurrent("palisade encryption check", () => {
  it("reports the risky example with positions and exits 1, without printing its key", async () => {
    const run = await palisade(["encryption", "check", "examples/encryption-risky.yaml", "-o", "json"]);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout.toString()) as { findings: Array<{ ruleId: string; position: { line: number } }> };
    const ids = new Set(report.findings.map((f) => f.ruleId));
    for (const id of ["identity-first", "example-key", "aescbc", "kms-v1", "secrets-not-encrypted", "overlapping-rules"]) expect(ids).toContain(`encryption/${id}`);
    expect(report.findings.every((f) => f.position.line > 0)).toBe(true);
    expect(run.stdout.toString()).not.toContain("c2VjcmV0IGlzIHNlY3VyZQ");
  });

  it("the KMS v2 example, read from stdin with -, is clean at --fail-on low (exit 0)", async () => {
    const run = await palisade(["encryption", "check", "-", "-o", "json"], readFileSync(join(repoRoot, "examples/encryption-kms-v2.yaml")));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.toString()) as { findings: Array<{ severity: string; position: { file: string } }> };
    // Only the deliberate identity-only entry for events, as info.
    expect(report.findings.map((f) => [f.severity, f.position.file])).toEqual([["info", "<stdin>"]]);
  });



  it("an unreadable or non-YAML file exits 2 on one line", async () => {
    const missing = await palisade(["encryption", "check", join(dir, "nope.yaml")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^palisade: cannot read encryption config .*nope\.yaml: ENOENT\n {2}hint: /);
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "resources: [\n");
    const syntax = await palisade(["encryption", "check", broken]);
    expect(syntax.status).toBe(2);
    expect(syntax.stderr).toMatch(/broken\.yaml:\d+:\d+: invalid EncryptionConfiguration: invalid YAML/);
    expect(syntax.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.concurrent("palisade encryption encrypt | decrypt", () => {
  const allBytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
  const key = "/registry/secrets/default/db-password";

  it("round-trips binary data byte for byte, and says which provider read it", async () => {
    const enc = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", key], allBytes);
    expect(enc.status).toBe(0);
    expect(enc.stdout.subarray(0, 21).toString()).toBe("k8s:enc:aesgcm:v1:k1:");
    expect(enc.stdout.length).toBe(21 + 12 + 512 + 16);
    const dec = await palisade(["encryption", "decrypt", "--config", gcm, "--etcd-key", key, "-v"], enc.stdout);
    expect(dec.status).toBe(0);
    expect(dec.stdout.equals(Buffer.from(allBytes))).toBe(true);
    expect(dec.stderr).toBe("provider=aesgcm key=k1 stale=false\n");
  });


  it("a value moved to another etcd key is refused on one line, without plaintext or key", async () => {
    const enc = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", key], Buffer.from("top secret value"));
    const dec = await palisade(["encryption", "decrypt", "--config", gcm, "--etcd-key", "/registry/secrets/default/other"], enc.stdout);
    expect(dec.status).toBe(2);
    expect(dec.stdout.length).toBe(0);
    expect(dec.stderr).toMatch(/^palisade: .*AES-GCM authentication failed/);
    expect(dec.stderr).not.toContain("top secret");
    expect(dec.stderr).not.toContain(gcmKey);
    expect(dec.stderr).not.toMatch(/\n\s+at /);
  });

  it("a --resource kube-apiserver never looks up is a usage error, not a wildcard's providers", async () => {
    for (const [resource, message] of [
      ["Secrets", "palisade: --resource Secrets: not a resource name kube-apiserver uses\n  hint: resource names are lower case: --resource secrets\n"],
      ["", "palisade: --resource is empty\n"],
      ["*.apps", "palisade: --resource *.apps: a value belongs to one resource, not a wildcard\n"],
    ] as const) {
      const run = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", key, "--resource", resource], Buffer.from("x"));
      expect(run.status).toBe(2);
      expect(run.stdout.length).toBe(0);
      expect(run.stderr.startsWith(message)).toBe(true);
    }
  });

  it("a KMS v2 provider whose plugin is not running gives a clear error (exit 2)", async () => {
    const kms = configFile("kms.yaml", `      - kms: {apiVersion: v2, name: vault, endpoint: "unix://${join(dir, "absent.sock")}", timeout: 1s}\n`);
    const run = await palisade(["encryption", "encrypt", "--config", kms, "--etcd-key", key], Buffer.from("x"));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^palisade: KMS v2 (plugin|provider) "vault"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("an invalid --config exits 2 naming file:line:column", async () => {
    const bad = configFile("short.yaml", `      - aesgcm:\n          keys: [{name: k1, secret: "${randomBytes(10).toString("base64")}"}]\n`);
    const run = await palisade(["encryption", "decrypt", "--config", bad, "--etcd-key", key], Buffer.from("x"));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/short\.yaml:7:\d+: invalid EncryptionConfiguration: .*got 10, expected one of \[16 24 32\]/);
  });
});

describe("palisade encryption with a real KMS v2 plugin (palisade's gRPC plugin on a unix socket)", () => {
  it("encrypts in one process and decrypts in another, byte for byte", async () => {
    const kekFile = join(dir, "keks.txt");
    writeFileSync(kekFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const endpoint = `unix://${join(dir, "kms.sock")}`;
    const plugin = await startKmsPlugin({ endpoint, kekFile, logger: pino({ level: "silent" }) });
    try {
      const config = configFile("kms-real.yaml", `      - kms: {apiVersion: v2, name: vault, endpoint: "${endpoint}"}\n      - identity: {}\n`);
      const key = "/registry/secrets/prod/api-token";
      const value = randomBytes(3000);
      const enc = await palisade(["encryption", "encrypt", "--config", config, "--etcd-key", key], value);
      expect(enc.stderr).toBe("");
      expect(enc.status).toBe(0);
      expect(enc.stdout.subarray(0, 21).toString()).toBe("k8s:enc:kms:v2:vault:");
      const dec = await palisade(["encryption", "decrypt", "--config", config, "--etcd-key", key, "-v"], enc.stdout);
      expect(dec.stderr).toBe("provider=kms/v2 name=vault stale=false\n");
      expect(dec.stdout.equals(value)).toBe(true);
    } finally {
      await plugin.close();
    }
  });
});
