import { bytesEqual, utf8 } from "./bytes.js";

/**
 * Keys published in the Kubernetes documentation and upstream examples, as the ASCII
 * text their base64 decodes to (they are all phrases). Compared on decoded bytes, so a
 * re-encoded copy still matches. Holding them here is safe: they are public.
 */
const PUBLISHED_KEY_TEXTS = [
  // kubernetes/website encrypt-data.md and the EncryptionConfiguration API reference
  "secret is secure",
  "this is password",
  "abcdefghijklmnopqrstuvwxyz123456",
  "secret is secure, or is it?\n",
  "secret is secure, I think",
  // kubernetes/kubernetes integration tests (transformation)
  "uperprdelprdelp\n",
];

const PUBLISHED_KEYS = PUBLISHED_KEY_TEXTS.map(utf8);

export function isPublishedExampleKey(key: Uint8Array): boolean {
  return PUBLISHED_KEYS.some((known) => bytesEqual(known, key));
}

/**
 * Why a key does not look like CSPRNG output, or undefined. Both tests have negligible
 * false positives on random keys: all-printable 16 random bytes happen with probability
 * (95/256)^16 ≈ 1e-7, and 32 random bytes with fewer than 16 distinct values essentially never.
 */
export function lowEntropyReason(key: Uint8Array): string | undefined {
  if (key.length === 0) return undefined;
  if (key.every((b) => b >= 0x20 && b <= 0x7e)) return "every byte is a printable character, so it was typed, not generated";
  const distinct = new Set(key).size;
  if (distinct < key.length / 2) return `only ${distinct} distinct byte values in ${key.length} bytes`;
  return undefined;
}
