/**
 * kube-apiserver stores Events (anything with a TTL) under an etcd lease, which is what
 * expires them. Rotation rewrites such a value in place, and a plain put detaches the key
 * from its lease: the Event would then live forever. Every rewrite must keep the lease.
 * A rewrite must also be bound to the key exactly as etcd holds it (its bytes, not a lossy
 * UTF-8 text of them), or aesgcm and KMS values become unreadable.
 * Real etcd (test/support/etcd.ts), both etcd clients the adapters accept.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEtcd, type EtcdClient } from "../../src/adapters/etcd-client.js";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { rotateStoredValues } from "../../src/adapters/etcd-rotate.js";
import { parseEncryptionConfiguration } from "../../src/encryption/index.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { startEtcd, type TestEtcd } from "../support/etcd.js";

const yaml = (providers: string[]) =>
  ["apiVersion: apiserver.config.k8s.io/v1", "kind: EncryptionConfiguration", "resources:", "  - resources: ['*.']", "    providers:", ...providers.map((p) => `      - ${p}`), ""].join("\n");
const oldKey = `aescbc: { keys: [{ name: old, secret: ${randomBytes(32).toString("base64")} }] }`;
const newKey = `aesgcm: { keys: [{ name: new, secret: ${randomBytes(32).toString("base64")} }] }`;
const codec = (text: string) => codecForConfiguration(parseEncryptionConfiguration(text, "enc.yaml").config, {});
const before = codec(yaml([oldKey]));
const after = codec(yaml([newKey, oldKey]));

let etcd: TestEtcd;
beforeAll(async () => {
  etcd = await startEtcd();
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
});

/** An Event under a fresh lease and a Secret without one, both written with the old key. */
async function seed(ns: string): Promise<{ event: string; secret: string; lease: string }> {
  const lease = etcd.client.lease(3600, { autoKeepAlive: false });
  const leaseId = await lease.grant();
  const event = `/registry/events/${ns}/pod.17a`;
  const secret = `/registry/secrets/${ns}/db`;
  const write = (key: string) => before.write(key, locateKey("/registry", key)!, Buffer.from(`{"kind":"x","key":"${key}"}`));
  await lease.put(event).value(Buffer.from(await write(event)));
  await etcd.client.put(secret).value(Buffer.from(await write(secret)));
  return { event, secret, lease: leaseId };
}

async function leaseOf(key: string): Promise<string> {
  const response = await etcd.client.kv.range({ key: Buffer.from(key) });
  return response.kvs[0]!.lease;
}

describe("etcd rotate keeps each key's etcd lease", () => {
  const clients: Array<[string, () => Promise<{ client: EtcdClient; close(): void }>]> = [
    ["the lean client", async () => {
      const client = await connectEtcd({ endpoints: [etcd.endpoint] });
      return { client, close: () => client.close() };
    }],
    ["an etcd3 client", async () => ({ client: etcd.client, close() {} })],
  ];
  for (const [name, open] of clients) {
    it(`with ${name}: a rewritten Event stays under its lease, a Secret stays without one`, async () => {
      const ns = name.replace(/\W/g, "-");
      const { event, secret, lease } = await seed(ns);
      expect(await leaseOf(event)).toBe(lease);
      const { client, close } = await open();
      try {
        const outcome = await rotateStoredValues({ client, codec: after, prefix: `/registry/`, dryRun: false });
        expect(outcome.conflicts).toEqual([]);
        expect(outcome.rewritten).toBeGreaterThanOrEqual(2);
      } finally {
        close();
      }
      const read = await after.read(event, locateKey("/registry", event)!, (await etcd.client.get(event).buffer())!);
      expect(read).toMatchObject({ stale: false, origin: { provider: "aesgcm", keyName: "new" } });
      expect(await leaseOf(event)).toBe(lease);
      expect(await leaseOf(secret)).toBe("0");
    });
  }
});

describe("etcd rotate authenticates a rewrite with the key's bytes, as it read it", () => {
  it("a key that is not UTF-8 still reads after rotation (aesgcm binds the etcd key)", async () => {
    const key = Buffer.concat([Buffer.from("/registry/secrets/binary/"), Buffer.from([0xff, 0xfe, 0x41])]);
    const text = key.toString("utf8");
    const location = locateKey("/registry", text)!;
    const gcmOld = `aesgcm: { keys: [{ name: gcm-old, secret: ${randomBytes(32).toString("base64")} }] }`;
    const stored = await codec(yaml([gcmOld])).write(text, location, Buffer.from('{"kind":"Secret"}'), key);
    await etcd.client.put(key).value(Buffer.from(stored));
    const rotated = codec(yaml([newKey, gcmOld]));
    const client = await connectEtcd({ endpoints: [etcd.endpoint] });
    try {
      const outcome = await rotateStoredValues({ client, codec: rotated, prefix: "/registry/", dryRun: false });
      expect(outcome.undecryptable).toEqual([]);
    } finally {
      client.close();
    }
    const value = (await etcd.client.get(key).buffer())!;
    const read = await rotated.read(text, location, value, key);
    expect(read).toMatchObject({ stale: false, origin: { provider: "aesgcm", keyName: "new" } });
    expect(Buffer.from(read.plaintext).toString()).toBe('{"kind":"Secret"}');
  });
});
