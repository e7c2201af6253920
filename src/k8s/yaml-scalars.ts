/**
 * What a plain (unquoted) YAML scalar means, as js-yaml 4's default schema resolves it:
 * null, bool, int, float, then timestamp, else the string itself. Written here so that
 * reading manifests does not load js-yaml (~35 ms) for documents the block reader reads
 * itself; a property test holds every rule below to js-yaml's own answers.
 *
 * The rules, in order:
 * - null: `~`, `null`, `Null`, `NULL` (and the empty scalar).
 * - bool: `true`/`True`/`TRUE`, `false`/`False`/`FALSE` (not YAML 1.1's yes/no/on/off).
 * - int: an optional sign, then `0b` binary, `0o` octal or `0x` hex digits, or decimal
 *   digits (a leading zero stays decimal: `017` is 17); no underscores; finite only.
 * - float: digits with an optional fraction and exponent (`1.`, `1.5e3`), a fraction alone
 *   without a sign (`.5`), signed infinities (`.inf`, `-.Inf`) and unsigned NaN (`.nan`).
 * - timestamp: `YYYY-MM-DD`, or a date with one- or two-digit month and day, a time after
 *   `T`, `t` or spaces, an optional fraction (milliseconds kept) and an optional zone.
 */

/** Whether a plain scalar starting with this character may be something other than a string. */
export function mayResolveFrom(c: number): boolean {
  // ~ n N t T f F digits + - . (null, bool, int, float and timestamp all start with these)
  return c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

export function resolvePlainScalar(text: string): unknown {
  if (text.length === 0) return null;
  if (!mayResolveFrom(text.charCodeAt(0))) return text;
  switch (text) {
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
  }
  const int = integerValue(text);
  if (int !== undefined) return int;
  const float = floatValue(text);
  if (float !== undefined) return float;
  return timestampValue(text) ?? text;
}

const BINARY = /^[-+]?0b[01]+$/;
const OCTAL = /^[-+]?0o[0-7]+$/;
const HEX = /^[-+]?0x[0-9a-fA-F]+$/;
const DECIMAL = /^[-+]?[0-9]+$/;

function integerValue(text: string): number | undefined {
  const sign = text.charCodeAt(0) === 45 ? -1 : 1;
  const unsigned = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? text.slice(1) : text;
  let value: number;
  if (BINARY.test(text)) value = parseInt(unsigned.slice(2), 2);
  else if (OCTAL.test(text)) value = parseInt(unsigned.slice(2), 8);
  else if (HEX.test(text)) value = parseInt(unsigned.slice(2), 16);
  else if (DECIMAL.test(text)) value = parseInt(unsigned, 10);
  else return undefined;
  if (!Number.isFinite(value)) return undefined;
  // A bare zero is 0 whatever its sign (`-0` reads as 0), but `-00` and `-0x0` are -0.
  return unsigned === "0" ? 0 : sign * value;
}

const FLOAT = /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function floatValue(text: string): number | undefined {
  if (!FLOAT.test(text)) return undefined;
  const lower = text.toLowerCase();
  const sign = lower.charCodeAt(0) === 45 ? -1 : 1;
  const unsigned = lower.charCodeAt(0) === 45 || lower.charCodeAt(0) === 43 ? lower.slice(1) : lower;
  if (unsigned === ".inf") return sign * Infinity;
  if (unsigned === ".nan") return NaN;
  const value = sign * parseFloat(unsigned);
  // Digits too many for a double are not a float: the scalar stays a string.
  return Number.isFinite(value) ? value : undefined;
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const TIMESTAMP = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?$/;

function timestampValue(text: string): Date | undefined {
  const c = text.charCodeAt(0);
  if (c < 48 || c > 57) return undefined;
  const date = DATE.exec(text);
  // Date.UTC, like js-yaml: years 0-99 land in 1900-1999, and out-of-range parts roll over.
  if (date) return new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])));
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const milliseconds = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const result = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), milliseconds));
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11] ?? 0)) * 60_000;
    result.setTime(result.getTime() - (m[9] === "-" ? -offset : offset));
  }
  return result;
}
