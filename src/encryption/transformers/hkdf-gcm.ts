import { createHmac } from "node:crypto";
import { concatBytes } from "../bytes.js";
import { StoredValueError } from "../errors.js";
import { gcmOpen, gcmSeal } from "./aes.js";
import { systemRandom, type RandomSource } from "./random.js";
import type { ReadResult, ValueTransformer } from "./transformer.js";

export const MIN_SEED_SIZE = 32;
const INFO_SIZE = 32;

/**
 * HKDF-Expand (RFC 5869, no extract step) with SHA-256, PRK = seed, 32 bytes out: one
 * HMAC block, T(1) = HMAC(seed, info ‖ 0x01). Node's hkdf always extracts first, so it
 * would not match upstream.
 */
export function hkdfExpandSha256(seed: Uint8Array, info: Uint8Array): Uint8Array {
  const block = createHmac("sha256", seed).update(info).update(Uint8Array.of(1)).digest();
  return new Uint8Array(block.buffer, block.byteOffset, 32);
}

/**
 * KMS v2's extended-nonce transformer (HKDF_SHA256_XNONCE_AES_GCM_SEED): every write
 * derives a fresh AES-256-GCM key from the seed and 32 random info bytes, so one seed
 * can encrypt without a practical write limit. Layout: `info(32) ‖ nonce(12) ‖ ct ‖ tag`.
 */
export class HkdfExtendedNonceGcmTransformer implements ValueTransformer {
  constructor(
    private readonly seed: Uint8Array,
    private readonly random: RandomSource = systemRandom,
  ) {
    if (seed.length < MIN_SEED_SIZE) {
      throw new StoredValueError(`invalid seed length ${seed.length} bytes, expected at least ${MIN_SEED_SIZE}`);
    }
  }

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    if (data.length < INFO_SIZE) throw new StoredValueError("the stored data was shorter than the required size");
    const key = hkdfExpandSha256(this.seed, data.subarray(0, INFO_SIZE));
    return { plaintext: gcmOpen(key, data.subarray(INFO_SIZE), aad), stale: false };
  }

  async write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const info = this.random(INFO_SIZE);
    const key = hkdfExpandSha256(this.seed, info);
    return concatBytes(info, gcmSeal(key, this.random(12), plaintext, aad));
  }
}

/**
 * AES-GCM with a per-key counter nonce (`4 random bytes ‖ uint64 LE counter`), as the
 * KMS v2 servers before 1.29 wrote with AES_GCM_KEY. The counter starts at 1e9 and is
 * incremented before use, like upstream. Reads just use the stored 12-byte nonce.
 */
export class CounterNonceGcmTransformer implements ValueTransformer {
  private counter = 1_000_000_000n;
  private readonly noncePrefix: Uint8Array;

  constructor(
    private readonly key: Uint8Array,
    random: RandomSource = systemRandom,
  ) {
    this.noncePrefix = random(4);
  }

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    return { plaintext: gcmOpen(this.key, data, aad), stale: false };
  }

  async write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    this.counter += 1n;
    if (this.counter > 0xffffffffffffffffn) throw new StoredValueError("AES-GCM nonce counter exhausted; rotate the DEK");
    const nonce = new Uint8Array(12);
    nonce.set(this.noncePrefix, 0);
    new DataView(nonce.buffer).setBigUint64(4, this.counter, true);
    return gcmSeal(this.key, nonce, plaintext, aad);
  }
}
