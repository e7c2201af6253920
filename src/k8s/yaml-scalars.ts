/**
 * What a plain (unquoted) YAML scalar means to Kubernetes. kubectl, the API server and
 * kube-apiserver's config loaders read YAML through sigs.k8s.io/yaml, which resolves
 * scalars with go-yaml v2 (YAML 1.1's words) and then hands the JSON it makes to the API:
 * so `privileged: yes` is a privileged container, and `defaultMode: 0644` is 420. A
 * YAML 1.2 reader (js-yaml's default schema) reads those as the string "yes" and 644,
 * and a scan that read them so would pass a privileged pod. Written here so that reading
 * manifests does not load js-yaml (~35 ms) for documents the block reader reads itself;
 * js-yaml reads the rest with the same rules (kubernetesYamlSchema), and a test holds them
 * to go-yaml v2's resolve.go case by case and to js-yaml wherever YAML 1.1 and 1.2 agree.
 *
 * The rules, in go-yaml v2's order:
 * - null: the empty scalar, `~`, `null`, `Null`, `NULL`.
 * - bool: `y`, `yes`, `on`, `true` and `n`, `no`, `off`, `false`, each in lower case,
 *   capitalised or upper case (`Y`, `N`: one letter).
 * - `.nan`, `.inf`, `+.inf`, `-.inf` (lower, capitalised or upper case); otherwise a
 *   scalar starting with `.` is a float when it reads as one (`.5`, `.5e3`).
 * - starting with a digit or a sign: a timestamp (`2024-01-01`) stays the string it is
 *   (go-yaml v2 gives timestamps to untyped targets as their text). Otherwise, without its
 *   underscores: an integer as Go reads one (`0x1F`, `0b101`, `0o17`, and a leading zero
 *   is octal: `017` is 15), else a float (`1.5`, `08`, `1e3`), else the string.
 */

/** Whether a plain scalar starting with this character may be something other than a string. */
export function mayResolveFrom(c: number): boolean {
  // y Y n N t T f F o O ~ (words), digits, + - (numbers), . (floats)
  return c === 121 || c === 89 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 111 || c === 79 || c === 126 || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

const WORDS = new Map<string, unknown>([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((w): [string, unknown] => [w, true]),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((w): [string, unknown] => [w, false]),
  ...["~", "null", "Null", "NULL"].map((w): [string, unknown] => [w, null]),
  ...[".nan", ".NaN", ".NAN"].map((w): [string, unknown] => [w, NaN]),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((w): [string, unknown] => [w, Infinity]),
  ...["-.inf", "-.Inf", "-.INF"].map((w): [string, unknown] => [w, -Infinity]),
]);

export function resolvePlainScalar(text: string): unknown {
  if (text.length === 0) return null;
  const c = text.charCodeAt(0);
  if (!mayResolveFrom(c)) return text;
  const word = WORDS.get(text);
  if (word !== undefined || WORDS.has(text)) return word;
  if (c === 46) return DOT_FLOAT.test(text) ? Number(text) : text;
  if (!(c >= 48 && c <= 57) && c !== 43 && c !== 45) return text;
  if (TIMESTAMP_START.test(text)) return text;
  const plain = text.includes("_") ? text.replace(/_/g, "") : text;
  return integerValue(plain) ?? floatValue(plain) ?? text;
}

/** Whether go-yaml v2 reads the scalar as an integer: an explicit `!!int` takes nothing else (`!!int 1.5` is an error to kubectl). */
export function isGoInteger(text: string): boolean {
  const c = text.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45) || TIMESTAMP_START.test(text)) return false;
  return integerValue(text.includes("_") ? text.replace(/_/g, "") : text) !== undefined;
}

/**
 * Whether an explicit `!!float` takes the scalar: go-yaml turns an int or int64 into a
 * float, but refuses a uint64 or a bigger integer (`!!float 0x8000000000000000`).
 */
export function isGoFloatTagged(text: string): boolean {
  if (typeof resolvePlainScalar(text) !== "number") return false;
  if (!isGoInteger(text)) return true;
  const { value } = goIntegerLiteral(text.replace(/_/g, "")) as { value: bigint };
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}

/**
 * go-yaml v2's timestamp layouts (resolve.go: a date, or a date and time with a `T`, `t`
 * or a space, seconds' fractions, and a zone after `T`/`t` only), as an explicit
 * `!!timestamp` requires; kubectl keeps the text.
 */
const GO_TIMESTAMP = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(?:Z|[-+]([0-9]{2}):([0-9]{2}))|(?: ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?))?$/;

export function isGoTimestamp(text: string): boolean {
  const m = GO_TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second, zoneHour, zoneMinute, spaceHour, spaceMinute, spaceSecond] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as number[];
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  return (month as number) >= 1 && (month as number) <= 12 && (day as number) >= 1 && (day as number) <= daysInMonth && Math.max(hour as number, spaceHour as number) < 24 && Math.max(minute as number, second as number, spaceMinute as number, spaceSecond as number) < 60 && (zoneHour as number) <= 24 && (zoneMinute as number) < 60;
}

/** go-yaml v2 tries a timestamp first: four digits and a dash start every form it reads, and no number. */
const TIMESTAMP_START = /^[0-9]{4}-/;

/** What Go's strconv.ParseFloat reads after a leading `.` (underscores are not allowed there). */
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;

/** strconv.ParseInt(s, 0, 64), or ParseUint for what is too large for it: a base prefix, or a leading 0 for octal. */
const GO_INTEGER = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]+)|([1-9][0-9]*|0))$/;

/** Most integers in manifests (ports, replicas, UIDs): exact as a double, no BigInt needed. */
const SMALL_DECIMAL = /^[-+]?(?:[1-9][0-9]{0,14}|0)$/;

/**
 * An integer literal as strconv.ParseInt/ParseUint(s, 0, 64) read it (underscores already
 * removed), exactly: its value, whether it was signed, and whether it had a 0x, 0b or 0o
 * prefix (a leading-0 octal has none).
 */
export function goIntegerLiteral(plain: string): { value: bigint; signed: boolean; prefixed: boolean } | undefined {
  const m = GO_INTEGER.exec(plain);
  if (!m) return undefined;
  const [, sign, hex, binary, octal, leadingZeroOctal, decimal] = m;
  const prefix = hex !== undefined ? "0x" : binary !== undefined ? "0b" : octal !== undefined || leadingZeroOctal !== undefined ? "0o" : "";
  const magnitude = BigInt(prefix + (hex ?? binary ?? octal ?? leadingZeroOctal ?? decimal));
  return { value: sign === "-" ? -magnitude : magnitude, signed: sign !== "", prefixed: (hex ?? binary ?? octal) !== undefined };
}

function integerValue(plain: string): number | undefined {
  if (SMALL_DECIMAL.test(plain)) {
    const value = Number(plain);
    return value === 0 ? 0 : value;
  }
  const literal = goIntegerLiteral(plain);
  if (!literal) return undefined;
  const { value, signed, prefixed } = literal;
  // ParseInt reads int64, ParseUint (no sign) uint64. Beyond them, digits are tried as a
  // float (decimal, even after a leading 0), and an unsigned hex, binary or octal literal
  // is a big integer; a signed one stays text.
  const fits = (value >= -(2n ** 63n) && value < 2n ** 63n) || (!signed && value < 2n ** 64n);
  if (!fits) return !signed && prefixed ? Number(value) : undefined;
  return value === 0n ? 0 : Number(value);
}

/** go-yaml v2's yamlStyleFloat, read by strconv.ParseFloat (which refuses what overflows). */
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

function floatValue(plain: string): number | undefined {
  if (!FLOAT.test(plain)) return undefined;
  const value = Number(plain.endsWith(".") ? plain.slice(0, -1) : plain);
  if (!Number.isFinite(value)) return undefined;
  return Object.is(value, -0) ? -0 : value;
}
