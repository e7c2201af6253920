/**
 * KMS v1 (v1beta1, deprecated) values can be read and written through a real v1beta1 plugin,
 * so a cluster that still holds them can see them in `etcd status` and rotate them away. The
 * plugin here is grpc-js with the v1beta1 schema (spec §7.3; upstream's base64 mock plugin,
 * envelope/testing/v1beta1/kms_plugin_mock.go), an encoding independent of Palisade's, on a
 * real unix socket; the client behaves as kube-apiserver's (envelope/grpc_service.go):
 * Version "v1beta1" once, before the first Encrypt or Decrypt, each request with that version.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { parseEncryptionConfiguration } from "../../src/encryption/index.js";
import { grpcKmsFactory } from "../../src/encryption/kms-grpc-client.js";
import { createKmsV1GrpcClient } from "../../src/encryption/kms-v1-grpc-client.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { palisade } from "../support/cli-in-process.js";
import { startEtcd, type TestEtcd } from "../support/etcd.js";

/** k8s.io/kms/apis/v1beta1/api.proto as a protobufjs JSON descriptor. */
const V1BETA1 = {
  nested: {
    v1beta1: {
      nested: {
        KeyManagementService: {
          methods: {
            Version: { requestType: "VersionRequest", responseType: "VersionResponse" },
            Decrypt: { requestType: "DecryptRequest", responseType: "DecryptResponse" },
            Encrypt: { requestType: "EncryptRequest", responseType: "EncryptResponse" },
          },
        },
        VersionRequest: { fields: { version: { type: "string", id: 1 } } },
        VersionResponse: { fields: { version: { type: "string", id: 1 }, runtime_name: { type: "string", id: 2 }, runtime_version: { type: "string", id: 3 } } },
        DecryptRequest: { fields: { version: { type: "string", id: 1 }, cipher: { type: "bytes", id: 2 } } },
        DecryptResponse: { fields: { plain: { type: "bytes", id: 1 } } },
        EncryptRequest: { fields: { version: { type: "string", id: 1 }, plain: { type: "bytes", id: 2 } } },
        EncryptResponse: { fields: { cipher: { type: "bytes", id: 1 } } },
      },
    },
  },
};
const definition = fromJSON(V1BETA1 as unknown as Parameters<typeof fromJSON>[0], { keepCase: true, defaults: true });
const service = (grpc.loadPackageDefinition(definition) as unknown as { v1beta1: { KeyManagementService: grpc.ServiceClientConstructor } }).v1beta1.KeyManagementService;

const dir = mkdtempSync(join(tmpdir(), "palisade-kms-v1-"));
const calls: Array<{ method: string; version: string }> = [];

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

/** Upstream's v1beta1 mock: the "cipher" is the base64 text of the plaintext. */
async function startPlugin(socket: string, version: string): Promise<grpc.Server> {
  const server = new grpc.Server();
  const Version: Unary<{ version: string }, object> = (call, cb) => {
    calls.push({ method: "Version", version: call.request.version });
    cb(null, { version, runtime_name: "testKMS", runtime_version: "0.0.1" });
  };
  const Encrypt: Unary<{ version: string; plain: Buffer }, { cipher: Buffer }> = (call, cb) => {
    calls.push({ method: "Encrypt", version: call.request.version });
    cb(null, { cipher: Buffer.from(call.request.plain.toString("base64")) });
  };
  const Decrypt: Unary<{ version: string; cipher: Buffer }, { plain: Buffer }> = (call, cb) => {
    calls.push({ method: "Decrypt", version: call.request.version });
    cb(null, { plain: Buffer.from(call.request.cipher.toString(), "base64") });
  };
  server.addService(service.service, { Version, Encrypt, Decrypt });
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return server;
}

const SOCKET = join(dir, "kmsv1.sock");
const WRONG_SOCKET = join(dir, "kmsv2ish.sock");
const config = join(dir, "enc.yaml");
const yaml = [
  "apiVersion: apiserver.config.k8s.io/v1",
  "kind: EncryptionConfiguration",
  "resources:",
  "  - resources: [secrets]",
  "    providers:",
  // apiVersion left out: it defaults to v1, as upstream's defaults.go says.
  `      - kms: { name: v1prov, endpoint: "unix://${SOCKET}" }`,
  "      - identity: {}",
  "",
].join("\n");
writeFileSync(config, yaml);

let plugin: grpc.Server;
let wrong: grpc.Server;
let etcd: TestEtcd;
beforeAll(async () => {
  plugin = await startPlugin(SOCKET, "v1beta1");
  wrong = await startPlugin(WRONG_SOCKET, "v2");
  etcd = await startEtcd();
}, 240_000);
afterAll(async () => {
  plugin?.forceShutdown();
  wrong?.forceShutdown();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("KMS v1 (v1beta1) plugin client", () => {
  it("checks the version once, then sends every request with version v1beta1", async () => {
    calls.length = 0;
    const client = createKmsV1GrpcClient(`unix://${SOCKET}`, { name: "v1prov" });
    try {
      const cipher = await client.encrypt(Buffer.from("a-dek"));
      expect(Buffer.from(cipher).toString()).toBe(Buffer.from("a-dek").toString("base64"));
      expect(Buffer.from(await client.decrypt(cipher)).toString()).toBe("a-dek");
    } finally {
      client.close();
    }
    expect(calls).toEqual([
      { method: "Version", version: "v1beta1" },
      { method: "Encrypt", version: "v1beta1" },
      { method: "Decrypt", version: "v1beta1" },
    ]);
  });

  it("refuses a plugin that answers another version, before any Encrypt", async () => {
    calls.length = 0;
    const client = createKmsV1GrpcClient(`unix://${WRONG_SOCKET}`, { name: "other" });
    try {
      await expect(client.encrypt(Buffer.from("x"))).rejects.toThrow(/KMS provider api version "v2" is not supported, only v1beta1 is supported/);
    } finally {
      client.close();
    }
    expect(calls.map((c) => c.method)).toEqual(["Version"]);
  });

  it("values under a v1 provider are written and read through the chain, and `etcd status` reads them", async () => {
    const kms = grpcKmsFactory();
    const key = "/registry/secrets/default/v1-secret";
    try {
      const codec = codecForConfiguration(parseEncryptionConfiguration(yaml, config).config, kms);
      const location = locateKey("/registry", key)!;
      const stored = Buffer.from(await codec.write(key, location, Buffer.from("k8s\0v1 secret object")));
      expect(stored.subarray(0, 22).toString("latin1")).toBe("k8s:enc:kms:v1:v1prov:");
      const read = await codec.read(key, location, stored, Buffer.from(key));
      expect(Buffer.from(read.plaintext).toString("latin1")).toBe("k8s\0v1 secret object");
      await etcd.client.put(key).value(stored);
    } finally {
      kms.close();
    }
    const run = await palisade(["etcd", "status", "--endpoints", etcd.endpoint, "--config", config, "-o", "json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as { undecryptable: unknown[]; resources: Record<string, { byWriter: Record<string, number> }> };
    expect(status.undecryptable).toEqual([]);
    expect(status.resources.secrets?.byWriter).toEqual({ "kms:v1:v1prov": 1 });
  });
});
