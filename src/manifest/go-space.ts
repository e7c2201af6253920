/**
 * Go's strings.TrimSpace, which the API server's validation uses: it trims what
 * unicode.IsSpace calls space, which is not JavaScript's trim() (Go counts U+0085 NEL and
 * not U+FEFF, JavaScript the other way round).
 */

/** unicode.IsSpace: Latin-1's \t \n \v \f \r, space, U+0085 and U+00A0, then the White_Space property. */
export function isGoSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Whether `len(s) != len(strings.TrimSpace(s))`: the text begins or ends with a space Go trims. */
export function hasSurroundingGoSpace(text: string): boolean {
  return text.length > 0 && (isGoSpace(text.charCodeAt(0)) || isGoSpace(text.charCodeAt(text.length - 1)));
}
