/**
 * The bytes Go's crypto/x509 identifies a certificate by when it looks for parents, read from
 * the DER as Go's parser reads them (parser.go parseCertificate, processExtensions):
 * RawIssuer, RawSubject and RawSubjectPublicKeyInfo are whole DER elements, compared byte for
 * byte by CertPool (byName[string(RawIssuer)]), isValid (NameMismatch) and alreadyInChain, so
 * two encodings of one name (PrintableString and UTF8String, another order, another case) are
 * two names to Go even though Node prints them alike. SubjectKeyId and AuthorityKeyId only
 * order the candidates (cert_pool.go findPotentialParents); Go reads neither from a version 1
 * or 2 certificate, and refuses to parse one whose value it cannot read.
 */
import { extensionsOf, type DerCertificate } from "./certificate-extensions.js";
import { DerReader, TAG } from "./der-reader.js";

const SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
const SUBJECT_ALT_NAME = "2.5.29.17";
/** The public key algorithms Go's getPublicKeyAlgorithmFromOID knows, as OID contents in hex: RSA, DSA, ECDSA, Ed25519. */
const GO_PUBLIC_KEY_ALGORITHMS = new Set(["2a864886f70d010101", "2a8648ce380401", "2a8648ce3d0201", "2b6570"]);
const EC_PUBLIC_KEY = "2a8648ce3d0201";
/** namedCurveFromOID: P-224, P-256, P-384, P-521, as OID contents in hex. */
export const GO_NAMED_CURVES = new Set(["2b81040021", "2a8648ce3d030107", "2b81040022", "2b81040023"]);
/** The optional [0] EXPLICIT version that opens a TBSCertificate. */
const VERSION_TAG = 0xa0;

export interface CertificateIdentity {
  rawIssuer: Buffer;
  rawSubject: Buffer;
  rawSubjectPublicKeyInfo: Buffer;
  /** Empty when the certificate has none, as Go's nil slice. */
  subjectKeyId: Buffer;
  authorityKeyId: Buffer;
  /** The subjectAltName extension's value, as alreadyInChain compares it; undefined when absent. */
  subjectAltName: Buffer | undefined;
  /**
   * Whether Go loads the public key at all. parseCertificate parses a key only of the algorithms
   * getPublicKeyAlgorithmFromOID names (RSA, DSA, ECDSA, Ed25519); any other (Ed448, X25519,
   * GOST, SM2) leaves PublicKey nil without an error, and buildChains skips such a candidate
   * without checking a signature (since Go 1.25.9 and 1.26.2 after counting it against the
   * budget: client-chain.ts).
   */
  publicKeyLoadedByGo: boolean;
}

export type IdentityReading = { identity: CertificateIdentity } | { refusal: string };

const cache = new WeakMap<object, IdentityReading>();

/** The certificate's identity bytes, or why Go's parser would refuse the certificate over them. */
export function identityOf(facts: DerCertificate): IdentityReading {
  const cached = cache.get(facts.certificate);
  if (cached) return cached;
  const reading = readIdentity(facts);
  cache.set(facts.certificate, reading);
  return reading;
}

function readIdentity(facts: DerCertificate): IdentityReading {
  const names = readNames(facts.certificate.raw);
  if (!names) return { refusal: "its issuer, subject or public key is not DER Go can read" };
  if (names.negativeSerial) return { refusal: "its serial number is negative, which Go's parser refuses since Go 1.23 (x509: negative serial number; Kubernetes does not set GODEBUG x509negativeserial=1)" };
  const extensions = extensionsOf(facts) ?? [];
  const valueOf = (oid: string) => {
    const found = extensions.find((e) => e.type === oid);
    return found && new Uint8Array(found.value);
  };
  const subjectKeyId = readSubjectKeyId(valueOf(SUBJECT_KEY_IDENTIFIER));
  if (!subjectKeyId) return { refusal: "its subjectKeyIdentifier extension is malformed" };
  const authorityKeyId = readAuthorityKeyId(valueOf(AUTHORITY_KEY_IDENTIFIER));
  if (!authorityKeyId) return { refusal: "its authorityKeyIdentifier extension is malformed" };
  const san = valueOf(SUBJECT_ALT_NAME);
  const algorithm = publicKeyAlgorithm(names.rawSubjectPublicKeyInfo);
  if (algorithm?.oid === EC_PUBLIC_KEY && !GO_NAMED_CURVES.has(algorithm.curve ?? "")) return { refusal: "its elliptic-curve key is on a curve Go does not support (x509: unsupported elliptic curve; Go reads P-224, P-256, P-384 and P-521)" };
  const publicKeyLoadedByGo = algorithm !== undefined && GO_PUBLIC_KEY_ALGORITHMS.has(algorithm.oid);
  const { rawIssuer, rawSubject, rawSubjectPublicKeyInfo } = names;
  return { identity: { rawIssuer, rawSubject, rawSubjectPublicKeyInfo, subjectKeyId, authorityKeyId, subjectAltName: san && Buffer.from(san), publicKeyLoadedByGo } };
}

type Names = Pick<CertificateIdentity, "rawIssuer" | "rawSubject" | "rawSubjectPublicKeyInfo"> & { negativeSerial: boolean };

/**
 * TBSCertificate: [0] version?, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
 * The serial's sign is read too: Go's parser refuses a negative one (Go 1.23's x509negativeserial
 * default, which Kubernetes' go.mod keeps with its godebug default), while Node loads it.
 */
function readNames(der: Buffer): Names | undefined {
  const certificate = new DerReader(der).read(TAG.SEQUENCE);
  const tbs = certificate && new DerReader(certificate).read(TAG.SEQUENCE);
  if (!tbs) return undefined;
  const reader = new DerReader(tbs);
  if (reader.peekTag(VERSION_TAG)) reader.readAnyElement();
  const serial = reader.read(TAG.INTEGER);
  if (!serial || !reader.read(TAG.SEQUENCE)) return undefined;
  const issuer = sequenceElement(reader);
  if (!issuer || !reader.read(TAG.SEQUENCE)) return undefined;
  const subject = sequenceElement(reader);
  const spki = subject && sequenceElement(reader);
  if (!spki) return undefined;
  const negativeSerial = serial.length > 0 && ((serial[0] as number) & 0x80) !== 0;
  return { rawIssuer: Buffer.from(issuer), rawSubject: Buffer.from(subject), rawSubjectPublicKeyInfo: Buffer.from(spki), negativeSerial };
}

/** The next element, tag and length included, when it is a SEQUENCE (cryptobyte's ReadASN1Element). */
function sequenceElement(reader: DerReader): Uint8Array | undefined {
  if (!reader.peekTag(TAG.SEQUENCE)) return undefined;
  return reader.readAnyElement()?.element;
}

/**
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY }, ... }:
 * the algorithm's OID and, when the parameters are an OID (an EC key's named curve), that one too, in hex.
 */
function publicKeyAlgorithm(spki: Buffer): { oid: string; curve: string | undefined } | undefined {
  const info = new DerReader(spki).read(TAG.SEQUENCE);
  const algorithm = info && new DerReader(info).read(TAG.SEQUENCE);
  if (!algorithm) return undefined;
  const reader = new DerReader(algorithm);
  const oid = reader.read(TAG.OBJECT_IDENTIFIER);
  const curve = reader.read(TAG.OBJECT_IDENTIFIER);
  return oid && { oid: Buffer.from(oid).toString("hex"), curve: curve && Buffer.from(curve).toString("hex") };
}

/** SubjectKeyIdentifier ::= OCTET STRING; bytes after it are left unread, as Go leaves them. */
function readSubjectKeyId(value: Uint8Array | undefined): Buffer | undefined {
  if (!value) return Buffer.alloc(0);
  const id = new DerReader(value).read(TAG.OCTET_STRING);
  return id && Buffer.from(id);
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }: Go keeps only the first. */
function readAuthorityKeyId(value: Uint8Array | undefined): Buffer | undefined {
  if (!value) return Buffer.alloc(0);
  const fields = new DerReader(value).read(TAG.SEQUENCE);
  if (!fields) return undefined;
  const reader = new DerReader(fields);
  if (!reader.peekTag(TAG.CONTEXT_0)) return Buffer.alloc(0);
  const id = reader.read(TAG.CONTEXT_0);
  return id && Buffer.from(id);
}
