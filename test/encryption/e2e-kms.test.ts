import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSync } from "@grpc/proto-loader";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KmsMetrics } from "../../src/adapters/kms-metrics.js";
import { kekId, open, parseKeyring, seal } from "../../src/adapters/kms-keyring.js";
import { startKmsPlugin, type KmsPlugin } from "../../src/adapters/kms-server.js";
import { UserError } from "../../src/errors.js";
import { createKmsV2GrpcClient, type KmsV2GrpcClient } from "../../src/encryption/kms-grpc-client.js";
import { parseKmsEndpoint } from "../../src/encryption/kms-endpoint.js";
import { KMS_PROTO_OPTIONS, kmsV2PackageDefinition } from "../support/kms-grpc-proto.js";
import { repoRoot } from "../support/conformance.js";

const silent = pino({ level: "silent" });
const newKey = (): string => randomBytes(32).toString("base64");

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await probe();
    if (accept(value) || attempt > 300) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("KMS v2 proto", () => {
  it("the in-code definition matches src/adapters/proto/kms-v2.proto message for message", () => {
    const fromFile = loadSync(join(repoRoot, "src/adapters/proto/kms-v2.proto"), KMS_PROTO_OPTIONS);
    const fromCode = kmsV2PackageDefinition();
    const service = (def: typeof fromCode) => def["v2.KeyManagementService"] as Record<string, { path: string; requestType: { type: unknown }; responseType: { type: unknown } }>;
    expect(Object.keys(service(fromCode)).sort()).toEqual(["Decrypt", "Encrypt", "Status"]);
    for (const method of ["Status", "Encrypt", "Decrypt"]) {
      const a = service(fromFile)[method]!;
      const b = service(fromCode)[method]!;
      expect(b.path).toBe(`/v2.KeyManagementService/${method}`);
      expect(a.path).toBe(b.path);
      // Descriptor protos carry names, numbers, types and map entries; strip source-only options.
      const strip = (t: unknown) => JSON.parse(JSON.stringify(t, (k, v) => (k === "options" || k === "sourceCodeInfo" ? undefined : v)));
      expect(strip(a.requestType.type)).toEqual(strip(b.requestType.type));
      expect(strip(a.responseType.type)).toEqual(strip(b.responseType.type));
    }
  });

  it("parses the endpoint forms kube-apiserver accepts", () => {
    expect(parseKmsEndpoint("unix:///var/run/kms.sock")).toEqual({ target: "unix:///var/run/kms.sock", path: "/var/run/kms.sock", abstractName: undefined });
    expect(parseKmsEndpoint("unix:///@kms")).toEqual({ target: "unix-abstract:kms", path: undefined, abstractName: "kms" });
    expect(parseKmsEndpoint("tcp://127.0.0.1:1")).toBeUndefined();
    expect(parseKmsEndpoint("unix://")).toBeUndefined();
  });
});

describe("keyring", () => {
  it("rejects bad lines with file:line:column and never echoes the line", () => {
    const secretish = "not*base64*but*secret";
    const text = `# keyring\n${newKey()}\n\n   ${secretish}\n`;
    try {
      parseKeyring(text, "keks.txt");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).describe()).toMatch(/^keks\.txt:4:4: KEK is not standard base64/);
      expect((err as UserError).describe()).not.toContain(secretish);
    }
    expect(() => parseKeyring(Buffer.alloc(16).toString("base64"), "k")).toThrow(/16 bytes, expected 32/);
    expect(() => parseKeyring("# only comments\n", "k")).toThrow(/no keys/);
    const key = newKey();
    expect(() => parseKeyring(`${key}\n${key}\n`, "k")).toThrow(/appears twice/);
  });

  it("the first key encrypts, every key decrypts, and ids do not reveal keys", () => {
    const [a, b] = [newKey(), newKey()];
    const ring = parseKeyring(`${a}\n${b}\n`, "k");
    expect(ring.primary.id).toBe(kekId(Buffer.from(a, "base64")));
    expect(ring.primary.id).not.toContain(a);
    const sealedByB = seal(parseKeyring(`${b}\n`, "k"), Buffer.from("seed"));
    expect(open(ring, sealedByB.ciphertext, sealedByB.keyId, sealedByB.annotations).toString()).toBe("seed");
    expect(seal(ring, Buffer.from("x")).keyId).toBe(ring.primary.id);
  });

  it("property: seal/open round-trips, and any edit of ciphertext, key id or annotations fails", () => {
    const ring = parseKeyring(`${newKey()}\n${newKey()}\n`, "k");
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 995 }), fc.nat(), fc.nat(7), (plain, where, bit) => {
        const sealed = seal(ring, Buffer.from(plain));
        expect(sealed.ciphertext.length).toBeLessThanOrEqual(1024);
        expect(open(ring, sealed.ciphertext, sealed.keyId, sealed.annotations).equals(Buffer.from(plain))).toBe(true);
        const flipped = Buffer.from(sealed.ciphertext);
        const index = where % flipped.length;
        flipped[index] = flipped[index]! ^ (1 << bit);
        expect(() => open(ring, flipped, sealed.keyId, sealed.annotations)).toThrow();
        expect(() => open(ring, sealed.ciphertext, ring.keys[1]!.id, sealed.annotations)).toThrow();
        expect(() => open(ring, sealed.ciphertext, sealed.keyId, { ...sealed.annotations, "x.palisade.dev": Buffer.from("1") })).toThrow();
        expect(() => open(ring, sealed.ciphertext.subarray(0, where % sealed.ciphertext.length), sealed.keyId, sealed.annotations)).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it("refuses plaintexts that would not fit kube-apiserver's 1024-byte ciphertext limit", () => {
    const ring = parseKeyring(newKey(), "k");
    expect(seal(ring, Buffer.alloc(995)).ciphertext.length).toBe(1024);
    expect(() => seal(ring, Buffer.alloc(996))).toThrow(/at most 995/);
    expect(() => seal(ring, Buffer.alloc(0))).toThrow(/empty/);
  });
});

describe("KMS v2 plugin over a real unix socket", () => {
  let dir: string;
  let kekFile: string;
  let plugin: KmsPlugin;
  let client: KmsV2GrpcClient;
  let metrics: KmsMetrics;
  const firstKey = newKey();
  const endpoint = (): string => `unix://${join(dir, "kms.sock")}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisade-kms-"));
    kekFile = join(dir, "keks.txt");
    writeFileSync(kekFile, `# test keyring\n${firstKey}\n`, { mode: 0o600 });
    metrics = new KmsMetrics();
    plugin = await startKmsPlugin({ endpoint: endpoint(), kekFile, logger: silent, metrics });
    client = createKmsV2GrpcClient(endpoint());
  });

  afterAll(async () => {
    client?.close();
    await plugin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves Status with healthz ok, version v2 and the primary key id, on a 0600 socket", async () => {
    expect(await client.status()).toEqual({ healthz: "ok", version: "v2", keyId: kekId(Buffer.from(firstKey, "base64")) });
    expect(statSync(join(dir, "kms.sock")).mode & 0o777).toBe(0o600);
  });

  it("encrypts and decrypts a seed, binding key id and annotations", async () => {
    const seed = randomBytes(32);
    const sealed = await client.encrypt("uid-1", seed);
    expect(sealed.keyId).toBe(plugin.keyId());
    expect(Object.keys(sealed.annotations ?? {})).toEqual(["kek.palisade.dev"]);
    expect(Buffer.from(await client.decrypt("uid-2", sealed)).equals(seed)).toBe(true);
    await expect(client.decrypt("uid-3", { ...sealed, annotations: {} })).rejects.toThrow(/INVALID_ARGUMENT.*authentication/);
    await expect(client.decrypt("uid-4", { ...sealed, keyId: "palisade-unknown" })).rejects.toThrow(/NOT_FOUND/);
    await expect(client.decrypt("uid-5", { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) })).rejects.toThrow(/truncated/);
  });

  it("requires a uid, as the upstream mock plugin does", async () => {
    await expect(client.encrypt("", randomBytes(32))).rejects.toThrow(/INVALID_ARGUMENT: uid is required/);
  });

  it("rotates without restart when the kek file is replaced; old ciphertexts still decrypt", async () => {
    const before = await client.encrypt("uid-6", Buffer.from("old-seed"));
    const secondKey = newKey();
    const staged = join(dir, "keks.next");
    writeFileSync(staged, `${secondKey}\n${firstKey}\n`, { mode: 0o600 });
    renameSync(staged, kekFile);
    const status = await eventually(() => client.status(), (s) => s.keyId !== before.keyId);
    expect(status.keyId).toBe(kekId(Buffer.from(secondKey, "base64")));
    expect(Buffer.from(await client.decrypt("uid-7", before)).toString()).toBe("old-seed");
    expect((await client.encrypt("uid-8", Buffer.from("new"))).keyId).toBe(status.keyId);
  });

  it("keeps the previous keyring when a reload finds a broken file", async () => {
    const current = plugin.keyId();
    writeFileSync(kekFile, "garbage\n");
    await plugin.reload("test");
    expect(plugin.keyId()).toBe(current);
    expect((await client.status()).keyId).toBe(current);
    expect(await metrics.registry.getSingleMetricAsString("palisade_kms_keyring_reloads_total")).toMatch(/result="error"} [1-9]/);
  });

  it("counts requests by method and code", async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/palisade_kms_requests_total{method="Encrypt",code="OK"} [1-9]/);
    expect(text).toMatch(/palisade_kms_requests_total{method="Decrypt",code="INVALID_ARGUMENT"} [1-9]/);
    expect(text).not.toContain(firstKey);
  });

  it("says plainly that the plugin does not serve abstract sockets (no file mode to restrict callers)", async () => {
    await expect(startKmsPlugin({ endpoint: "unix:///@palisade", kekFile, logger: silent })).rejects.toThrow(/abstract socket .* not supported/);
  });

  it("refuses to start over a file that is not a socket", async () => {
    const notSocket = join(dir, "plain.txt");
    writeFileSync(notSocket, "x");
    const goodKeks = join(dir, "good.txt");
    writeFileSync(goodKeks, `${newKey()}\n`);
    await expect(startKmsPlugin({ endpoint: `unix://${notSocket}`, kekFile: goodKeks, logger: silent })).rejects.toThrow(/not a socket/);
  });
});
