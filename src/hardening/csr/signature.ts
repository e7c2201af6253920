/**
 * CertificateRequest.CheckSignature as Go's crypto/x509 does it, which the API server asks
 * of every CSR it admits (pkg/apis/certificates/validation validateCSR): the algorithm comes
 * from the request's signatureAlgorithm OID, SHA-1 is allowed for requests, MD5 is refused
 * as insecure, MD2 and DSA are not implemented, the key must be of the algorithm's type, an
 * RSA-PSS salt is as long as the hash. The errors are Go's. Verification is node:crypto's,
 * synchronous, so that scans and admission stay synchronous.
 */
import type * as Crypto from "node:crypto";
import type { KeyObject } from "node:crypto";
import { lazyModule } from "../../lazy-module.js";
import type { CsrSignedParts } from "./request.js";

const crypto = lazyModule<typeof Crypto>("node:crypto");

interface SignatureAlgorithm {
  /** Go's name of the algorithm, for its errors. */
  name: string;
  /** node:crypto's digest; null for Ed25519 (no pre-hash). */
  hash: string | null;
  key: "rsa" | "ec" | "ed25519";
}

const ALGORITHMS: Record<string, SignatureAlgorithm> = {
  "1.2.840.113549.1.1.5": { name: "SHA1-RSA", hash: "sha1", key: "rsa" },
  "1.3.14.3.2.29": { name: "SHA1-RSA", hash: "sha1", key: "rsa" },
  "1.2.840.113549.1.1.11": { name: "SHA256-RSA", hash: "sha256", key: "rsa" },
  "1.2.840.113549.1.1.12": { name: "SHA384-RSA", hash: "sha384", key: "rsa" },
  "1.2.840.113549.1.1.13": { name: "SHA512-RSA", hash: "sha512", key: "rsa" },
  "1.2.840.10045.4.1": { name: "ECDSA-SHA1", hash: "sha1", key: "ec" },
  "1.2.840.10045.4.3.2": { name: "ECDSA-SHA256", hash: "sha256", key: "ec" },
  "1.2.840.10045.4.3.3": { name: "ECDSA-SHA384", hash: "sha384", key: "ec" },
  "1.2.840.10045.4.3.4": { name: "ECDSA-SHA512", hash: "sha512", key: "ec" },
  "1.3.101.112": { name: "Ed25519", hash: null, key: "ed25519" },
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";
/** Go knows PSS with these hashes only, each with a salt as long as the hash. */
const PSS_HASHES: Record<string, { hash: string; bytes: number; name: string }> = {
  "SHA-256": { hash: "sha256", bytes: 32, name: "SHA256-RSAPSS" },
  "SHA-384": { hash: "sha384", bytes: 48, name: "SHA384-RSAPSS" },
  "SHA-512": { hash: "sha512", bytes: 64, name: "SHA512-RSAPSS" },
};
const MD5_WITH_RSA = "1.2.840.113549.1.1.4";

const UNIMPLEMENTED = "x509: cannot verify signature: algorithm unimplemented";
/** Go 1.24's crypto/rsa refuses to verify with a smaller key (GODEBUG rsa1024min). */
const MIN_RSA_BITS = 1024;

/** Go's names of the key types, as its mismatch error prints them. */
const GO_KEY_TYPES: Record<string, string> = { rsa: "*rsa.PublicKey", ec: "*ecdsa.PublicKey", ed25519: "ed25519.PublicKey", dsa: "*dsa.PublicKey" };
const GO_ALGORITHM_KEYS: Record<SignatureAlgorithm["key"], string> = { rsa: "an RSA", ec: "an ECDSA", ed25519: "an Ed25519" };

function algorithmOf(parts: CsrSignedParts): SignatureAlgorithm | string {
  if (parts.algorithm === MD5_WITH_RSA) return "x509: cannot verify signature: insecure algorithm MD5-RSA";
  if (parts.algorithm === RSASSA_PSS) {
    const known = parts.pss && PSS_HASHES[parts.pss.hash];
    if (!known || parts.pss?.saltLength !== known.bytes) return UNIMPLEMENTED;
    return { name: known.name, hash: known.hash, key: "rsa" };
  }
  return ALGORITHMS[parts.algorithm] ?? UNIMPLEMENTED;
}

/** Go's error when the signature does not verify; undefined when it does. */
export function signatureProblem(parts: CsrSignedParts): string | undefined {
  const algorithm = algorithmOf(parts);
  if (typeof algorithm === "string") return algorithm;
  let key: KeyObject;
  try {
    key = crypto().createPublicKey({ key: parts.publicKey, format: "der", type: "spki" });
  } catch {
    return UNIMPLEMENTED;
  }
  const keyType = key.asymmetricKeyType ?? "unknown";
  if (keyType !== algorithm.key) {
    return `x509: signature algorithm specifies ${GO_ALGORITHM_KEYS[algorithm.key]} public key, but have public key of type ${GO_KEY_TYPES[keyType] ?? keyType}`;
  }
  if (keyType === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `its RSA key has ${key.asymmetricKeyDetails?.modulusLength ?? 0} bits: Go (1.24 and later) refuses to verify a signature by an RSA key under ${MIN_RSA_BITS} bits`;
  }
  const pss = parts.algorithm === RSASSA_PSS ? { padding: crypto().constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto().constants.RSA_PSS_SALTLEN_DIGEST } : {};
  let verified = false;
  try {
    verified = crypto().verify(algorithm.hash, parts.signed, { key, ...pss }, parts.signature);
  } catch {
    verified = false;
  }
  if (verified) return undefined;
  if (keyType === "rsa") return "crypto/rsa: verification error";
  return keyType === "ec" ? "x509: ECDSA verification failure" : "x509: Ed25519 verification failure";
}
