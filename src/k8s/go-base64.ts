/**
 * Go's base64.StdEncoding as Kubernetes decodes a []byte field (encoding/json) or a key in
 * an EncryptionConfiguration: the standard alphabet, padding required, CR and LF skipped.
 */

/** The bytes, or undefined when Go would not decode the text (stdBase64ErrorOffset says where it stops). */
export function decodeStdBase64(text: string): Uint8Array | undefined {
  if (stdBase64ErrorOffset(text) !== undefined) return undefined;
  return new Uint8Array(Buffer.from(text.replace(/[\r\n]/g, ""), "base64"));
}

/** 1 for the characters of the standard alphabet, by char code. */
const ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") ALPHABET[c.charCodeAt(0)] = 1;
const LF = 10;
const CR = 13;
const PAD = 61;

function skipLineBreaks(text: string, at: number): number {
  while (at < text.length && (text.charCodeAt(at) === LF || text.charCodeAt(at) === CR)) at++;
  return at;
}

/**
 * Where Go's base64.StdEncoding.Decode stops on the text, as the N of its error "illegal
 * base64 data at input byte N"; undefined when it decodes (an empty text does). It walks
 * the input in groups of four as Go's decodeQuantum does, so N is Go's, not merely some
 * bad position: a last group of two or three characters without its `=` is refused at the
 * group's start, a lone `=` pair at the input's end, anything after the padding at its
 * first character. N counts UTF-8 bytes, as Go's input is; every character before it is
 * ASCII (any other stops the walk), so it is also the index in the string. Allocates nothing:
 * it runs on every value of every []byte field a scan meets.
 */
export function stdBase64ErrorOffset(text: string): number | undefined {
  const end = text.length;
  let at = 0;
  while (at < end) {
    for (let digits = 0; digits < 4; ) {
      if (at === end) return digits === 0 ? undefined : at - digits;
      const c = text.charCodeAt(at++);
      if (c < 128 && ALPHABET[c] === 1) {
        digits++;
        continue;
      }
      if (c === LF || c === CR) continue;
      if (c !== PAD || digits < 2) return at - 1;
      if (digits === 2) {
        // The second `=` of the pair, line breaks allowed between them.
        at = skipLineBreaks(text, at);
        if (at === end) return end;
        if (text.charCodeAt(at) !== PAD) return at - 1;
        at++;
      }
      // Padding ends the input: only line breaks may follow it.
      at = skipLineBreaks(text, at);
      return at < end ? at : undefined;
    }
  }
  return undefined;
}
