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
  return { identity: { ...names, subjectKeyId, authorityKeyId, subjectAltName: san && Buffer.from(san) } };
}

/** TBSCertificate: [0] version?, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, ... */
function readNames(der: Buffer): Pick<CertificateIdentity, "rawIssuer" | "rawSubject" | "rawSubjectPublicKeyInfo"> | undefined {
  const certificate = new DerReader(der).read(TAG.SEQUENCE);
  const tbs = certificate && new DerReader(certificate).read(TAG.SEQUENCE);
  if (!tbs) return undefined;
  const reader = new DerReader(tbs);
  if (reader.peekTag(VERSION_TAG)) reader.readAnyElement();
  if (!reader.read(TAG.INTEGER) || !reader.read(TAG.SEQUENCE)) return undefined;
  const issuer = sequenceElement(reader);
  if (!issuer || !reader.read(TAG.SEQUENCE)) return undefined;
  const subject = sequenceElement(reader);
  const spki = subject && sequenceElement(reader);
  if (!spki) return undefined;
  return { rawIssuer: Buffer.from(issuer), rawSubject: Buffer.from(subject), rawSubjectPublicKeyInfo: Buffer.from(spki) };
}

/** The next element, tag and length included, when it is a SEQUENCE (cryptobyte's ReadASN1Element). */
function sequenceElement(reader: DerReader): Uint8Array | undefined {
  if (!reader.peekTag(TAG.SEQUENCE)) return undefined;
  return reader.readAnyElement()?.element;
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
