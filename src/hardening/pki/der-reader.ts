/**
 * A DER reader as strict, and as lenient, as the one Go's crypto/x509 parser reads extensions
 * with (golang.org/x/crypto/cryptobyte: String.ReadASN1, PeekASN1Tag, ReadASN1Integer,
 * ReadASN1Int64WithTag). Strict where it is: single-byte tags only, definite lengths in the
 * fewest octets, integers in the fewest octets and at most 64 bits. Lenient where it is: a
 * caller that stops reading leaves whatever follows unread, and Go's extension parsers often
 * do, so bytes after what they need are no error. The ASN.1 schema packages cannot say that
 * (they accept BER, and refuse what Go ignores), hence this.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OBJECT_IDENTIFIER: 0x06,
  SEQUENCE: 0x30,
  /** [0] and [1] IMPLICIT, primitive: how policyConstraints tags its two integers. */
  CONTEXT_0: 0x80,
  CONTEXT_1: 0x81,
} as const;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export class DerReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  empty(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** Whether the next element has this tag (cryptobyte's PeekASN1Tag). */
  peekTag(tag: number): boolean {
    return !this.empty() && this.bytes[this.offset] === tag;
  }

  /** The next element's whole encoding, header included, and its tag; undefined when it is not valid DER. */
  readAnyElement(): { tag: number; element: Uint8Array; contents: Uint8Array } | undefined {
    const rest = this.bytes.subarray(this.offset);
    if (rest.length < 2) return undefined;
    const tag = rest[0] as number;
    const lengthByte = rest[1] as number;
    // A tag number of 31 opens the multi-byte form, which cryptobyte does not read.
    if ((tag & 0x1f) === 0x1f) return undefined;
    let header = 2;
    let length = lengthByte;
    if (lengthByte & 0x80) {
      const octets = lengthByte & 0x7f;
      // Indefinite lengths, and lengths over four octets, are refused.
      if (octets === 0 || octets > 4 || rest.length < 2 + octets) return undefined;
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + (rest[2 + i] as number);
      // DER: the short form below 128, and no leading zero octet.
      if (length < 128 || rest[2] === 0) return undefined;
      header = 2 + octets;
    }
    if (rest.length < header + length) return undefined;
    this.offset += header + length;
    return { tag, element: rest.subarray(0, header + length), contents: rest.subarray(header, header + length) };
  }

  /** The contents of the next element when it has this tag (cryptobyte's ReadASN1); undefined otherwise. */
  read(tag: number): Uint8Array | undefined {
    const start = this.offset;
    const next = this.readAnyElement();
    if (next && next.tag === tag) return next.contents;
    this.offset = start;
    return undefined;
  }

  /** A minimally encoded integer of at most 64 bits under this tag (cryptobyte's ReadASN1Int64WithTag). */
  readInt64(tag: number = TAG.INTEGER): bigint | undefined {
    const start = this.offset;
    const contents = this.read(tag);
    const value = contents && int64Of(contents);
    if (value === undefined) this.offset = start;
    return value;
  }
}

/** cryptobyte's checkASN1Integer and asn1Signed: non-empty, no redundant leading octet, 8 octets at most. */
function int64Of(bytes: Uint8Array): bigint | undefined {
  if (bytes.length === 0 || bytes.length > 8) return undefined;
  const [first, second] = [bytes[0] as number, bytes[1]];
  if (second !== undefined && ((first === 0x00 && (second & 0x80) === 0) || (first === 0xff && (second & 0x80) === 0x80))) return undefined;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  if (first & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** Go's newOIDFromDER: contents that end a subidentifier and open none with the padding octet 0x80. */
export function validOidContents(contents: Uint8Array): boolean {
  if (contents.length === 0 || ((contents[contents.length - 1] as number) & 0x80) !== 0) return false;
  let start = 0;
  for (const [i, byte] of contents.entries()) {
    if (i === start && byte === 0x80) return false;
    if ((byte & 0x80) === 0) start = i + 1;
  }
  return true;
}

/** Dotted text of OID contents (for messages), or their hex when they do not decode. */
export function oidText(contents: Uint8Array): string {
  if (!validOidContents(contents)) return `OID bytes ${Buffer.from(contents).toString("hex") || "(none)"}`;
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of contents) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0] as bigint;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}
