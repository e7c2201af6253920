/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity), exactly.
 *
 * Upstream rounds every parsed value up (away from zero) to a whole number of nano-units,
 * so a quantity is held here as an exact BigInt count of nano-units plus the format its
 * suffix chose (which decides how it is printed). Arithmetic is exact; nothing goes
 * through floating point.
 *
 * Deliberate differences from upstream, both about absurd inputs:
 * - decimal exponents whose value would need more than MAX_DIGITS digits are refused
 *   (upstream keeps them as arbitrary-precision decimals; we will not allocate them);
 * - DecimalSI values at or beyond 10^21 print with the `E` suffix and a longer mantissa,
 *   where upstream would print a number with no suffix at all (a known upstream quirk).
 */

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface Quantity {
  /** The value in nano-units (10^-9), exact. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/** Why a string is not a quantity; messages follow upstream's three parse errors. */
export class QuantityParseError extends Error {
  constructor(
    readonly input: string,
    readonly reason: "format" | "numeric" | "suffix" | "too-large",
  ) {
    super(describeParseError(input, reason));
    this.name = "QuantityParseError";
  }
}

const SPLIT_RE_TEXT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

function describeParseError(input: string, reason: QuantityParseError["reason"]): string {
  const shown = JSON.stringify(input.length > 40 ? input.slice(0, 40) + "…" : input);
  switch (reason) {
    case "format":
      return `${shown} is not a quantity: quantities must match the regular expression '${SPLIT_RE_TEXT}'`;
    case "numeric":
      return `${shown} is not a quantity: unable to parse numeric part of quantity`;
    case "suffix":
      return `${shown} is not a quantity: unable to parse quantity's suffix (expected one of n u m k M G T P E Ki Mi Gi Ti Pi Ei or e<exponent>)`;
    case "too-large":
      return `${shown} is too large a quantity for Palisade to hold exactly`;
  }
}

const NANO_EXPONENT = 9;
const MAX_DIGITS = 400;
const INT64_MAX = (1n << 63n) - 1n;
const NANOS_PER_UNIT = 10n ** 9n;

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ["n", -9],
  ["u", -6],
  ["m", -3],
  ["", 0],
  ["k", 3],
  ["M", 6],
  ["G", 9],
  ["T", 12],
  ["P", 15],
  ["E", 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ["Ki", 10],
  ["Mi", 20],
  ["Gi", 30],
  ["Ti", 40],
  ["Pi", 50],
  ["Ei", 60],
]);
const DECIMAL_SUFFIX_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_SUFFIX_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

interface ScannedQuantity {
  negative: boolean;
  integerDigits: string;
  fractionDigits: string;
  suffix: string;
}

/** Splits sign, digits and suffix the way upstream's scanner does (including its leniencies: `.5`, `5.`, `1.G`). */
function scan(input: string): ScannedQuantity {
  let pos = 0;
  let negative = false;
  if (input[0] === "-" || input[0] === "+") {
    negative = input[0] === "-";
    pos = 1;
  }
  const digitsAt = (from: number): number => {
    let i = from;
    while (i < input.length && input.charCodeAt(i) >= 48 && input.charCodeAt(i) <= 57) i++;
    return i;
  };
  const integerEnd = digitsAt(pos);
  const integerDigits = input.slice(pos, integerEnd);
  pos = integerEnd;
  let fractionDigits = "";
  if (input[pos] === ".") {
    const fractionEnd = digitsAt(pos + 1);
    fractionDigits = input.slice(pos + 1, fractionEnd);
    pos = fractionEnd;
  }
  const suffixStart = pos;
  while (pos < input.length && "eEinumkKMGTP".includes(input[pos] as string)) pos++;
  if (input[pos] === "-" || input[pos] === "+") pos++;
  pos = digitsAt(pos);
  if (pos !== input.length) throw new QuantityParseError(input, "format");
  return { negative, integerDigits, fractionDigits, suffix: input.slice(suffixStart) };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(input: string, suffix: string): Suffix {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: "DecimalSI" };
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exponent)) throw new QuantityParseError(input, "suffix");
    return { base: 10, exponent, format: "DecimalExponent" };
  }
  throw new QuantityParseError(input, "suffix");
}

/** Ceiling division of non-negative `n` by positive `d`. */
function divideRoundingUp(n: bigint, d: bigint): bigint {
  return (n + d - 1n) / d;
}

/** Parses a quantity as `resource.ParseQuantity` does. Throws `QuantityParseError`. */
export function parseQuantity(input: string): Quantity {
  if (input.length === 0) throw new QuantityParseError(input, "format");
  const scanned = scan(input);
  const { base, exponent, format: suffixFormat } = interpretSuffix(input, scanned.suffix);
  let format = suffixFormat;
  const digits = (scanned.integerDigits + scanned.fractionDigits).replace(/^0+/, "");
  // Upstream's scanner treats a missing number as zero, so "-", "." and even "m" parse as 0.
  let magnitude: bigint;
  if (digits.length === 0) {
    magnitude = 0n;
  } else {
    // value = digits * 10^(-fraction) * base^exponent; in nanos multiply by 10^9.
    let decimalShift = NANO_EXPONENT - scanned.fractionDigits.length + (base === 10 ? exponent : 0);
    if (digits.length + decimalShift > MAX_DIGITS) throw new QuantityParseError(input, "too-large");
    let numerator = BigInt(digits);
    if (base === 2) numerator <<= BigInt(exponent);
    if (decimalShift >= 0) {
      magnitude = numerator * 10n ** BigInt(decimalShift);
    } else {
      decimalShift = -decimalShift;
      // Anything below one nano-unit rounds up to one: "if you want some resources, you get some".
      magnitude = decimalShift > digits.length + 20 ? 1n : divideRoundingUp(numerator, 10n ** BigInt(decimalShift));
    }
  }
  // Upstream caps only binary-suffixed values at int64 max.
  if (format === "BinarySI" && magnitude > INT64_MAX * NANOS_PER_UNIT) magnitude = INT64_MAX * NANOS_PER_UNIT;
  if (format === "BinarySI" && magnitude > 0n && magnitude < NANOS_PER_UNIT) format = "DecimalSI";
  return { nanos: scanned.negative ? -magnitude : magnitude, format };
}

/** Parses, returning undefined instead of throwing. */
export function tryParseQuantity(input: string): Quantity | undefined {
  try {
    return parseQuantity(input);
  } catch (err) {
    if (err instanceof QuantityParseError) return undefined;
    throw err;
  }
}

/**
 * A quantity from a manifest field: strings as written, and bare YAML/JSON numbers the way
 * upstream's UnmarshalJSON reads them (as their decimal text).
 */
export function quantityFromManifest(value: unknown): Quantity {
  if (typeof value === "string") {
    // Manifests repeat a handful of quantities ("100m", "128Mi") thousands of times, and a
    // Quantity is immutable: parsed ones are shared (failures are parsed again, to throw).
    let parsed = PARSED.get(value);
    if (parsed === undefined) {
      parsed = parseQuantity(value.trim());
      if (PARSED.size < MAX_PARSED) PARSED.set(value, parsed);
    }
    return parsed;
  }
  if (typeof value === "number" && Number.isFinite(value)) return parseQuantity(String(value));
  throw new QuantityParseError(typeof value === "object" ? JSON.stringify(value) ?? "null" : String(value), "format");
}

const PARSED = new Map<string, Quantity>();
const MAX_PARSED = 4096;

/** The canonical text, as upstream's `Quantity.String()` prints it. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return "0";
  let format = q.format;
  if (format === "BinarySI") {
    const unit = NANOS_PER_UNIT * 1024n;
    if (q.nanos > -unit && q.nanos < unit) format = "DecimalSI";
    else if (q.nanos % NANOS_PER_UNIT !== 0n) format = "DecimalSI"; // showing it in binary would lose precision
  }
  if (format === "BinarySI") {
    let mantissa = q.nanos / NANOS_PER_UNIT;
    let power = 0;
    while (power < BINARY_SUFFIX_BY_POWER.length - 1 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power++;
    }
    return `${mantissa}${BINARY_SUFFIX_BY_POWER[power]}`;
  }
  let mantissa = q.nanos;
  let exponent = -NANO_EXPONENT;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const belowMultipleOfThree = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(belowMultipleOfThree);
  exponent -= belowMultipleOfThree;
  if (format === "DecimalExponent") return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${DECIMAL_SUFFIX_BY_EXPONENT.get(exponent) ?? ""}`;
}

export function zeroQuantity(format: QuantityFormat = "DecimalSI"): Quantity {
  return { nanos: 0n, format };
}

/** a + b; the result keeps a's format unless a is zero (upstream's Add). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** a - b; the result keeps a's format unless a is zero (upstream's Sub). */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** q * n for a whole number n (replicas, counts). */
export function multiplyQuantity(q: Quantity, n: number | bigint): Quantity {
  return { nanos: q.nanos * BigInt(n), format: q.format };
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

export function maxQuantity(a: Quantity, b: Quantity): Quantity {
  return compareQuantities(a, b) >= 0 ? a : b;
}

export function isZeroQuantity(q: Quantity): boolean {
  return q.nanos === 0n;
}

/** Value in thousandths, rounded up (away from zero), as upstream's MilliValue. */
export function milliValue(q: Quantity): bigint {
  return roundAwayFromZero(q.nanos, 1_000_000n);
}

/** Value in whole units, rounded up (away from zero), as upstream's Value. */
export function unitValue(q: Quantity): bigint {
  return roundAwayFromZero(q.nanos, NANOS_PER_UNIT);
}

function roundAwayFromZero(n: bigint, d: bigint): bigint {
  return n < 0n ? -divideRoundingUp(-n, d) : divideRoundingUp(n, d);
}
