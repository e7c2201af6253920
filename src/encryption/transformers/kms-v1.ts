import { concatBytes, toStdBase64 } from "../bytes.js";
import { StoredValueError, asStoredValueError } from "../errors.js";
import type { KmsV1Service } from "../kms-service.js";
import { AES_KEY_SIZES, AesCbcTransformer, AesGcmTransformer } from "./aes.js";
import { systemRandom, type RandomSource } from "./random.js";
import type { ReadResult, ValueTransformer } from "./transformer.js";

export const KMS_V1_DEFAULT_CACHE_SIZE = 1000;

export interface KmsV1Options {
  random?: RandomSource;
  /** Decrypted-DEK cache entries; negative disables the cache (config `cachesize`). */
  cacheSize?: number;
}

/**
 * KMS v1 envelope transformer (deprecated upstream): a new 32-byte DEK and one plugin
 * Encrypt per write; stored body `uint16be(len) ‖ encrypted DEK ‖ AES-GCM body`. Reads
 * also accept the AES-CBC bodies written up to 1.24, and report them stale.
 */
export class KmsV1Transformer implements ValueTransformer {
  private readonly cache = new Map<string, ValueTransformer>();
  private readonly random: RandomSource;
  private readonly cacheSize: number;

  constructor(
    private readonly service: KmsV1Service,
    readonly providerName: string,
    options: KmsV1Options = {},
  ) {
    this.random = options.random ?? systemRandom;
    this.cacheSize = options.cacheSize ?? KMS_V1_DEFAULT_CACHE_SIZE;
  }

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    if (data.length < 2) {
      throw new StoredValueError("invalid data encountered by envelope transformer: failed to read uint16 length prefixed data");
    }
    const dekLength = (data[0]! << 8) | data[1]!;
    if (2 + dekLength > data.length) {
      throw new StoredValueError("invalid data encountered by envelope transformer: failed to read uint16 length prefixed data");
    }
    const encryptedDek = data.subarray(2, 2 + dekLength);
    const body = data.subarray(2 + dekLength);
    const transformer = await this.readTransformer(encryptedDek);
    const result = await transformer.read(body, aad);
    return { ...result, origin: { provider: "kms", keyName: this.providerName, kmsApiVersion: "v1" } };
  }

  async write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const dek = this.random(32);
    let encryptedDek: Uint8Array;
    try {
      encryptedDek = await this.service.encrypt(dek);
    } catch (err) {
      throw asStoredValueError(err, `KMS v1 provider ${JSON.stringify(this.providerName)}: failed to encrypt DEK`);
    }
    if (encryptedDek.length > 0xffff) {
      throw new StoredValueError(`KMS v1 provider ${JSON.stringify(this.providerName)}: encrypted DEK is longer than 65535 bytes`);
    }
    const body = await new AesGcmTransformer(dek, this.random).write(plaintext, aad);
    this.remember(encryptedDek, dek);
    return concatBytes(Uint8Array.of(encryptedDek.length >> 8, encryptedDek.length & 0xff), encryptedDek, body);
  }

  private async readTransformer(encryptedDek: Uint8Array): Promise<ValueTransformer> {
    const cached = this.cache.get(toStdBase64(encryptedDek));
    if (cached) {
      // Refresh LRU order: a Map iterates in insertion order.
      this.cache.delete(toStdBase64(encryptedDek));
      this.cache.set(toStdBase64(encryptedDek), cached);
      return cached;
    }
    let dek: Uint8Array;
    try {
      dek = await this.service.decrypt(encryptedDek);
    } catch (err) {
      throw asStoredValueError(err, `KMS v1 provider ${JSON.stringify(this.providerName)}: failed to decrypt DEK`);
    }
    return this.remember(encryptedDek, dek);
  }

  private remember(encryptedDek: Uint8Array, dek: Uint8Array): ValueTransformer {
    if (!(AES_KEY_SIZES as readonly number[]).includes(dek.length)) {
      throw new StoredValueError(`KMS v1: decrypted DEK is ${dek.length} bytes, expected 16, 24 or 32`);
    }
    const transformer = new GcmThenCbc(new AesGcmTransformer(dek), new AesCbcTransformer(dek));
    if (this.cacheSize > 0) {
      this.cache.set(toStdBase64(encryptedDek), transformer);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    }
    return transformer;
  }
}

/** Upstream's union of the GCM reader and the legacy CBC reader: CBC success is stale. */
class GcmThenCbc implements ValueTransformer {
  constructor(
    private readonly gcm: AesGcmTransformer,
    private readonly cbc: AesCbcTransformer,
  ) {}

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    try {
      return await this.gcm.read(data, aad);
    } catch (gcmError) {
      try {
        const result = await this.cbc.read(data);
        return { ...result, stale: true };
      } catch (cbcError) {
        throw new StoredValueError(
          `KMS v1 data decryption failed: [${(gcmError as Error).message}, ${(cbcError as Error).message}]`,
        );
      }
    }
  }

  write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    return this.gcm.write(plaintext, aad);
  }
}
