/**
 * The facts the platform checks need of an X.509 certificate, read with node:crypto's
 * X509Certificate (synchronous, nothing to load for the scans that hold none), plus the
 * one fact Node 20 does not expose: the signature algorithm, read from the DER.
 */
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";
import { encodePem, isEncryptedKey, isPrivateKey, pemBlocks, type PemBlock } from "./pki/pem.js";

export interface CertificateFacts {
  commonName: string | undefined;
  /** The subject's O= values: a client certificate's groups to kube-apiserver. */
  organizations: string[];
  issuer: string;
  notAfter: Date;
  isCA: boolean;
  keyType: string | undefined;
  /** RSA modulus or EC curve size, in bits. */
  keyBits: number | undefined;
  /** Why the key is too weak, when it is (keyWeakness). */
  keyWeakness: string | undefined;
  /** The signature algorithm, when it is one that can be forged (SHA-1, MD5). */
  weakSignature: string | undefined;
  /** For checking who signed it. */
  certificate: Crypto.X509Certificate;
}

const DAY_MS = 86_400_000;
/** How soon before its end a certificate is reported as expiring. */
export const EXPIRY_WARNING_DAYS = 30;

/**
 * Whether a certificate has expired, or expires within EXPIRY_WARNING_DAYS, at `now`; and
 * in how many whole days (rounded down, as kubeadm's residual time is: 9 days and 20 hours
 * is 9d in its table, and so in every message).
 */
export function expiryOf(facts: CertificateFacts, now: Date): { state: "expired" | "expiring" | "valid"; days: number } {
  const left = facts.notAfter.getTime() - now.getTime();
  const days = Math.floor(left / DAY_MS);
  return { state: left <= 0 ? "expired" : left <= EXPIRY_WARNING_DAYS * DAY_MS ? "expiring" : "valid", days };
}

/** "in 9 days", "in 1 day", "within a day": the whole days left, as the expiry table shows them. */
export function inDays(days: number): string {
  return days <= 0 ? "within a day" : `in ${days} day${days === 1 ? "" : "s"}`;
}

const TLS_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/**
 * Why a key is too weak for Kubernetes' TLS, or undefined: Go's crypto/tls, which every
 * Kubernetes component uses, takes RSA (PKCS #1 and PSS), ECDSA on P-256, P-384 and P-521,
 * and Ed25519; RSA under 2048 bits can be broken. The one judgement of key strength, for
 * the authn, kubeconfig and PKI checks.
 */
export function keyWeakness(type: string | undefined, details: Crypto.AsymmetricKeyDetails | undefined): string | undefined {
  switch (type) {
    case "rsa":
    case "rsa-pss": {
      const bits = details?.modulusLength ?? 0;
      return bits < 2048 ? `RSA key of ${bits} bits (at least 2048 needed)` : undefined;
    }
    case "ec": {
      const curve = details?.namedCurve ?? "unknown curve";
      return TLS_CURVES.has(curve) ? undefined : `elliptic curve ${curve} is not P-256, P-384 or P-521`;
    }
    case "ed25519":
      return undefined;
    default:
      return `key type ${String(type)} is not accepted for TLS`;
  }
}

/** Whether the key of a certificate or private key is too weak (see keyWeakness). */
export function hasWeakKey(facts: Pick<CertificateFacts, "keyWeakness">): boolean {
  return facts.keyWeakness !== undefined;
}

const EC_CURVE_BITS: Record<string, number> = { prime256v1: 256, "P-256": 256, secp384r1: 384, "P-384": 384, secp521r1: 521, "P-521": 521 };

/** Signature algorithm OIDs (as DER content bytes, in hex) whose hashes collide. */
const WEAK_SIGNATURES: Record<string, string> = {
  "2a864886f70d010102": "md2WithRSAEncryption",
  "2a864886f70d010104": "md5WithRSAEncryption",
  "2a864886f70d010105": "sha1WithRSAEncryption",
  "2a8648ce3d0401": "ecdsa-with-SHA1",
  "2a8648ce380403": "dsa-with-sha1",
};

let crypto: typeof Crypto | undefined;

/** node:crypto, required on first use rather than imported: most scans hold no certificate. */
function nodeCrypto(): typeof Crypto {
  crypto ??= createRequire(import.meta.url)("node:crypto") as typeof Crypto;
  return crypto;
}

const NOT_X509 = { problem: "holds a PEM block that is not a valid X.509 certificate" };

/**
 * Every certificate in PEM text (a chain file holds several), or why one cannot be read.
 * A block cut off before its END line is left out, as Go's PEM decoder never sees it.
 */
export function readPemCertificates(pem: string): Array<CertificateFacts | { problem: string }> {
  return pemBlocks(pem)
    .filter((block) => block.type === "CERTIFICATE" && block.damage !== "truncated")
    .map((block) => (block.der && certificateFromDer(block.der)) ?? NOT_X509);
}

/** A certificate's facts from its DER, or undefined when it is not X.509. */
export function certificateFromDer(der: Buffer): CertificateFacts | undefined {
  try {
    return factsOf(new (nodeCrypto().X509Certificate)(der));
  } catch {
    return undefined;
  }
}

/** A private key's type and size, and its public half (DER) to match it with a certificate. */
export interface PrivateKeyFacts {
  keyType: string | undefined;
  keyBits: number | undefined;
  keyWeakness: string | undefined;
  publicKey: Buffer;
}

/** The first private key in PEM text, or undefined when there is none or it cannot be read (an encrypted key, for one). */
export function readPrivateKey(pem: string): PrivateKeyFacts | undefined {
  const block = pemBlocks(pem).find(isPrivateKey);
  return block && privateKeyOf(block);
}

/** The private key of one PEM block, or undefined when it is damaged, encrypted or not a key node:crypto can load. */
export function privateKeyOf(block: PemBlock): PrivateKeyFacts | undefined {
  if (!block.der || isEncryptedKey(block)) return undefined;
  try {
    const { createPrivateKey, createPublicKey } = nodeCrypto();
    // Written again with 64-character lines: OpenSSL refuses the long lines Go accepts.
    const key = createPrivateKey(encodePem(block.type, block.der));
    const details = key.asymmetricKeyDetails;
    return {
      keyType: key.asymmetricKeyType,
      keyBits: details?.modulusLength ?? (details?.namedCurve ? EC_CURVE_BITS[details.namedCurve] : undefined),
      keyWeakness: keyWeakness(key.asymmetricKeyType, details),
      publicKey: createPublicKey(key).export({ type: "spki", format: "der" }),
    };
  } catch {
    return undefined;
  }
}

/** The public half of a certificate's key (DER), to match it with a private key. */
export function publicKeyOf(facts: CertificateFacts): Buffer {
  return facts.certificate.publicKey.export({ type: "spki", format: "der" });
}

/** The first certificate of base64 PEM data (a kubeconfig's `*-data`), or why it cannot be read. */
export function readBase64Certificate(base64: string): CertificateFacts | { problem: string } {
  const pem = Buffer.from(base64, "base64").toString("latin1");
  return readPemCertificates(pem)[0] ?? { problem: "is not base64 of a PEM certificate" };
}

function factsOf(certificate: Crypto.X509Certificate): CertificateFacts {
  const subject = certificate.subject.split("\n");
  const values = (key: string) => subject.filter((part) => part.startsWith(`${key}=`)).map((part) => part.slice(key.length + 1));
  const details = certificate.publicKey.asymmetricKeyDetails;
  return {
    commonName: values("CN")[0],
    organizations: values("O"),
    issuer: certificate.issuer,
    notAfter: new Date(certificate.validTo),
    isCA: certificate.ca,
    keyType: certificate.publicKey.asymmetricKeyType,
    keyBits: details?.modulusLength ?? (details?.namedCurve ? EC_CURVE_BITS[details.namedCurve] : undefined),
    keyWeakness: keyWeakness(certificate.publicKey.asymmetricKeyType, details),
    weakSignature: WEAK_SIGNATURES[signatureAlgorithmOid(certificate.raw) ?? ""],
    certificate,
  };
}

/**
 * The signatureAlgorithm OID of a DER certificate, as hex: Certificate ::= SEQUENCE {
 * tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, ... }, signature }.
 */
function signatureAlgorithmOid(der: Buffer): string | undefined {
  const header = (at: number): { tag: number; start: number; end: number } | undefined => {
    if (at + 2 > der.length) return undefined;
    const tag = der[at] as number;
    let length = der[at + 1] as number;
    let start = at + 2;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      if (bytes === 0 || bytes > 4 || start + bytes > der.length) return undefined;
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] as number);
      start += bytes;
    }
    return start + length <= der.length ? { tag, start, end: start + length } : undefined;
  };
  const outer = header(0);
  const tbs = outer && header(outer.start);
  const algorithm = tbs && header(tbs.end);
  const oid = algorithm && algorithm.tag === 0x30 ? header(algorithm.start) : undefined;
  return oid && oid.tag === 0x06 ? der.subarray(oid.start, oid.end).toString("hex") : undefined;
}
