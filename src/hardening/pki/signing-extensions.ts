/**
 * basicConstraints, keyUsage and extKeyUsage as Go's crypto/x509 parser reads them (parser.go:
 * parseBasicConstraintsExtension, parseKeyUsageExtension, parseExtKeyUsageExtension, and
 * processExtensions, which fills BasicConstraintsValid, MaxPathLen, KeyUsage, ExtKeyUsage and
 * UnknownExtKeyUsage). These are the fields chain building asks of a certificate
 * (client-chain.ts). A value Go cannot read makes it refuse the whole certificate, so such a
 * certificate is never loaded: it is neither a client nor a CA.
 *
 * Read from the DER rather than from Node, because Node reads them differently where it matters:
 * it reports an empty extKeyUsage SEQUENCE as "no usage allowed" where Go reads "any usage", and
 * it drops a malformed one silently, as if it were absent, where Go refuses the certificate.
 */
import { certificateVersion, extensionsOf, type DerCertificate } from "./certificate-extensions.js";
import { DerReader, oidText, TAG, validOidContents } from "./der-reader.js";

const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";
const EXT_KEY_USAGE = "2.5.29.37";

/** Go's KeyUsageCertSign: bit 5 of the keyUsage BIT STRING, 1 << 5 in Go's KeyUsage. */
export const KEY_USAGE_CERT_SIGN = 1 << 5;

export interface SigningExtensions {
  /** Go's BasicConstraintsValid: the extension is there (a version 3 certificate only). */
  basicConstraintsValid: boolean;
  isCA: boolean;
  /** Go's MaxPathLen when it is 0 or more; undefined for Go's -1 (no pathLenConstraint). */
  maxPathLen: number | undefined;
  /** Go's KeyUsage: bits 0 to 8 of the keyUsage BIT STRING; 0 when absent or empty alike. */
  keyUsage: number;
  /** Go's ExtKeyUsage and UnknownExtKeyUsage together, dotted; empty when absent or an empty SEQUENCE alike. */
  extKeyUsages: readonly string[];
}

const NO_EXTENSIONS: SigningExtensions = { basicConstraintsValid: false, isCA: false, maxPathLen: undefined, keyUsage: 0, extKeyUsages: [] };

const cache = new WeakMap<object, SigningExtensions | { refusal: string }>();

/**
 * cryptobyte's ReadASN1BitString as parseKeyUsageExtension uses it: a padding count of 7 at
 * most, none on an empty string, and zero padding bits. Go then keeps the first 9 bits only.
 */
function readKeyUsage(value: Uint8Array): number | undefined {
  const bits = new DerReader(value).read(TAG.BIT_STRING);
  if (!bits || bits.length === 0) return undefined;
  const padding = bits[0] as number;
  const bytes = bits.subarray(1);
  if (padding > 7 || (bytes.length === 0 && padding !== 0)) return undefined;
  if (bytes.length > 0 && ((bytes[bytes.length - 1] as number) & ((1 << padding) - 1)) !== 0) return undefined;
  let usage = 0;
  for (let bit = 0; bit < 9; bit++) {
    const byte = bytes[bit >> 3] ?? 0;
    if (byte & (0x80 >> (bit & 7))) usage |= 1 << bit;
  }
  return usage;
}

/**
 * parseBasicConstraintsExtension: an optional BOOLEAN, then an optional INTEGER read as an
 * unsigned value up to MaxInt, so a negative pathLenConstraint makes Go refuse the certificate
 * (it once read it as "no constraint"; current Go reads it into a uint). Bytes after are ignored.
 */
function readBasicConstraints(value: Uint8Array): { isCA: boolean; maxPathLen: number | undefined } | undefined {
  const fields = new DerReader(value).read(TAG.SEQUENCE);
  if (!fields) return undefined;
  const reader = new DerReader(fields);
  let isCA = false;
  if (reader.peekTag(TAG.BOOLEAN)) {
    const flag = reader.read(TAG.BOOLEAN);
    if (!flag || flag.length !== 1 || (flag[0] !== 0 && flag[0] !== 0xff)) return undefined;
    isCA = flag[0] === 0xff;
  }
  let maxPathLen: number | undefined;
  if (reader.peekTag(TAG.INTEGER)) {
    const length = reader.readInt64(TAG.INTEGER);
    if (length === undefined || length < 0n) return undefined;
    // Beyond what any chain can reach: the number only has to compare right.
    maxPathLen = length > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(length);
  }
  return { isCA, maxPathLen };
}

/** cryptobyte's ReadASN1ObjectIdentifier: minimal subidentifiers, each under 2^31 (Go reads them into an int). */
function readGoOid(reader: DerReader): string | undefined {
  const contents = reader.read(TAG.OBJECT_IDENTIFIER);
  if (!contents || !validOidContents(contents)) return undefined;
  let value = 0;
  for (const byte of contents) {
    if (value >= 1 << 24) return undefined;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) value = 0;
  }
  return oidText(contents);
}

/** parseExtKeyUsageExtension: a SEQUENCE of OIDs, possibly empty; bytes after it are ignored. */
function readExtKeyUsage(value: Uint8Array): string[] | undefined {
  const list = new DerReader(value).read(TAG.SEQUENCE);
  if (!list) return undefined;
  const reader = new DerReader(list);
  const usages: string[] = [];
  while (!reader.empty()) {
    const oid = readGoOid(reader);
    if (oid === undefined) return undefined;
    usages.push(oid);
  }
  return usages;
}

function read(facts: DerCertificate): SigningExtensions | { refusal: string } {
  if (certificateVersion(facts.certificate.raw) !== 3) return NO_EXTENSIONS;
  const extensions = extensionsOf(facts);
  if (!extensions) return { refusal: "its extensions cannot be read" };
  const out = { ...NO_EXTENSIONS };
  for (const { type, value } of extensions) {
    const bytes = new Uint8Array(value);
    if (type === BASIC_CONSTRAINTS) {
      const constraints = readBasicConstraints(bytes);
      if (!constraints) return { refusal: "its basicConstraints extension is malformed (a negative pathLenConstraint included)" };
      Object.assign(out, constraints, { basicConstraintsValid: true });
    } else if (type === KEY_USAGE) {
      const usage = readKeyUsage(bytes);
      if (usage === undefined) return { refusal: "its keyUsage extension is malformed" };
      out.keyUsage = usage;
    } else if (type === EXT_KEY_USAGE) {
      const usages = readExtKeyUsage(bytes);
      if (!usages) return { refusal: "its extKeyUsage extension is malformed" };
      out.extKeyUsages = usages;
    }
  }
  return out;
}

/** The three extensions as Go holds them, or why Go's parser refuses the certificate over one of them. */
export function signingExtensionsOf(facts: DerCertificate): SigningExtensions | { refusal: string } {
  const cached = cache.get(facts.certificate);
  if (cached) return cached;
  const result = read(facts);
  cache.set(facts.certificate, result);
  return result;
}

/** Why Go's parser refuses the certificate over basicConstraints, keyUsage or extKeyUsage, or undefined. */
export function signingExtensionsRefusal(facts: DerCertificate): string | undefined {
  const read = signingExtensionsOf(facts);
  return "refusal" in read ? read.refusal : undefined;
}
