/**
 * `unix:///@name` KMS endpoints: kube-apiserver dials them as the Linux abstract socket
 * `@name` (k8s.io/kms util.ParseEndpoint), so Palisade's client does too, and a third-party
 * KMS v2 plugin served there can be read and written through the transformer chain. Palisade's
 * own plugin still refuses to serve one (no file mode restricts who may call it), and its help
 * and hints no longer advertise the form. A real KMS v2 gRPC server on a real abstract socket.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { codecForConfiguration } from "../../src/adapters/etcd-codec.js";
import { GrpcH2Server } from "../../src/adapters/grpc-h2-server.js";
import { startKmsPlugin } from "../../src/adapters/kms-server.js";
import { parseEncryptionConfiguration } from "../../src/encryption/index.js";
import { createKmsV2GrpcClient, grpcKmsFactory } from "../../src/encryption/kms-grpc-client.js";
import {
  decodeDecryptRequest,
  decodeEncryptRequest,
  encodeDecryptResponse,
  encodeEncryptResponse,
  encodeStatusResponse,
  KMS_V2_SERVICE,
} from "../../src/encryption/kms-v2-messages.js";
import { locateKey } from "../../src/encryption/rotation-keys.js";
import { palisade } from "../support/cli-in-process.js";

const NAME = `palisade-test-${randomBytes(6).toString("hex")}`;
const ENDPOINT = `unix:///@${NAME}`;
// A toy plugin: the "ciphertext" is the plaintext reversed, so a round trip proves both calls reached it.
const reverse = (bytes: Uint8Array) => Buffer.from(bytes).reverse();
const calls: string[] = [];
let server: GrpcH2Server;

beforeAll(async () => {
  server = new GrpcH2Server({
    service: KMS_V2_SERVICE,
    methods: {
      Status: () => (calls.push("Status"), encodeStatusResponse({ version: "v2", healthz: "ok", key_id: "abstract-key-1" })),
      Encrypt: (request) => (calls.push("Encrypt"), encodeEncryptResponse({ ciphertext: reverse(decodeEncryptRequest(request).plaintext), key_id: "abstract-key-1" })),
      Decrypt: (request) => (calls.push("Decrypt"), encodeDecryptResponse({ plaintext: reverse(decodeDecryptRequest(request).ciphertext) })),
    },
  });
  await server.listen(`\0${NAME}`);
});
afterAll(async () => server?.close(1000));

describe.runIf(process.platform === "linux")("KMS v2 plugins on abstract sockets", () => {
  it("the client dials unix:///@name as the abstract socket @name", async () => {
    const client = createKmsV2GrpcClient(ENDPOINT);
    try {
      expect(await client.status()).toEqual({ healthz: "ok", version: "v2", keyId: "abstract-key-1" });
      const sealed = await client.encrypt("uid-1", Buffer.from("hello"));
      expect(Buffer.from(sealed.ciphertext).toString()).toBe("olleh");
      expect(Buffer.from(await client.decrypt("uid-2", { ciphertext: sealed.ciphertext, keyId: sealed.keyId })).toString()).toBe("hello");
    } finally {
      client.close();
    }
  });

  it("values under a kms v2 provider on an abstract socket are written and read through the chain", async () => {
    const yaml = [
      "apiVersion: apiserver.config.k8s.io/v1",
      "kind: EncryptionConfiguration",
      "resources:",
      "  - resources: [secrets]",
      "    providers:",
      `      - kms: { apiVersion: v2, name: abstract, endpoint: "${ENDPOINT}" }`,
      "      - identity: {}",
      "",
    ].join("\n");
    const kms = grpcKmsFactory();
    try {
      const codec = codecForConfiguration(parseEncryptionConfiguration(yaml, "enc.yaml").config, kms);
      const key = "/registry/secrets/default/s1";
      const location = locateKey("/registry", key)!;
      calls.length = 0;
      const stored = Buffer.from(await codec.write(key, location, Buffer.from('{"kind":"Secret"}')));
      expect(stored.subarray(0, 24).toString("latin1")).toBe("k8s:enc:kms:v2:abstract:");
      const read = await codec.read(key, location, stored, Buffer.from(key));
      expect(Buffer.from(read.plaintext).toString()).toBe('{"kind":"Secret"}');
      expect(calls).toContain("Encrypt");
    } finally {
      kms.close();
    }
  });
});

describe("Palisade's own plugin and abstract sockets", () => {
  it("refuses to serve one, and neither its help nor its hints advertise the form", async () => {
    const logger = pino({ level: "silent" });
    await expect(startKmsPlugin({ endpoint: ENDPOINT, kekFile: "/nonexistent", logger })).rejects.toThrow(/abstract socket .* not supported/);
    const notUnix = await startKmsPlugin({ endpoint: "/tmp/x.sock", kekFile: "/nonexistent", logger }).then(
      () => undefined,
      (err: { hint?: string }) => err,
    );
    expect(notUnix?.hint).toBeDefined();
    expect(notUnix?.hint).not.toContain("@");
    const help = await palisade(["kms", "serve", "--help"]);
    expect(help.stdout).toContain("--socket");
    expect(help.stdout).not.toContain("unix:///@");
  });
});
