import { Lexer } from "yaml";
import type { ListPiece, ListText } from "./list-editor.js";

/**
 * The items of a YAML List (`kubectl get … -o yaml`: one document, every object under
 * `items`) as small standalone documents, so that each is edited on its own text instead
 * of the whole file's (list-editor.ts). An item's text is its `- ` entry's lines with the
 * dash turned into indentation and the item's indentation taken off; putting it back
 * reverses exactly that, so a line no edit touched comes back byte for byte. Anything
 * this line reading cannot be sure of gives undefined, and the document is edited whole.
 */

/** Stands in for a comment indented less than its item, which stripping cannot keep. */
const KEPT = "#palisade-kept-line:";

const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

/**
 * Anchors, aliases and merge keys tie an item to text outside it (or to other items): such
 * a document is edited whole, where the editor sees every use. The lexer is exact about
 * what is a token (`a && b` inside a string is not an anchor) and costs one pass.
 */
export function hasAnchorsOrMerges(text: string): boolean {
  if (!/[&*]|<</.test(text)) return false;
  let afterScalarMark = false;
  for (const token of new Lexer().lex(text)) {
    if (token.startsWith("&") || token.startsWith("*")) return true;
    // A plain scalar is announced by \u001f; `<<` as one is the merge key.
    if (afterScalarMark && token === "<<") return true;
    afterScalarMark = token === "\u001f";
  }
  return false;
}

interface Span {
  /** Line index of the entry's `- ` line. */
  start: number;
  /** Line index after its last content line (blank and comment lines after it are not the item's). */
  end: number;
}

/** The entries of the block sequence under the top-level `items:` key, by lines. */
function entrySpans(lines: readonly string[]): Span[] | undefined {
  const keys = lines.flatMap((line, i) => (/^items:[ \t]*(#.*)?$/.test(line) ? [i] : []));
  if (keys.length !== 1) return undefined;
  const spans: Span[] = [];
  let dash = -1;
  for (let i = keys[0]! + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (BLANK_OR_COMMENT.test(line)) continue;
    const indent = indentOf(line);
    // A tab where indentation is: not something to be sure of.
    if (line.charAt(indent) === "\t") return undefined;
    if (dash < 0) {
      if (!/^ *-( |$)/.test(line)) return undefined;
      dash = indent;
    }
    if (indent === dash && /^-( |$)/.test(line.slice(indent))) spans.push({ start: i, end: i + 1 });
    else if (indent > dash) spans[spans.length - 1]!.end = i + 1;
    else break;
  }
  return spans;
}

/**
 * One entry as a standalone document: undefined when a line could not be put back as it
 * was (a whitespace-only line no longer than the indentation taken off, a line of content
 * left of the item). A comment left of the item is swapped for a marker and put back whole.
 */
function itemOf(span: string): ListPiece | undefined {
  const lines = span.split("\n");
  const head = /^( *-( +))(\S.*)$/.exec(lines[0]!);
  // `-` alone or `- # comment`: where the item's content starts is on another line.
  if (!head || head[3]!.startsWith("#")) return undefined;
  const marker = head[1]!;
  const pad = " ".repeat(marker.length);
  const kept: string[] = [];
  const out: string[] = [head[3]!];
  for (const line of lines.slice(1)) {
    if (line === "") out.push("");
    else if (line.startsWith(pad) && line.length > pad.length) out.push(line.slice(pad.length));
    else if (/^ *#/.test(line)) out.push(`${KEPT}${kept.push(line) - 1}`);
    else return undefined;
  }
  const restore = (text: string): string =>
    text
      .split("\n")
      .map((line, i) => {
        if (i === 0) return marker + line;
        const k = line.startsWith(KEPT) ? kept[Number(line.slice(KEPT.length))] : undefined;
        return k ?? (line === "" ? "" : pad + line);
      })
      .join("\n");
  return { text: out.join("\n"), restore };
}

/** The List document `text` cut into its items' documents and the text between them; undefined when not certain. */
export function splitYamlList(text: string): ListText | undefined {
  if (text.includes(KEPT) || hasAnchorsOrMerges(text)) return undefined;
  const lines = text.split("\n");
  const spans = entrySpans(lines);
  if (!spans || spans.length === 0) return undefined;
  const offsets: number[] = [0];
  for (const line of lines) offsets.push(offsets[offsets.length - 1]! + line.length + 1);
  const at = (line: number) => Math.min(offsets[line]!, text.length);
  const gaps: string[] = [];
  const items: ListPiece[] = [];
  let cursor = 0;
  for (const span of spans) {
    const item = itemOf(text.slice(at(span.start), at(span.end)));
    if (!item) return undefined;
    gaps.push(text.slice(cursor, at(span.start)));
    items.push(item);
    cursor = at(span.end);
  }
  gaps.push(text.slice(cursor));
  return { gaps, items };
}
