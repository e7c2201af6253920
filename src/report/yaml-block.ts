import type { DumpOptions } from "js-yaml";
import { jsYaml } from "../k8s/js-yaml-lazy.js";
import { resolvePlainScalar } from "../k8s/yaml-scalars.js";

/**
 * Block-style YAML for plain report data, byte for byte what js-yaml's `dump` prints with
 * dumpOptions(), for the values whose printing
 * does not depend on where they sit: plain objects and arrays, single-line strings,
 * integers, booleans and null. Anything else (a multi-line string, whose block scalar
 * depends on its indentation; a fraction; a Date; a very long key) gives `undefined`,
 * and the caller lets js-yaml print that value.
 *
 * Why: js-yaml decides every string's style by testing it character by character and
 * against every implicit type's resolver, and a report repeats a few hundred strings
 * (rule ids, severities, paths, remediations) thousands of times. Strings that are
 * obviously plain are printed as they are; the others are asked of js-yaml.
 */
let options: DumpOptions | undefined;

/**
 * The options every report's YAML is dumped with. js-yaml quotes what YAML 1.2 would read
 * as another type, and YAML 1.1's yes/no words, but not what Kubernetes reads otherwise
 * (sigs.k8s.io/yaml over go-yaml v2, as kubectl and PyYAML read it): `0X1F`, `0B101`,
 * `+.5` and numbers with underscores (`1_000`) are numbers there. A type of no tag of its
 * own, that never represents a value, makes js-yaml quote every string a plain scalar of
 * which Kubernetes would read as something else (k8s/yaml-scalars.ts).
 */
export function dumpOptions(): DumpOptions {
  if (options) return options;
  const { Type, DEFAULT_SCHEMA } = jsYaml();
  const misread = new Type("tag:palisade.dev,2026:misread-by-kubernetes", {
    kind: "scalar",
    resolve: (data: string | null) => data !== null && resolvePlainScalar(data) !== data,
  });
  return (options = { noRefs: true, lineWidth: -1, skipInvalid: true, schema: DEFAULT_SCHEMA.extend({ implicit: [misread] }) });
}

/** Printed quoted by js-yaml although plain-safe: they would load as null or a boolean (YAML 1.1's too). */
const KEYWORDS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);

/**
 * Plain beyond doubt: a letter or `/` first (no indicator, and no number, date, `.inf`
 * or `~` starts so), then printable ASCII without `#` or `:` (the only characters that
 * can end a plain scalar in block context), and no space last.
 */
const OBVIOUSLY_PLAIN = /^[A-Za-z/][\x20-\x22\x24-\x39\x3b-\x7e]*$/;

/** js-yaml keys longer than this are printed as explicit `? key` pairs. */
const MAX_IMPLICIT_KEY = 1024;

const INDENT = "  ";

/** Signals a value outside what this printer reproduces. */
class Unsupported {}
const UNSUPPORTED = new Unsupported();

/** A mapping pair or sequence item js-yaml leaves out (skipInvalid: an undefined value). */
const SKIP = Symbol("skip");

/** A string as js-yaml prints it on one line, anywhere in block context. */
function scalar(text: string): string {
  if (OBVIOUSLY_PLAIN.test(text) && text.charCodeAt(text.length - 1) !== 32 && !KEYWORDS.has(text)) return text;
  if (text.includes("\n")) throw UNSUPPORTED;
  const dumped = jsYaml().dump(text, dumpOptions());
  return dumped.slice(0, -1);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** js-yaml's writeNode in block context at `level`; `compact`: the first line follows a `- ` on the same line. */
function node(value: unknown, level: number, compact: boolean): string | typeof SKIP {
  if (value === undefined) return SKIP;
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return value.length === 0 ? "''" : scalar(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isInteger(value) || Object.is(value, -0)) throw UNSUPPORTED;
      return String(value);
    case "object":
      if (Array.isArray(value)) return sequence(value, level, compact);
      if (isPlainObject(value)) return mapping(value, level, compact);
      throw UNSUPPORTED;
    default:
      throw UNSUPPORTED;
  }
}

function nextLine(level: number): string {
  return `\n${INDENT.repeat(level)}`;
}

function sequence(items: readonly unknown[], level: number, compact: boolean): string {
  if (items.length === 0) return "[]";
  let out = "";
  for (const item of items) {
    let text = node(item, level + 1, true);
    if (text === SKIP) text = "null";
    if (!compact || out !== "") out += nextLine(level);
    out += text.charCodeAt(0) === 10 ? "-" : "- ";
    out += text;
  }
  return out;
}

function mapping(object: Record<string, unknown>, level: number, compact: boolean): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return "{}";
  let out = "";
  for (const key of keys) {
    const prefix = !compact || out !== "" ? nextLine(level) : "";
    const keyText = key.length === 0 ? "''" : scalar(key);
    if (keyText.length > MAX_IMPLICIT_KEY) throw UNSUPPORTED;
    const text = node(object[key], level + 1, false);
    if (text === SKIP) continue;
    out += prefix + keyText + (text.charCodeAt(0) === 10 ? ":" : ": ") + text;
  }
  return out || "{}";
}

/**
 * One item of a block sequence that sits at `level` (the findings under the report's
 * `findings:` key: 1), with its leading line break, as js-yaml prints it inside the whole
 * document; undefined when the item holds something this printer leaves to js-yaml.
 */
export function sequenceItem(item: unknown, level: number): string | undefined {
  try {
    let text = node(item, level + 1, true);
    if (text === SKIP) text = "null";
    return `${nextLine(level)}${text.charCodeAt(0) === 10 ? "-" : "- "}${text}`;
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  }
}
