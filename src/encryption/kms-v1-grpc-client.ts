import { StoredValueError } from "./errors.js";
import { GrpcError } from "./grpc-h2-status.js";
import { DEFAULT_KMS_TIMEOUT_MS, kmsCallFailure, kmsChannel, kmsClientLabel, undecodableResponse } from "./kms-call.js";
import type { KmsV1Service } from "./kms-service.js";
import { lenFieldSize, ProtobufDecodeError, WIRE_LEN, WireReader, WireWriter } from "./protobuf-wire.js";

/**
 * A KMS v1 plugin client (`v1beta1.KeyManagementService`, deprecated upstream), so that values
 * a cluster wrote under a v1 provider can still be read, reported and rotated to v2. It
 * behaves as kube-apiserver's (envelope/grpc_service.go): before the first Encrypt or Decrypt,
 * Version with version "v1beta1", whose answer must be exactly "v1beta1"; every request
 * carries that version; one deadline covers the version check and the call. Messages are
 * the six of k8s.io/kms/apis/v1beta1/api.proto (spec §7.3), encoded by hand as the v2 ones.
 */

export const KMS_V1_SERVICE = "v1beta1.KeyManagementService";
const KMS_API_VERSION = "v1beta1";

type Method = "Version" | "Encrypt" | "Decrypt";

/** A message of one `version` string (field 1) and, for Encrypt/Decrypt, the bytes in field 2. */
function encodeRequest(payload?: Uint8Array): Buffer {
  const version = Buffer.from(KMS_API_VERSION);
  const hasPayload = payload !== undefined && payload.length > 0;
  const out = new WireWriter(lenFieldSize(1, version.length) + (hasPayload ? lenFieldSize(2, payload.length) : 0));
  out.bytes(1, version);
  if (hasPayload) out.bytes(2, payload);
  return out.finish();
}

/** The one field a response is read for (proto3: absent is empty, the last occurrence wins, others are skipped). */
function decodeField(buf: Buffer, wanted: number, asString: boolean): Buffer | string {
  const reader = new WireReader(buf);
  let value: Buffer | string = asString ? "" : Buffer.alloc(0);
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (wire === WIRE_LEN && field === wanted) value = asString ? reader.string(field) : reader.bytes();
    else reader.skip(field, wire);
  }
  return value;
}

export interface KmsV1GrpcClient extends KmsV1Service {
  close(): void;
}

export function createKmsV1GrpcClient(endpoint: string, options: { timeoutMs?: number; name?: string } = {}): KmsV1GrpcClient {
  const channel = kmsChannel(endpoint);
  const timeoutMs = options.timeoutMs ?? DEFAULT_KMS_TIMEOUT_MS;
  const label = kmsClientLabel("v1", endpoint, options.name);
  let versionChecked = false;

  const call = async (method: Method, request: Buffer, deadline: number): Promise<Buffer> => {
    try {
      return await channel.unary(`/${KMS_V1_SERVICE}/${method}`, request, Math.max(deadline - performance.now(), 0));
    } catch (err) {
      throw err instanceof GrpcError ? kmsCallFailure(label, method, err) : err;
    }
  };

  const decoded = <T>(method: Method, decode: () => T): T => {
    try {
      return decode();
    } catch (err) {
      if (!(err instanceof ProtobufDecodeError)) throw err;
      throw kmsCallFailure(label, method, undecodableResponse(err.message));
    }
  };

  /** gRPCService.checkAPIVersion: once per client, and only a success is remembered. */
  const checkVersion = async (deadline: number): Promise<void> => {
    if (versionChecked) return;
    const response = await call("Version", encodeRequest(), deadline);
    const version = decoded("Version", () => decodeField(response, 1, true) as string);
    if (version !== KMS_API_VERSION) {
      throw new StoredValueError(`${label}: KMS provider api version ${JSON.stringify(version)} is not supported, only ${KMS_API_VERSION} is supported`, {
        hint: "this endpoint serves another KMS API: for a KMS v2 plugin, set apiVersion: v2 on the provider",
      });
    }
    versionChecked = true;
  };

  const run = async (method: "Encrypt" | "Decrypt", payload: Uint8Array): Promise<Uint8Array> => {
    const deadline = performance.now() + timeoutMs;
    await checkVersion(deadline);
    const response = await call(method, encodeRequest(payload), deadline);
    // EncryptResponse { cipher = 1 }, DecryptResponse { plain = 1 }: copied out of the received frame.
    return new Uint8Array(decoded(method, () => decodeField(response, 1, false) as Buffer));
  };

  return {
    encrypt: (plaintext) => run("Encrypt", plaintext),
    decrypt: (ciphertext) => run("Decrypt", ciphertext),
    close() {
      channel.close();
    },
  };
}
