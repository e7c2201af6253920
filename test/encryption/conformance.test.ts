import { describe, expect, it } from "vitest";
import {
  checkEncryptionConfigurationObject,
  readStored,
  transformersFor,
  type EncryptionConfiguration,
  type KmsFactory,
  type ProviderConfig,
} from "../../src/encryption/index.js";
import { gcmOpen } from "../../src/encryption/transformers/aes.js";
import { HkdfExtendedNonceGcmTransformer, hkdfExpandSha256 } from "../../src/encryption/transformers/hkdf-gcm.js";
import { utf8 } from "../../src/encryption/bytes.js";
import { AesGcmKekPlugin, Base64PluginV1, Base64PluginV2 } from "./fake-plugins.js";
import { b64, vectors } from "./vectors.js";

const suite = vectors ? describe : describe.skip;

function single(provider: ProviderConfig): EncryptionConfiguration {
  return { resources: [{ resources: ["secrets"], providers: [provider] }] };
}

function kmsFactory(plugin: string): KmsFactory {
  const spec = vectors!.kms.fakePlugins[plugin]!;
  return {
    v2: () => (plugin === "base64" ? new Base64PluginV2(spec) : new AesGcmKekPlugin(spec)),
    v1: () => new Base64PluginV1(),
  };
}

async function outcome(read: Promise<{ plaintext: Uint8Array; stale: boolean }>) {
  try {
    const result = await read;
    return { ok: true as const, plaintext: Buffer.from(result.plaintext).toString("base64"), stale: result.stale };
  } catch (err) {
    return { ok: false as const, message: (err as Error).message };
  }
}

suite("conformance: encryption vectors (shared/conformance/encryption/vectors.json)", () => {
  const v = vectors!;

  it("has the expected number of cases (a shrunken file would prove less)", () => {
    expect(v.cases.length).toBe(81);
    expect(v.kms.v2.cases.length).toBe(38);
    expect(v.kms.v1.cases.length).toBe(9);
    expect(v.chains.cases.length).toBe(12);
    expect(Object.keys(v.chains.configs).sort()).toEqual(["identity-first", "no-identity", "rotation"]);
    expect(v.upstream.length).toBe(4);
  });

  describe("aescbc / aesgcm / secretbox cases", () => {
    for (const c of v.cases) {
      it(c.id, async () => {
        const chain = transformersFor(single({ type: c.provider, keys: [{ name: c.keyName, secret: c.keyBase64 }] })).forResource("secrets");
        const result = await outcome(readStored(chain, c.etcdKey, b64(c.storedBase64)));
        if (c.expectDecryptError) {
          expect(result.ok).toBe(false);
        } else {
          expect(result).toEqual({ ok: true, plaintext: c.plaintextBase64, stale: false });
          const read = await readStored(chain, c.etcdKey, b64(c.storedBase64));
          expect(read.provider).toBe(c.provider);
          expect(read.keyName).toBe(c.keyName);
        }
      });
    }
  });

  describe("KMS v2 cases", () => {
    for (const c of v.kms.v2.cases) {
      it(c.id, async () => {
        const config = single({
          type: "kms",
          kms: { apiVersion: "v2", apiVersionDefaulted: false, name: c.providerName, endpoint: "unix:///kms.sock", timeoutMs: 3000 },
        });
        const chain = transformersFor(config, kmsFactory(c.plugin)).forResource("secrets");
        const result = await outcome(readStored(chain, c.etcdKey, b64(c.storedBase64)));
        if (c.expectDecryptError) expect(result.ok).toBe(false);
        else expect(result).toMatchObject({ ok: true, plaintext: c.plaintextBase64 });
      });
    }
  });

  describe("KMS v1 cases (GCM bodies, legacy CBC bodies read stale)", () => {
    for (const c of v.kms.v1.cases) {
      it(c.id, async () => {
        const config = single({
          type: "kms",
          kms: { apiVersion: "v1", apiVersionDefaulted: false, name: c.providerName, endpoint: "unix:///kms.sock", timeoutMs: 3000, cachesize: 1000 },
        });
        const chain = transformersFor(config, kmsFactory(c.plugin)).forResource("secrets");
        const result = await outcome(readStored(chain, c.etcdKey, b64(c.storedBase64)));
        if (c.expectDecryptError) expect(result.ok).toBe(false);
        else expect(result).toEqual({ ok: true, plaintext: c.plaintextBase64, stale: c.expectStale });
      });
    }
  });

  // Chains without KMS read synchronously; a KMS provider anywhere makes the chain take the
  // asynchronous path. Appending one that never matches runs the same cases through it.
  const viaAsyncPath = { kms: { apiVersion: "v2", name: "never-matches", endpoint: "unix:///unused.sock" } };
  describe.each([
    ["synchronous", false],
    ["asynchronous", true],
  ])("provider chains, %s read path: read algorithm and stale flag (spec §2.3)", (_path, forceAsync) => {
    for (const c of v.chains.cases) {
      it(c.id, async () => {
        const providers = forceAsync ? [...v.chains.configs[c.config]!, viaAsyncPath] : v.chains.configs[c.config];
        const raw = {
          apiVersion: "apiserver.config.k8s.io/v1",
          kind: "EncryptionConfiguration",
          resources: [{ resources: ["secrets"], providers }],
        };
        const check = checkEncryptionConfigurationObject(raw, "vectors.json", () => undefined);
        expect(check.problems).toEqual([]);
        const chain = transformersFor(check.config!).forResource("secrets");
        expect(chain.transformer.readSync === undefined).toBe(forceAsync);
        const result = await outcome(readStored(chain, c.etcdKey, b64(c.storedBase64)));
        if (c.expectDecryptError) {
          expect(result.ok).toBe(false);
          if (c.errorHint && !result.ok) expect(result.message).toContain(c.errorHint);
        } else {
          expect(result).toEqual({ ok: true, plaintext: c.plaintextBase64, stale: c.expectStale });
        }
      });
    }
  });

  describe("upstream golden data", () => {
    const byId = (id: string) => v.upstream.find((u) => u.id === id)! as Record<string, string>;

    it("aesgcm transformer body (key snorlax_awesomes, AAD bamboo)", async () => {
      const u = byId("upstream-aesgcm-transformer-legacy");
      expect(Buffer.from(gcmOpen(b64(u.keyBase64), b64(u.bodyBase64), utf8(u.aadUtf8!))).toString("base64")).toBe(u.plaintextBase64);
      const chain = transformersFor(single({ type: "aesgcm", keys: [{ name: "key1", secret: u.keyBase64! }] })).forResource("secrets");
      const read = await readStored(chain, u.aadUtf8!, b64(u.storedBase64IfWrapped));
      expect(Buffer.from(read.plaintext).toString("base64")).toBe(u.plaintextBase64);
    });

    it("HKDF extended-nonce body: derived key and plaintext", async () => {
      const u = byId("upstream-hkdf-xnonce-gcm-legacy");
      expect(Buffer.from(hkdfExpandSha256(b64(u.seedBase64), b64(u.infoBase64))).toString("base64")).toBe(u.derivedKeyBase64);
      const read = await new HkdfExtendedNonceGcmTransformer(b64(u.seedBase64)).read(b64(u.bodyBase64), utf8(u.aadUtf8!));
      expect(Buffer.from(read.plaintext).toString("base64")).toBe(u.plaintextBase64);
    });

    for (const id of ["upstream-kmsv2-v1.27-aes-gcm-key", "upstream-kmsv2-v1.28-hkdf-seed"]) {
      it(`${id}: a complete etcd value written by kube-apiserver decrypts`, async () => {
        const u = byId(id);
        const config = single({
          type: "kms",
          kms: { apiVersion: "v2", apiVersionDefaulted: false, name: u.providerName!, endpoint: "unix:///kms.sock", timeoutMs: 3000 },
        });
        const chain = transformersFor(config, kmsFactory("base64")).forResource("secrets");
        const read = await readStored(chain, u.etcdKey!, b64(u.storedBase64));
        expect(Buffer.from(read.plaintext).toString("base64")).toBe(u.plaintextBase64);
        expect(read).toMatchObject({ provider: "kms", keyName: "kms-provider", kmsApiVersion: "v2" });
        // Type 0 (DEK) data is stale today: the current generation writes seeds (type 1).
        expect(read.stale).toBe(id.includes("aes-gcm-key"));
      });
    }
  });
});
