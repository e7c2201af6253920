/**
 * Is a bearer token guessable? Static tokens never expire and cannot be revoked without
 * restarting the API server, so a guessable one is a standing credential for anyone.
 * The answer names the weakness, never the token.
 */

/** Below this a random token over base64url carries fewer than ~128 bits. */
export const MIN_TOKEN_LENGTH = 22;
/** Estimated bits below which a token is guessable (a 16-byte random token measures 128). */
export const MIN_TOKEN_BITS = 80;

const WELL_KNOWN = new Set(
  [
    "password", "passw0rd", "changeme", "change-me", "changeit", "secret", "token", "admin", "administrator", "root",
    "kubernetes", "kubeadmin", "k8s", "test", "testing", "default", "letmein", "welcome", "qwerty", "abc123",
    "123456", "12345678", "1234567890", "0000", "00000000", "guest", "user", "demo", "example", "mytoken",
    "supersecret", "topsecret", "abcdefghijklmnopqrstuvwxyz", "replace-me", "replaceme", "todo", "xxx",
  ].map((w) => w.toLowerCase()),
);

export type TokenWeakness = "well-known" | "short" | "low-entropy" | "same-as-username";

/**
 * A guesser's view of a token: the alphabet its character classes imply (hex counts as 16),
 * raised to its length, where the length counted is capped at three times the number of
 * distinct characters so repetition (aaaa..., abab...) earns nothing. Empirical Shannon
 * entropy was tried and rejected: on 22 random base64url characters it reads ~75-95 bits.
 */
export function estimatedTokenBits(token: string): number {
  const chars = [...token];
  if (chars.length === 0) return 0;
  let pool: number;
  if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) {
    pool = /^[0-9]+$/.test(token) ? 10 : 16;
  } else {
    pool = 0;
    if (/[a-z]/.test(token)) pool += 26;
    if (/[A-Z]/.test(token)) pool += 26;
    if (/[0-9]/.test(token)) pool += 10;
    if (/[^a-zA-Z0-9]/.test(token)) pool += 33;
  }
  const distinct = new Set(chars).size;
  const countedLength = Math.min(chars.length, 3 * distinct);
  return countedLength * Math.log2(pool);
}

function isSequential(token: string): boolean {
  if (token.length < 4) return false;
  const step = token.charCodeAt(1) - token.charCodeAt(0);
  if (Math.abs(step) !== 1) return false;
  for (let i = 2; i < token.length; i++) if (token.charCodeAt(i) - token.charCodeAt(i - 1) !== step) return false;
  return true;
}

export function tokenWeaknesses(token: string, username?: string): TokenWeakness[] {
  const weaknesses: TokenWeakness[] = [];
  const lower = token.toLowerCase();
  if (WELL_KNOWN.has(lower) || WELL_KNOWN.has(lower.replace(/[0-9!._-]+$/, "")) || isSequential(token)) weaknesses.push("well-known");
  if (username !== undefined && username.length > 0 && lower.includes(username.toLowerCase())) weaknesses.push("same-as-username");
  if (token.length < MIN_TOKEN_LENGTH) weaknesses.push("short");
  if (estimatedTokenBits(token) < MIN_TOKEN_BITS) weaknesses.push("low-entropy");
  return weaknesses;
}

export function describeWeakness(weakness: TokenWeakness): string {
  switch (weakness) {
    case "well-known":
      return "is a well-known or trivially guessable value";
    case "same-as-username":
      return "contains the user name";
    case "short":
      return `is shorter than ${MIN_TOKEN_LENGTH} characters`;
    case "low-entropy":
      return `carries less than about ${MIN_TOKEN_BITS} bits of entropy`;
  }
}
