/**
 * Byte helpers shared by the transformers. Stored values are raw bytes (etcd values are
 * not text), so everything here works on Uint8Array and never assumes UTF-8.
 */

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * UTF-8 bytes of `text`. Buffer.from, not TextEncoder: short strings (etcd keys, the AAD
 * of every read) come from Node's pooled slab instead of a fresh ArrayBuffer each, which
 * was ~5% of a 4 KiB aesgcm read. The result may share its ArrayBuffer: mind byteOffset.
 */
export function utf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

/** Decode UTF-8, or undefined when the bytes are not valid UTF-8 (proto3 strings must be). */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function hasPrefix(data: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > data.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && hasPrefix(a, b);
}

export function toStdBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
