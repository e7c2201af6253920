import { isUtf8 } from "node:buffer";
import type { LoadProblem } from "./types.js";

export interface DecodedText {
  /** Undefined for a file skipped as binary. */
  text: string | undefined;
  problem?: LoadProblem;
  skipped?: boolean;
}

/**
 * A file's or standard input's bytes as text: UTF-16 (with its byte-order mark) decoded,
 * a UTF-8 byte-order mark dropped (columns count from the first character after it, and
 * JSON.parse refuses it), and bytes with a NUL near the start skipped as binary.
 */
export function decodeText(bytes: Buffer, file: string): DecodedText {
  const utf16 = utf16Text(bytes);
  if (utf16 !== undefined) return { text: withUnixLineBreaks(utf16) };
  if (bytes.subarray(0, Math.min(bytes.length, 8192)).includes(0)) {
    return { text: undefined, problem: { kind: "binary", message: "skipped: binary file", position: { file, line: 1, column: 1 } }, skipped: true };
  }
  const decoded = bytes.toString("utf8");
  const text = withUnixLineBreaks(decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded);
  // Scanned as read (each bad byte as U+FFFD, so nothing else is lost), but reported:
  // Kubernetes reads manifests as UTF-8, and kubectl and kustomize refuse such a file.
  const bad = nonUtf8Position(bytes);
  return bad ? { text, problem: notUtf8(file, bad) } : { text };
}

/**
 * Windows line breaks (\r\n) as \n. YAML reads every line break in content as \n, and
 * JSON reads both as whitespace, so the values are the same, and so are every line and
 * column (a \r only ever ends a line). The fast block reader reads \n-only text; with
 * \r\n left in, a scan of files saved on Windows took twice as long, through js-yaml.
 * A lone \r (a line break to YAML, too) is left as it is, for js-yaml.
 */
function withUnixLineBreaks(text: string): string {
  return text.includes("\r\n") ? text.replace(/\r\n/g, "\n") : text;
}

/**
 * A text that starts with a UTF-16 byte-order mark, decoded (YAML readers must accept
 * UTF-16; Windows PowerShell's `>` writes it): otherwise its zero bytes would have it
 * skipped as binary, and a manifest saved on Windows would pass unscanned.
 */
function utf16Text(bytes: Buffer): string | undefined {
  const order = utf16ByteOrder(bytes);
  return order && utf16Decoded(bytes, order);
}

/** The byte order a UTF-16 byte-order mark names; undefined without one. `palisade fix` writes such a file back in it. */
export function utf16ByteOrder(bytes: Buffer): "utf16le" | "utf16be" | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe && !(bytes[2] === 0 && bytes[3] === 0)) return "utf16le"; // FF FE 00 00 is UTF-32
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf16be";
  return undefined;
}

/** The text after the mark, in whole code units (an odd last byte left out). */
export function utf16Decoded(bytes: Buffer, order: "utf16le" | "utf16be"): string {
  const units = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
  if (order === "utf16be") units.swap16();
  return units.toString("utf16le");
}

/**
 * Where the first byte that does not start or continue a UTF-8 character is (a file saved
 * as Latin-1 or Windows-1252: `café` as 63 61 66 E9), as a 1-based line and column
 * counted in characters, from after a byte-order mark as findings' columns are;
 * undefined when every byte is UTF-8. `palisade fix` refuses such a file at the same place.
 */
export function nonUtf8Position(bytes: Buffer): { line: number; column: number } | undefined {
  if (isUtf8(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length || !isUtf8(bytes.subarray(i, i + length))) break;
    i += length;
  }
  const before = bytes.subarray(0, i).toString("utf8");
  const lineStart = before.lastIndexOf("\n") + 1;
  const bom = lineStart === 0 && before.charCodeAt(0) === 0xfeff ? 1 : 0;
  return { line: before.split("\n").length, column: before.length - lineStart + 1 - bom };
}

function notUtf8(file: string, at: { line: number; column: number }): LoadProblem {
  return {
    kind: "encoding",
    message: "not valid UTF-8 (saved in another encoding, such as Latin-1 or Windows-1252): kubectl and kustomize refuse the file; scanned with each bad byte read as U+FFFD",
    position: { file, ...at },
    hint: "save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.new`",
  };
}
