/**
 * The part every JWT authenticator shares: a compact JWS checked against a set of public
 * keys with an allow-list of algorithms, and the claims read back as plain JSON. Signatures
 * are checked with node:crypto the way go-jose checks them (RSA from 1024 bits, as Go 1.24
 * allows; PSS with any salt length), because jose refuses RSA keys below 2048 bits by
 * throwing, which kube-apiserver accepts. Time is a parameter, never read from a clock here.
 */
import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";

/** Asymmetric algorithms kube-apiserver accepts for OIDC and service-account tokens. */
export const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"] as const;

/** Go 1.24's crypto/rsa refuses smaller keys, so such a key verifies nothing in kube-apiserver. */
const MIN_RSA_BITS = 1024;

export interface JsonWebKeySet {
  keys: JWK[];
}

export type JwtClaims = Record<string, unknown>;

export type JwtVerification = { ok: true; claims: JwtClaims; header: Record<string, unknown> } | { ok: false; reason: string };

/** Go's base64.RawURLEncoding: the URL-safe alphabet, no padding, no stray characters. */
function decodeSegment(segment: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return undefined;
  return Buffer.from(segment, "base64url");
}

function jsonObject(bytes: Buffer | undefined): Record<string, unknown> | undefined {
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads claims without verifying them, only to route a token to the authenticator of its issuer. */
export function peekClaims(token: string): JwtClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  return jsonObject(decodeSegment(parts[1] as string));
}

const CURVE_OF: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

function keyMatchesAlgorithm(key: JWK, alg: string): boolean {
  // go-jose ignores a JWK's own alg and use when verifying: only the key type has to fit.
  if (alg.startsWith("RS") || alg.startsWith("PS")) return key.kty === "RSA";
  if (alg.startsWith("ES")) return key.kty === "EC" && key.crv === CURVE_OF[alg];
  return false;
}

/** Whether the signature verifies with this key, or "unusable" when the key cannot verify anything. */
function signatureVerifies(alg: string, jwk: JWK, signingInput: Buffer, signature: Buffer): boolean | "unusable" {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
  } catch {
    return "unusable";
  }
  const hash = `sha${alg.slice(2)}`;
  try {
    if (alg.startsWith("ES")) return verify(hash, signingInput, { key, dsaEncoding: "ieee-p1363" }, signature);
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return "unusable";
    if (alg.startsWith("PS")) return verify(hash, signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
    return verify(hash, signingInput, key, signature);
  } catch {
    // A signature of the wrong length or shape: it does not verify, as in go-jose.
    return false;
  }
}

/**
 * Verifies the signature with the keys whose type fits and, when the token names a kid,
 * only with the keys carrying that kid: go-oidc's key set and kube-apiserver's
 * service-account keys both skip every other key. Never echoes the token.
 */
export async function verifyJws(token: string, keys: JsonWebKeySet, algorithms: readonly string[]): Promise<JwtVerification> {
  const parts = token.split(".");
  const header = parts.length === 3 ? jsonObject(decodeSegment(parts[0] as string)) : undefined;
  if (!header) return { ok: false, reason: "not a JWT: malformed compact serialization or header" };
  const [headerSegment, payloadSegment, signatureSegment] = parts as [string, string, string];
  const alg = typeof header.alg === "string" ? header.alg : "";
  if (alg === "" || alg.toLowerCase() === "none") return { ok: false, reason: `unsigned token (alg ${JSON.stringify(alg || "missing")}) refused` };
  if (!algorithms.includes(alg)) return { ok: false, reason: `signing algorithm ${alg} is not allowed (allowed: ${algorithms.join(", ")})` };
  // go-jose cannot parse a header whose kid is not a string, so no key is ever tried.
  if (header.kid !== undefined && typeof header.kid !== "string") return { ok: false, reason: "not a JWT: the header's kid is not a string" };
  if (header.crit !== undefined) return { ok: false, reason: "the token's crit header names extensions that are not supported" };
  const payload = decodeSegment(payloadSegment);
  const signature = decodeSegment(signatureSegment);
  if (!payload || !signature) return { ok: false, reason: "not a JWT: a segment is not unpadded base64url" };
  const kid = typeof header.kid === "string" && header.kid !== "" ? header.kid : undefined;
  const ofType = keys.keys.filter((k) => keyMatchesAlgorithm(k, alg));
  const candidates = kid === undefined ? ofType : ofType.filter((k) => k.kid === kid);
  if (candidates.length === 0) {
    if (kid === undefined || ofType.length === 0) return { ok: false, reason: `no ${alg} key${kid ? ` with kid ${JSON.stringify(kid)}` : ""} in the key set` };
    const known = [...new Set(ofType.map((k) => k.kid).filter((k): k is string => typeof k === "string"))];
    return { ok: false, reason: `no ${alg} key with kid ${JSON.stringify(kid)} (the keys' kids: ${known.join(", ") || "none"})` };
  }
  const signingInput = Buffer.from(`${headerSegment}.${payloadSegment}`, "ascii");
  let unusable = 0;
  for (const jwk of candidates) {
    const verdict = signatureVerifies(alg, jwk, signingInput, signature);
    if (verdict === "unusable") unusable++;
    if (verdict !== true) continue;
    const claims = jsonObject(payload);
    if (!claims) return { ok: false, reason: "JWT payload is not a JSON object" };
    return { ok: true, claims, header };
  }
  const note = unusable > 0 ? ` (${unusable} of them cannot be used: malformed, or RSA below ${MIN_RSA_BITS} bits)` : "";
  return { ok: false, reason: `signature verification failed with every candidate key${note}` };
}

/** Audience claim as a list: a string is one audience, absent is none. */
export function audiencesOf(claims: JwtClaims): string[] | undefined {
  const aud = claims.aud;
  if (aud === undefined) return [];
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === "string")) return aud as string[];
  return undefined;
}

/** A NumericDate for messages; one beyond what a Date can hold is shown as the number itself. */
export function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} seconds since the epoch` : date.toISOString();
}
