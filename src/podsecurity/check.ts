import type { FieldPath } from "../k8s/types.js";
import type { Level } from "./levels.js";
import type { PodView } from "./pod.js";

/** One check's verdict on one pod, worded as PSA words it. */
export interface CheckResult {
  allowed: boolean;
  /** PSA's ForbiddenReason, e.g. `host namespaces`. */
  reason?: string;
  /** PSA's ForbiddenDetail, e.g. `hostNetwork=true`. */
  detail?: string;
  /** The offending fields (or, for a missing field, the object that should hold it). */
  fields?: FieldPath[];
}

export type CheckPodFn = (pod: PodView) => CheckResult;

export interface VersionedCheck {
  /** First Kubernetes minor (1.x) where this behaviour applies. */
  minimumMinor: number;
  check: CheckPodFn;
  /** Baseline checks this restricted check replaces at this version. */
  overrides?: string[];
}

/** A Pod Security check: PSA's record shape — an id, a level, and versioned behaviour. */
export interface Check {
  id: string;
  level: Exclude<Level, "privileged">;
  /** Strictly increasing minimumMinor. */
  versions: VersionedCheck[];
  /** One line for `palisade rules`. */
  title: string;
  remediation: string;
}

export const ALLOWED: CheckResult = Object.freeze({ allowed: true }) as CheckResult;

export function forbidden(reason: string, detail: string, fields: FieldPath[]): CheckResult {
  return { allowed: false, reason, detail, fields };
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `"a", "b"` — PSA's joinQuote (plain quotes, no escaping, as upstream; nothing at all for no items). */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? "" : `"${items.join('", "')}"`;
}

/**
 * Go's string order (sort.Strings, sets.List): UTF-8 bytes, which is code point order.
 * JavaScript's `<` compares UTF-16 units, which puts a character beyond U+FFFF (a surrogate
 * pair, 0xD800-0xDFFF) before U+E000-U+FFFF; the units are re-ranked so it comes after.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** Sorted, de-duplicated (Go's sets.String.List()). */
export function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareGoStrings);
}

// Go's unicode.IsPrint beyond ASCII: letters, marks, numbers, punctuation and symbols.
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const GO_ESCAPES: Readonly<Record<number, string>> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r" };

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}

/**
 * Go's `%q` of a string (strconv.Quote), as PSA words an annotation `key="value"`:
 * printable characters as they are, `"` and `\` backslashed, the C escapes (`\n`, `\a`,
 * ...), other control characters as `\xNN` and any other character as `\uNNNN` or
 * `\UNNNNNNNN`. JSON.stringify differs (`\u0007` for `\a`, a raw U+00A0 or U+007F, ...).
 * A lone surrogate stands for U+FFFD, as the API server's JSON decoding makes it.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    let cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") {
      out += `\\${ch}`;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if ((cp >= 0x20 && cp < 0x7f) || (cp > 0x7f && GO_PRINTABLE.test(String.fromCodePoint(cp)))) {
      out += String.fromCodePoint(cp);
      continue;
    }
    const escape = GO_ESCAPES[cp];
    if (escape !== undefined) out += escape;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}
