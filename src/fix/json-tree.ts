/**
 * A JSON text's syntax with offsets, read one level at a time: where a container's entries,
 * keys and brackets are, so that an edit can be spliced into the text and nothing else is
 * re-printed (json-edit.ts). Only the containers on an edit's path are read; everything
 * else is skipped over, so an edit in one item of a 1,000-pod List costs one scan of the
 * text, not a tree of it. The text is one JSON.parse has accepted already, so the reader
 * trusts its syntax.
 */

export interface JsonValue {
  type: "object" | "array" | "scalar";
  /** [start, end) of the value's text: a container's from its bracket to its closing bracket, inclusive. */
  start: number;
  end: number;
  /** null, as JSON.parse reads it: a value an edit may fill. */
  isNull: boolean;
}

export interface JsonEntry {
  /** An object member's key; undefined for an array item. */
  key?: string;
  /** The member's quoted key, [keyStart, keyEnd); an item's value start (both). */
  keyStart: number;
  keyEnd: number;
  value: JsonValue;
}

export interface JsonContainer extends JsonValue {
  type: "object" | "array";
  entries: JsonEntry[];
}

const QUOTE = 34;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** The offset after the string whose opening quote is at `at`. */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || Number.isNaN(c)) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

/** The offset after the container whose opening bracket is at `at`: brackets counted, strings skipped. */
function containerEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

/** The value whose first character is at `at`, its insides skipped. */
export function readValue(text: string, at: number): JsonValue {
  const c = text.charCodeAt(at);
  if (c === 123 || c === 91) return { type: c === 123 ? "object" : "array", start: at, end: containerEnd(text, at), isNull: false };
  if (c === QUOTE) return { type: "scalar", start: at, end: stringEnd(text, at), isNull: false };
  // A number, true, false or null: up to the next delimiter or space.
  let end = at;
  for (; end < text.length; end++) {
    const d = text.charCodeAt(end);
    if (d === 44 || d === 125 || d === 93 || isSpace(d)) break;
  }
  return { type: "scalar", start: at, end, isNull: text.startsWith("null", at) && end === at + 4 };
}

/** The document's one value. */
export function rootValue(text: string): JsonValue {
  return readValue(text, skipSpace(text, 0));
}

/** One level of a container: its entries, each value's own insides skipped. */
export function readContainer(text: string, value: JsonValue): JsonContainer {
  const entries: JsonEntry[] = [];
  const node: JsonContainer = { ...value, type: value.type === "object" ? "object" : "array", entries };
  let at = skipSpace(text, value.start + 1);
  if (at >= value.end - 1) return node;
  for (;;) {
    if (node.type === "object") {
      const keyStart = at;
      const keyEnd = stringEnd(text, at);
      const raw = text.slice(keyStart + 1, keyEnd - 1);
      const key = raw.includes("\\") ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : raw;
      at = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
      const child = readValue(text, at);
      entries.push({ key, keyStart, keyEnd, value: child });
      at = child.end;
    } else {
      const child = readValue(text, at);
      entries.push({ keyStart: at, keyEnd: at, value: child });
      at = child.end;
    }
    at = skipSpace(text, at);
    if (text.charCodeAt(at) !== 44) return node;
    at = skipSpace(text, at + 1);
  }
}

/** The entry a key names, as JSON.parse reads it: the last of duplicates; an item by its index. */
export function entryIndex(node: JsonContainer, part: string | number): number {
  if (node.type === "array") return typeof part === "number" && part >= 0 && part < node.entries.length ? part : -1;
  for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i]!.key === part) return i;
  return -1;
}

/**
 * The containers an editor has read, kept across edits: an edit changes the text inside
 * one container only (its anchor, json-edit.ts), so the containers around it only grow by
 * the edit's length, those after it move by it, and only what is inside it is read again.
 * Without this, every edit of a large List would scan the whole text again, twice. (The
 * new text itself is still one copy of the file per edit: a string is not a rope.)
 */
export class JsonReader {
  private root: JsonValue | undefined;
  private readonly read = new Map<string, JsonContainer>();

  constructor(public text: string) {}

  rootValue(): JsonValue {
    return (this.root ??= rootValue(this.text));
  }

  /** The container at `key` (its path, as the caller names it), read once. */
  container(key: string, value: JsonValue): JsonContainer {
    let node = this.read.get(key);
    if (!node || node.start !== value.start) {
      node = readContainer(this.text, value);
      this.read.set(key, node);
    }
    return node;
  }

  /** The text after an edit whose changes were all inside [start, end) of the old text; everything read inside it is forgotten. */
  edited(text: string, start: number, end: number): void {
    const delta = text.length - this.text.length;
    this.text = text;
    if (this.root) this.root = { ...this.root, end: this.root.end + delta };
    for (const [key, node] of this.read) {
      // Those before it are let go too: edits go through a List item by item, so the read stays small.
      if (node.end <= start) this.read.delete(key);
      else if (node.start >= end) shift(node, delta);
      else if (node.start <= start && node.end >= end && !(node.start === start && node.end === end)) {
        node.end += delta;
        for (const entry of node.entries) {
          if (entry.value.start >= end) shiftEntry(entry, delta);
          else if (entry.value.end > start) entry.value = { ...entry.value, end: entry.value.end + delta };
        }
      } else this.read.delete(key);
    }
  }

  /** Everything forgotten: the text changed in ways not told. */
  reset(text: string): void {
    this.text = text;
    this.root = undefined;
    this.read.clear();
  }
}

function shiftEntry(entry: JsonEntry, delta: number): void {
  entry.keyStart += delta;
  entry.keyEnd += delta;
  entry.value = { ...entry.value, start: entry.value.start + delta, end: entry.value.end + delta };
}

function shift(node: JsonContainer, delta: number): void {
  node.start += delta;
  node.end += delta;
  for (const entry of node.entries) shiftEntry(entry, delta);
}
