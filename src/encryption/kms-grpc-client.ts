import * as grpc from "@grpc/grpc-js";
import { StoredValueError } from "./errors.js";
import type { KmsFactory, KmsProviderEndpoint, KmsV2Service } from "./kms-service.js";
import {
  kmsV2PackageDefinition,
  parseKmsEndpoint,
  type DecryptResponseMessage,
  type EncryptResponseMessage,
  type StatusResponseMessage,
} from "./kms-grpc-proto.js";

/**
 * A KMS v2 plugin client over a unix socket, as kube-apiserver dials it (spec §8.4):
 * plaintext gRPC, `:authority` localhost, a deadline per call. This is the one place in
 * src/encryption that touches the network; the transformers only see KmsV2Service.
 */
export interface KmsV2GrpcClient extends KmsV2Service {
  close(): void;
}

type Unary<Req, Res> = (request: Req, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response?: Res) => void) => void;

interface RawClient extends grpc.Client {
  Status: Unary<Record<string, never>, StatusResponseMessage>;
  Encrypt: Unary<{ plaintext: Buffer; uid: string }, EncryptResponseMessage>;
  Decrypt: Unary<{ ciphertext: Buffer; uid: string; key_id: string; annotations: Record<string, Buffer> }, DecryptResponseMessage>;
}

const DEFAULT_TIMEOUT_MS = 3_000;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function createKmsV2GrpcClient(endpoint: string, options: { timeoutMs?: number; name?: string } = {}): KmsV2GrpcClient {
  const parsed = parseKmsEndpoint(endpoint);
  if (parsed === undefined) {
    throw new StoredValueError(`KMS endpoint ${JSON.stringify(endpoint)} is not a unix socket`, {
      hint: "use unix:///path/to/kms.sock or unix:///@name",
    });
  }
  if (parsed.path === undefined) {
    throw new StoredValueError(`KMS endpoint ${endpoint} is an abstract socket, which this client (grpc-js) cannot dial`, {
      hint: "serve the plugin on a filesystem socket such as unix:///var/run/kms.sock",
    });
  }
  const definition = grpc.loadPackageDefinition(kmsV2PackageDefinition()) as unknown as {
    v2: { KeyManagementService: new (target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => RawClient };
  };
  const client = new definition.v2.KeyManagementService(parsed.target, grpc.credentials.createInsecure(), {
    // kube-apiserver sends :authority localhost; plugins (the upstream mock among them) may check it.
    "grpc.default_authority": "localhost",
  });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const label = options.name ? `KMS v2 plugin "${options.name}" (${endpoint})` : `KMS v2 plugin at ${endpoint}`;

  const call = <Req, Res>(method: "Status" | "Encrypt" | "Decrypt", request: Req): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const fn = client[method] as unknown as Unary<Req, Res>;
      fn.call(client, request, { deadline: Date.now() + timeoutMs }, (err, response) => {
        if (err || response === undefined) {
          const code = err ? grpc.status[err.code] : "EMPTY";
          // The plugin's details never hold key material (ours) and are the operator's best clue.
          reject(new StoredValueError(`${label} ${method} failed: ${code}${err?.details ? `: ${err.details}` : ""}`, {
            hint: err?.code === grpc.status.UNAVAILABLE || err?.code === grpc.status.DEADLINE_EXCEEDED ? "is the plugin running and is the socket path right?" : undefined,
          }));
          return;
        }
        resolve(response);
      });
    });

  return {
    async status() {
      const response = await call<Record<string, never>, StatusResponseMessage>("Status", {});
      return { healthz: response.healthz, version: response.version, keyId: response.key_id };
    },
    async encrypt(uid, plaintext) {
      const response = await call<{ plaintext: Buffer; uid: string }, EncryptResponseMessage>("Encrypt", { plaintext: asBuffer(plaintext), uid });
      return { ciphertext: new Uint8Array(response.ciphertext), keyId: response.key_id, annotations: toUint8Map(response.annotations) };
    },
    async decrypt(uid, req) {
      const annotations: Record<string, Buffer> = {};
      for (const [name, value] of Object.entries(req.annotations ?? {})) annotations[name] = asBuffer(value);
      const response = await call<{ ciphertext: Buffer; uid: string; key_id: string; annotations: Record<string, Buffer> }, DecryptResponseMessage>("Decrypt", {
        ciphertext: asBuffer(req.ciphertext),
        uid,
        key_id: req.keyId,
        annotations,
      });
      return new Uint8Array(response.plaintext);
    },
    close() {
      client.close();
    },
  };
}

function toUint8Map(map: Record<string, Buffer> | undefined): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(map ?? {})) out[name] = new Uint8Array(value);
  return out;
}

/**
 * A KmsFactory for the transformer chain that dials each v2 provider's socket once and
 * reuses the connection; `close()` ends them all so a CLI run can exit.
 */
export function grpcKmsFactory(): KmsFactory & { close(): void } {
  const clients = new Map<string, KmsV2GrpcClient>();
  return {
    v2(provider: KmsProviderEndpoint) {
      const key = `${provider.endpoint}\0${provider.timeoutMs}`;
      let client = clients.get(key);
      if (client === undefined) {
        client = createKmsV2GrpcClient(provider.endpoint, { timeoutMs: provider.timeoutMs, name: provider.name });
        clients.set(key, client);
      }
      return client;
    },
    close() {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
