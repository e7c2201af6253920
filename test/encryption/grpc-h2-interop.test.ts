import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GrpcH2Server } from "../../src/adapters/grpc-h2-server.js";
import { kekId } from "../../src/adapters/kms-keyring.js";
import { KmsMetrics } from "../../src/adapters/kms-metrics.js";
import { startKmsPlugin, type KmsPlugin } from "../../src/adapters/kms-server.js";
import { GrpcH2Channel } from "../../src/encryption/grpc-h2-client.js";
import { GrpcError, GrpcStatus } from "../../src/encryption/grpc-h2-status.js";
import { createKmsV2GrpcClient } from "../../src/encryption/kms-grpc-client.js";
import type { EncryptResponseMessage, StatusResponseMessage } from "../../src/encryption/kms-v2-messages.js";
import { kmsV2PackageDefinition } from "../support/kms-grpc-proto.js";

/**
 * Interoperability with the real gRPC implementation for Node (grpc-js): its client against
 * Palisade's HTTP/2 server, and Palisade's HTTP/2 client against a grpc-js server.
 */

const silent = pino({ level: "silent" });
type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type GrpcJsKms = grpc.Client & {
  Status(req: object, options: grpc.CallOptions, cb: Callback<StatusResponseMessage>): void;
  Encrypt(req: object, options: grpc.CallOptions, cb: Callback<EncryptResponseMessage>): void;
  Decrypt(req: object, options: grpc.CallOptions, cb: Callback<{ plaintext: Buffer }>): void;
};
const service = (grpc.loadPackageDefinition(kmsV2PackageDefinition()) as unknown as {
  v2: { KeyManagementService: grpc.ServiceClientConstructor };
}).v2.KeyManagementService;

function unary<T>(fn: (options: grpc.CallOptions, cb: Callback<T>) => void, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => fn({ deadline: Date.now() + timeoutMs }, (err, value) => (err ? reject(err) : resolve(value!))));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-grpc-interop-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("grpc-js client -> Palisade's KMS plugin (HTTP/2 server)", () => {
  let plugin: KmsPlugin;
  let client: GrpcJsKms;
  let metrics: KmsMetrics;
  const key = randomBytes(32).toString("base64");

  beforeAll(async () => {
    const kekFile = join(dir, "keks");
    writeFileSync(kekFile, `${key}\n`, { mode: 0o600 });
    metrics = new KmsMetrics();
    plugin = await startKmsPlugin({ endpoint: `unix://${join(dir, "plugin.sock")}`, kekFile, logger: silent, metrics });
    client = new service(`unix://${join(dir, "plugin.sock")}`, grpc.credentials.createInsecure(), { "grpc.default_authority": "localhost" }) as unknown as GrpcJsKms;
  });
  afterAll(async () => {
    client?.close();
    await plugin?.close();
  });

  it("Status, Encrypt and Decrypt answer as grpc-js expects", async () => {
    expect(await unary<StatusResponseMessage>((o, cb) => client.Status({}, o, cb))).toEqual({ version: "v2", healthz: "ok", key_id: kekId(Buffer.from(key, "base64")) });
    const seed = randomBytes(32);
    const sealed = await unary<EncryptResponseMessage>((o, cb) => client.Encrypt({ plaintext: seed, uid: "grpc-js-1" }, o, cb));
    expect(sealed.key_id).toBe(plugin.keyId());
    expect(Object.keys(sealed.annotations)).toEqual(["kek.palisade.dev"]);
    const opened = await unary<{ plaintext: Buffer }>((o, cb) => client.Decrypt({ ciphertext: sealed.ciphertext, uid: "grpc-js-2", key_id: sealed.key_id, annotations: sealed.annotations }, o, cb));
    expect(opened.plaintext.equals(seed)).toBe(true);
  });

  it("keyring errors arrive with the same codes and messages", async () => {
    const sealed = await unary<EncryptResponseMessage>((o, cb) => client.Encrypt({ plaintext: Buffer.from("x"), uid: "u" }, o, cb));
    const failure = (req: object) => unary((o, cb) => client.Decrypt(req, o, cb)).then(() => expect.unreachable(), (err: grpc.ServiceError) => err);
    const tampered = await failure({ ciphertext: sealed.ciphertext, uid: "u", key_id: sealed.key_id, annotations: {} });
    expect(tampered.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(tampered.details).toMatch(/failed authentication/);
    expect((await failure({ ciphertext: sealed.ciphertext, uid: "u", key_id: "palisade-gone", annotations: {} })).code).toBe(grpc.status.NOT_FOUND);
    const noUid = await unary((o, cb) => client.Encrypt({ plaintext: Buffer.from("x"), uid: "" }, o, cb)).catch((err: grpc.ServiceError) => err);
    expect(noUid).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "uid is required" });
  });

  it("an unknown method or service is UNIMPLEMENTED, and the connection keeps serving", async () => {
    for (const path of ["/v2.KeyManagementService/Rotate", "/v1beta1.KeyManagementService/Encrypt"]) {
      const err = await new Promise<grpc.ServiceError>((resolve) => {
        client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), { deadline: Date.now() + 5_000 }, (e) => resolve(e!));
      });
      expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(err.details).toContain(path);
    }
    expect((await unary<StatusResponseMessage>((o, cb) => client.Status({}, o, cb))).healthz).toBe("ok");
    expect(await metrics.registry.getSingleMetricAsString("palisade_kms_requests_total")).toMatch(/method="unknown",code="UNIMPLEMENTED"} 2/);
  });

  it("a request that is not protobuf is INTERNAL, as grpc-go answers an unmarshal failure", async () => {
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      client.makeUnaryRequest("/v2.KeyManagementService/Decrypt", (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x7f, 1]), { deadline: Date.now() + 5_000 }, (e) => resolve(e!));
    });
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toMatch(/cannot unmarshal the request: length 127/);
  });

  it("a call already past its deadline fails with DEADLINE_EXCEEDED and the next one is served", async () => {
    const err = await unary((o, cb) => client.Status({}, o, cb), -1).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect((await unary<StatusResponseMessage>((o, cb) => client.Status({}, o, cb), 2_000)).version).toBe("v2");
  });
});

describe("grpc-js client -> the generic HTTP/2 server: statuses, messages, deadlines", () => {
  let server: GrpcH2Server;
  let client: grpc.Client;
  const socket = (): string => join(dir, "generic.sock");

  beforeAll(async () => {
    server = new GrpcH2Server({
      service: "test.Echo",
      methods: {
        Echo: (request) => request,
        Fail: (request) => {
          throw new GrpcError(Number(request.toString() || "13"), "ключ 100% ✓\nsecond line");
        },
        Slow: () => new Promise((resolve) => setTimeout(() => resolve(Buffer.from("late")), 2_000)),
        Broken: () => {
          throw new Error("not a status");
        },
      },
    });
    await server.listen(socket());
    client = new grpc.Client(`unix://${socket()}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await server?.close(1_000);
  });

  const call = (method: string, body: Buffer, timeoutMs = 5_000): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(`/test.Echo/${method}`, (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + timeoutMs }, (err, value) => (err ? reject(err) : resolve(value!)));
    });

  it("echoes empty, small and 1 MiB messages", async () => {
    for (const size of [0, 1, 1024 * 1024]) {
      const body = randomBytes(size);
      expect((await call("Echo", body)).equals(body)).toBe(true);
    }
  });

  it("every status code and a percent-encoded Unicode message reach grpc-js intact", async () => {
    for (let code = 1; code <= 16; code++) {
      const err = (await call("Fail", Buffer.from(String(code))).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(err.code).toBe(code);
      expect(err.details).toBe("ключ 100% ✓\nsecond line");
    }
    expect(await call("Broken", Buffer.alloc(0)).catch((e: grpc.ServiceError) => e.code)).toBe(grpc.status.UNKNOWN);
  });

  it("a message above the 4 MiB receive limit is RESOURCE_EXHAUSTED", async () => {
    const err = (await call("Echo", Buffer.alloc(4 * 1024 * 1024 + 1)).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/larger than max \(4194305 vs\. 4194304\)/);
    expect((await call("Echo", Buffer.from("still serving"))).toString()).toBe("still serving");
  });

  it("a method slower than the deadline ends in DEADLINE_EXCEEDED", async () => {
    const err = (await call("Slow", Buffer.alloc(0), 100).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});

describe("Palisade's HTTP/2 client -> a grpc-js KMS server", () => {
  let server: grpc.Server;
  const endpoint = (): string => `unix://${join(dir, "grpcjs.sock")}`;
  const seen: { authority?: string; timeout?: string }[] = [];

  beforeAll(async () => {
    server = new grpc.Server();
    const fail = (code: grpc.status, details: string) => ({ code, details, metadata: new grpc.Metadata() });
    server.addService(service.service, {
      Status: (call: grpc.ServerUnaryCall<object, StatusResponseMessage>, cb: grpc.sendUnaryData<StatusResponseMessage>) => {
        seen.push({ timeout: String(call.getDeadline()) });
        cb(null, { version: "v2", healthz: "ok", key_id: "grpc-js-key" });
      },
      Encrypt: (call: grpc.ServerUnaryCall<{ plaintext: Buffer; uid: string }, EncryptResponseMessage>, cb: grpc.sendUnaryData<EncryptResponseMessage>) => {
        if (call.request.uid === "slow") return void setTimeout(() => cb(null, { ciphertext: Buffer.from("late"), key_id: "k", annotations: {} }), 2_000);
        if (call.request.uid === "") return cb(fail(grpc.status.INVALID_ARGUMENT, "uid is required – ключ 100%"));
        if (call.request.uid === "huge") return cb(null, { ciphertext: Buffer.alloc(5 * 1024 * 1024), key_id: "k", annotations: {} });
        cb(null, { ciphertext: Buffer.concat([Buffer.from("sealed:"), call.request.plaintext]), key_id: "grpc-js-key", annotations: { "a.example.com": Buffer.from("1") } });
      },
      // Decrypt left out: grpc-js answers UNIMPLEMENTED.
    });
    await new Promise<void>((resolve, reject) => server.bindAsync(endpoint(), grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  });
  afterAll(() => server?.forceShutdown());

  it("calls Status and Encrypt, with the transformer-facing shapes", async () => {
    const client = createKmsV2GrpcClient(endpoint(), { timeoutMs: 3_000, name: "grpcjs" });
    try {
      expect(await client.status()).toEqual({ healthz: "ok", version: "v2", keyId: "grpc-js-key" });
      const sealed = await client.encrypt("uid-1", Buffer.from("seed"));
      expect(Buffer.from(sealed.ciphertext).toString()).toBe("sealed:seed");
      expect(sealed.keyId).toBe("grpc-js-key");
      expect(Object.fromEntries(Object.entries(sealed.annotations ?? {}).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ "a.example.com": "1" });
    } finally {
      client.close();
    }
    // grpc-js turned our grpc-timeout header into a finite deadline.
    expect(seen.at(-1)?.timeout).not.toBe("Infinity");
  });

  it("errors name the plugin, the method, the code and the decoded message", async () => {
    const client = createKmsV2GrpcClient(endpoint(), { timeoutMs: 3_000, name: "grpcjs" });
    try {
      await expect(client.encrypt("", Buffer.from("x"))).rejects.toThrow(/^KMS v2 plugin "grpcjs" \(unix:\/\/.*\) Encrypt failed: INVALID_ARGUMENT: uid is required – ключ 100%$/);
      await expect(client.decrypt("u", { ciphertext: Buffer.from("c"), keyId: "k" })).rejects.toThrow(/Decrypt failed: UNIMPLEMENTED/);
      await expect(client.encrypt("huge", Buffer.from("x"))).rejects.toThrow(/RESOURCE_EXHAUSTED: received message larger than max \(\d+ vs\. 4194304\)/);
      expect((await client.status()).keyId).toBe("grpc-js-key");
    } finally {
      client.close();
    }
  });

  it("a server slower than the deadline fails the call with DEADLINE_EXCEEDED and a hint", async () => {
    const client = createKmsV2GrpcClient(endpoint(), { timeoutMs: 100, name: "grpcjs" });
    try {
      const err = await client.encrypt("slow", Buffer.from("x")).catch((e: unknown) => e);
      expect(String(err)).toMatch(/Encrypt failed: DEADLINE_EXCEEDED: deadline of 100 ms exceeded/);
      expect((err as { hint?: string }).hint).toMatch(/is the plugin running/);
    } finally {
      client.close();
    }
  });

  it("the raw channel rejects with GrpcError carrying grpc-js's status code", async () => {
    const channel = new GrpcH2Channel({ socketPath: join(dir, "grpcjs.sock") });
    try {
      const err = await channel.unary("/v2.KeyManagementService/Nope", Buffer.alloc(0), 1_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GrpcError);
      expect((err as GrpcError).code).toBe(GrpcStatus.UNIMPLEMENTED);
    } finally {
      channel.close();
    }
  });
});
