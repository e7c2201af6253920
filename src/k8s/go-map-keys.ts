/**
 * Mapping keys as kubectl makes them JSON keys, not as js-yaml makes them strings.
 *
 * go-yaml v2 reads a key as any other scalar (null, bool, int, uint64, float) or a
 * collection, and sigs.k8s.io/yaml then turns each into text (convertToJSONableObject):
 * an int in decimal, a float as Go's FormatFloat(f, 'g', -1, 32) (`123456789.5` is
 * "1.2345679e+08", `.inf` is ".inf"), a bool as "true"/"false"; a null, a uint64 or a
 * collection is "unsupported map key", and kubectl refuses the file. js-yaml writes every
 * key with String(): "null", "123456789.5", "Infinity", "a,b".
 *
 * The block reader reads plain string keys only (block-yaml.ts gives any other key to
 * js-yaml), so only js-yaml's documents need this; and of them only those with a key that
 * may be such a scalar or a collection (a cheap look at the text first). Those are parsed
 * with the `yaml` library, each such key is rewritten in the text as the quoted JSON key
 * kubectl makes of it (on its own line, so lines stay as they are), or the first refused
 * one is returned with its place. An alias of such a key written as a value is the key's
 * number to go-yaml (`&k 1.5: x`, `b: *k` is 1.5), so it is rewritten to the key's text.
 */
import { createRequire } from "node:module";
import type * as YamlLibrary from "yaml";
import type { Node as YamlNode, Pair, Scalar } from "yaml";
import { goIntegerLiteral, isGoFloatTagged, isGoInteger, resolvePlainScalar } from "./yaml-scalars.js";
import { aliasEdits, applyEdits, emptyKeyProperties, propertiesStart, type TextEdit } from "./yaml-key-rewrites.js";

let yamlLibrary: typeof YamlLibrary | undefined;
const yaml = (): typeof YamlLibrary => (yamlLibrary ??= createRequire(import.meta.url)("yaml") as typeof YamlLibrary);

/** A key kubectl refuses, at its 0-based place in the document. */
export interface RefusedKey {
  reason: string;
  mark: { line: number; column: number };
}

/** A key that may start a null or a number (`~:`, `null:`, `1.5:`, `-.inf:`), alone before its colon. */
const SCALAR_KEY = /(?:^|[\s{[,])([~.+\-0-9nN][^\s:,{}[\]#]*)[ \t]*:(?=[\s,}\]]|$)/gm;
/** A complex key (`? `), a tag or an alias (a tagged or aliased key), a collection key (`[a]:`), an empty key (`: x`). */
const OTHER_KEY = /(?:^|[\s{[,])(?:\?(?=[ \t\r\n]|$)|[!*]\S)|[\]}][ \t]*:(?=[\s]|$)|(?:^[ \t]*(?:-[ \t]+)*|[{,][ \t]*):(?=[\s,}]|$)/m;

function mayHaveOtherKeys(text: string): boolean {
  if (OTHER_KEY.test(text)) return true;
  SCALAR_KEY.lastIndex = 0;
  for (let m = SCALAR_KEY.exec(text); m; m = SCALAR_KEY.exec(text)) {
    const value = resolvePlainScalar(m[1] as string);
    if (value === null || (typeof value === "number" && goKeyOfNumber(m[1] as string, value, false) !== String(value))) return true;
  }
  return false;
}

/**
 * The document's text with each key kubectl reads as a number written as the JSON key
 * kubectl makes of it, or the first key kubectl refuses. Most documents are returned as
 * they are, unparsed.
 */
export function withGoMapKeys(text: string): { text: string } | { refused: RefusedKey } {
  if (!mayHaveOtherKeys(text)) return { text };
  const lib = yaml();
  const lineCounter = new lib.LineCounter();
  const doc = lib.parseDocument(text, { uniqueKeys: false, lineCounter });
  // Let js-yaml name the syntax error (as for any other document).
  if (doc.errors.length > 0) return { text };
  const edits: TextEdit[] = [];
  // Each rewritten key node, with the text an alias of it reads as a value (see yaml-key-rewrites.ts).
  const rewritten = new Map<YamlNode, string>();
  let refused: RefusedKey | undefined;
  lib.visit(doc, {
    Pair(_, pair: Pair<unknown, unknown>) {
      const node = pair.key as YamlNode | null;
      // `!!str : x` is the key "" (what js-yaml reads); only `!!null` or no tag makes it null.
      if (/(?:^|\s)!(?!!null\s|<tag:yaml\.org,2002:null>)/.test(emptyKeyProperties(lib, text, node))) return undefined;
      const aliased = lib.isAlias(node);
      const target = aliased ? (node.resolve(doc) as YamlNode | undefined) : node;
      const key = goKeyOf(lib, target);
      const start = node?.range?.[0] ?? 0;
      if (typeof key === "object") {
        const { line, col } = lineCounter.linePos(start);
        refused = { reason: key.refused, mark: { line: line - 1, column: col - 1 } };
        return lib.visit.BREAK;
      }
      if (key === undefined || !node?.range) return undefined;
      edits.push({ start: aliased ? start : propertiesStart(text, start), end: node.range[1], text: JSON.stringify(key) });
      if (!aliased) rewritten.set(node, asValueText(node as Scalar));
      return undefined;
    },
  });
  if (refused) return { refused };
  if (edits.length === 0) return { text };
  return { text: applyEdits(text, [...edits, ...aliasEdits(lib, doc, rewritten, false)]) };
}

/** A number key's scalar as text that reads, as a value, as go-yaml reads it there: its tag and its text. */
function asValueText(node: Scalar): string {
  const source = node.type === "PLAIN" ? String(node.source) : JSON.stringify(node.source);
  return node.tag === undefined ? source : `!<${node.tag}> ${source}`;
}

const TAG = "tag:yaml.org,2002:";

/**
 * kubectl's JSON key for a key node: text to write in its place, undefined where js-yaml
 * already gives kubectl's (strings, booleans), or why kubectl refuses it.
 */
function goKeyOf(lib: typeof YamlLibrary, node: YamlNode | null | undefined): string | undefined | { refused: string } {
  if (node === null || node === undefined) return { refused: "a mapping key is empty (null), which kubectl cannot make a JSON key of (unsupported map key)" };
  if (lib.isMap(node) || lib.isSeq(node)) return { refused: `a mapping key is a ${lib.isMap(node) ? "mapping" : "sequence"}, which kubectl cannot make a JSON key of (unsupported map key)` };
  if (!lib.isScalar(node)) return undefined;
  const source = typeof node.source === "string" ? node.source : String(node.value ?? "");
  const tag = node.tag;
  // Quoted and block scalars are text unless a tag says otherwise; an unknown tag keeps the text.
  if (tag === undefined && node.type !== "PLAIN") return undefined;
  if (tag !== undefined && ![`${TAG}null`, `${TAG}int`, `${TAG}float`].includes(tag)) return undefined;
  const value = tag === `${TAG}null` ? null : resolvePlainScalar(source);
  if (value === null) return { refused: "a mapping key is null (`~`, `null` or empty), which kubectl cannot make a JSON key of (unsupported map key)" };
  if (typeof value !== "number") return undefined;
  // A tag go-yaml refuses here (`!!int 1.5`, `!!float 0x8000000000000000`) is left on the key, where js-yaml's types refuse it too.
  if ((tag === `${TAG}int` && !isGoInteger(source)) || (tag === `${TAG}float` && !isGoFloatTagged(source))) return undefined;
  const key = goKeyOfNumber(source, value, tag === `${TAG}float`);
  return key === UINT64 ? { refused: "a mapping key is an integer beyond int64 (a uint64), which kubectl cannot make a JSON key of (unsupported map key)" } : key;
}

const UINT64 = "\u0000uint64";
const INT64_MIN = -(2n ** 63n);
const INT64_END = 2n ** 63n;

/** A number key's text as sigs.k8s.io/yaml writes it: an int in decimal, a float as a float32 in %g, a uint64 refused (UINT64). */
function goKeyOfNumber(source: string, value: number, tagFloat: boolean): string {
  if (!tagFloat && isGoInteger(source)) {
    const integer = (goIntegerLiteral(source.replace(/_/g, "")) as { value: bigint }).value;
    if (integer >= INT64_MIN && integer < INT64_END) return integer.toString();
    // Beyond uint64 (an unsigned hex, binary or octal literal): left as read (see yaml-scalars.ts).
    return integer < 2n ** 64n ? UINT64 : String(value);
  }
  return formatFloat32G(value);
}

/** Go's strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that read back as the same float32. */
export function formatFloat32G(value: number): string {
  const f = Math.fround(value);
  if (Number.isNaN(f)) return ".nan";
  if (f === Infinity) return ".inf";
  if (f === -Infinity) return "-.inf";
  const sign = f < 0 || Object.is(f, -0) ? "-" : "";
  const abs = Math.abs(f);
  if (abs === 0) return `${sign}0`;
  const { digits: shortest, exponent } = shortestFloat32Digits(abs);
  // %g with the shortest digits: exponent form below 1e-4 or from 1e6 on (Go uses precision 6 there).
  if (exponent < -4 || exponent >= 6) {
    const fraction = shortest.length > 1 ? `.${shortest.slice(1)}` : "";
    return `${sign}${shortest[0]}${fraction}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${shortest}`;
  if (point >= shortest.length) return `${sign}${shortest}${"0".repeat(point - shortest.length)}`;
  return `${sign}${shortest.slice(0, point)}.${shortest.slice(point)}`;
}

/**
 * The shortest significant digits that read back as the float32 `abs`, chosen as Go's
 * roundShortest chooses them (strconv/ftoa.go): at each length, the digits below and above the
 * exact value are candidates when they read back as it; of two, the nearer, and at an exact tie
 * the even one (465937.625 is "465937.62", where toExponential would round the tie up).
 * `exponent` is the power of ten of the first digit.
 */
function shortestFloat32Digits(abs: number): { digits: string; exponent: number } {
  const { n, scale } = exactDecimal(abs);
  const all = n.toString();
  const exponent = all.length - 1 - scale;
  const readsBack = (digits: bigint, length: number) => Math.fround(Number(`${digits}e${exponent - (length - 1)}`)) === abs;
  for (let length = 1; length <= all.length; length++) {
    if (length === all.length) return trimmed(all, exponent);
    const down = BigInt(all.slice(0, length));
    const up = down + 1n;
    const okDown = readsBack(down, length);
    const okUp = readsBack(up, length);
    if (!okDown && !okUp) continue;
    let chosen = okDown ? down : up;
    if (okDown && okUp) {
      const rest = all.slice(length);
      const half = "5".padEnd(rest.length, "0");
      chosen = rest > half || (rest === half && down % 2n === 1n) ? up : down;
    }
    // Rounding up may carry into a new digit (99.96 to "100"): the first digit's power grows.
    const text = chosen.toString();
    return trimmed(text, exponent + (text.length - length));
  }
  return trimmed(all, exponent);
}

function trimmed(digits: string, exponent: number): { digits: string; exponent: number } {
  return { digits: digits.replace(/0+$/, "") || "0", exponent };
}

/** A finite double's exact value as n / 10^scale (every binary fraction is a finite decimal one). */
function exactDecimal(x: number): { n: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  return power >= 0 ? { n: mantissa << BigInt(power), scale: 0 } : { n: mantissa * 5n ** BigInt(-power), scale: -power };
}
