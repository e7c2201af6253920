import { nonUtf8Position, utf16ByteOrder, utf16Decoded } from "../k8s/decode-text.js";

/**
 * A manifest's bytes as the text `palisade fix` edits, and that text back as bytes in the
 * file's own encoding. The scan reads UTF-8 (a byte-order mark dropped) and UTF-16 (with
 * its byte-order mark, as Windows PowerShell's `>` writes it); fix reads the same, and
 * writes each file back as it was encoded, mark and all, so that no byte an edit does not
 * touch changes. Bytes that are not UTF-8 (a file saved as Latin-1) are refused: read as
 * UTF-8 they would come back as U+FFFD, and the characters they were would be lost.
 */

export type Encoding = "utf8" | "utf8-bom" | "utf16le" | "utf16be";

export type Decoded =
  | { text: string; encoding: Encoding }
  | { problem: { line: number; column: number; message: string; hint: string } };

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function decodeManifest(bytes: Buffer): Decoded {
  const order = utf16ByteOrder(bytes);
  if (order) {
    // Written back, a dropped odd byte would be lost: refused instead.
    if (bytes.length % 2 !== 0) return { problem: { line: 1, column: 1, message: "not valid UTF-16: an odd number of bytes after the byte-order mark", hint: "save the file as UTF-8 or UTF-16 again" } };
    return { text: utf16Decoded(bytes, order), encoding: order };
  }
  const bad = nonUtf8Position(bytes);
  if (bad) return { problem: notUtf8(bad) };
  const bom = bytes.subarray(0, 3).equals(UTF8_BOM);
  return { text: bytes.subarray(bom ? 3 : 0).toString("utf8"), encoding: bom ? "utf8-bom" : "utf8" };
}

/** `text` as bytes in `encoding`: the byte-order mark the file had, and no other. */
export function encodeManifest(text: string, encoding: Encoding): Buffer {
  if (encoding === "utf8") return Buffer.from(text, "utf8");
  if (encoding === "utf8-bom") return Buffer.concat([UTF8_BOM, Buffer.from(text, "utf8")]);
  const units = Buffer.from(text, "utf16le");
  if (encoding === "utf16be") units.swap16();
  return Buffer.concat([Buffer.from(encoding === "utf16le" ? [0xff, 0xfe] : [0xfe, 0xff]), units]);
}

function notUtf8(at: { line: number; column: number }): { line: number; column: number; message: string; hint: string } {
  return {
    ...at,
    message: "not valid UTF-8 (saved in another encoding, such as Latin-1 or Windows-1252): nothing was fixed in it, as writing it back would replace those characters",
    hint: "save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.new`, then run fix again",
  };
}
