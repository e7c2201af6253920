/**
 * The plugin side of KMS, as the transformers see it. Transformers stay pure: they only
 * call these interfaces. The gRPC clients over unix sockets (src/adapters, part 2)
 * implement them, and tests implement them with the fake plugins of the conformance data.
 *
 * Shapes follow the upstream plugin APIs (k8s.io/kms apis/v2 and apis/v1beta1), with the
 * request/response messages flattened to arguments and results.
 */

/** KMS v2 (`v2.KeyManagementService`): one seed/DEK per key generation, plugin called rarely. */
export interface KmsV2Service {
  /** Health and the current KEK id; a changed keyId makes the apiserver generate a new seed. */
  status(): Promise<{ healthz: string; version: string; keyId: string }>;
  /** Encrypt a seed or DEK. `uid` correlates one generation in plugin logs. */
  encrypt(
    uid: string,
    plaintext: Uint8Array,
  ): Promise<{ ciphertext: Uint8Array; keyId: string; annotations?: Record<string, Uint8Array> }>;
  /** Decrypt an encryptedDEKSource read from etcd; `uid` is fresh for every call. */
  decrypt(
    uid: string,
    req: { ciphertext: Uint8Array; keyId: string; annotations?: Record<string, Uint8Array> },
  ): Promise<Uint8Array>;
}

/** KMS v1 (`v1beta1.KeyManagementService`, deprecated): one Encrypt call per write. */
export interface KmsV1Service {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

/** What a config's `kms` provider element says about how to reach its plugin. */
export interface KmsProviderEndpoint {
  apiVersion: "v1" | "v2";
  name: string;
  /** `unix:///path` or `unix:///@abstract`, as validated by the config parser. */
  endpoint: string;
  timeoutMs: number;
}

/**
 * How the transformer chain obtains a plugin client for a provider. The CLI passes the
 * gRPC factory; tests pass in-process fakes. Returning undefined means "not available":
 * building a chain with a KMS provider then fails with a clear UserError.
 */
export interface KmsFactory {
  v1?(provider: KmsProviderEndpoint): KmsV1Service;
  v2?(provider: KmsProviderEndpoint): KmsV2Service;
}
