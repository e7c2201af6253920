import { fromJSON, type Options, type PackageDefinition } from "@grpc/proto-loader";

/**
 * The KMS v2 plugin gRPC API (`v2.KeyManagementService`) as a protobufjs descriptor, for
 * grpc-js peers (the interoperability tests) and as the schema the hand-written codec in
 * src/encryption/kms-v2-messages.ts is tested against. It mirrors
 * src/adapters/proto/kms-v2.proto field for field; a test keeps the two in step. Upstream: k8s.io/kms/apis/v2/api.proto (spec §8.4).
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

/** Loader options for grpc-js peers: snake_case names as on the wire, bytes as Buffers, defaults filled. */
export const KMS_PROTO_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

export function kmsV2PackageDefinition(): PackageDefinition {
  // protobufjs's JSON types mark optional members (comment, map keyType) as required or
  // absent depending on its version; the object is the documented JSON descriptor form.
  return fromJSON(KMS_V2_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0], KMS_PROTO_OPTIONS);
}

// The client and server encode these messages by hand (kms-v2-messages.ts) and never load
// this module, so protobufjs stays out of `palisade kms serve`; this module remains the
// schema that tests check the codec and the .proto file against, and what grpc-js peers use.
