import { fromJSON, type Options, type PackageDefinition } from "@grpc/proto-loader";

/**
 * The KMS v2 plugin gRPC API (`v2.KeyManagementService`), defined in code so the compiled
 * CLI needs no .proto file on disk. It mirrors src/adapters/proto/kms-v2.proto field for
 * field; a test keeps the two in step. Upstream: k8s.io/kms/apis/v2/api.proto (spec §8.4).
 */
const KMS_V2_DESCRIPTOR = {
  nested: {
    v2: {
      nested: {
        KeyManagementService: {
          methods: {
            Status: { requestType: "StatusRequest", responseType: "StatusResponse" },
            Decrypt: { requestType: "DecryptRequest", responseType: "DecryptResponse" },
            Encrypt: { requestType: "EncryptRequest", responseType: "EncryptResponse" },
          },
        },
        StatusRequest: { fields: {} },
        StatusResponse: {
          fields: {
            version: { type: "string", id: 1 },
            healthz: { type: "string", id: 2 },
            key_id: { type: "string", id: 3 },
          },
        },
        DecryptRequest: {
          fields: {
            ciphertext: { type: "bytes", id: 1 },
            uid: { type: "string", id: 2 },
            key_id: { type: "string", id: 3 },
            annotations: { keyType: "string", type: "bytes", id: 4 },
          },
        },
        DecryptResponse: { fields: { plaintext: { type: "bytes", id: 1 } } },
        EncryptRequest: {
          fields: {
            plaintext: { type: "bytes", id: 1 },
            uid: { type: "string", id: 2 },
          },
        },
        EncryptResponse: {
          fields: {
            ciphertext: { type: "bytes", id: 1 },
            key_id: { type: "string", id: 2 },
            annotations: { keyType: "string", type: "bytes", id: 3 },
          },
        },
      },
    },
  },
};

/** Loader options shared by client and server: snake_case names as on the wire, bytes as Buffers, defaults filled. */
export const KMS_PROTO_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** The full gRPC service name kube-apiserver dials. */
export const KMS_V2_SERVICE = "v2.KeyManagementService";

export function kmsV2PackageDefinition(): PackageDefinition {
  // protobufjs's JSON types mark optional members (comment, map keyType) as required or
  // absent depending on its version; the object is the documented JSON descriptor form.
  return fromJSON(KMS_V2_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0], KMS_PROTO_OPTIONS);
}

/** Wire shapes (keepCase), as the loader hands them to handlers and callbacks. */
export interface StatusResponseMessage {
  version: string;
  healthz: string;
  key_id: string;
}
export interface EncryptRequestMessage {
  plaintext: Buffer;
  uid: string;
}
export interface EncryptResponseMessage {
  ciphertext: Buffer;
  key_id: string;
  annotations: Record<string, Buffer>;
}
export interface DecryptRequestMessage {
  ciphertext: Buffer;
  uid: string;
  key_id: string;
  annotations: Record<string, Buffer>;
}
export interface DecryptResponseMessage {
  plaintext: Buffer;
}

/**
 * The endpoint forms kube-apiserver accepts for a KMS plugin (spec §8.4): `unix:///path`
 * is a filesystem socket, `unix:///@name` a Linux abstract socket. Returns the grpc-js
 * target and, for filesystem sockets, the path.
 */
export function parseKmsEndpoint(endpoint: string): { target: string; path: string | undefined; abstractName: string | undefined } | undefined {
  if (!endpoint.startsWith("unix://")) return undefined;
  const rest = endpoint.slice("unix://".length);
  if (!rest.startsWith("/") || rest.length < 2) return undefined;
  if (rest.startsWith("/@")) {
    const name = rest.slice(2);
    if (name.length === 0) return undefined;
    return { target: `unix-abstract:${name}`, path: undefined, abstractName: name };
  }
  return { target: `unix://${rest}`, path: rest, abstractName: undefined };
}
