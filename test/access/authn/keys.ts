import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";
import type { JsonWebKeySet } from "../../../src/access/authn/jwt.js";

/** A signing key generated for the test run only; nothing is stored on disk. */
export interface TestSigner {
  kid: string;
  alg: string;
  jwks: JsonWebKeySet;
  publicJwk: JWK;
  sign(payload: JWTPayload, header?: Record<string, unknown>): Promise<string>;
}

export async function testSigner(alg: "RS256" | "ES256" | "PS384" | "ES384" = "RS256", kid = `k-${alg}-${Math.random().toString(36).slice(2)}`): Promise<TestSigner> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg.startsWith("RS") || alg.startsWith("PS") ? { modulusLength: 2048 } : {}) });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return {
    kid,
    alg,
    publicJwk,
    jwks: { keys: [publicJwk] },
    sign: (payload, header = {}) => new SignJWT(payload).setProtectedHeader({ alg, kid, typ: "JWT", ...header }).sign(privateKey),
  };
}

/** Flips one character of the payload segment, keeping the signature: a tampered token. */
export function tamper(token: string): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  claims.sub = `${String(claims.sub)}-admin`;
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
}

/** An alg=none token with the given claims. */
export function unsignedToken(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${enc({ alg: "none", typ: "JWT" })}.${enc(payload)}.`;
}
