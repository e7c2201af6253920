import { createCipheriv, createDecipheriv, type CipherGCMTypes } from "node:crypto";
import { concatBytes } from "../bytes.js";
import { StoredValueError } from "../errors.js";
import { systemRandom, type RandomSource } from "./random.js";
import type { ReadResult, ValueTransformer } from "./transformer.js";

/** Key sizes AES accepts (and EncryptionConfiguration validation allows). */
export const AES_KEY_SIZES = [16, 24, 32] as const;

const GCM_NONCE_SIZE = 12;
const GCM_TAG_SIZE = 16;
const BLOCK_SIZE = 16;

const GCM_ALGORITHMS: Record<number, CipherGCMTypes> = { 16: "aes-128-gcm", 24: "aes-192-gcm", 32: "aes-256-gcm" };

function aesBits(key: Uint8Array): 128 | 192 | 256 {
  switch (key.length) {
    case 16:
      return 128;
    case 24:
      return 192;
    case 32:
      return 256;
    default:
      throw new StoredValueError(`invalid AES key size ${key.length} bytes, expected 16, 24 or 32`);
  }
}

function gcmAlgorithm(key: Uint8Array): CipherGCMTypes {
  const algorithm = GCM_ALGORITHMS[key.length];
  if (algorithm === undefined) aesBits(key); // throws the key-size error
  return algorithm!;
}

/** AES-GCM open of `nonce ‖ ciphertext ‖ tag` with `aad`; shared by aesgcm, KMS v1 and KMS v2. */
export function gcmOpen(key: Uint8Array, body: Uint8Array, aad: Uint8Array): Uint8Array {
  if (body.length < GCM_NONCE_SIZE) throw new StoredValueError("the stored data was shorter than the required size");
  if (body.length < GCM_NONCE_SIZE + GCM_TAG_SIZE) {
    throw new StoredValueError(`the stored data is ${body.length} bytes, too short for an AES-GCM nonce and tag`);
  }
  const algorithm = gcmAlgorithm(key);
  const decipher = createDecipheriv(algorithm, key, body.subarray(0, GCM_NONCE_SIZE));
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - GCM_TAG_SIZE));
  const head = decipher.update(body.subarray(GCM_NONCE_SIZE, body.length - GCM_TAG_SIZE));
  try {
    const tail = decipher.final();
    // A Buffer is a Uint8Array: return it as is (GCM's final() yields no bytes).
    return tail.length === 0 ? head : concatBytes(head, tail);
  } catch {
    throw new StoredValueError("AES-GCM authentication failed (wrong key, wrong etcd key, or modified data)");
  }
}

/** AES-GCM seal to `prefix ‖ nonce ‖ ciphertext ‖ tag` (the prefix is optional). */
export function gcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix?: Uint8Array): Uint8Array {
  const cipher = createCipheriv(gcmAlgorithm(key), key, nonce);
  cipher.setAAD(aad);
  const head = prefix ? prefix.length : 0;
  const out = new Uint8Array(head + GCM_NONCE_SIZE + plaintext.length + GCM_TAG_SIZE);
  if (prefix) out.set(prefix, 0);
  out.set(nonce, head);
  const body = cipher.update(plaintext);
  out.set(body, head + GCM_NONCE_SIZE);
  const tail = cipher.final();
  out.set(tail, head + GCM_NONCE_SIZE + body.length);
  out.set(cipher.getAuthTag(), head + GCM_NONCE_SIZE + body.length + tail.length);
  return out;
}

/** aesgcm: random 12-byte nonce per write, the etcd key as additional data. */
export class AesGcmTransformer implements ValueTransformer {
  constructor(
    private readonly key: Uint8Array,
    private readonly random: RandomSource = systemRandom,
  ) {
    aesBits(key);
  }

  readSync(data: Uint8Array, aad: Uint8Array): ReadResult {
    return { plaintext: gcmOpen(this.key, data, aad), stale: false };
  }

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    return this.readSync(data, aad);
  }

  async write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    return gcmSeal(this.key, this.random(GCM_NONCE_SIZE), plaintext, aad);
  }

  async writePrefixed(prefix: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    return gcmSeal(this.key, this.random(GCM_NONCE_SIZE), plaintext, aad, prefix);
  }
}

/**
 * Decrypt `iv ‖ CBC(PKCS#7(plaintext))` with upstream's padding check, which accepts any
 * pad length 1..len (not just 1..16); an IV-only body is an error here (a panic upstream).
 */
export function cbcOpen(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length < BLOCK_SIZE) throw new StoredValueError("the stored data was shorter than the required size");
  const ciphertext = data.subarray(BLOCK_SIZE);
  if (ciphertext.length % BLOCK_SIZE !== 0) throw new StoredValueError("the stored data is not a multiple of the block size");
  if (ciphertext.length === 0) throw new StoredValueError("the stored data has an IV but no ciphertext blocks");
  const decipher = createDecipheriv(`aes-${aesBits(key)}-cbc`, key, data.subarray(0, BLOCK_SIZE));
  decipher.setAutoPadding(false);
  const plain = concatBytes(decipher.update(ciphertext), decipher.final());
  const pad = plain[plain.length - 1]!;
  if (pad === 0 || pad > plain.length) throw new StoredValueError("invalid PKCS7 data (empty or not padded)");
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new StoredValueError("invalid padding on input");
  }
  return plain.subarray(0, plain.length - pad);
}

export function cbcSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv(`aes-${aesBits(key)}-cbc`, key, iv);
  return concatBytes(iv, cipher.update(plaintext), cipher.final());
}

/** aescbc: random IV per write, PKCS#7, no MAC and no additional data (so no etcd-key binding). */
export class AesCbcTransformer implements ValueTransformer {
  constructor(
    private readonly key: Uint8Array,
    private readonly random: RandomSource = systemRandom,
  ) {
    aesBits(key);
  }

  readSync(data: Uint8Array): ReadResult {
    return { plaintext: cbcOpen(this.key, data), stale: false };
  }

  async read(data: Uint8Array): Promise<ReadResult> {
    return this.readSync(data);
  }

  async write(plaintext: Uint8Array): Promise<Uint8Array> {
    return cbcSeal(this.key, this.random(BLOCK_SIZE), plaintext);
  }
}
