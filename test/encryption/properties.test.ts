import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readStored, transformersFor, writeStored, type EncryptionConfiguration, type KmsFactory, type ProviderConfig } from "../../src/encryption/index.js";
import { Base64PluginV1, Base64PluginV2 } from "./fake-plugins.js";
import { randomKey } from "./keys.js";

const plugin = { keyID: "key-1", annotations: { "kek.example.com": "YQ==" }, statusResponse: { version: "v2", healthz: "ok", keyID: "key-1" } };
const factory: KmsFactory = { v2: () => new Base64PluginV2(plugin), v1: () => new Base64PluginV1() };

const kms = (apiVersion: "v1" | "v2"): ProviderConfig => ({
  type: "kms",
  kms: { apiVersion, apiVersionDefaulted: false, name: `kms-${apiVersion}`, endpoint: "unix:///kms.sock", timeoutMs: 3000, ...(apiVersion === "v1" ? { cachesize: 10 } : {}) },
});

const PROVIDERS: Record<string, ProviderConfig> = {
  identity: { type: "identity" },
  "aescbc-16": { type: "aescbc", keys: [{ name: "k", secret: randomKey(16) }] },
  "aescbc-32": { type: "aescbc", keys: [{ name: "k", secret: randomKey(32) }] },
  "aesgcm-24": { type: "aesgcm", keys: [{ name: "k", secret: randomKey(24) }] },
  "aesgcm-32": { type: "aesgcm", keys: [{ name: "k", secret: randomKey(32) }] },
  secretbox: { type: "secretbox", keys: [{ name: "k", secret: randomKey(32) }] },
  "kms-v1": kms("v1"),
  "kms-v2": kms("v2"),
};

function chainOf(...providers: ProviderConfig[]) {
  const config: EncryptionConfiguration = { resources: [{ resources: ["secrets"], providers }] };
  return transformersFor(config, factory).forResource("secrets");
}

const etcdKey = fc.stringMatching(/^\/registry\/secrets\/[a-z0-9-]{1,20}\/[a-z0-9.-]{1,30}$/);
const plaintext = fc.uint8Array({ maxLength: 600 });

describe("property: decrypt(encrypt(x)) == x for every provider", () => {
  for (const [name, provider] of Object.entries(PROVIDERS)) {
    it(name, async () => {
      const chain = chainOf(provider);
      await fc.assert(
        fc.asyncProperty(etcdKey, plaintext, async (key, data) => {
          // identity cannot store values that look encrypted: upstream refuses to read them back.
          fc.pre(name !== "identity" || !Buffer.from(data).subarray(0, 8).equals(Buffer.from("k8s:enc:")));
          const stored = await writeStored(chain, key, data);
          if (name !== "identity") expect(Buffer.from(stored).subarray(0, 8).toString()).toBe("k8s:enc:");
          const read = await readStored(chain, key, stored);
          expect(Buffer.from(read.plaintext).equals(Buffer.from(data))).toBe(true);
          expect(read.stale).toBe(false);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe("property: tampering with any byte of the stored value is detected", () => {
  for (const name of ["aesgcm-32", "secretbox", "kms-v2"]) {
    it(name, async () => {
      const chain = chainOf(PROVIDERS[name]!);
      await fc.assert(
        fc.asyncProperty(etcdKey, plaintext, fc.nat(), fc.integer({ min: 1, max: 255 }), async (key, data, at, flip) => {
          const stored = Buffer.from(await writeStored(chain, key, data));
          const index = at % stored.length;
          stored[index] = stored[index]! ^ flip;
          // Either the read fails, or (for KMS v2's unauthenticated, plugin-ignored keyID
          // and annotations, as upstream) it still yields exactly the original plaintext.
          const result = await readStored(chain, key, stored).then(
            (r) => Buffer.from(r.plaintext).equals(Buffer.from(data)),
            () => "refused" as const,
          );
          if (name === "kms-v2") expect(result === "refused" || result === true).toBe(true);
          else expect(result).toBe("refused");
        }),
        { numRuns: 150 },
      );
    });
  }

  it("aesgcm and kms v2 bind the etcd key; secretbox and aescbc do not", async () => {
    for (const name of ["aesgcm-32", "kms-v2", "kms-v1"]) {
      const chain = chainOf(PROVIDERS[name]!);
      const stored = await writeStored(chain, "/registry/secrets/a/one", Buffer.from("x"));
      await expect(readStored(chain, "/registry/secrets/a/two", stored)).rejects.toThrow();
    }
    for (const name of ["secretbox", "aescbc-32"]) {
      const chain = chainOf(PROVIDERS[name]!);
      const stored = await writeStored(chain, "/registry/secrets/a/one", Buffer.from("x"));
      expect(Buffer.from((await readStored(chain, "/registry/secrets/a/two", stored)).plaintext).toString()).toBe("x");
    }
  });
});

describe("property: corrupted or truncated values give a clear error, never garbage or a crash", () => {
  for (const [name, provider] of Object.entries(PROVIDERS)) {
    if (name === "identity") continue;
    it(name, async () => {
      const chain = chainOf(provider);
      const stored = await writeStored(chain, "/registry/secrets/ns/s", Buffer.from("payload-0123456789"));
      for (let length = 0; length < stored.length; length++) {
        const cut = stored.subarray(0, length);
        const outcome = await readStored(chain, "/registry/secrets/ns/s", cut).then(
          (read) => ({ read, error: undefined }),
          (err: Error) => ({ read: undefined, error: err }),
        );
        // aescbc is unauthenticated: a truncation at a block boundary may still "decrypt".
        // So may KMS v1's, through the legacy CBC reader upstream keeps behind GCM (~0.4% of
        // random keys at one length): other bytes, and marked stale, never the payload.
        if (outcome.read && (name.startsWith("aescbc") || (name === "kms-v1" && outcome.read.stale))) {
          expect(Buffer.from(outcome.read.plaintext).toString("latin1"), `length ${length}`).not.toContain("payload");
          continue;
        }
        expect(outcome.error?.name, `length ${length}`).toBe("StoredValueError");
        expect(outcome.error!.message).not.toContain("payload");
      }
    });
  }
});

describe("chains: writes go through the first provider and first key; rotation reads stale", () => {
  it("rotation with a new first key", async () => {
    const oldKey = { name: "old", secret: randomKey() };
    const newKey = { name: "new", secret: randomKey() };
    const before = chainOf({ type: "secretbox", keys: [oldKey] });
    const stored = await writeStored(before, "/registry/secrets/a/b", Buffer.from("v"));
    const after = chainOf({ type: "secretbox", keys: [newKey, oldKey] }, { type: "identity" });
    const read = await readStored(after, "/registry/secrets/a/b", stored);
    expect(read).toMatchObject({ provider: "secretbox", keyName: "old", stale: true });
    const rewritten = await writeStored(after, "/registry/secrets/a/b", read.plaintext);
    expect(Buffer.from(rewritten).subarray(0, 25).toString()).toBe("k8s:enc:secretbox:v1:new:");
    expect(await readStored(after, "/registry/secrets/a/b", rewritten)).toMatchObject({ keyName: "new", stale: false });
  });

  it("unconfigured resources use the identity reader: plaintext only", async () => {
    const transformers = transformersFor({ resources: [{ resources: ["secrets"], providers: [PROVIDERS.secretbox!] }] });
    const chain = transformers.forResource("configmaps");
    expect(chain.matchedRule).toBeUndefined();
    expect((await readStored(chain, "/registry/configmaps/a/b", Buffer.from("{}"))).provider).toBe("identity");
    await expect(readStored(chain, "/registry/configmaps/a/b", Buffer.from("k8s:enc:aescbc:v1:k:xx"))).rejects.toThrow(/encrypted data/);
  });

  it("lookup order: exact, then *.group, then *.*", () => {
    const p = [PROVIDERS.secretbox!];
    const t = transformersFor({ resources: [{ resources: ["deployments.apps"], providers: p }, { resources: ["*.apps"], providers: p }, { resources: ["*.*"], providers: p }] });
    expect(t.forResource("deployments.apps").matchedRule).toBe("deployments.apps");
    expect(t.forResource("statefulsets.apps").matchedRule).toBe("*.apps");
    expect(t.forResource("secrets").matchedRule).toBe("*.*");
  });

  it("a KMS provider without a plugin client fails only when reached, with a clear error", async () => {
    const config: EncryptionConfiguration = { resources: [{ resources: ["secrets"], providers: [kms("v2"), PROVIDERS.secretbox!] }] };
    const chain = transformersFor(config, {}).forResource("secrets");
    await expect(writeStored(chain, "/k", Buffer.from("x"))).rejects.toThrow(/needs a plugin client/);
    const boxOnly = chainOf(PROVIDERS.secretbox!);
    const stored = await writeStored(boxOnly, "/k", Buffer.from("x"));
    expect((await readStored(chain, "/k", stored)).stale).toBe(true);
  });

  it("values written by one process read in another (fresh caches, same plugin)", async () => {
    for (const name of ["kms-v1", "kms-v2", "aesgcm-32", "secretbox", "aescbc-16"]) {
      const writer = chainOf(PROVIDERS[name]!);
      const reader = chainOf(PROVIDERS[name]!);
      const stored = await writeStored(writer, "/registry/secrets/a/b", Buffer.from(`value for ${name}`));
      const read = await readStored(reader, "/registry/secrets/a/b", stored);
      expect(Buffer.from(read.plaintext).toString(), name).toBe(`value for ${name}`);
    }
  });

  it("KMS v2 calls the plugin once per generation, not per write", async () => {
    const plugin2 = new Base64PluginV2(plugin);
    const config: EncryptionConfiguration = { resources: [{ resources: ["secrets"], providers: [kms("v2")] }] };
    const chain = transformersFor(config, { v2: () => plugin2 }).forResource("secrets");
    for (let i = 0; i < 5; i++) await readStored(chain, "/k", await writeStored(chain, "/k", Buffer.from(`v${i}`)));
    expect(plugin2.calls.encrypt).toBe(1);
    expect(plugin2.calls.decrypt).toBe(0);
  });
});
