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
 * line. The locator (locate-exact.ts) follows the same order.
 */
import { createRequire } from "node:module";
import type * as YamlLibrary from "yaml";
import type { Node as YamlNode, Pair, YAMLMap } from "yaml";

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

/** `<<` written plain (or tagged !!merge): YAML 1.1's merge key. A quoted "<<" is an ordinary key. */
export function isMergeKey(key: unknown): boolean {
  if (!yaml().isScalar(key)) return false;
  return key.tag === MERGE_TAG || (key.value === "<<" && key.type === "PLAIN" && key.tag === undefined);
}

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
  if (!text.includes("<<")) return load(text);
  const lib = yaml();
  const lineCounter = new lib.LineCounter();
  const doc = lib.parseDocument(text, { uniqueKeys: false, lineCounter });
  // Let js-yaml name the syntax error (as for any other document).
  if (doc.errors.length > 0) return load(text);
  const edits: Array<{ start: number; end: number; marker: string }> = [];
  const markers = new Map<string, Marker>();
  const mapsWithMerges: Array<{ map: YAMLMap; markers: string[] }> = [];
  lib.visit(doc, {
    Map(_, map) {
      const own: string[] = [];
      for (const pair of map.items as Array<Pair<unknown, unknown>>) {
        if (!isMergeKey(pair.key)) continue;
        const key = pair.key as YamlNode;
        const [keyStart, keyEnd] = key.range ?? [0, 0];
        const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
        const tagged = (key as { tag?: string }).tag === MERGE_TAG ? /(?:!!merge|!<tag:yaml\.org,2002:merge>)\s+$/.exec(text.slice(lineStart, keyStart)) : null;
        const start = tagged ? lineStart + tagged.index : keyStart;
        const marker = `${MARKER_PREFIX}${edits.length}`;
        edits.push({ start, end: keyEnd, marker });
        const value = pair.value as YamlNode | null;
        const target = lib.isAlias(value) ? (value.resolve(doc) as YamlNode | undefined) : undefined;
        markers.set(marker, { at: position(lineCounter, value?.range?.[0] ?? start), refused: target !== undefined && !lib.isMap(target) });
        own.push(marker);
      }
      if (own.length > 0) mapsWithMerges.push({ map, markers: own });
    },
  });
  if (edits.length === 0) return load(text);
  // The written order of a mapping whose keys js-yaml would not keep in order (integer-like keys come first in a JavaScript object).
  const orderOf = (map: YAMLMap, own: string[]): string[] => {
    let next = 0;
    return (map.items as Array<Pair<unknown, unknown>>).map((pair) => {
      if (isMergeKey(pair.key)) return own[next++] as string;
      const range = (pair.key as YamlNode | null)?.range;
      return range ? String(load(text.slice(range[0], range[1]))) : "";
    });
  };
  for (const { map, markers: own } of mapsWithMerges) {
    const first = markers.get(own[0] as string) as Marker;
    first.order = orderOf(map, own);
  }
  let rewritten = "";
  let from = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    rewritten += text.slice(from, edit.start) + JSON.stringify(edit.marker);
    from = edit.end;
  }
  rewritten += text.slice(from);
  const value = load(rewritten);
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
