import { ExactLocator, LONG_BLOCK } from "./locate-exact.js";
import type { FieldPath } from "./types.js";

/** 0-based line and column inside a document's text. */
export interface TextPosition {
  line: number;
  column: number;
}

/**
 * Finds the text position of a field path in one YAML document, lazily: loading never
 * pays for positions, only reported fields do.
 *
 * The fast path walks block-style YAML by indentation (what nearly every manifest is).
 * Anything it is not sure of — flow collections, quoted keys with escapes, anchors,
 * complex keys, a key missing from a mapping with a merge key (`<<: *base`) — goes to the
 * `yaml` library's full parse (locate-exact.ts), which is exact but slower. Both answer
 * "the deepest existing node on the path"; a field a merge or an alias brings in is found
 * where it is written, in the anchored node.
 */
export class DocumentLocator {
  private lines: string[] | undefined;
  private exact: ExactLocator | undefined;

  constructor(private readonly text: string) {}

  /** Findings of one object often point at the same field (a container's securityContext). */
  private readonly memo = new Map<string, TextPosition>();

  locate(path: FieldPath): TextPosition {
    const key = path.join("\u0000");
    const known = this.memo.get(key);
    if (known) return known;
    let position = this.locateFast(path);
    if (!position) {
      this.exact ??= new ExactLocator(this.text);
      position = this.exact.locate(path);
    }
    this.memo.set(key, position);
    return position;
  }

  /**
   * The entry lines of the sequence block at [start, end), up to the first line at its
   * indentation that is not an entry (`brokenOff`: the block is not a plain sequence past
   * there). Kept per block: a List of every pod is one sequence, and walking it from the
   * top for each finding made a scan quadratic.
   */
  private readonly sequences = new Map<string, { lines: number[]; brokenOff: boolean }>();

  private sequenceEntries(lines: string[], start: number, end: number, blockIndent: number, startColumn: number): { lines: number[]; brokenOff: boolean } {
    const key = `${start}:${end}:${blockIndent}:${startColumn}`;
    const known = this.sequences.get(key);
    if (known) return known;
    const entries = { lines: [] as number[], brokenOff: false };
    for (let i = start; i < end; i++) {
      const line = lines[i] as string;
      if (isBlankOrComment(line)) continue;
      const indent = i === start ? blockIndent : indentOf(line);
      if (indent < blockIndent) break;
      if (indent > blockIndent) continue;
      const rest = i === start ? line.slice(startColumn > 0 ? startColumn : indent) : line.slice(indent);
      if (!/^-(\s|$)/.test(rest)) {
        entries.brokenOff = true;
        break;
      }
      entries.lines.push(i);
    }
    this.sequences.set(key, entries);
    return entries;
  }

  /**
   * The keys of a long mapping block as they are written (every text before a `: ` or a
   * final `:` on a line at the block's indentation), with the first line of each, and
   * the first line where the walk above gives up (`bail`): a mapping of 100,000 keys with
   * a finding on each made a scan quadratic, walking the block from the top per finding.
   */
  private readonly mappings = new Map<string, { lines: Map<string, number>; bail: number; escaped: boolean }>();

  private mappingKeys(lines: string[], start: number, end: number, blockIndent: number, startColumn: number): { lines: Map<string, number>; bail: number; escaped: boolean } {
    const key = `${start}:${end}:${blockIndent}:${startColumn}`;
    const known = this.mappings.get(key);
    if (known) return known;
    const keys = { lines: new Map<string, number>(), bail: Infinity, escaped: false };
    for (let i = start; i < end; i++) {
      const line = lines[i] as string;
      if (isBlankOrComment(line)) continue;
      const indent = i === start && startColumn > 0 ? startColumn : indentOf(line);
      if (indent < blockIndent) break;
      if (indent > blockIndent || isDash(line, indent)) continue;
      for (let colon = line.indexOf(":", indent); colon >= 0; colon = line.indexOf(":", colon + 1)) {
        const next = line.charCodeAt(colon + 1);
        if (!(Number.isNaN(next) || next === 32 || next === 9)) continue;
        const written = line.slice(indent, colon);
        if (!keys.lines.has(written)) keys.lines.set(written, i);
      }
      if (isEscapedKey(line, indent)) keys.escaped = true;
      // The walk stops at this line for any key but the ones it spells: nothing after it counts.
      if (/^[[{?&*!]/.test(line.charAt(indent))) {
        keys.bail = i;
        break;
      }
    }
    this.mappings.set(key, keys);
    return keys;
  }

  /** blockEnd, kept per block for the same reason. */
  /** Whether a merge key (`<<:`) stands at the mapping's indentation between lines `from` and `end`. */
  private mergeKeyAfter(lines: string[], from: number, end: number, blockIndent: number): boolean {
    for (let i = from; i < end; i++) {
      const line = lines[i] as string;
      if (isBlankOrComment(line)) continue;
      const indent = indentOf(line);
      if (indent < blockIndent) return false;
      if (indent === blockIndent && line.charCodeAt(indent) === 60 && matchKeyAt(line, indent, MERGE_KEY) !== null) return true;
    }
    return false;
  }

  private readonly blockEnds = new Map<string, number>();

  private blockEnd(lines: string[], from: number, to: number, column: number, sequenceAtSameIndent = false): number {
    const key = `${from}:${to}:${column}:${sequenceAtSameIndent}`;
    let end = this.blockEnds.get(key);
    if (end === undefined) this.blockEnds.set(key, (end = blockEnd(lines, from, to, column, sequenceAtSameIndent)));
    return end;
  }

  /** The block-style walker; undefined when it cannot be sure. */
  locateFast(path: FieldPath): TextPosition | undefined {
    this.lines ??= splitLines(this.text);
    const lines = this.lines;
    // The current block: lines [start, end), where line `start` may begin at a virtual column.
    let start = firstContentLine(lines, 0, lines.length);
    if (start < 0) return { line: 0, column: 0 };
    if (/^---/.test(lines[start] as string)) {
      // Content on the marker line itself (`--- !!map`, `--- {a: 1}`) is left to the exact parser.
      if (!/^---\s*(#.*)?$/.test(lines[start] as string)) return undefined;
      start = firstContentLine(lines, start + 1, lines.length);
      if (start < 0) return { line: 0, column: 0 };
    }
    let end = lines.length;
    let startColumn = 0; // virtual indentation of the first line of the block
    let found: TextPosition = { line: start, column: indentOf(lines[start] as string) };
    for (let step = 0; step < path.length; step++) {
      const part = path[step] as string | number;
      const blockIndent = startColumn > 0 ? startColumn : indentOf(lines[start] as string);
      if (typeof part === "number") {
        // Sequence: entries are `- ` at blockIndent.
        const entries = this.sequenceEntries(lines, start, end, blockIndent, startColumn);
        const entryLine = part < entries.lines.length ? (entries.lines[part] as number) : -1;
        if (entryLine < 0) return entries.brokenOff ? undefined : found;
        const line = lines[entryLine] as string;
        const dashColumn = entryLine === start ? blockIndent : indentOf(line);
        const after = line.slice(dashColumn + 1);
        const contentOffset = after.length - after.trimStart().length;
        const itemEnd = this.blockEnd(lines, entryLine + 1, end, dashColumn);
        if (after.trim() === "" || after.trimStart().startsWith("#")) {
          // Item content starts on the next line.
          const next = firstContentLine(lines, entryLine + 1, itemEnd);
          if (next < 0) return { line: entryLine, column: dashColumn };
          found = { line: next, column: indentOf(lines[next] as string) };
          start = next;
          startColumn = 0;
          end = itemEnd;
        } else {
          const column = dashColumn + 1 + contentOffset;
          // The flow collection is the item: with nothing inside found, the item is the answer.
          if (/^[[{]/.test(after.trimStart())) return locateInFlow(entryLine, column, line.slice(column), path.slice(step + 1), { line: entryLine, column });
          if (/^[[{&*!|>"']/.test(after.trimStart())) {
            // Anchors, tags, block scalars or quoted content: only the item itself is certain.
            found = { line: entryLine, column };
            if (/^[&*!]/.test(after.trimStart())) return undefined;
            start = entryLine;
            startColumn = column;
            end = itemEnd;
            continue;
          }
          found = { line: entryLine, column };
          start = entryLine;
          startColumn = column;
          end = itemEnd;
        }
        continue;
      }
      // Mapping: keys at blockIndent.
      let keyLine = -1;
      let valueRest = "";
      let valueOffset = 0; // column of the value's text, from the key's column
      const spellings = keySpellings(part);
      const keyAt = (i: number): boolean => {
        const line = lines[i] as string;
        const indent = i === start && startColumn > 0 ? startColumn : indentOf(line);
        const match = matchKeyAt(line, indent, spellings);
        if (match === null) return false;
        keyLine = i;
        valueRest = line.slice(indent + match);
        valueOffset = match + (valueRest.length - valueRest.trimStart().length);
        return true;
      };
      if (end - start > LONG_BLOCK) {
        const keys = this.mappingKeys(lines, start, end, blockIndent, startColumn);
        const candidate = Math.min(...spellings.map((spelling) => keys.lines.get(spelling) ?? Infinity));
        // A merge key anywhere in the mapping may overwrite a written key (go-yaml v2: the last writer wins): the exact locator decides.
        if (keys.lines.has("<<")) return undefined;
        if (candidate !== Infinity && candidate <= keys.bail) keyAt(candidate);
        else if (keys.bail < Infinity || keys.escaped) return undefined;
      } else {
        let merges = false;
        let escaped = false;
        for (let i = start; i < end; i++) {
          const line = lines[i] as string;
          if (isBlankOrComment(line)) continue;
          const indent = i === start && startColumn > 0 ? startColumn : indentOf(line);
          if (indent < blockIndent) break;
          if (indent > blockIndent) continue;
          if (isDash(line, indent)) continue; // a sequence at the same indentation as its key
          if (keyAt(i)) {
            // A merge key after it overwrites it when the merged mapping has the key (go-yaml v2): the exact locator decides.
            if (this.mergeKeyAfter(lines, i + 1, end, blockIndent)) return undefined;
            break;
          }
          if (/^[[{?&*!]/.test(line.charAt(indent))) return undefined;
          if (line.charCodeAt(indent) === 60 && matchKeyAt(line, indent, MERGE_KEY) !== null) merges = true;
          if (isEscapedKey(line, indent)) escaped = true;
        }
        // A key written nowhere in a mapping that merges others may come from them (locate-exact.ts);
        // one spelled with escapes (`"host\u004Eetwork":`) may be it, which only a parse can say.
        if (keyLine < 0 && (merges || escaped)) return undefined;
      }
      if (keyLine < 0) return found;
      const keyColumn = keyLine === start && startColumn > 0 ? startColumn : indentOf(lines[keyLine] as string);
      found = { line: keyLine, column: keyColumn };
      const rest = valueRest.trim();
      if (rest !== "" && !rest.startsWith("#")) {
        // Inline value: a scalar ends the walk; a one-line flow collection is parsed on its own.
        if (step === path.length - 1) return found;
        if (/^[[{]/.test(rest)) {
          const valueColumn = keyColumn + valueOffset;
          return locateInFlow(keyLine, valueColumn, (lines[keyLine] as string).slice(valueColumn), path.slice(step + 1), found);
        }
        if (/^[&*]/.test(rest)) return undefined;
        start = keyLine;
        end = keyLine + 1;
        startColumn = Number.MAX_SAFE_INTEGER; // nothing below an inline scalar
        continue;
      }
      const valueEnd = this.blockEnd(lines, keyLine + 1, end, keyColumn, true);
      const next = firstContentLine(lines, keyLine + 1, valueEnd);
      if (next < 0) {
        start = keyLine;
        end = keyLine + 1;
        startColumn = Number.MAX_SAFE_INTEGER;
        continue;
      }
      start = next;
      startColumn = 0;
      end = valueEnd;
    }
    return found;
  }
}

/** YAML 1.1's merge key, written plain (a quoted "<<" is an ordinary key). */
const MERGE_KEY = ["<<"];

/** The ways a key may be written in block style: plain, double-quoted, single-quoted. */
function keySpellings(key: string): string[] {
  return [key, JSON.stringify(key), `'${key.replace(/'/g, "''")}'`];
}

/** Matches `key:` at column `at` of `line`; returns the offset after the colon, or null. No allocation. */
function matchKeyAt(line: string, at: number, spellings: readonly string[]): number | null {
  for (const spelling of spellings) {
    if (!line.startsWith(spelling, at)) continue;
    const colon = at + spelling.length;
    if (line.charCodeAt(colon) !== 58) continue;
    const next = line.charCodeAt(colon + 1);
    if (Number.isNaN(next) || next === 32 || next === 9) return spelling.length + 1;
  }
  return null;
}

/**
 * A line at `at` that starts with a double-quoted key and holds a backslash: the key may be
 * spelled with escapes, and what it reads as takes a parse to know (a backslash in the
 * value instead only sends the question to that parse needlessly).
 */
function isEscapedKey(line: string, at: number): boolean {
  return line.charCodeAt(at) === 34 && line.includes("\\", at + 1);
}

/** A `-` sequence entry starts at `at`. */
function isDash(line: string, at: number): boolean {
  if (line.charCodeAt(at) !== 45) return false;
  const next = line.charCodeAt(at + 1);
  return Number.isNaN(next) || next === 32 || next === 9;
}

/** Lines without their breaks: `\r\n` (a file saved on Windows) as well as `\n`. */
function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (!text.includes("\r")) return lines;
  return lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

function isBlankOrComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 35;
  }
  return true;
}

function firstContentLine(lines: string[], from: number, to: number): number {
  for (let i = from; i < to; i++) if (!isBlankOrComment(lines[i] as string)) return i;
  return -1;
}

/**
 * The end of the block that belongs to a node at `column`: the first content line
 * indented at or below it. A mapping value may be a sequence at the key's own
 * indentation (`key:\n- a`), so those lines belong to the key.
 */
function blockEnd(lines: string[], from: number, to: number, column: number, sequenceAtSameIndent = false): number {
  for (let i = from; i < to; i++) {
    const line = lines[i] as string;
    if (isBlankOrComment(line)) continue;
    const indent = indentOf(line);
    if (indent > column) continue;
    if (sequenceAtSameIndent && indent === column && isDash(line, indent)) continue;
    return i;
  }
  return to;
}

/**
 * A flow collection written on one line (`ports: [{containerPort: 80}]`) is parsed on its
 * own: a few bytes for the exact parser instead of the whole document. When nothing of
 * `rest` exists inside it, the answer is `owner` (the key or item holding the collection),
 * as the exact parser of the whole document would say.
 */
function locateInFlow(line: number, column: number, text: string, rest: FieldPath, owner: TextPosition): TextPosition | undefined {
  if (rest.length === 0) return { line, column };
  const exact = new ExactLocator(text);
  if (!exact.valid) return undefined;
  const { position, matched } = exact.locateDeepest(rest);
  // An alias (or merge) whose anchor is outside the collection: the whole document's parse finds it.
  if (exact.unresolvedAlias) return undefined;
  if (matched === 0) return owner;
  return position.line === 0 ? { line, column: column + position.column } : undefined;
}
