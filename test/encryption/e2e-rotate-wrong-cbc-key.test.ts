/**
 * aescbc has no MAC: read with the wrong key under the right key name, about 1 value in 256
 * still has valid padding and "decrypts" to noise. kube-apiserver then fails to decode the
 * object and never rewrites it. Rotation must not rewrite it either: that would replace the
 * only copy (readable with the right key) by the encryption of noise. Real etcd, real CLI.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { parseEncryptionConfiguration } from "../../src/encryption/index.js";
import { inspectValue, looksLikeStoredObject, rotationAction } from "../../src/encryption/rotation.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { builtCli, runCli, startEtcd, type TestEtcd } from "../support/etcd.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-wrong-cbc-"));
const yaml = (providers: string[]) =>
  ["apiVersion: apiserver.config.k8s.io/v1", "kind: EncryptionConfiguration", "resources:", "  - resources: [secrets]", "    providers:", ...providers.map((p) => `      - ${p}`), ""].join("\n");
const cbc = (secret: string) => `aescbc: { keys: [{ name: k1, secret: ${secret} }] }`;
const right = yaml([cbc(randomBytes(32).toString("base64"))]);
// The operator pasted another secret under the same key name k1.
const wrong = yaml([`aesgcm: { keys: [{ name: new, secret: ${randomBytes(32).toString("base64")} }] }`, cbc(randomBytes(32).toString("base64"))]);
const wrongFile = join(dir, "wrong.yaml");
writeFileSync(wrongFile, wrong);
const codec = (text: string) => codecForConfiguration(parseEncryptionConfiguration(text, "enc.yaml").config, {});
const KEY = "/registry/secrets/shop/db";
const location = locateKey("/registry", KEY)!;
const OBJECT = Buffer.from("k8s\u0000\n\u000fprotobuf secret: the only copy");

/** A value the right key wrote that the wrong key reads without an error (valid padding by chance). */
async function valueTheWrongKeyReads(): Promise<Buffer> {
  const writer = codec(right);
  const reader = codec(wrong);
  for (let i = 0; i < 20_000; i++) {
    const value = Buffer.from(await writer.write(KEY, location, OBJECT));
    try {
      await reader.read(KEY, location, value);
      return value;
    } catch {
      // the usual case: bad padding, reported as unreadable
    }
  }
  throw new Error("no value with valid padding under the wrong key in 20000 tries");
}

let etcd: TestEtcd;
let value: Buffer;
beforeAll(async () => {
  builtCli();
  etcd = await startEtcd();
  value = await valueTheWrongKeyReads();
}, 240_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("aescbc read with the wrong key", () => {
  it("is unreadable, not stale: reported, never rewritten", async () => {
    const inspection = (await inspectValue(codec(wrong), "/registry", KEY, value))!;
    expect(inspection.state).toBe("undecryptable");
    expect(rotationAction(inspection)).toBe("report");
    expect(inspection.error).toMatch(/aescbc key "k1" decrypted it to bytes that are no stored object/);
    // The right key still reads the object, current.
    const read = (await inspectValue(codec(right), "/registry", KEY, value))!;
    expect(read).toMatchObject({ state: "current", writtenBy: "aescbc:k1" });
  });

  it("etcd rotate leaves the value as stored and exits 1 naming it", async () => {
    await etcd.client.put(KEY).value(value);
    const run = await runCli(["etcd", "rotate", "--endpoints", etcd.endpoint, "--config", wrongFile]);
    expect(run.stdout).toContain("rewrote 0 of 1 values; 0 already current; 1 unreadable");
    expect(run.stdout).toContain(`${KEY}: aescbc key "k1" decrypted it to bytes that are no stored object`);
    expect(run.status).toBe(1);
    expect((await etcd.client.get(KEY).buffer())!.equals(value)).toBe(true);
    const read = await codec(right).read(KEY, location, (await etcd.client.get(KEY).buffer())!);
    expect(Buffer.from(read.plaintext).equals(OBJECT)).toBe(true);
  });

  it("objects as kube-apiserver stores them pass; noise does not", () => {
    expect(looksLikeStoredObject(OBJECT)).toBe(true);
    expect(looksLikeStoredObject(Buffer.from('{"kind":"Secret"}'))).toBe(true);
    expect(looksLikeStoredObject(Buffer.from("apiVersion: v1\nkind: Secret\n"))).toBe(true);
    expect(looksLikeStoredObject(Buffer.from([0xd9, 0xd9, 0xf7, 0xa1, 0xff]))).toBe(true);
    expect(looksLikeStoredObject(Buffer.from([0x2d, 0x29, 0x75, 0xe0, 0x00, 0x24, 0xfc, 0xda, 0x9d, 0x55]))).toBe(false);
  });
});

describe("encryption decrypt of an aescbc value with the wrong key", () => {
  it("warns on stderr that the result is no stored object, naming the key but nothing of the value", async () => {
    const run = await runCliWithStdin(["encryption", "decrypt", "--config", wrongFile, "--etcd-key", KEY], value);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      'warning: aescbc key "k1" decrypted the value to bytes that are no stored object (not protobuf, CBOR, JSON or YAML); ' +
        "the key under that name is probably not the one that encrypted it (aescbc cannot tell a wrong key)\n",
    );
  });
});

function runCliWithStdin(args: string[], stdin: Buffer): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli(), ...args]);
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stderr }));
    child.stdin.end(stdin);
  });
}
