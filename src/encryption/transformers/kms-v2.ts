import { randomUUID } from "node:crypto";
import { toStdBase64 } from "../bytes.js";
import { StoredValueError, asStoredValueError } from "../errors.js";
import type { KmsV2Service } from "../kms-service.js";
import { AES_KEY_SIZES } from "./aes.js";
import {
  DEK_SOURCE_HKDF_SEED,
  decodeEncryptedObject,
  encodeEncryptedObject,
  type EncryptedObject,
} from "./encrypted-object.js";
import { CounterNonceGcmTransformer, HkdfExtendedNonceGcmTransformer, MIN_SEED_SIZE } from "./hkdf-gcm.js";
import {
  validateAnnotations,
  validateEncryptedDekSource,
  validateEncryptedObject,
  validateKeyId,
} from "./kms-v2-validation.js";
import { systemRandom, type RandomSource } from "./random.js";
import type { ReadResult, ValueTransformer } from "./transformer.js";

/** The one DEK/seed generation a KMS v2 provider writes with (upstream's State). */
interface WriteState {
  transformer: ValueTransformer;
  keyId: string;
  encryptedDekSource: Uint8Array;
  annotations: Record<string, Uint8Array>;
  type: number;
}

export interface KmsV2Options {
  random?: RandomSource;
  /** Source type for new generations: 1 (seed, the only one written since 1.29) or 0 (DEK, pre-1.29). */
  writeSourceType?: 0 | 1;
  uid?: () => string;
}

const SUPPORTED_VERSIONS = new Set(["v2", "v2beta1"]);

/**
 * KMS v2 envelope transformer. One seed per key generation, encrypted once by the plugin
 * and reused for every write; reads decrypt the stored encryptedDEKSource through the
 * plugin once and cache it. A value is stale when its keyID or source type differs from
 * the current generation's. keyID and annotations are stored in plaintext and are not
 * covered by the data AEAD (as upstream).
 *
 * Differences from the apiserver, by design of a CLI: the status probe runs on first
 * use (not on a 1-minute timer) and there is no 3-minute write expiry (no clock here).
 */
export class KmsV2Transformer implements ValueTransformer {
  private statusKeyId: Promise<string> | undefined;
  private writeState: Promise<WriteState> | undefined;
  private readonly readCache = new Map<string, ValueTransformer>();
  private readonly random: RandomSource;
  private readonly writeSourceType: 0 | 1;
  private readonly uid: () => string;

  constructor(
    private readonly service: KmsV2Service,
    readonly providerName: string,
    options: KmsV2Options = {},
  ) {
    this.random = options.random ?? systemRandom;
    this.writeSourceType = options.writeSourceType ?? DEK_SOURCE_HKDF_SEED;
    this.uid = options.uid ?? randomUUID;
  }

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    const object = decodeEncryptedObject(data);
    validateEncryptedObject(object);
    const currentKeyId = await this.currentKeyId();
    const transformer = await this.readTransformer(object);
    const result = await transformer.read(object.encryptedData, aad);
    const stale = result.stale || object.keyId !== currentKeyId || object.encryptedDekSourceType !== this.writeSourceType;
    return { plaintext: result.plaintext, stale, origin: { provider: "kms", keyName: this.providerName, kmsApiVersion: "v2" } };
  }

  async write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const state = await this.ensureWriteState();
    const encryptedData = await state.transformer.write(plaintext, aad);
    const object: EncryptedObject = {
      encryptedData,
      keyId: state.keyId,
      encryptedDekSource: state.encryptedDekSource,
      annotations: state.annotations,
      encryptedDekSourceType: state.type,
    };
    validateEncryptedObject(object);
    return encodeEncryptedObject(object);
  }

  /** The keyID the plugin reports now; a different stored keyID means the value is stale. */
  private currentKeyId(): Promise<string> {
    this.statusKeyId ??= this.status().catch((err: unknown) => {
      this.statusKeyId = undefined;
      throw err;
    });
    return this.statusKeyId;
  }

  private async status(): Promise<string> {
    let response: { healthz: string; version: string; keyId: string };
    try {
      response = await this.service.status();
    } catch (err) {
      throw asStoredValueError(err, `KMS v2 provider ${JSON.stringify(this.providerName)}: status call failed`);
    }
    if (!SUPPORTED_VERSIONS.has(response.version)) {
      throw new StoredValueError(
        `KMS v2 provider ${JSON.stringify(this.providerName)}: plugin reports version ${JSON.stringify(response.version)}, expected v2 or v2beta1`,
      );
    }
    validateKeyId(response.keyId);
    // Upstream accepts a valid keyID even when healthz is not "ok" (the probe reports unhealthy).
    return response.keyId;
  }

  private ensureWriteState(): Promise<WriteState> {
    this.writeState ??= this.generate().catch((err: unknown) => {
      this.writeState = undefined;
      throw err;
    });
    return this.writeState;
  }

  private async generate(): Promise<WriteState> {
    const keyId = await this.currentKeyId();
    const useSeed = this.writeSourceType === DEK_SOURCE_HKDF_SEED;
    const secret = this.random(32);
    const transformer = useSeed
      ? new HkdfExtendedNonceGcmTransformer(secret, this.random)
      : new CounterNonceGcmTransformer(secret, this.random);
    let response: Awaited<ReturnType<KmsV2Service["encrypt"]>>;
    try {
      response = await this.service.encrypt(this.uid(), secret);
    } catch (err) {
      throw asStoredValueError(err, `KMS v2 provider ${JSON.stringify(this.providerName)}: failed to encrypt DEK`);
    }
    // The seed is not zeroed here: the write transformer keeps using these very bytes.
    const annotations = response.annotations ?? {};
    validateEncryptedDekSource(response.ciphertext);
    validateKeyId(response.keyId);
    validateAnnotations(annotations);
    if (response.keyId !== keyId) {
      throw new StoredValueError(
        `KMS v2 provider ${JSON.stringify(this.providerName)}: encrypt returned a keyID that differs from the status keyID`,
        { hint: "the plugin rotated its key between calls; retry" },
      );
    }
    const state = { transformer, keyId, encryptedDekSource: response.ciphertext, annotations, type: this.writeSourceType };
    this.readCache.set(cacheKey(state.type, state.encryptedDekSource, keyId, annotations), transformer);
    return state;
  }

  private async readTransformer(object: EncryptedObject): Promise<ValueTransformer> {
    const key = cacheKey(object.encryptedDekSourceType, object.encryptedDekSource, object.keyId, object.annotations);
    const cached = this.readCache.get(key);
    if (cached) return cached;
    let secret: Uint8Array;
    try {
      secret = await this.service.decrypt(this.uid(), {
        ciphertext: object.encryptedDekSource,
        keyId: object.keyId,
        annotations: object.annotations,
      });
    } catch (err) {
      throw asStoredValueError(err, `KMS v2 provider ${JSON.stringify(this.providerName)}: failed to decrypt DEK`);
    }
    let transformer: ValueTransformer;
    if (object.encryptedDekSourceType === DEK_SOURCE_HKDF_SEED) {
      if (secret.length < MIN_SEED_SIZE) {
        throw new StoredValueError(`KMS v2: decrypted seed is ${secret.length} bytes, expected at least ${MIN_SEED_SIZE}`);
      }
      transformer = new HkdfExtendedNonceGcmTransformer(secret);
    } else {
      if (!(AES_KEY_SIZES as readonly number[]).includes(secret.length)) {
        throw new StoredValueError(`KMS v2: decrypted DEK is ${secret.length} bytes, expected 16, 24 or 32`);
      }
      transformer = new CounterNonceGcmTransformer(secret);
    }
    this.readCache.set(key, transformer);
    return transformer;
  }
}

function cacheKey(type: number, source: Uint8Array, keyId: string, annotations: Record<string, Uint8Array>): string {
  const sorted = Object.keys(annotations)
    .sort()
    .map((k) => [k, toStdBase64(annotations[k]!)]);
  return JSON.stringify([type, toStdBase64(source), keyId, sorted]);
}

