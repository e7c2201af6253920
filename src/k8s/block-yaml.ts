/**
 * A fast reader for the YAML that Kubernetes manifests are made of: block mappings and
 * sequences, one-line flow collections, plain and one-line quoted scalars, literal block
 * scalars and comments. It records where every key and sequence item starts while it reads,
 * so a finding's position costs a few array lookups instead of a second parse.
 *
 * It gives exactly what js-yaml's `load` gives with kubernetesYamlSchema (plain scalars
 * resolved as Kubernetes resolves them, see yaml-scalars.ts) or nothing at all: anything outside that subset — anchors, aliases, tags,
 * folded or indented block scalars, multi-line scalars, complex keys, tabs, CRs, duplicate
 * keys, odd indentation — makes it give up, and the caller uses js-yaml. The equality is
 * tested over every YAML file the project and the shared conformance data hold, and by a
 * property over generated documents.
 */
import { mayResolveFrom, resolvePlainScalar as resolvePlain } from "./yaml-scalars.js";
import { MAPPING, NONE, PositionsWriter, SEQUENCE, type DocumentPositions, type Key } from "./positions.js";

export interface BlockYamlDocument {
  value: Record<string, unknown> | unknown[];
  positions: DocumentPositions;
}

/** Thrown inside the reader when the text leaves the supported subset; never escapes. */
class OutsideSubset {}
const OUTSIDE = new OutsideSubset();
const outside = (): never => {
  throw OUTSIDE;
};

const MAX_DEPTH = 64;

// What js-yaml refuses as non-printable (its own pattern): such text is left to its error.
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

const OUTSIDE_ASCII = /[^\x20-\x7E\n]/;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/**
 * Characters that cannot start a plain scalar (or start something this reader refuses).
 * `-`, `?` and `:` may start one when a safe character follows: see canStartPlain.
 */
function isIndicator(c: number): boolean {
  // - ? : , [ ] { } # & * ! | > ' " % @ `
  return c === 45 || c === 63 || c === 58 || c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === 35 || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 39 || c === 34 || c === 37 || c === 64 || c === 96;
}

function isFlowIndicator(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

/** Reads one document; undefined when it is outside the subset (use js-yaml then). */
export function readBlockYaml(text: string): BlockYamlDocument | undefined {
  // Most manifests are printable ASCII and newlines: one scan says so. Anything else gets
  // the three precise tests (a tab, a CR, a byte-order mark or js-yaml's non-printables).
  if (OUTSIDE_ASCII.test(text) && (text.includes("\t") || text.includes("\r") || text.charCodeAt(0) === 0xfeff || NON_PRINTABLE.test(text))) return undefined;
  try {
    return new Reader(text).document();
  } catch (err) {
    if (err === OUTSIDE) return undefined;
    throw err;
  }
}

class Reader {
  private readonly out = new PositionsWriter();
  /** The header of the collection read last (NONE after a scalar): its parent links it. */
  private child = NONE;
  /** The current content line: its start offset, end offset (at \n or EOF), number, indentation. */
  private start = 0;
  private end = 0;
  private line = -1;
  private indent = 0;
  private atEnd = false;
  private nextStart = 0;

  constructor(private readonly text: string) {}

  document(): BlockYamlDocument {
    this.advance();
    if (this.atEnd) outside();
    if (this.text.startsWith("---", this.start) && this.indent === 0) {
      const after = this.skipSpaces(this.start + 3);
      if (after < this.end && this.text.charCodeAt(after) !== HASH) outside();
      if (after === this.start + 3 && this.start + 3 < this.end) outside();
      this.advance();
      if (this.atEnd) outside();
    }
    if (this.indent !== 0) outside();
    const line = this.line;
    const value = this.isDashAt(this.start) ? this.sequence(0, 0) : this.mapping(0, this.start, 0);
    if (!this.atEnd) outside();
    return { value, positions: this.out.finish(this.text, line, 0) };
  }

  /** Moves to the next line that is neither blank nor a comment. */
  private advance(): void {
    const text = this.text;
    let start = this.nextStart;
    for (;;) {
      this.line++;
      if (start >= text.length) {
        this.atEnd = true;
        return;
      }
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      let i = start;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i < end && text.charCodeAt(i) !== HASH) {
        this.start = i;
        this.end = end;
        this.indent = i - start;
        this.nextStart = end + 1;
        // Document markers inside a chunk, and directives, are for js-yaml.
        if (this.indent === 0 && (text.startsWith("...", i) || text.startsWith("%", i) || (this.line > 0 && text.startsWith("---", i)))) {
          if (!(this.line === 0 && text.startsWith("---", i))) outside();
        }
        return;
      }
      start = end + 1;
    }
  }

  private skipSpaces(i: number): number {
    while (i < this.end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  private isDashAt(i: number): boolean {
    if (this.text.charCodeAt(i) !== DASH) return false;
    return i + 1 >= this.end || this.text.charCodeAt(i + 1) === SPACE;
  }

  /** After a value on the current line: only spaces and a comment may follow. */
  private expectLineEnd(i: number): void {
    const j = this.skipSpaces(i);
    if (j >= this.end) return;
    // A comment needs a space before it (`|#x` and `"a"#x` are errors).
    if (this.text.charCodeAt(j) !== HASH || j === i) outside();
  }

  /** A block mapping whose keys sit at `column`; the first key starts at offset `first`. */
  private mapping(column: number, first: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) outside();
    const object: Record<string, unknown> = {};
    const header = this.out.open(MAPPING);
    let last = NONE;
    let keyStart = first;
    for (;;) {
      const keyLine = this.line;
      const { key, after } = this.key(keyStart);
      const name = key.name;
      if (name === "__proto__" || name === "<<" || Object.prototype.hasOwnProperty.call(object, name)) outside();
      const keyColumn = keyStart - (this.start - this.indent);
      this.child = NONE;
      object[name] = this.mappingValue(after, column, depth);
      last = this.out.keyEntry(header, last, key, keyLine, keyColumn, this.child);
      if (this.atEnd || this.indent < column) break;
      if (this.indent > column || this.isDashAt(this.start)) outside();
      keyStart = this.start;
    }
    this.child = header;
    return object;
  }

  /** A key at offset `i` of the current line, up to its colon; `after` is past the colon. */
  private key(i: number): { key: Key; after: number } {
    const text = this.text;
    const c = text.charCodeAt(i);
    let key: Key;
    let colon: number;
    if (c === 34 || c === 39) {
      const quoted = this.quoted(i);
      key = { name: quoted.value, offset: i, quoted: true };
      colon = this.skipSpaces(quoted.end);
      if (text.charCodeAt(colon) !== COLON) outside();
    } else {
      if (isIndicator(c)) outside();
      colon = this.plainKeyColon(i);
      let keyEnd = colon;
      while (text.charCodeAt(keyEnd - 1) === SPACE) keyEnd--;
      key = { name: text.slice(i, keyEnd), offset: i, quoted: false };
      if (mayResolveFrom(c) && typeof resolvePlain(key.name) !== "string") outside();
    }
    const next = colon + 1;
    if (next < this.end && text.charCodeAt(next) !== SPACE) outside();
    return { key, after: next };
  }

  /** The colon that ends a plain key starting at `i` (`: ` or `:` at the end of the line). */
  private plainKeyColon(i: number): number {
    const text = this.text;
    for (let j = i; j < this.end; j++) {
      const c = text.charCodeAt(j);
      if (c === COLON && (j + 1 >= this.end || text.charCodeAt(j + 1) === SPACE)) return j;
      if (c === HASH && text.charCodeAt(j - 1) === SPACE) break;
    }
    return outside();
  }

  /** The value after `key:`, on this line or the lines below; leaves the reader on the next line. */
  private mappingValue(i: number, column: number, depth: number): unknown {
    i = this.skipSpaces(i);
    if (i >= this.end || this.text.charCodeAt(i) === HASH) {
      this.advance();
      if (this.atEnd) return null;
      if (this.indent > column) return this.block(depth + 1);
      // A sequence may sit at its key's own indentation.
      if (this.indent === column && this.isDashAt(this.start)) return this.sequence(column, depth + 1);
      return null;
    }
    return this.inlineValue(i, column, depth);
  }

  /** A node that starts on a line of its own. */
  private block(depth: number): unknown {
    if (this.isDashAt(this.start)) return this.sequence(this.indent, depth);
    const c = this.text.charCodeAt(this.start);
    // A lone scalar or flow collection under a key (`key:\n  value`) is for js-yaml.
    if (c === 91 || c === 123 || c === 34 || c === 39) outside();
    this.plainKeyColon(this.start);
    return this.mapping(this.indent, this.start, depth);
  }

  /** A value that starts at offset `i` of the current line, in a node indented at `column`. */
  private inlineValue(i: number, column: number, depth: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(i);
    let value: unknown;
    if (c === 91 || c === 123) {
      const flow = this.flow(i, depth + 1);
      this.expectLineEnd(flow.end);
      value = flow.value;
    } else if (c === 34 || c === 39) {
      const quoted = this.quoted(i);
      this.expectLineEnd(quoted.end);
      value = quoted.value;
    } else if (c === 124) {
      return this.literal(i, column);
    } else {
      if (!this.canStartPlain(i, false)) outside();
      let j = i;
      let last = i;
      for (; j < this.end; j++) {
        const d = text.charCodeAt(j);
        if (d === SPACE) {
          if (text.charCodeAt(j + 1) === HASH) break;
          continue;
        }
        if (d === COLON && (j + 1 >= this.end || text.charCodeAt(j + 1) === SPACE)) outside();
        last = j + 1;
      }
      value = resolveJsonPlain(text.slice(i, last));
    }
    this.advance();
    // Anything more indented below an inline value would continue it: js-yaml decides.
    if (!this.atEnd && this.indent > column) outside();
    return value;
  }

  /** `|`, `|-` or `|+` and the lines below it, more indented than `column`. */
  private literal(i: number, column: number): string {
    const text = this.text;
    let j = i + 1;
    const indicator = text.charCodeAt(j);
    const chomp = indicator === DASH ? "strip" : indicator === 43 ? "keep" : "clip";
    if (chomp !== "clip") j++;
    this.expectLineEnd(j);
    let at = this.nextStart;
    let contentIndent = -1;
    let body = "";
    let started = false;
    let blank = 0; // empty lines read but not yet written
    let lines = 0;
    while (at < text.length) {
      let end = text.indexOf("\n", at);
      if (end < 0) end = text.length;
      if (end === at) {
        blank++;
        lines++;
        at = end + 1;
        continue;
      }
      let k = at;
      while (k < end && text.charCodeAt(k) === SPACE) k++;
      // Lines of spaces only have rules of their own: js-yaml's business.
      if (k === end) outside();
      const indent = k - at;
      if (indent <= column) break;
      if (contentIndent < 0) contentIndent = indent;
      else if (indent < contentIndent) outside();
      body += (started ? "\n" : "") + "\n".repeat(blank) + text.slice(at + contentIndent, end);
      started = true;
      blank = 0;
      lines++;
      at = end + 1;
    }
    if (!started) outside();
    // Put the reader on the first line after the scalar.
    this.nextStart = at;
    this.line += lines;
    this.advance();
    if (chomp === "strip") return body;
    if (chomp === "keep") return body + "\n" + "\n".repeat(blank);
    return body + "\n";
  }

  /** A block sequence whose dashes sit at `column`. */
  private sequence(column: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) outside();
    const items: unknown[] = [];
    const header = this.out.open(SEQUENCE);
    let last = NONE;
    for (;;) {
      const dash = this.start;
      const i = this.skipSpaces(dash + 1);
      this.child = NONE;
      if (i >= this.end || this.text.charCodeAt(i) === HASH) {
        // The item starts on the next line, more indented than the dash.
        this.advance();
        if (this.atEnd || this.indent <= column) outside();
        const line = this.line;
        const itemColumn = this.indent;
        items.push(this.block(depth + 1));
        last = this.out.itemEntry(header, last, line, itemColumn, this.child);
      } else {
        const line = this.line;
        const itemColumn = i - (this.start - this.indent);
        items.push(this.sequenceItem(i, itemColumn, column, depth));
        last = this.out.itemEntry(header, last, line, itemColumn, this.child);
      }
      if (this.atEnd || this.indent < column) break;
      if (this.indent > column) outside();
      if (!this.isDashAt(this.start)) break;
    }
    this.child = header;
    return items;
  }

  /** An item that starts on its dash's line: a compact mapping (`- name: x`) or a value. */
  private sequenceItem(i: number, itemColumn: number, column: number, depth: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === DASH && (i + 1 >= this.end || text.charCodeAt(i + 1) === SPACE)) outside(); // `- - a`
    if (c === 34 || c === 39) {
      const quoted = this.quoted(i);
      if (text.charCodeAt(this.skipSpaces(quoted.end)) === COLON) return this.mapping(itemColumn, i, depth + 1);
    } else if (c !== 91 && c !== 123 && c !== 124 && !isIndicator(c) && this.hasKeyColon(i)) {
      return this.mapping(itemColumn, i, depth + 1);
    }
    return this.inlineValue(i, column, depth);
  }

  /** YAML's ns-plain-first: no indicator, except `-?:` followed by a safe character. */
  private canStartPlain(i: number, inFlow: boolean): boolean {
    const c = this.text.charCodeAt(i);
    if (!isIndicator(c)) return true;
    if (c !== DASH && c !== 63 && c !== COLON) return false;
    if (i + 1 >= this.end) return false;
    const next = this.text.charCodeAt(i + 1);
    return next !== SPACE && !(inFlow && isFlowIndicator(next));
  }

  private hasKeyColon(i: number): boolean {
    const text = this.text;
    for (let j = i; j < this.end; j++) {
      const c = text.charCodeAt(j);
      if (c === COLON && (j + 1 >= this.end || text.charCodeAt(j + 1) === SPACE)) return true;
      if (c === HASH && text.charCodeAt(j - 1) === SPACE) return false;
    }
    return false;
  }

  /** A quoted scalar that closes on its own line. */
  private quoted(i: number): { value: string; end: number } {
    const text = this.text;
    if (text.charCodeAt(i) === 39) {
      let value = "";
      let from = i + 1;
      for (;;) {
        const close = text.indexOf("'", from);
        if (close < 0 || close >= this.end) outside();
        value += text.slice(from, close);
        if (text.charCodeAt(close + 1) === 39) {
          value += "'";
          from = close + 2;
          continue;
        }
        return { value, end: close + 1 };
      }
    }
    let value = "";
    let from = i + 1;
    for (let j = from; j < this.end; j++) {
      const c = text.charCodeAt(j);
      if (c === 34) return { value: value + text.slice(from, j), end: j + 1 };
      if (c !== 92) continue;
      value += text.slice(from, j);
      const e = text.charCodeAt(j + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        j++;
      } else if (e === 117) {
        const hex = text.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) outside();
        value += String.fromCharCode(parseInt(hex, 16));
        j += 5;
      } else outside();
      from = j + 1;
    }
    return outside();
  }

  /** A flow collection that closes on the current line. */
  private flow(i: number, depth: number): { value: unknown; end: number } {
    if (depth > MAX_DEPTH) outside();
    const text = this.text;
    const base = this.start - this.indent;
    const isMap = text.charCodeAt(i) === 123;
    const close = isMap ? 125 : 93;
    const collection: Record<string, unknown> | unknown[] = isMap ? {} : [];
    const header = this.out.open(isMap ? MAPPING : SEQUENCE);
    let last = NONE;
    let j = this.skipSpaces(i + 1);
    for (;;) {
      if (j >= this.end) outside();
      if (text.charCodeAt(j) === close) {
        this.child = header;
        return { value: collection, end: j + 1 };
      }
      if (isMap) {
        const keyAt = j;
        const key = this.flowScalar(j, true);
        if (typeof key.value !== "string") outside();
        const name = key.value as string;
        const object = collection as Record<string, unknown>;
        if (name === "__proto__" || name === "<<" || Object.prototype.hasOwnProperty.call(object, name)) outside();
        j = this.skipSpaces(key.end);
        if (text.charCodeAt(j) !== COLON) outside();
        j = this.skipSpaces(j + 1);
        const c = text.charCodeAt(j);
        this.child = NONE;
        if (c === 44 || c === close) object[name] = null;
        else {
          const value = this.flowNode(j, depth);
          object[name] = value.value;
          j = value.end;
        }
        const quoted = text.charCodeAt(keyAt) === 34 || text.charCodeAt(keyAt) === 39;
        last = this.out.keyEntry(header, last, { name, offset: keyAt, quoted }, this.line, keyAt - base, this.child);
      } else {
        const itemAt = j;
        this.child = NONE;
        const value = this.flowNode(j, depth);
        (collection as unknown[]).push(value.value);
        j = value.end;
        last = this.out.itemEntry(header, last, this.line, itemAt - base, this.child);
      }
      j = this.skipSpaces(j);
      const c = text.charCodeAt(j);
      if (c === 44) j = this.skipSpaces(j + 1);
      else if (c !== close) outside();
    }
  }

  private flowNode(j: number, depth: number): { value: unknown; end: number } {
    const c = this.text.charCodeAt(j);
    if (c === 91 || c === 123) return this.flow(j, depth + 1);
    const scalar = this.flowScalar(j, false);
    // `[a: b]` is a one-pair mapping in YAML: js-yaml's business.
    if (this.text.charCodeAt(this.skipSpaces(scalar.end)) === COLON) outside();
    return scalar;
  }

  /** A quoted or plain scalar inside a flow collection. Keys stay strings (js-yaml resolves, then stringifies). */
  private flowScalar(j: number, isKey: boolean): { value: unknown; end: number } {
    const text = this.text;
    const c = text.charCodeAt(j);
    if (c === 34 || c === 39) return this.quoted(j);
    if (!this.canStartPlain(j, true)) outside();
    let k = j;
    let last = j;
    for (; k < this.end; k++) {
      const d = text.charCodeAt(k);
      if (isFlowIndicator(d)) break;
      if (d === COLON) {
        const next = text.charCodeAt(k + 1);
        if (k + 1 >= this.end || next === SPACE || isFlowIndicator(next)) break;
      }
      if (d === SPACE) {
        if (text.charCodeAt(k + 1) === HASH) outside();
        continue;
      }
      last = k + 1;
    }
    const raw = text.slice(j, last);
    const value = resolveJsonPlain(raw);
    if (isKey && typeof value !== "string") outside();
    return { value, end: k };
  }
}

/**
 * A plain scalar's value. `.nan` and `.inf` are left to js-yaml's path, where the loader
 * refuses them as kubectl does (JSON has no such numbers): a rare word, so the check costs
 * the hot path one typeof.
 */
function resolveJsonPlain(text: string): unknown {
  const value = resolvePlain(text);
  if (typeof value === "number" && !Number.isFinite(value)) outside();
  return value;
}

const SIMPLE_ESCAPES: Record<number, string> = { 34: '"', 92: "\\", 47: "/", 110: "\n", 116: "\t", 114: "\r", 48: "\0", 98: "\b", 102: "\f", 32: " " };
