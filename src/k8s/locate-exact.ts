/**
 * The exact fallback of DocumentLocator (locate.ts): a full `yaml` parse of one document,
 * following aliases and YAML 1.1 merge keys (`<<: *base`, `<<: [*a, *b]`) as Kubernetes
 * (sigs.k8s.io/yaml over go-yaml v2, go-merge-keys.ts) reads them. A field a merge brings in is placed where it is
 * written, inside the anchored mapping: that is the text a user has to change.
 */
import { createRequire } from "node:module";
import type * as YamlLibrary from "yaml";
import type { Document, Node as YamlNode, Pair, YAMLMap } from "yaml";
import { isMergeKey } from "./go-merge-keys.js";
import type { TextPosition } from "./locate.js";
import type { FieldPath } from "./types.js";

// The `yaml` library takes ~60 ms to load and most scans never need it (the block reader
// records positions itself): it is loaded on the first document that does.
let yamlLibrary: typeof YamlLibrary | undefined;
const yaml = (): typeof YamlLibrary => (yamlLibrary ??= createRequire(import.meta.url)("yaml") as typeof YamlLibrary);

/** A block longer than this many lines (a mapping of more pairs) finds its keys through an index, built once. */
export const LONG_BLOCK = 64;

type YamlPair = Pair<unknown, unknown>;
type YamlMap = YAMLMap<unknown, unknown>;

/** A key as its mapping's JSON key reads: a key tagged `!!merge` that is no merge key (go-merge-keys.ts) is its text. */
function keyText(key: unknown): string | undefined {
  if (key === null || typeof key !== "object") return undefined;
  const { value, source, tag } = key as { value?: unknown; source?: unknown; tag?: string };
  return tag === "tag:yaml.org,2002:merge" && typeof source === "string" ? source : String(value);
}

export class ExactLocator {
  private readonly lineCounter = new (yaml().LineCounter)();
  private readonly doc: Document;
  private readonly root: YamlNode | null;
  readonly valid: boolean;
  /**
   * Some alias followed so far names no anchor of this text: a flow collection parsed on
   * its own (locateInFlow) whose anchor is elsewhere in the document. Answers past it are not certain.
   */
  unresolvedAlias = false;

  constructor(text: string) {
    this.doc = yaml().parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: false });
    this.root = (this.doc.contents as YamlNode | null) ?? null;
    this.valid = this.doc.errors.length === 0;
  }

  locate(path: FieldPath): TextPosition {
    return this.locateDeepest(path).position;
  }

  /** Long mappings' pairs by key, built once per mapping (see DocumentLocator.mappingKeys). */
  private readonly pairs = new WeakMap<YamlNode, Map<string, YamlPair>>();

  /** The first pair written in `map` whose key reads as `key`. */
  private directPair(map: YamlMap, key: string): YamlPair | undefined {
    const matches = (p: YamlPair): boolean => keyText(p.key) === key;
    if (map.items.length <= LONG_BLOCK) return map.items.find(matches);
    let index = this.pairs.get(map);
    if (index === undefined) {
      index = new Map();
      for (const p of map.items) {
        const text = keyText(p.key);
        if (text !== undefined && !index.has(text)) index.set(text, p);
      }
      this.pairs.set(map, index);
    }
    return index.get(key);
  }

  /**
   * The pair that gives `map` its `key` as kubectl's go-yaml v2 decodes it (go-merge-keys.ts):
   * the last writer in the order written, a merge key writing the pairs of the mappings it
   * names (of a list, the first wins), each with its own merges in the same order. `seen`
   * stops a mapping merged twice (or into itself) from being searched again.
   */
  private pairOf(map: YamlMap, key: string, seen?: Set<YamlNode>): YamlPair | undefined {
    if (!this.hasMerges(map)) return this.directPair(map, key);
    const visited = seen ?? new Set<YamlNode>([map]);
    for (let i = map.items.length - 1; i >= 0; i--) {
      const pair = map.items[i] as YamlPair;
      if (!isMergeKey(pair.key)) {
        if (keyText(pair.key) === key) return pair;
        continue;
      }
      for (const source of this.mergedBy(pair)) {
        if (visited.has(source)) continue;
        visited.add(source);
        const found = this.pairOf(source, key, visited);
        if (found) return found;
      }
    }
    return undefined;
  }

  private hasMerges(map: YamlMap): boolean {
    return this.mergedMaps(map).length > 0;
  }

  /** The mappings one merge key names, in the order written. */
  private mergedBy(pair: YamlPair): YamlMap[] {
    const lib = yaml();
    const value = this.resolved(pair.value as YamlNode | null);
    const candidates = lib.isSeq(value) ? value.items.map((item) => this.resolved(item as YamlNode | null)) : [value];
    return candidates.filter((candidate): candidate is YamlMap => lib.isMap(candidate));
  }

  /** The mappings `map` merges, in order; computed once per mapping (most have none). */
  private readonly merges = new WeakMap<YamlNode, YamlMap[]>();

  private mergedMaps(map: YamlMap): YamlMap[] {
    let sources = this.merges.get(map);
    if (sources !== undefined) return sources;
    sources = map.items.filter((pair) => isMergeKey(pair.key)).flatMap((pair) => this.mergedBy(pair as YamlPair));
    this.merges.set(map, sources);
    return sources;
  }

  /** An alias's anchored node (the last one of its name before it); any other node as it is. */
  private resolved(node: YamlNode | null): YamlNode | null {
    if (!yaml().isAlias(node)) return node;
    let target = this.aliases.get(node);
    if (target === undefined) {
      // Alias.resolve walks the document: once per alias.
      target = (node.resolve(this.doc) as YamlNode | undefined) ?? null;
      if (target === null) this.unresolvedAlias = true;
      this.aliases.set(node, target);
    }
    return target;
  }

  private readonly aliases = new WeakMap<YamlNode, YamlNode | null>();

  /** The position, and how many parts of the path exist. */
  locateDeepest(path: FieldPath): { position: TextPosition; matched: number } {
    let node: YamlNode | null = this.root;
    let offset = node?.range?.[0] ?? 0;
    let matched = 0;
    for (const part of path) {
      // A path that goes on below an alias goes on in the node it names.
      node = this.resolved(node);
      if (yaml().isMap(node)) {
        const pair = this.pairOf(node, String(part));
        if (!pair) break;
        const key = pair.key as YamlNode;
        offset = key.range?.[0] ?? offset;
        node = (pair.value as YamlNode | null) ?? null;
      } else if (yaml().isSeq(node) && typeof part === "number") {
        const item = node.items[part] as YamlNode | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
      matched++;
    }
    const { line, col } = this.lineCounter.linePos(offset);
    return { position: { line: line - 1, column: col - 1 }, matched };
  }
}
