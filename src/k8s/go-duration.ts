/**
 * Go's time.ParseDuration, which metav1.Duration uses for `timeout`: a sequence of
 * decimal numbers with units (ns, us, µs, μs, ms, s, m, h), optional sign; "0" alone is
 * allowed. Returns milliseconds (fractional), or undefined when Go would reject it,
 * including a duration beyond Go's int64 nanoseconds (about 292 years), which Go refuses
 * as "invalid duration" rather than wrapping.
 */
const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n,
  "μs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const LIMIT = 1n << 63n;

/** Go's leadingFraction: digits past int64 precision are consumed but ignored. */
function fractionOf(digits: string): { value: bigint; scale: number } {
  let value = 0n;
  let scale = 1;
  for (const digit of digits) {
    if (value > (LIMIT - 1n) / 10n) break;
    const next = value * 10n + BigInt(digit);
    if (next > LIMIT) break;
    value = next;
    scale *= 10;
  }
  return { value, scale };
}

export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) return undefined;
    const [whole, integer = "", fraction] = match;
    if (integer === "" && (fraction === undefined || fraction === "")) return undefined;
    const unit = UNIT_NS[match[3]!]!;
    const value = BigInt(integer || "0");
    if (value > LIMIT || value > LIMIT / unit) return undefined;
    let ns = value * unit;
    if (fraction) {
      const f = fractionOf(fraction);
      ns += BigInt(Math.trunc(Number(f.value) * (Number(unit) / f.scale)));
      if (ns > LIMIT) return undefined;
    }
    total += ns;
    if (total > LIMIT) return undefined;
    rest = rest.slice(whole.length);
  }
  if (!negative && total > LIMIT - 1n) return undefined;
  return (negative ? -Number(total) : Number(total)) / 1e6;
}
