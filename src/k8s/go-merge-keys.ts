/**
 * YAML merge keys (`<<: *base`) as kubectl applies them, not as js-yaml reads them.
 *
 * kubectl turns YAML into JSON with go-yaml v2 (sigs.k8s.io/yaml's goyaml.v2 fork, not
 * strict: cli-runtime's StreamVisitor), whose decoder writes a mapping's pairs into the
 * result in the order they are written, a merge key writing every pair of the mapping it
 * names (of a list of mappings, the last first, so the first wins) over what is there
 * already (decode.go: mapping, merge). So a pair written before `<<` is overwritten by the
 * merged one, and one written after it overwrites it. js-yaml, as the YAML merge spec
 * says, lets a written pair win wherever it stands. The two disagree on
 * `securityContext: {privileged: false, <<: *root}`: kubectl applies `privileged: true`,
 * js-yaml would read false, and a check would pass what the cluster runs.
 *
 * So a document with merge keys is read by js-yaml with each merge key renamed to a
 * marker (its value still read, aliases and all), and the markers are then applied in
 * go-yaml's order. The positions of the text are kept: a marker replaces the key on its
 * line. The locator (locate-exact.ts) follows the same order. js-yaml also merges any key
 * tagged `!!merge`, where go-yaml merges only `<<` (isMergeKey): such a key is rewritten to
 * its text, and an alias of any rewritten key to the key's text (yaml-key-rewrites.ts).
 */
import { createRequire } from "node:module";
import type * as YamlLibrary from "yaml";
import type { Node as YamlNode, Pair, Scalar, YAMLMap } from "yaml";
import { aliasEdits, applyEdits, emptyKeyProperties, propertiesStart, type TextEdit } from "./yaml-key-rewrites.js";

let yamlLibrary: typeof YamlLibrary | undefined;
const yaml = (): typeof YamlLibrary => (yamlLibrary ??= createRequire(import.meta.url)("yaml") as typeof YamlLibrary);

const MERGE_TAG = "tag:yaml.org,2002:merge";
/** A key no manifest writes (a NUL, then `<<` and the marker's number). */
const MARKER_PREFIX = "\u0000<<";
const INTEGER_KEY = /^(?:0|[1-9][0-9]*)$/;

/** An error at a place in the document, shaped as js-yaml's (reason, 0-based mark), so the loader reports it the same way. */
export class MergeKeyError extends Error {
  constructor(
    readonly reason: string,
    readonly mark: { line: number; column: number },
  ) {
    super(reason);
  }
}

/**
 * YAML 1.1's merge key as go-yaml v2 knows one (decode.go, isMerge): a scalar `<<`, written
 * plain and untagged or tagged `!!merge` (quoted or not). A quoted untagged "<<", any other
 * tag, and an alias of a `<<` are ordinary keys, and so is any other text tagged `!!merge`.
 */
export function isMergeKey(key: unknown): boolean {
  if (!yaml().isScalar(key)) return false;
  if (key.tag === MERGE_TAG) return key.source === "<<";
  return key.value === "<<" && key.type === "PLAIN" && key.tag === undefined;
}

/**
 * A tag that may be `!!merge` (written so, verbatim, or with %-escapes), on a key that may
 * not be `<<`: js-yaml merges any key tagged so. (A %TAG directive never reaches go-yaml:
 * kubectl cuts the stream at its `---`.) It runs on every document, so no `!` may be matched
 * again by the run after another: a long run of `!` would otherwise cost time quadratic in
 * its length. The last `!` before `merge` or `%` matches whenever an earlier one would.
 */
const MAY_TAG_MERGE = /![^\s!]*(?:merge|%)/;
/** `!!merge` written before an empty key, which the `yaml` library gives the mapping (emptyKeyProperties). */
const MERGE_TAG_WRITTEN = /(?:!!merge|!<tag:yaml\.org,2002:merge>)[ \t]+/;

interface Marker {
  /** The mapping's keys in the order written: a marker's own key for a merge, the key's text as js-yaml reads it otherwise. */
  order?: string[];
  /** Where its value is written, for an error. */
  at: { line: number; column: number };
  /** go-yaml refuses an alias to anything but a mapping as a merge's value (a list of mappings must be written as a list). */
  refused?: boolean;
}

/**
 * The document's value with its merge keys applied as kubectl applies them. `load` is
 * js-yaml with Palisade's schema; a document without merge keys is only loaded.
 */
export function loadApplyingMergeKeys(text: string, load: (text: string) => unknown): unknown {
  if (!text.includes("<<") && !MAY_TAG_MERGE.test(text)) return load(text);
  const lib = yaml();
  const lineCounter = new lib.LineCounter();
  const doc = lib.parseDocument(text, { uniqueKeys: false, lineCounter });
  // Let js-yaml name the syntax error (as for any other document).
  if (doc.errors.length > 0) return load(text);
  const edits: TextEdit[] = [];
  // Each rewritten key node, with the text an alias of it reads as (yaml-key-rewrites.ts): its own text.
  const rewritten = new Map<YamlNode, string>();
  const markers = new Map<string, Marker>();
  const mapsWithMerges: Array<{ map: YAMLMap; markers: string[] }> = [];
  /** Replaces the key (and its properties) with the JSON text `replacement`; returns the key js-yaml reads. */
  const rewriteKey = (key: Scalar, replacement: string): string => {
    const [keyStart, keyEnd] = key.range ?? [0, 0];
    edits.push({ start: propertiesStart(text, keyStart), end: keyEnd, text: replacement });
    rewritten.set(key, JSON.stringify(key.source));
    return JSON.parse(replacement) as string;
  };
  lib.visit(doc, {
    Map(_, map) {
      const own: string[] = [];
      for (const pair of map.items as Array<Pair<unknown, unknown>>) {
        const key = pair.key as YamlNode | null;
        if (!isMergeKey(key)) {
          // Tagged `!!merge` but not `<<`: go-yaml's text, which js-yaml would merge.
          if (lib.isScalar(key) && key.tag === MERGE_TAG && key.range) rewriteKey(key, JSON.stringify(key.source));
          const properties = emptyKeyProperties(lib, text, key);
          // `!!merge : x`: the key "", its anchor kept.
          if (MERGE_TAG_WRITTEN.test(properties)) {
            const [start] = (key as Scalar).range as [number, number, number];
            edits.push({ start: start - properties.length, end: start, text: `${properties.replace(MERGE_TAG_WRITTEN, "")}"" ` });
          }
          continue;
        }
        const marker = rewriteKey(key as Scalar, JSON.stringify(`${MARKER_PREFIX}${edits.length}`));
        const value = pair.value as YamlNode | null;
        const target = lib.isAlias(value) ? (value.resolve(doc) as YamlNode | undefined) : undefined;
        markers.set(marker, { at: position(lineCounter, value?.range?.[0] ?? (key as Scalar).range?.[0] ?? 0), refused: target !== undefined && !lib.isMap(target) });
        own.push(marker);
      }
      if (own.length > 0) mapsWithMerges.push({ map, markers: own });
    },
  });
  if (edits.length === 0) return load(text);
  // The written order of a mapping whose keys js-yaml would not keep in order (integer-like keys come first in a JavaScript object):
  // each key as js-yaml reads it, an alias as the key it names.
  const keyText = (key: YamlNode | null): string => {
    const target = lib.isAlias(key) ? (key.resolve(doc) as YamlNode | undefined) : key;
    const replaced = target ? rewritten.get(target) : undefined;
    if (replaced !== undefined) return JSON.parse(replaced) as string;
    const range = target?.range;
    return range ? String(load(text.slice(propertiesStart(text, range[0]), range[1]))) : "";
  };
  const orderOf = (map: YAMLMap, own: string[]): string[] => {
    let next = 0;
    return (map.items as Array<Pair<unknown, unknown>>).map((pair) => (isMergeKey(pair.key) ? (own[next++] as string) : keyText(pair.key as YamlNode | null)));
  };
  for (const { map, markers: own } of mapsWithMerges) {
    const first = markers.get(own[0] as string) as Marker;
    first.order = orderOf(map, own);
  }
  const value = load(applyEdits(text, [...edits, ...aliasEdits(lib, doc, rewritten, true)]));
  applyMarkers(value, markers, new Set());
  return value;
}

function position(lineCounter: YamlLibrary.LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line: line - 1, column: col - 1 };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Each mapping once (aliases share them), merged mappings before the mappings that merge them. */
function applyMarkers(value: unknown, markers: ReadonlyMap<string, Marker>, done: Set<object>): void {
  if (typeof value !== "object" || value === null || done.has(value)) return;
  done.add(value);
  if (Array.isArray(value)) {
    for (const item of value) applyMarkers(item, markers, done);
    return;
  }
  const mapping = value as Record<string, unknown>;
  const keys = Object.keys(mapping);
  for (const key of keys) applyMarkers(mapping[key], markers, done);
  const own = keys.filter((key) => key.startsWith(MARKER_PREFIX) && markers.has(key));
  if (own.length === 0) return;
  const written = markers.get(own[0] as string)?.order;
  // Object.keys is the written order unless a key is integer-like; then the order read from the text is used.
  const order = written && keys.some((key) => INTEGER_KEY.test(key)) && written.every((key) => key in mapping) ? written : keys;
  const result = new Map<string, unknown>();
  for (const key of order) {
    const marker = markers.get(key);
    if (!key.startsWith(MARKER_PREFIX) || !marker) {
      result.set(key, mapping[key]);
      continue;
    }
    const source = mapping[key];
    const sources = Array.isArray(source) && !marker.refused ? [...source].reverse() : [source];
    for (const merged of sources) {
      if (!isMapping(merged)) throw new MergeKeyError("map merge requires map or sequence of maps as the value", marker.at);
      for (const [k, v] of Object.entries(merged)) result.set(k, v);
    }
  }
  for (const key of keys) delete mapping[key];
  // As js-yaml sets them: a `__proto__` key is an own property, never the prototype.
  for (const [key, v] of result) Object.defineProperty(mapping, key, { value: v, enumerable: true, writable: true, configurable: true });
}
