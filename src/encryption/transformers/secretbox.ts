import nacl from "tweetnacl";
import { concatBytes } from "../bytes.js";
import { StoredValueError } from "../errors.js";
import { systemRandom, type RandomSource } from "./random.js";
import type { ReadResult, ValueTransformer } from "./transformer.js";

export const SECRETBOX_KEY_SIZE = 32;
const NONCE_SIZE = 24;
const OVERHEAD = 16;

/** secretbox: XSalsa20-Poly1305, `nonce(24) ‖ tag(16) ‖ ciphertext`; binds no additional data. */
export class SecretboxTransformer implements ValueTransformer {
  constructor(
    private readonly key: Uint8Array,
    private readonly random: RandomSource = systemRandom,
  ) {
    if (key.length !== SECRETBOX_KEY_SIZE) {
      throw new StoredValueError(`invalid secretbox key size ${key.length} bytes, expected 32`);
    }
  }

  async read(data: Uint8Array): Promise<ReadResult> {
    return this.readSync(data);
  }

  readSync(data: Uint8Array): ReadResult {
    if (data.length < NONCE_SIZE + OVERHEAD) {
      throw new StoredValueError("the stored data was shorter than the required size");
    }
    const opened = nacl.secretbox.open(data.subarray(NONCE_SIZE), data.subarray(0, NONCE_SIZE), this.key);
    if (!opened) throw new StoredValueError("secretbox authentication failed (wrong key or modified data)");
    return { plaintext: opened, stale: false };
  }

  async write(plaintext: Uint8Array): Promise<Uint8Array> {
    const nonce = this.random(NONCE_SIZE);
    return concatBytes(nonce, nacl.secretbox(plaintext, nonce, this.key));
  }
}
