/**
 * Positions of a document's keys and items, recorded while a reader reads it (the block
 * YAML reader, the JSON position scanner) and looked up by field path when a finding
 * needs one.
 */
import type { FieldPath } from "./types.js";
import type { TextPosition } from "./locate.js";

/**
 * Where the parts of a document start, as 32-bit integers: a collection is a header
 * [kind, first entry]; entries are chained in document order: mapping entries
 * [key offset, key length, line, column, child, next], sequence entries
 * [line, column, child, next], where child is the header of a nested collection and -1
 * means none. Offsets are relative to the document's own start in its slab. A key is
 * found again by comparing its text in place; a quoted key (rare) has length -(i + 1),
 * i indexing the document's list of quoted keys.
 *
 * Documents are packed into shared slabs of typed memory: a scan of 10,000 documents
 * then retains a few dozen slabs outside the JavaScript heap instead of 10,000 growing
 * arrays of tagged values that every young-generation collection would copy.
 */
export const MAPPING = 0;
export const SEQUENCE = 1;
export const NONE = -1;
const MAPPING_ENTRY = 6;
const SEQUENCE_ENTRY = 4;

/**
 * 16 KB a slab: small enough for malloc to serve from memory that slabs of documents
 * already judged gave back, where 256 KB slabs were each freshly mapped (glibc maps
 * blocks over 128 KB): 6–8 MB less first-touched memory on 10,000 documents, and a scan
 * 4–7% faster (seven alternating runs, 1<<12 against 1<<16 ints: Pod Security only 762 →
 * 732 ms median, every family 1,228 → 1,141 ms).
 */
const SLAB_INTS = 1 << 12;
let slab = new Int32Array(SLAB_INTS);
let slabUsed = 0;

/** Copies a finished document's positions into the current slab (a new one when it is full). */
function pack(scratch: Int32Array, length: number): { memory: Int32Array; base: number } {
  if (length > slab.length - slabUsed) {
    slab = new Int32Array(Math.max(SLAB_INTS, length));
    slabUsed = 0;
  }
  const base = slabUsed;
  // A plain loop: for a few hundred integers, making a subarray view costs more than copying.
  for (let i = 0; i < length; i++) slab[base + i] = scratch[i] as number;
  slabUsed += length;
  return { memory: slab, base };
}

/** A key as written: quoted keys cannot be compared in place, so they are kept as strings. */
export interface Key {
  name: string;
  offset: number;
  quoted: boolean;
}

/** Positions of the document being read; reused, since one document is read at a time. */
const SCRATCH_INTS = 4096;
let scratch = new Int32Array(SCRATCH_INTS);

/** Records one document's positions; `finish` packs them and starts over. */
export class PositionsWriter {
  private length = 0;
  private quotedKeys: string[] = [];

  /** Room for `ints` more integers in the scratch memory. */
  private reserve(ints: number): number {
    const at = this.length;
    if (at + ints > scratch.length) {
      const grown = new Int32Array(scratch.length * 2);
      grown.set(scratch.subarray(0, at));
      scratch = grown;
    }
    this.length = at + ints;
    return at;
  }

  open(kind: number): number {
    const header = this.reserve(2);
    scratch[header] = kind;
    scratch[header + 1] = NONE;
    return header;
  }

  /** Appends a mapping entry chained after `last` (or first of `header`); returns it. */
  keyEntry(header: number, last: number, key: Key, line: number, column: number, child: number): number {
    return this.mappingEntry(header, last, key.offset, key.quoted ? -this.quotedKeys.push(key.name) : key.name.length, line, column, child);
  }

  /** A key written as-is at `offset` (`length` characters), compared in place when located. */
  plainKeyEntry(header: number, last: number, offset: number, length: number, line: number, column: number, child: number): number {
    return this.mappingEntry(header, last, offset, length, line, column, child);
  }

  private mappingEntry(header: number, last: number, offset: number, length: number, line: number, column: number, child: number): number {
    const at = this.reserve(MAPPING_ENTRY);
    scratch[at] = offset;
    scratch[at + 1] = length;
    scratch[at + 2] = line;
    scratch[at + 3] = column;
    scratch[at + 4] = child;
    scratch[at + 5] = NONE;
    scratch[last === NONE ? header + 1 : last + 5] = at;
    return at;
  }

  itemEntry(header: number, last: number, line: number, column: number, child: number): number {
    const at = this.reserve(SEQUENCE_ENTRY);
    scratch[at] = line;
    scratch[at + 1] = column;
    scratch[at + 2] = child;
    scratch[at + 3] = NONE;
    scratch[last === NONE ? header + 1 : last + 3] = at;
    return at;
  }

  /** The document's positions; `line` and `column` are where its root starts. */
  finish(text: string, line: number, column: number): DocumentPositions {
    const { memory, base } = pack(scratch, this.length);
    // One huge document does not keep a huge scratch for the rest of the scan.
    if (scratch.length > SCRATCH_INTS) scratch = new Int32Array(SCRATCH_INTS);
    // A document that is one scalar has no collection: every path ends at its root.
    const positions = new DocumentPositions(text, memory, base, this.quotedKeys, line, column, this.length > 0);
    this.length = 0;
    this.quotedKeys = [];
    return positions;
  }
}

/** An item this far into a sequence is found through an index of its entries, built once, not by walking. */
const LONG_SEQUENCE = 32;
/** A key not among a mapping's first entries is found through an index of its keys, built once. */
const LONG_MAPPING = 32;

export class DocumentPositions {
  private sequences: Map<number, Int32Array> | undefined;
  private mappings: Map<number, Map<string, number>> | undefined;

  constructor(
    private readonly text: string,
    private readonly memory: Int32Array,
    private readonly base: number,
    private readonly quotedKeys: readonly string[],
    private readonly line: number,
    private readonly column: number,
    private readonly hasRoot: boolean,
  ) {}

  /** Same answer as the exact locator: the deepest existing node on the path. */
  locate(path: FieldPath): TextPosition {
    let line = this.line;
    let column = this.column;
    const memory = this.memory;
    const base = this.base;
    let collection = this.hasRoot ? 0 : NONE; // the document's own collection opens first
    for (const part of path) {
      if (collection === NONE) break;
      let entry = memory[base + collection + 1] as number;
      if (memory[base + collection] === SEQUENCE) {
        if (typeof part !== "number") break;
        if (part < LONG_SEQUENCE) {
          for (let i = 0; i < part && entry !== NONE; i++) entry = memory[base + entry + 3] as number;
        } else {
          const items = this.itemsOf(collection);
          entry = part < items.length ? (items[part] as number) : NONE;
        }
        if (entry === NONE) break;
        line = memory[base + entry] as number;
        column = memory[base + entry + 1] as number;
        collection = memory[base + entry + 2] as number;
      } else {
        const key = String(part);
        for (let steps = 0; entry !== NONE && !this.isKey(entry, key); steps++) {
          if (steps === LONG_MAPPING) {
            entry = this.keysOf(collection).get(key) ?? NONE;
            break;
          }
          entry = memory[base + entry + 5] as number;
        }
        if (entry === NONE) break;
        line = memory[base + entry + 2] as number;
        column = memory[base + entry + 3] as number;
        collection = memory[base + entry + 4] as number;
      }
    }
    return { line, column };
  }

  /**
   * A long sequence's entries by index, found once: `kubectl get pods -A -o yaml` is one
   * List of every pod, and walking its chain for each finding made a scan quadratic.
   */
  private itemsOf(collection: number): Int32Array {
    this.sequences ??= new Map();
    let items = this.sequences.get(collection);
    if (items === undefined) {
      const memory = this.memory;
      const base = this.base;
      let count = 0;
      for (let e = memory[base + collection + 1] as number; e !== NONE; e = memory[base + e + 3] as number) count++;
      items = new Int32Array(count);
      let i = 0;
      for (let e = memory[base + collection + 1] as number; e !== NONE; e = memory[base + e + 3] as number) items[i++] = e;
      this.sequences.set(collection, items);
    }
    return items;
  }

  /**
   * A long mapping's entries by key, found once: a ConfigMap of 100,000 keys with a
   * finding on each made a scan quadratic (31 s for 1.5 MB), walking the chain per finding.
   */
  private keysOf(collection: number): Map<string, number> {
    this.mappings ??= new Map();
    let keys = this.mappings.get(collection);
    if (keys === undefined) {
      keys = new Map();
      const memory = this.memory;
      const base = this.base;
      for (let e = memory[base + collection + 1] as number; e !== NONE; e = memory[base + e + 5] as number) {
        const length = memory[base + e + 1] as number;
        const offset = memory[base + e] as number;
        const key = length < 0 ? (this.quotedKeys[-length - 1] as string) : this.text.slice(offset, offset + length);
        // The first of equal keys, as the walk finds it.
        if (!keys.has(key)) keys.set(key, e);
      }
      this.mappings.set(collection, keys);
    }
    return keys;
  }

  private isKey(entry: number, key: string): boolean {
    const length = this.memory[this.base + entry + 1] as number;
    if (length < 0) return this.quotedKeys[-length - 1] === key;
    return length === key.length && this.text.startsWith(key, this.memory[this.base + entry] as number);
  }
}
