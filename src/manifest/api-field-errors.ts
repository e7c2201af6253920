/**
 * A validation error as the API server words it (apimachinery's field.Error, whose Error()
 * is "<field>: <type>[: <value>][: <detail>]"), kept apart from where it is written in the
 * manifest: upstream names some fields by its internal path (a pod template's labels are
 * `spec.template.labels`), while a finding points at the field as written.
 */
import type { FieldPath } from "../k8s/types.js";

export interface ApiFieldError {
  /** Where the manifest holds the offending value (or the deepest field around a missing one). */
  at: FieldPath;
  /** The whole error as the API server prints it. */
  text: string;
  /** What to change, in a few words. */
  todo: string;
}

/** field.Required: "Required value" and, when upstream gives one, its detail. */
export function required(field: string, detail = ""): string {
  return `${field}: Required value${detail ? `: ${detail}` : ""}`;
}

/** field.Forbidden, which omits the value: "Forbidden" and the detail. */
export function forbidden(field: string, detail: string): string {
  return `${field}: Forbidden: ${detail}`;
}

/** field.Invalid with a value printed as ErrorBody prints it, then the detail. */
export function invalid(field: string, value: unknown, detail: string): string {
  return `${field}: Invalid value: ${badValue(value)}: ${detail}`;
}

/** field.Duplicate: the value, no detail. */
export function duplicate(field: string, value: string): string {
  return `${field}: Duplicate value: ${badValue(value)}`;
}

/** field.NotSupported, which quotes each supported value with strconv.Quote. */
export function notSupported(field: string, value: string, supported: readonly string[]): string {
  return `${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map(goQuote).join(", ")}`;
}

/** field.TooLong, which omits the value: "may not be more than N bytes". */
export function tooLong(field: string, maxBytes: number): string {
  return `${field}: Too long: may not be more than ${maxBytes} ${maxBytes === 1 ? "byte" : "bytes"}`;
}

/**
 * ErrorBody's printing of a bad value: numbers and booleans with %v, strings with %q, and
 * anything else (a label map, a selector) as encoding/json marshals it.
 */
function badValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return goQuote(value);
  return goJson(value);
}

const GO_ESCAPES: Readonly<Record<string, string>> = { "\u0007": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u000b": "\\v", '"': '\\"', "\\": "\\\\" };

/** strconv.Quote for the text a manifest holds: Go's short escapes, \xNN for other control bytes. */
export function goQuote(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\u0000-\u001f\u007f"\\]/g, (c) => GO_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;
}

/**
 * encoding/json: object keys in Go's byte order (written out by hand: a JavaScript object
 * would put integer-like keys first), and <, > and & escaped as Go's HTML-safe encoder does.
 */
function goJson(value: unknown): string {
  return marshal(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function marshal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(marshal).join(",")}]`;
  if (value === null || value === undefined) return "null";
  if (typeof value !== "object") return JSON.stringify(value) ?? "null";
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return `{${keys.map((key) => `${JSON.stringify(key)}:${marshal(record[key])}`).join(",")}}`;
}
