/**
 * A certificate's extensions as Go's crypto/x509 parser sees them before it interprets any
 * (parser.go parseCertificate): the OID, the critical flag and the DER value of each, in order,
 * and only for a version 3 certificate, since Go reads the extensions of no other version.
 * Read once per certificate from the DER, as Go's parser walks it (der-reader.ts): no ASN.1
 * schema is loaded for it, and none stricter than Go's refuses a value Go would read.
 */
import { DerReader, oidText, TAG, validOidContents } from "./der-reader.js";

export interface RawExtension {
  /** The OID, dotted. */
  type: string;
  critical: boolean;
  value: ArrayBuffer;
}

/** What the extension readers need of a certificate: its DER. */
export interface DerCertificate {
  certificate: { raw: Buffer };
}

/** The X.509 version (1, 2 or 3): the TBSCertificate opens with [0] EXPLICIT version unless it is 1. */
export function certificateVersion(der: Buffer): number {
  const contentStart = (at: number): number => {
    const length = der[at + 1] ?? 0;
    return at + 2 + (length & 0x80 ? length & 0x7f : 0);
  };
  const version = contentStart(contentStart(0));
  if (der[version] !== 0xa0) return 1;
  const integer = contentStart(version);
  return der[integer] === 0x02 && der[integer + 1] === 1 ? (der[integer + 2] ?? 0) + 1 : 0;
}

const extensionsCache = new WeakMap<object, readonly RawExtension[] | undefined>();

/** The TBSCertificate's fields, each as its whole DER element, up to the extensions; undefined when it is not DER. */
function tbsFields(der: Buffer): Array<{ tag: number; element: Uint8Array; contents: Uint8Array }> | undefined {
  const certificate = new DerReader(der).read(TAG.SEQUENCE);
  const tbs = certificate && new DerReader(certificate).read(TAG.SEQUENCE);
  if (!tbs) return undefined;
  const reader = new DerReader(tbs);
  const fields = [];
  while (!reader.empty()) {
    const field = reader.readAnyElement();
    if (!field) return undefined;
    fields.push(field);
  }
  return fields;
}

/** Go's extension list: [3] EXPLICIT SEQUENCE OF Extension { OID, BOOLEAN DEFAULT FALSE, OCTET STRING }. */
function readExtensions(der: Buffer): RawExtension[] | undefined {
  const fields = tbsFields(der);
  if (!fields) return undefined;
  const wrapped = fields.find((field) => field.tag === 0xa3);
  if (!wrapped) return [];
  const list = new DerReader(wrapped.contents).read(TAG.SEQUENCE);
  if (!list) return undefined;
  const reader = new DerReader(list);
  const extensions: RawExtension[] = [];
  while (!reader.empty()) {
    const extension = reader.read(TAG.SEQUENCE);
    if (!extension) return undefined;
    const fieldsOf = new DerReader(extension);
    const oid = fieldsOf.read(TAG.OBJECT_IDENTIFIER);
    if (!oid || !validOidContents(oid)) return undefined;
    let critical = false;
    if (fieldsOf.peekTag(TAG.BOOLEAN)) {
      const flag = fieldsOf.read(TAG.BOOLEAN);
      // DER booleans are one octet, 00 or ff.
      if (!flag || flag.length !== 1 || (flag[0] !== 0x00 && flag[0] !== 0xff)) return undefined;
      critical = flag[0] === 0xff;
    }
    const value = fieldsOf.read(TAG.OCTET_STRING);
    if (!value || !fieldsOf.empty()) return undefined;
    extensions.push({ type: oidText(oid), critical, value: Uint8Array.from(value).buffer });
  }
  return extensions;
}

/**
 * The extensions Go reads from the certificate, in order: none for a version 1 or 2 certificate.
 * Undefined when the certificate's DER cannot be read this far (client-chain.ts refuses it then).
 * Each value is kept as bytes, uninterpreted: whether Go can parse it is for the readers of each
 * extension to say (a value Go accepts may be one a stricter schema refuses, as a policy
 * qualifier Go never looks at).
 */
export function extensionsOf(facts: DerCertificate): readonly RawExtension[] | undefined {
  if (extensionsCache.has(facts.certificate)) return extensionsCache.get(facts.certificate);
  const extensions = certificateVersion(facts.certificate.raw) !== 3 ? [] : readExtensions(facts.certificate.raw);
  extensionsCache.set(facts.certificate, extensions);
  return extensions;
}

const namesCache = new WeakMap<object, boolean>();

/**
 * Go's self-issued test in policy validation: the issuer and subject names are the same bytes
 * (bytes.Equal(RawIssuer, RawSubject)), so two encodings of one name are two names.
 */
export function isSelfIssued(facts: DerCertificate): boolean {
  const cached = namesCache.get(facts.certificate);
  if (cached !== undefined) return cached;
  const fields = tbsFields(facts.certificate.raw) ?? [];
  // version? serial, signature, issuer, validity, subject
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [issuer, subject] = [fields[at + 2], fields[at + 4]];
  const same = issuer !== undefined && subject !== undefined && Buffer.from(issuer.element).equals(Buffer.from(subject.element));
  namesCache.set(facts.certificate, same);
  return same;
}
