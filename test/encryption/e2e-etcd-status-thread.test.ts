import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEtcd, type EtcdKv } from "../../src/adapters/etcd-client.js";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { startStatusThread, StatusThreadError } from "../../src/adapters/etcd-status-thread.js";
import { encryptionStatus } from "../../src/adapters/etcd-rotate.js";
import { parseEncryptionConfiguration, type EncryptionConfiguration } from "../../src/encryption/index.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { runCli, startEtcd, type TestEtcd } from "../support/etcd.js";

/**
 * `etcd status` decrypts in a second thread when the config has no KMS provider. Whatever
 * the thread, page size or buffer hand-over, the status must be exactly the one-thread one.
 */

const PREFIX = "/registry";
/** Compiled by `npm run build` (the test command builds before it runs the tests). */
const WORKER = new URL("../../dist/src/adapters/etcd-status-worker.js", import.meta.url);

function configYaml(providers: string[]): string {
  return ["apiVersion: apiserver.config.k8s.io/v1", "kind: EncryptionConfiguration", "resources:", "  - resources: [secrets, configmaps]", "    providers:", ...providers.map((p) => `      - ${p}`), ""].join("\n");
}

const parse = (text: string, file: string): EncryptionConfiguration => parseEncryptionConfiguration(text, file).config;

describe("etcd status with the decrypting thread", () => {
  let etcd: TestEtcd;
  let lean: EtcdKv;
  let dir: string;
  let configFile: string;
  let config: EncryptionConfiguration;

  beforeAll(async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER.pathname} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), "palisade-status-thread-"));
    etcd = await startEtcd();
    lean = await connectEtcd({ endpoints: [etcd.endpoint] });
    const gcm = `aesgcm: { keys: [{ name: k2, secret: ${randomBytes(32).toString("base64")} }] }`;
    const cbc = `aescbc: { keys: [{ name: k1, secret: ${randomBytes(32).toString("base64")} }] }`;
    // Same key name, different key: what it writes, the real config cannot read.
    const impostor = `aesgcm: { keys: [{ name: k2, secret: ${randomBytes(32).toString("base64")} }] }`;
    configFile = join(dir, "config.yaml");
    writeFileSync(configFile, configYaml([gcm, cbc, "identity: {}"]));
    config = parse(readFileSync(configFile, "utf8"), configFile);
    const writers = {
      gcm: codecForConfiguration(config, {}),
      cbc: codecForConfiguration(parse(configYaml([cbc]), "cbc.yaml"), {}),
      plain: codecForConfiguration(parse(configYaml(["identity: {}"]), "plain.yaml"), {}),
      impostor: codecForConfiguration(parse(configYaml([impostor]), "impostor.yaml"), {}),
    };
    const counts: Record<keyof typeof writers, number> = { gcm: 150, cbc: 40, plain: 30, impostor: 5 };
    let n = 0;
    for (const [writer, count] of Object.entries(counts) as Array<[keyof typeof writers, number]>) {
      for (let i = 0; i < count; i++, n++) {
        // Interleaved names, so every page mixes writers; ~600-byte objects, so a 10000-key page is one large message.
        const key = `${PREFIX}/${n % 9 === 0 ? "configmaps" : "secrets"}/ns-${n % 4}/${String(n * 7919 % 1000).padStart(3, "0")}-${writer}`;
        const object = Buffer.from(JSON.stringify({ kind: "Secret", data: { v: randomBytes(400).toString("base64") } }));
        await etcd.client.put(key).value(Buffer.from(await writers[writer].write(key, locateKey(PREFIX, key)!, object)));
      }
    }
    await etcd.client.put(`${PREFIX}/ranges/serviceips`).value("not an object");
    await etcd.client.put(`${PREFIX}/pods/default/p1`).value('{"kind":"Pod"}');
  }, 60_000);

  afterAll(async () => {
    lean?.close();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([7, 64, 10_000])("gives the one-thread status at page size %i, with the lean client and with etcd3", async (pageSize) => {
    const codec = codecForConfiguration(config, {});
    const oneThread = await encryptionStatus({ client: lean, codec, prefix: PREFIX, pageSize });
    expect(oneThread.resources.secrets?.undecryptable).toBe(5);
    expect(oneThread.plaintextSecrets.length).toBeGreaterThan(0);
    expect(oneThread.staleSecrets.length).toBeGreaterThan(oneThread.plaintextSecrets.length);
    expect(oneThread.skippedKeys).toBe(1);
    for (const client of [lean, etcd.client]) {
      const thread = startStatusThread(config, PREFIX, WORKER);
      expect(thread).toBeDefined();
      expect(await encryptionStatus({ client, codec, prefix: PREFIX, pageSize, thread })).toEqual(oneThread);
    }
  });

  it("the CLI, which uses the thread, reports what the one-thread scan does", async () => {
    const oneThread = await encryptionStatus({ client: lean, codec: codecForConfiguration(config, {}), prefix: PREFIX });
    const run = await runCli(["etcd", "status", "--endpoints", etcd.endpoint, "--config", configFile, "-o", "json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1); // plaintext Secrets and unreadable values
    expect(JSON.parse(run.stdout)).toEqual(oneThread);
  });

  it("is not used for configs with KMS providers (their reads wait on the plugin in this thread)", () => {
    const kms = parse(configYaml(['kms: { apiVersion: v2, name: p, endpoint: "unix:///tmp/none.sock" }', "identity: {}"]), "kms.yaml");
    expect(startStatusThread(kms, PREFIX, WORKER)).toBeUndefined();
  });

  it("a thread that dies fails the status with a clear message instead of hanging", async () => {
    const broken = join(dir, "broken-worker.mjs");
    writeFileSync(broken, 'import { parentPort } from "node:worker_threads"; parentPort.on("message", () => { throw new Error("decoder bug"); });\n');
    const thread = startStatusThread(config, PREFIX, pathToFileURL(broken));
    const status = encryptionStatus({ client: lean, codec: codecForConfiguration(config, {}), prefix: PREFIX, pageSize: 50, thread });
    await expect(status).rejects.toThrow(/decrypting thread stopped: decoder bug/);
    // The CLI reports this class as an internal error, never as "etcd request failed".
    await expect(status).rejects.toBeInstanceOf(StatusThreadError);
  });
});
