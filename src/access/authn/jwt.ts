/**
 * The part every JWT authenticator shares: a compact JWS checked against a set of public
 * keys with an allow-list of algorithms (jose does the cryptography), and the claims read
 * back as plain JSON. Time is a parameter, never read from a clock here.
 */
import { compactVerify, decodeProtectedHeader, errors as joseErrors, importJWK, type JWK } from "jose";

/** Asymmetric algorithms kube-apiserver accepts for OIDC and service-account tokens. */
export const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"] as const;

export interface JsonWebKeySet {
  keys: JWK[];
}

export type JwtClaims = Record<string, unknown>;

export type JwtVerification = { ok: true; claims: JwtClaims; header: Record<string, unknown> } | { ok: false; reason: string };

/** Reads claims without verifying them, only to route a token to the authenticator of its issuer. */
export function peekClaims(token: string): JwtClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8"));
    return typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

function keyMatchesAlgorithm(key: JWK, alg: string): boolean {
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (key.use !== undefined && key.use !== "sig") return false;
  if (alg.startsWith("RS") || alg.startsWith("PS")) return key.kty === "RSA";
  if (alg.startsWith("ES")) return key.kty === "EC" && key.crv === { ES256: "P-256", ES384: "P-384", ES512: "P-521" }[alg];
  return false;
}

export interface KeySelection {
  /**
   * Whether a kid that no key carries falls back to every key, as go-oidc does for OIDC.
   * kube-apiserver's service-account keys do not: a kid picks only the keys it names.
   */
  kidFallback: boolean;
}

/**
 * Verifies the signature with the keys whose kid (when the token names one) and type fit,
 * trying each as go-oidc and kube-apiserver do. Never echoes the token.
 */
export async function verifyJws(token: string, keys: JsonWebKeySet, algorithms: readonly string[], selection: KeySelection = { kidFallback: true }): Promise<JwtVerification> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: "not a JWT: malformed compact serialization or header" };
  }
  if (token.split(".").length !== 3) return { ok: false, reason: "not a JWT: expected three dot-separated parts" };
  const alg = typeof header.alg === "string" ? header.alg : "";
  if (alg === "" || alg.toLowerCase() === "none") return { ok: false, reason: `unsigned token (alg ${JSON.stringify(alg || "missing")}) refused` };
  if (!algorithms.includes(alg)) return { ok: false, reason: `signing algorithm ${alg} is not allowed (allowed: ${algorithms.join(", ")})` };
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  let candidates = keys.keys.filter((k) => keyMatchesAlgorithm(k, alg));
  if (candidates.length === 0) return { ok: false, reason: `no ${alg} key${kid ? ` with kid ${JSON.stringify(kid)}` : ""} in the key set` };
  if (kid !== undefined) {
    const byKid = candidates.filter((k) => k.kid === kid);
    if (byKid.length === 0 && !selection.kidFallback) {
      const known = [...new Set(candidates.map((k) => k.kid).filter((k): k is string => typeof k === "string"))];
      return { ok: false, reason: `no ${alg} key with kid ${JSON.stringify(kid)} (the keys' kids: ${known.join(", ") || "none"})` };
    }
    if (byKid.length > 0) candidates = byKid;
  }
  for (const jwk of candidates) {
    try {
      const key = await importJWK(jwk, alg);
      const { payload } = await compactVerify(token, key, { algorithms: [alg] });
      const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return { ok: false, reason: "JWT payload is not a JSON object" };
      return { ok: true, claims: claims as JwtClaims, header };
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
      if (err instanceof SyntaxError) return { ok: false, reason: "JWT payload is not JSON" };
      if (err instanceof joseErrors.JOSEError) continue;
      throw err;
    }
  }
  return { ok: false, reason: "signature verification failed with every candidate key" };
}

/** Audience claim as a list: a string is one audience, absent is none. */
export function audiencesOf(claims: JwtClaims): string[] | undefined {
  const aud = claims.aud;
  if (aud === undefined) return [];
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === "string")) return aud as string[];
  return undefined;
}

/** A NumericDate claim in seconds, or undefined when absent; "invalid" when present but not a number. */
export function numericDate(claims: JwtClaims, name: string): number | undefined | "invalid" {
  const value = claims[name];
  if (value === undefined) return undefined;
  return typeof value === "number" && Number.isFinite(value) ? value : "invalid";
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
