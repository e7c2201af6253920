/**
 * PEM blocks as Go's encoding/pem reads them (every Kubernetes component loads its
 * certificates and keys with it), with what a reader needs to say why a block cannot be
 * used: its line, and whether it is cut off or its base64 is corrupt. Go skips such a
 * block without a word, so a file of nothing else fails to load as "no certificate".
 */

export interface PemBlock {
  /** CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY... */
  type: string;
  /** 1-based line of the BEGIN line. */
  line: number;
  /** The block from its BEGIN line to its END line, for a parser that takes PEM. */
  text: string;
  /** RFC 1421 headers (Proc-Type, DEK-Info): an encrypted legacy key carries them. */
  headers: Record<string, string>;
  /** The decoded bytes; absent when the block is damaged. */
  der?: Buffer;
  damage?: "truncated" | "corrupt";
}

const BEGIN = /^-----BEGIN (.*)-----[ \t]*\r?$/;
/** Go's base64.StdEncoding after whitespace is removed: padded, no other characters. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function pemBlocks(text: string): PemBlock[] {
  const lines = text.split("\n");
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const type = BEGIN.exec(lines[i] as string)?.[1];
    if (type === undefined) continue;
    const endLine = `-----END ${type}-----`;
    let end = -1;
    for (let j = i + 1; j < lines.length; j++) {
      const row = (lines[j] as string).trimEnd();
      if (row === endLine) {
        end = j;
        break;
      }
      // A block that runs into the next one was cut off: Go skips it and reads the next.
      if (BEGIN.test(lines[j] as string)) break;
    }
    if (end < 0) {
      blocks.push({ type, line: i + 1, text: "", headers: {}, damage: "truncated" });
      continue;
    }
    const body = lines.slice(i + 1, end);
    const headers: Record<string, string> = {};
    let first = 0;
    for (; first < body.length; first++) {
      const row = body[first] as string;
      const colon = row.indexOf(":");
      if (colon < 0) break;
      headers[row.slice(0, colon).trim()] = row.slice(colon + 1).trim();
    }
    if (first > 0 && (body[first] ?? "").trim() === "") first++;
    const base64 = body.slice(first).join("").replace(/[ \t\r]/g, "");
    const block: PemBlock = { type, line: i + 1, text: lines.slice(i, end + 1).join("\n") + "\n", headers };
    if (BASE64.test(base64) && base64.length % 4 === 0) block.der = Buffer.from(base64, "base64");
    else block.damage = "corrupt";
    blocks.push(block);
    i = end;
  }
  return blocks;
}

/** RFC 7468 labels as written in practice: upper-case words and digits, one space between (RSA PRIVATE KEY, X509 CRL). */
const LABEL = /^[A-Z0-9]+(?: [A-Z0-9]+)*$/;
const MAX_LABEL_LENGTH = 40;

/**
 * The block's type as messages may print it. A BEGIN line that runs on into the data after it (a
 * key written with `echo $KEY`, its lines joined by spaces, so that BEGIN and END share one line)
 * gives a "type" that holds the key's base64: it is never printed, only said to be malformed.
 */
export function blockLabel(block: Pick<PemBlock, "type">): string {
  if (block.type.length <= MAX_LABEL_LENGTH && LABEL.test(block.type)) return block.type;
  return /PRIVATE KEY/.test(block.type) ? "PRIVATE KEY (BEGIN line malformed, not shown)" : "PEM (BEGIN line malformed, not shown)";
}

/** What is wrong with a damaged block, in words; never its bytes. */
export function describeDamage(block: PemBlock): string | undefined {
  const damage = damageOf(block);
  return damage && `the ${blockLabel(block)} block at line ${block.line} ${damage}`;
}

/** describeDamage without the line, for a message that says where on its own: "is cut off: ...". */
export function damageOf(block: PemBlock): string | undefined {
  if (block.damage === "truncated") return blockLabel(block) === block.type ? `is cut off: it has no -----END ${block.type}----- line` : "is cut off: it has no END line of its own";
  if (block.damage === "corrupt") return "is corrupt: its base64 does not decode";
  return undefined;
}

/**
 * The block written as OpenSSL reads PEM best (64-character lines, no headers): Go takes a
 * base64 line of any length, and what Go loads must not be called broken by node:crypto.
 */
export function encodePem(type: string, der: Buffer): string {
  return `-----BEGIN ${type}-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${type}-----\n`;
}

/** Whether a block holds a private key of any kind (PKCS #8, RSA, EC, encrypted...). */
export function isPrivateKey(block: PemBlock): boolean {
  return / ?PRIVATE KEY$/.test(block.type);
}

/** Whether a private key block is encrypted (PKCS #8, or OpenSSL's legacy Proc-Type header). */
export function isEncryptedKey(block: PemBlock): boolean {
  return block.type.startsWith("ENCRYPTED ") || /ENCRYPTED/.test(block.headers["Proc-Type"] ?? "");
}
