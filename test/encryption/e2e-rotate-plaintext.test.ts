/**
 * A config with identity first makes every encrypted value "stale": rotating would store it
 * in plaintext. kube-apiserver allows that for a deliberate decryption, so `etcd rotate`
 * does it only with --allow-plaintext, and says how many values of which resources first.
 * Real etcd (test/support/etcd.ts), the real CLI, values written by the shared transformers.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { rotateStoredValues } from "../../src/adapters/etcd-rotate.js";
import { parseEncryptionConfiguration } from "../../src/encryption/index.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { builtCli, runCli, startEtcd, type TestEtcd } from "../support/etcd.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-plaintext-"));
const cbc = `aescbc: { keys: [{ name: key1, secret: ${randomBytes(32).toString("base64")} }] }`;
const yaml = (providers: string[]) =>
  ["apiVersion: apiserver.config.k8s.io/v1", "kind: EncryptionConfiguration", "resources:", "  - resources: [secrets, configmaps]", "    providers:", ...providers.map((p) => `      - ${p}`), ""].join("\n");
const encrypting = join(dir, "cbc.yaml");
const identityFirst = join(dir, "identity-first.yaml");
writeFileSync(encrypting, yaml([cbc, "identity: {}"]));
writeFileSync(identityFirst, yaml(["identity: {}", cbc]));
const codec = (file: string, text: string) => codecForConfiguration(parseEncryptionConfiguration(text, file).config, {});
const KEYS = ["/registry/configmaps/shop/settings", "/registry/secrets/shop/db", "/registry/secrets/shop/api"];

let etcd: TestEtcd;
const stored = async () => {
  const all = (await etcd.client.getAll().prefix("/registry/").buffers()) as Record<string, Buffer>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.toString("latin1")]));
};

beforeAll(async () => {
  builtCli();
  etcd = await startEtcd();
  const writer = codec(encrypting, yaml([cbc, "identity: {}"]));
  for (const key of KEYS) await etcd.client.put(key).value(Buffer.from(await writer.write(key, locateKey("/registry", key)!, Buffer.from(`{"kind":"x","data":"SECRET-${key}"}`))));
}, 240_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const etcdArgs = () => ["--endpoints", etcd.endpoint, "--config", identityFirst];

describe("etcd rotate with identity as the first provider", () => {
  it("refuses, exit 2, naming how many values of which resources, and writes nothing", async () => {
    const before = await stored();
    const run = await runCli(["etcd", "rotate", ...etcdArgs()]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `palisade: --config ${identityFirst}: identity is the first provider, so rotating would store 3 values in plaintext (configmaps: 1, secrets: 2); nothing was written\n` +
        "  hint: to encrypt them, put an encrypting provider (kms v2, aesgcm, aescbc, secretbox) before identity; to decrypt them on purpose, pass --allow-plaintext (--dry-run shows the counts)\n",
    );
    expect(await stored()).toEqual(before);
  });

  it("--dry-run says so, exit 0, writes nothing", async () => {
    const before = await stored();
    const run = await runCli(["etcd", "rotate", ...etcdArgs(), "--dry-run"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "would rewrite 3 of 3 values; 0 already current; 0 unreadable; 0 changed by another writer\n" +
        "3 of them would be stored in PLAINTEXT (configmaps: 1, secrets: 2): identity is their first provider; rotate refuses to do that without --allow-plaintext\n",
    );
    expect(await stored()).toEqual(before);
  });

  it("etcd status does not advise a plain `etcd rotate` for Secrets it would decrypt", async () => {
    const run = await runCli(["etcd", "status", ...etcdArgs()]);
    expect(run.stdout).toContain(
      "\nSecrets not written by the first provider and key (identity is first for secrets, so `palisade etcd rotate` would store them in plaintext; put an encrypting provider first, then rotate) (2):\n  shop/api\n  shop/db\n",
    );
    const encrypted = await runCli(["etcd", "status", "--endpoints", etcd.endpoint, "--config", encrypting]);
    expect(encrypted.stdout).not.toContain("Secrets not written by the first provider");
  });

  it("the adapter leaves values rather than decrypt them unless allowed (a value gone stale after the count)", async () => {
    const before = await stored();
    const outcome = await rotateStoredValues({ client: etcd.client, codec: codec(identityFirst, yaml(["identity: {}", cbc])), prefix: "/registry", dryRun: false });
    expect(outcome).toMatchObject({ scanned: 3, rewritten: 0, plaintext: { configmaps: 1, secrets: 2 }, plaintextRefused: true });
    expect(await stored()).toEqual(before);
  });

  it("--allow-plaintext decrypts deliberately and says so", async () => {
    const run = await runCli(["etcd", "rotate", ...etcdArgs(), "--allow-plaintext"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "rewrote 3 of 3 values; 0 already current; 0 unreadable; 0 changed by another writer\n" + "3 of them are now stored in PLAINTEXT (configmaps: 1, secrets: 2), as --allow-plaintext asked\n",
    );
    const after = await stored();
    for (const key of KEYS) expect(after[key]).toBe(`{"kind":"x","data":"SECRET-${key}"}`);
  });
});
