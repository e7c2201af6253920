/**
 * The public keys kube-apiserver takes from a --service-account-key-file, as client-go's
 * keyutil.ParsePublicKeysPEM reads them: from every PEM block that holds an RSA or ECDSA
 * key (public, private or a certificate's), whatever the block's type, skipping the
 * blocks it cannot use and failing only when no key is left. Each key gets the kid
 * kube-apiserver gives it: the SHA-256 of its PKIX DER, base64url.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { UserError } from "../../errors.js";
import { pemBlocks } from "../../hardening/pki/pem.js";
import type { JsonWebKeySet } from "./jwt.js";

/**
 * Curves a service-account token can be signed with (ES256, ES384, ES512). Go also reads
 * P-224 keys, with which no token can be signed: leaving them out changes no verdict.
 */
const CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/** The usable keys of a PEM key file; a UserError naming the file when it has none. */
export function serviceAccountKeysFromPem(text: string, file: string): JsonWebKeySet {
  const keys: JWK[] = serviceAccountPublicKeys(text).map((key) => ({ ...key.export({ format: "jwk" }), kid: keyIdOf(key) }));
  if (keys.length === 0) {
    throw new UserError(`${file}: data does not contain any valid RSA or ECDSA public keys`, {
      hint: "kube-apiserver would refuse to start with this --service-account-key-file: give PEM public keys, the signing key itself, or a certificate of it (RSA, or ECDSA P-256/P-384/P-521)",
    });
  }
  return { keys };
}

/** The RSA and ECDSA public keys keyutil.ParsePublicKeysPEM reads from the text, none when it reads none. */
export function serviceAccountPublicKeys(text: string): KeyObject[] {
  return pemBlocks(text).flatMap((block) => {
    const key = block.der && publicKeyOf(block.der);
    return key ? [key] : [];
  });
}

/** A JWKS's keys, those without a kid given the one kube-apiserver would compute. */
export function withKeyIds(set: JsonWebKeySet): JsonWebKeySet {
  return {
    keys: set.keys.map((jwk) => {
      if (jwk.kid !== undefined) return jwk;
      try {
        return { ...jwk, kid: keyIdOf(createPublicKey({ key: jwk as JsonWebKey, format: "jwk" })) };
      } catch {
        // A key Node cannot read will not verify anything either; jose says so when it is tried.
        return jwk;
      }
    }),
  };
}

/** kube-apiserver's keyIDFromPublicKey. */
export function keyIdOf(key: KeyObject): string {
  return createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("base64url");
}

/** Upstream tries RSA private (PKCS #1, then PKCS #8), then PKIX or certificate, then EC private in SEC 1 only. */
function publicKeyOf(der: Buffer): KeyObject | undefined {
  const readings: Array<() => KeyObject> = [
    () => createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs1" })),
    () => rsaOnly(createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" }))),
    () => createPublicKey({ key: der, format: "der", type: "spki" }),
    () => new X509Certificate(der).publicKey,
    () => createPublicKey(createPrivateKey({ key: sec1Only(der), format: "der", type: "sec1" })),
  ];
  for (const read of readings) {
    let key: KeyObject;
    try {
      key = read();
    } catch {
      continue;
    }
    if (key.asymmetricKeyType === "rsa" || (key.asymmetricKeyType === "ec" && CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? ""))) return key;
  }
  return undefined;
}

function rsaOnly(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== "rsa") throw new Error("not an RSA key");
  return key;
}

/**
 * OpenSSL reads a PKCS #8 EC key even when told SEC 1; Go's ParseECPrivateKey does not. SEC 1's
 * ECPrivateKey starts with version 1 (SEQUENCE, then INTEGER 1); PKCS #8 with version 0.
 */
function sec1Only(der: Buffer): Buffer {
  const lengthBytes = (der[1] ?? 0) & 0x80 ? ((der[1] as number) & 0x7f) : 0;
  const version = der.subarray(2 + lengthBytes, 5 + lengthBytes);
  if (der[0] !== 0x30 || !version.equals(Buffer.from([0x02, 0x01, 0x01]))) throw new Error("not SEC 1");
  return der;
}
