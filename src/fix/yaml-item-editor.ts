import { isMap, isSeq, parseDocument, type Document, type Node } from "yaml";
import { isRecord, valueAt, type FieldPath } from "../k8s/types.js";
import { expectedAfter, kubernetesReading, NOT_WRITTEN, replacedAt, sameValue, YamlEditor, type DocumentEditor } from "./document-editor.js";
import type { Edit } from "./edits.js";
import { contentEnd, editText, walk } from "./text-edit.js";
import { hasAnchorsOrMerges } from "./yaml-list.js";
import type { Layout } from "./yaml-render.js";

/**
 * A YAML document whose list items (a pod's containers, mostly) are edited as texts of their
 * own. The whole-document editor re-parses and re-reads the whole text for every edit, so a
 * pod of 1,500 containers (some 4,000 edits) took quadratic time and never finished. Here an
 * edit inside an item (a path with an index and more after it) is made on that item's lines
 * alone, cut verbatim from the text (same columns, same comments after it), parsed and read
 * back alone: what an edit of an item looks at (its nodes, its lines, the comment lines after
 * it) is all in those lines, so the splice is the one the whole editor would make, and a block
 * item reads the same alone as in its list. Every other edit (pod-level fields, annotations)
 * puts the items back and goes to the whole-document editor, as before.
 *
 * Anything this cannot be sure of goes the whole way: anchors, aliases and merges (they tie
 * an item to other text), a value JSON cannot carry (the whole editor's check compares with
 * a JSON copy, and refuses every edit then), flow lists and items, items not on a dash line
 * of their own. The caller reads the result back whole once more and, should that ever
 * differ, edits the document again the whole way (rewrite.ts).
 */

/** Parts of `edit.path` up to the first list index that has more path after it: the item the edit is inside. */
function itemPath(path: FieldPath): FieldPath | undefined {
  const index = path.findIndex((part, i) => typeof part === "number" && i < path.length - 1);
  return index < 0 ? undefined : path.slice(0, index + 1);
}

/** Whether JSON carries the value as it is: only then does a part of it check as the whole does. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (!isRecord(value)) return false;
  return Object.keys(value).every((key) => key !== "__proto__" && isPlainJson(value[key]));
}

const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;

/**
 * An item's whole lines: from its dash line to the next line of content (the next item's
 * dash, or what follows the list), so the blank and comment lines after it, which an edit
 * may look at, are in. Undefined when the dash shares its line or the item does not start on it.
 */
function itemLines(text: string, item: Node): { start: number; end: number } | undefined {
  const itemStart = item.range?.[0];
  if (itemStart === undefined) return undefined;
  const dash = text.lastIndexOf("-", itemStart - 1);
  const lineStart = text.lastIndexOf("\n", dash - 1) + 1;
  if (dash < 0 || !/^ *$/.test(text.slice(lineStart, dash)) || !/^ +$/.test(text.slice(dash + 1, itemStart))) return undefined;
  const last = contentEnd(text, item);
  const eol = last > 0 && text.charAt(last - 1) === "\n" ? last - 1 : text.indexOf("\n", last);
  let end = eol < 0 ? text.length : eol + 1;
  while (end < text.length) {
    const next = text.indexOf("\n", end);
    if (!BLANK_OR_COMMENT.test(text.slice(end, next < 0 ? text.length : next))) break;
    end = next < 0 ? text.length : next + 1;
  }
  return { start: lineStart, end };
}

/** The one block-map item of a block list, parsed from an item's lines; undefined for anything else. */
function parsedItem(text: string): { doc: Document; item: Node } | undefined {
  const doc = parseDocument(text, { version: "1.1", prettyErrors: false });
  const seq = doc.contents;
  if (doc.errors.length > 0 || !isSeq(seq) || seq.flow || seq.items.length !== 1) return undefined;
  const item = seq.items[0];
  return isMap(item) && !item.flow ? { doc, item } : undefined;
}

interface Piece {
  /** Path of the item in the document. */
  path: FieldPath;
  /** The item's lines in the base text. */
  start: number;
  end: number;
  text: string;
  parsed: { doc: Document; item: Node };
  value: unknown;
}

const NO_ANCHORS: ReadonlySet<string> = new Set();

export class YamlItemEditor implements DocumentEditor {
  /** The document as the items last put back left it: its text does not change while items are apart. */
  private whole: YamlEditor;
  /** The whole text's parse, to find items in; undefined doc when items cannot be edited apart. */
  private base: { text: string; doc: Document | undefined } | undefined;
  private readonly pieces = new Map<string, Piece>();
  private joined: string | undefined;
  value: unknown;

  constructor(
    text: string,
    value: unknown,
    private readonly layout: Layout,
  ) {
    this.whole = new YamlEditor(text, value, layout);
    this.value = value;
  }

  get text(): string {
    if (this.pieces.size === 0) return this.whole.text;
    if (this.joined === undefined) {
      const pieces = [...this.pieces.values()].sort((a, b) => a.start - b.start);
      const base = this.whole.text;
      const parts: string[] = [];
      let cursor = 0;
      for (const piece of pieces) {
        parts.push(base.slice(cursor, piece.start), piece.text);
        cursor = piece.end;
      }
      parts.push(base.slice(cursor));
      this.joined = parts.join("");
    }
    return this.joined;
  }

  apply(edit: Edit): string | undefined {
    const at = itemPath(edit.path);
    const piece = at ? this.pieceAt(at) : undefined;
    if (piece) return this.applyInPiece(piece, edit);
    this.putBack();
    const why = this.whole.apply(edit);
    this.value = this.whole.value;
    return why;
  }

  /** The items' texts back into the whole text: the whole editor takes over from there. */
  private putBack(): void {
    if (this.pieces.size === 0) return;
    this.whole = new YamlEditor(this.text, this.value, this.layout);
    this.pieces.clear();
    this.joined = undefined;
  }

  private baseDoc(): Document | undefined {
    const text = this.whole.text;
    if (this.base?.text !== text) {
      const apart = !hasAnchorsOrMerges(text) && isPlainJson(this.value);
      const doc = apart ? parseDocument(text, { version: "1.1", prettyErrors: false }) : undefined;
      // A document with errors is the whole editor's to refuse, with its message.
      this.base = { text, doc: doc && doc.errors.length === 0 ? doc : undefined };
    }
    return this.base.doc;
  }

  private pieceAt(path: FieldPath): Piece | undefined {
    const key = JSON.stringify(path);
    const open = this.pieces.get(key);
    if (open) return open;
    const doc = this.baseDoc();
    if (!doc) return undefined;
    const steps = walk(doc, path, NO_ANCHORS);
    if (!Array.isArray(steps) || steps.length - 1 !== path.length) return undefined;
    const list = steps[steps.length - 2]?.node;
    const item = steps[steps.length - 1]?.node;
    if (!item || !isSeq(list) || list.flow || !isMap(item) || item.flow) return undefined;
    const base = this.whole.text;
    const lines = itemLines(base, item);
    if (!lines) return undefined;
    const text = base.slice(lines.start, lines.end);
    const parsed = parsedItem(text);
    if (!parsed) return undefined;
    const piece: Piece = { path, ...lines, text, parsed, value: valueAt(this.value, path) };
    this.pieces.set(key, piece);
    return piece;
  }

  private applyInPiece(piece: Piece, edit: Edit): string | undefined {
    const out = editText(piece.text, piece.parsed.doc, edit, this.layout, NO_ANCHORS, { node: piece.parsed.item, depth: piece.path.length });
    if ("refused" in out) return out.refused;
    const model = { ...out.model, path: out.model.path.slice(piece.path.length) } as Edit;
    let read: unknown;
    try {
      read = kubernetesReading(out.text);
    } catch {
      return NOT_WRITTEN;
    }
    if (!Array.isArray(read) || read.length !== 1 || !sameValue(read[0], expectedAfter(piece.value, model))) return NOT_WRITTEN;
    piece.text = out.text;
    piece.value = read[0];
    this.value = replacedAt(this.value, piece.path, read[0]);
    this.joined = undefined;
    const parsed = parsedItem(out.text);
    // The whole editor would see the error (or the change of shape) in its next parse, and say so.
    if (parsed) piece.parsed = parsed;
    else this.putBack();
    return undefined;
  }
}
