import { hasPrefix, utf8 } from "../bytes.js";
import { StoredValueError } from "../errors.js";
import type { ReadResult, ValueTransformer } from "./transformer.js";

/** Every encrypted value starts with this marker; JSON and protobuf (`k8s\0`) never do. */
export const ENCRYPTED_MARKER = utf8("k8s:enc:");

/**
 * identity: writes plaintext, reads anything that is not marked encrypted. Refusing
 * `k8s:enc:` data is what lets a chain with identity first still read encrypted values
 * through the later providers.
 */
export class IdentityTransformer implements ValueTransformer {
  async read(data: Uint8Array): Promise<ReadResult> {
    return this.readSync(data);
  }

  readSync(data: Uint8Array): ReadResult {
    if (hasPrefix(data, ENCRYPTED_MARKER)) {
      throw new StoredValueError("identity transformer tried to read encrypted data", {
        hint: "the value is encrypted with a provider that is not configured for this resource",
      });
    }
    return { plaintext: data, stale: false, origin: { provider: "identity" } };
  }

  async write(plaintext: Uint8Array): Promise<Uint8Array> {
    return plaintext;
  }
}
