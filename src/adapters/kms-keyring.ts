import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { UserError } from "../errors.js";

/**
 * The KMS plugin's keyring: the key-encryption keys (KEKs) read from `--kek-file`.
 *
 * File format (text, UTF-8):
 *   - one KEK per line: 32 random bytes in standard base64 (e.g. `head -c32 /dev/urandom | base64`);
 *   - blank lines and lines starting with `#` are ignored;
 *   - the FIRST key encrypts; every key decrypts (the EncryptionConfiguration habit).
 * Rotate by adding a new first line (the plugin reloads on change or SIGHUP); drop an old
 * line only after `palisade etcd rotate` has rewritten everything sealed under it.
 *
 * Each KEK's id is derived one-way from the key (HMAC-SHA256 of a fixed label under the key),
 * so the id changes on rotation and reveals nothing about the key.
 *
 * Ciphertext layout (at most 1024 bytes, kube-apiserver's limit):
 *   version(1) = 0x01 ‖ nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16)
 * The additional data binds the key id and the annotations, because the apiserver stores
 * both in plaintext and does not authenticate them (spec §8.1): editing either in etcd
 * makes Decrypt fail instead of silently using another key.
 */

export const KEK_BYTES = 32;
const FORMAT_VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** kube-apiserver rejects an EncryptResponse ciphertext longer than this (inclusive limit). */
export const MAX_CIPHERTEXT_BYTES = 1024;
export const MAX_PLAINTEXT_BYTES = MAX_CIPHERTEXT_BYTES - 1 - NONCE_BYTES - TAG_BYTES;
const KEY_ID_LABEL = "palisade kms v2 key id";
const AAD_LABEL = "palisade-kms-v2";

/** Annotations returned by Encrypt (stored by the apiserver, bound into the ciphertext). */
export const PLUGIN_ANNOTATIONS: Readonly<Record<string, Buffer>> = Object.freeze({
  "kek.palisade.dev": Buffer.from("aes-256-gcm/v1"),
});

export interface Kek {
  readonly id: string;
  readonly key: Buffer;
}

export interface Keyring {
  /** The KEK that encrypts: the first in the file. */
  readonly primary: Kek;
  readonly keys: readonly Kek[];
}

/** A Decrypt request the keyring refuses; `kind` maps to a gRPC status in the server. */
export class KeyringError extends Error {
  constructor(
    readonly kind: "invalid-argument" | "not-found" | "failed-precondition",
    message: string,
  ) {
    super(message);
    this.name = "KeyringError";
  }
}

export function kekId(key: Buffer): string {
  return `palisade-${createHmac("sha256", key).update(KEY_ID_LABEL).digest("hex").slice(0, 32)}`;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses the kek file's text. Errors name file:line:column and never echo the line. */
export function parseKeyring(text: string, file: string): Keyring {
  const keys: Kek[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const position = { file, line: index + 1, column: raw.indexOf(trimmed) + 1 };
    const decoded = BASE64.test(trimmed) && trimmed.length % 4 === 0 ? Buffer.from(trimmed, "base64") : undefined;
    if (decoded === undefined) {
      throw new UserError("KEK is not standard base64", {
        position,
        hint: "one key per line, 32 random bytes in base64, e.g. `head -c32 /dev/urandom | base64`",
      });
    }
    if (decoded.length !== KEK_BYTES) {
      throw new UserError(`KEK decodes to ${decoded.length} bytes, expected ${KEK_BYTES} (AES-256)`, {
        position,
        hint: "generate a key with `head -c32 /dev/urandom | base64`",
      });
    }
    const id = kekId(decoded);
    if (seen.has(id)) {
      throw new UserError("the same KEK appears twice in the keyring", { position, hint: "remove the duplicate line" });
    }
    seen.add(id);
    keys.push({ id, key: decoded });
  });
  const primary = keys[0];
  if (primary === undefined) {
    throw new UserError("the kek file holds no keys", {
      position: { file, line: 1, column: 1 },
      hint: "add a line with 32 random bytes in base64, e.g. `head -c32 /dev/urandom | base64`",
    });
  }
  return { primary, keys };
}

const AAD_LABEL_BYTES = Buffer.from(AAD_LABEL);

/**
 * Length-prefixed, sorted encoding: no two (keyId, annotations) pairs share additional data.
 * Layout: label, then each part as a 4-byte big-endian length and its bytes: the key id, the
 * decimal count of annotations, then each name and value in name order. Written into one
 * buffer sized up front: this runs on every Encrypt and Decrypt.
 */
function additionalData(keyId: string, annotations: Readonly<Record<string, Uint8Array>>): Buffer {
  const names = Object.keys(annotations).sort();
  const count = String(names.length);
  let size = AAD_LABEL_BYTES.length + 4 + Buffer.byteLength(keyId, "utf8") + 4 + count.length;
  for (const name of names) size += 4 + Buffer.byteLength(name, "utf8") + 4 + (annotations[name]?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  let at = AAD_LABEL_BYTES.copy(out, 0);
  const text = (value: string): void => {
    const length = out.write(value, at + 4, "utf8");
    out.writeUInt32BE(length, at);
    at += 4 + length;
  };
  text(keyId);
  text(count);
  for (const name of names) {
    text(name);
    const value = annotations[name] ?? new Uint8Array(0);
    out.writeUInt32BE(value.length, at);
    out.set(value, at + 4);
    at += 4 + value.length;
  }
  return out;
}

export interface Sealed {
  ciphertext: Buffer;
  keyId: string;
  annotations: Record<string, Buffer>;
}

export function seal(keyring: Keyring, plaintext: Buffer): Sealed {
  if (plaintext.length === 0) throw new KeyringError("invalid-argument", "plaintext is empty");
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    throw new KeyringError("invalid-argument", `plaintext is ${plaintext.length} bytes, at most ${MAX_PLAINTEXT_BYTES} fit in a ${MAX_CIPHERTEXT_BYTES}-byte ciphertext`);
  }
  const { id, key } = keyring.primary;
  const annotations = { ...PLUGIN_ANNOTATIONS };
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(additionalData(id, annotations));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const ciphertext = Buffer.concat([Buffer.from([FORMAT_VERSION]), nonce, body, cipher.getAuthTag()]);
  return { ciphertext, keyId: id, annotations };
}

export function open(keyring: Keyring, ciphertext: Buffer, keyId: string, annotations: Readonly<Record<string, Buffer>>): Buffer {
  const kek = keyring.keys.find((k) => k.id === keyId);
  if (kek === undefined) {
    throw new KeyringError("not-found", "key_id is not in the keyring (was its KEK removed before the data was rotated?)");
  }
  if (ciphertext.length < 1 + NONCE_BYTES + TAG_BYTES || ciphertext[0] !== FORMAT_VERSION) {
    throw new KeyringError("invalid-argument", "ciphertext is truncated or not in the palisade v1 format");
  }
  const nonce = ciphertext.subarray(1, 1 + NONCE_BYTES);
  const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
  const body = ciphertext.subarray(1 + NONCE_BYTES, ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", kek.key, nonce);
  decipher.setAAD(additionalData(keyId, annotations));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new KeyringError("invalid-argument", "ciphertext failed authentication (tampered ciphertext, key_id or annotations)");
  }
}
