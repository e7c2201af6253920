/**
 * Numbers as Kubernetes' Go code reads them, where JavaScript's Number() would read
 * otherwise (node-selector Gt/Lt, toleration comparisons, Pod Security version labels).
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, within int64; else undefined. */
export function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}
