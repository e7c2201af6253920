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

  it("an empty stdin to decrypt says so (exit 2) rather than blaming the config's providers", async () => {
    const dec = await palisade(["encryption", "decrypt", "--config", gcm, "--etcd-key", key]);
    expect(dec.status).toBe(2);
    expect(dec.stdout.length).toBe(0);
    expect(dec.stderr).toBe("palisade: standard input was empty: no etcd value to decrypt\n  hint: check the command that feeds it: etcdctl get prints nothing for a key that does not exist\n");
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

  it("a --resource name kube-apiserver never stores is a usage error with a did-you-mean, and writes nothing", async () => {
    const hint = "  hint: a resource's plural name in lower case, with its group unless it is core: secrets, configmaps, deployments.apps; a custom resource with its group, e.g. widgets.example.com\n";
    for (const [resource, etcdKey, message] of [
      ["secret", key, "palisade: --resource secret: not a resource kube-apiserver stores (did you mean secrets?)\n"],
      ["secrets.v1", key, "palisade: --resource secrets.v1: not a resource kube-apiserver stores (did you mean secrets?)\n"],
      ["deployment.apps", "/registry/deployments/default/web", "palisade: --resource deployment.apps: not a resource kube-apiserver stores (did you mean deployments.apps?)\n"],
      ["deploy", "/elsewhere/x", "palisade: --resource deploy: not a resource kube-apiserver stores (did you mean deployments.apps?)\n"],
      ["zzqq", "/elsewhere/x", "palisade: --resource zzqq: not a resource kube-apiserver stores\n"],
    ] as const) {
      const run = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", etcdKey, "--resource", resource], Buffer.from("top secret value"));
      expect([run.status, run.stdout.length, run.stderr]).toEqual([2, 0, message + hint]);
    }
  });

  it("a custom resource stays allowed, and a value written in plaintext says why on stderr", async () => {
    const value = Buffer.from("custom value");
    const run = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", "/registry/example.com/widgets/default/w", "--resource", "widgets.example.com"], value);
    expect(run.status).toBe(0);
    expect(run.stdout.equals(value)).toBe(true);
    expect(run.stderr).toBe(`warning: the value is stored unencrypted (plaintext): no rule of ${gcm} names widgets.example.com (nor a wildcard that covers it), so identity applies\n`);
    // The same custom resource without --resource: the key names it.
    const derived = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", "/registry/example.com/widgets/default/w"], value);
    expect([derived.status, derived.stderr]).toEqual([0, run.stderr]);
  });

  it("an identity-first rule warns once, naming the rule that matched; an encrypting one prints nothing", async () => {
    const file = join(dir, "identity-first.yaml");
    writeFileSync(file, `${HEADER}resources:\n  - resources: [secrets]\n    providers: [{aesgcm: {keys: [{name: k1, secret: "${gcmKey}"}]}}]\n  - resources: ["*."]\n    providers: [{identity: {}}, {aesgcm: {keys: [{name: k1, secret: "${gcmKey}"}]}}]\n`);
    const value = Buffer.from("plain config");
    const plain = await palisade(["encryption", "encrypt", "--config", file, "--etcd-key", "/registry/configmaps/default/app"], value);
    expect(plain.status).toBe(0);
    expect(plain.stdout.equals(value)).toBe(true);
    expect(plain.stderr).toBe(`warning: the value is stored unencrypted (plaintext): the first provider for configmaps in ${file} (by its rule *.) is identity\n`);
    const secret = await palisade(["encryption", "encrypt", "--config", file, "--etcd-key", key], value);
    expect([secret.status, secret.stderr, secret.stdout.subarray(0, 21).toString()]).toEqual([0, "", "k8s:enc:aesgcm:v1:k1:"]);
  });

  it("the resource comes from --etcd-key: a disagreeing --resource exits 2 naming both", async () => {
    const cmKey = "/registry/configmaps/default/app";
    const run = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", cmKey, "--resource", "secrets"], Buffer.from("top secret value"));
    expect([run.status, run.stdout.length]).toEqual([2, 0]);
    expect(run.stderr).toBe(
      `palisade: --resource secrets disagrees with --etcd-key ${cmKey}, which kube-apiserver stores as configmaps\n` +
        "  hint: kube-apiserver reads and writes that key only with the providers for configmaps: drop --resource, or pass --resource configmaps\n",
    );
    // Without --resource, configmaps' (here: no) rule applies, not secrets'.
    const value = Buffer.from("cm value");
    const derived = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", cmKey], value);
    expect(derived.status).toBe(0);
    expect(derived.stdout.equals(value)).toBe(true);
    expect(derived.stderr).toBe(`warning: the value is stored unencrypted (plaintext): no rule of ${gcm} names configmaps (nor a wildcard that covers it), so identity applies\n`);
    // An agreeing --resource, a special prefix (services/specs) and a custom --prefix.
    const agree = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", key, "--resource", "secrets"], value);
    expect([agree.status, agree.stderr, agree.stdout.subarray(0, 21).toString()]).toEqual([0, "", "k8s:enc:aesgcm:v1:k1:"]);
    const svc = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", "/registry/services/specs/default/web", "--resource", "secrets"], value);
    expect(svc.stderr).toMatch(/^palisade: --resource secrets disagrees with --etcd-key \/registry\/services\/specs\/default\/web, which kube-apiserver stores as services\n/);
    const prefixed = await palisade(["encryption", "encrypt", "--config", gcm, "--prefix", "/custom", "--etcd-key", "/custom/secrets/default/x"], value);
    expect([prefixed.status, prefixed.stderr, prefixed.stdout.subarray(0, 21).toString()]).toEqual([0, "", "k8s:enc:aesgcm:v1:k1:"]);
  });

  it("a key that names no known resource keeps the secrets default, and decrypt derives the resource too", async () => {
    const value = Buffer.from("value");
    const enc = await palisade(["encryption", "encrypt", "--config", gcm, "--etcd-key", "/elsewhere/x"], value);
    expect([enc.status, enc.stderr, enc.stdout.subarray(0, 21).toString()]).toEqual([0, "", "k8s:enc:aesgcm:v1:k1:"]);
    const dec = await palisade(["encryption", "decrypt", "--config", gcm, "--etcd-key", "/registry/configmaps/default/app", "-v"], Buffer.from("plain"));
    expect([dec.status, dec.stderr, dec.stdout.toString()]).toEqual([0, "provider=identity stale=false\n", "plain"]);
  });

  it("a KMS v2 provider whose plugin is not running gives a clear error (exit 2)", async () => {
    const kms = configFile("kms.yaml", `      - kms: {apiVersion: v2, name: vault, endpoint: "unix://${join(dir, "absent.sock")}", timeout: 1s}\n`);
    const run = await palisade(["encryption", "encrypt", "--config", kms, "--etcd-key", key], Buffer.from("x"));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^palisade: KMS v2 (plugin|provider) "vault"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("an invalid --config with several problems lists each on its own line with file:line:column", async () => {
    const bad = join(dir, "many.yaml");
    writeFileSync(bad, `${HEADER}resources:\n  - resources: ["secrets", "secrets"]\n    providers: [{identity: {}}]\n  - resources: ["Secrets"]\n    providers: [{aesgcm: {keys: [{name: k1, secret: "${gcmKey}"}]}}]\n`);
    const run = await palisade(["encryption", "encrypt", "--config", bad, "--etcd-key", key], Buffer.from("top secret value"));
    expect([run.status, run.stdout.length]).toEqual([2, 0]);
    expect(run.stderr).toBe(
      `palisade: ${bad}: invalid EncryptionConfiguration: 2 problems:\n` +
        `  ${bad}:4:5: resources[0].resources: the same resource cannot be specified multiple times\n` +
        `  ${bad}:6:17: resources[1].resources[0]: resource "Secrets": resource name should not contain capital letters (use "secrets")\n` +
        "  hint: fix each problem above; kube-apiserver refuses the file until all are fixed\n",
    );
    expect(run.stderr).not.toContain(gcmKey);
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
