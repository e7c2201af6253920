/**
 * Go's time.ParseDuration, which metav1.Duration uses for `timeout`: a sequence of
 * decimal numbers with units (ns, us, µs, μs, ms, s, m, h), optional sign; "0" alone is
 * allowed. Returns milliseconds (fractional), or undefined when Go would reject it.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest.startsWith("-")) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) return undefined;
    const [whole, integer = "", fraction] = match;
    if (integer === "" && (fraction === undefined || fraction === "")) return undefined;
    const value = Number(`${integer || "0"}.${fraction || "0"}`);
    total += value * UNIT_MS[match[3]!]!;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}
