import { GrpcError } from "./grpc-h2-status.js";
import { DEFAULT_KMS_TIMEOUT_MS, kmsCallFailure, kmsChannel, kmsClientLabel, undecodableResponse } from "./kms-call.js";
import { createKmsV1GrpcClient } from "./kms-v1-grpc-client.js";
import type { KmsFactory, KmsProviderEndpoint, KmsV2Service } from "./kms-service.js";
import {
  decodeDecryptResponse,
  decodeEncryptResponse,
  decodeStatusResponse,
  encodeDecryptRequest,
  encodeEncryptRequest,
  encodeStatusRequest,
  KMS_V2_SERVICE,
  ProtobufDecodeError,
  type KmsV2Method,
} from "./kms-v2-messages.js";

/**
 * A KMS v2 plugin client over a unix socket, as kube-apiserver dials it (spec §8.4):
 * plaintext gRPC, `:authority` localhost, a deadline per call. It, the v1 client and
 * kms-call.ts are the places in src/encryption that touch the network; the transformers only
 * see KmsV2Service.
 * The transport is the lean HTTP/2 gRPC channel (grpc-h2-client.ts), not grpc-js: a
 * plugin call then costs about what the socket round trip costs.
 */
export interface KmsV2GrpcClient extends KmsV2Service {
  close(): void;
}

export function createKmsV2GrpcClient(endpoint: string, options: { timeoutMs?: number; name?: string } = {}): KmsV2GrpcClient {
  const channel = kmsChannel(endpoint);
  const timeoutMs = options.timeoutMs ?? DEFAULT_KMS_TIMEOUT_MS;
  const label = kmsClientLabel("v2", endpoint, options.name);

  const call = async <Res>(method: KmsV2Method, request: Uint8Array, decode: (bytes: Buffer) => Res): Promise<Res> => {
    let error: GrpcError;
    try {
      const response = await channel.unary(`/${KMS_V2_SERVICE}/${method}`, request, timeoutMs);
      try {
        return decode(response);
      } catch (err) {
        if (!(err instanceof ProtobufDecodeError)) throw err;
        error = undecodableResponse(err.message);
      }
    } catch (err) {
      if (!(err instanceof GrpcError)) throw err;
      error = err;
    }
    throw kmsCallFailure(label, method, error);
  };

  return {
    async status() {
      const response = await call("Status", encodeStatusRequest(), decodeStatusResponse);
      return { healthz: response.healthz, version: response.version, keyId: response.key_id };
    },
    async encrypt(uid, plaintext) {
      const response = await call("Encrypt", encodeEncryptRequest({ plaintext, uid }), decodeEncryptResponse);
      return { ciphertext: new Uint8Array(response.ciphertext), keyId: response.key_id, annotations: toUint8Map(response.annotations) };
    },
    async decrypt(uid, req) {
      const request = encodeDecryptRequest({ ciphertext: req.ciphertext, uid, key_id: req.keyId, annotations: req.annotations ?? {} });
      const response = await call("Decrypt", request, decodeDecryptResponse);
      return new Uint8Array(response.plaintext);
    },
    close() {
      channel.close();
    },
  };
}

/** Copies out of the received frame, so callers keep only the bytes they use. */
function toUint8Map(map: Record<string, Buffer>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(map)) {
    // A plugin-chosen `__proto__` key stays an own key, as the codec keeps it.
    if (name === "__proto__") Object.defineProperty(out, name, { value: new Uint8Array(value), enumerable: true, writable: true, configurable: true });
    else out[name] = new Uint8Array(value);
  }
  return out;
}

/**
 * A KmsFactory for the transformer chain that dials each provider's socket once (v2, and v1
 * for data written under a deprecated v1beta1 plugin) and reuses the connection; `close()`
 * ends them all so a CLI run can exit.
 */
export function grpcKmsFactory(): KmsFactory & { close(): void } {
  const clients = new Map<string, { close(): void }>();
  const reuse = <C extends { close(): void }>(provider: KmsProviderEndpoint, create: () => C): C => {
    const key = `${provider.apiVersion}\0${provider.endpoint}\0${provider.timeoutMs}`;
    let client = clients.get(key) as C | undefined;
    if (client === undefined) {
      client = create();
      clients.set(key, client);
    }
    return client;
  };
  return {
    v2: (provider) => reuse(provider, () => createKmsV2GrpcClient(provider.endpoint, { timeoutMs: provider.timeoutMs, name: provider.name })),
    v1: (provider) => reuse(provider, () => createKmsV1GrpcClient(provider.endpoint, { timeoutMs: provider.timeoutMs, name: provider.name })),
    close() {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
