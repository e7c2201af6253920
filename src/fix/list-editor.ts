import { formatFieldPath, isRecord, type FieldPath } from "../k8s/types.js";
import { JsonEditor, kubernetesReading, sameValue, YamlEditor, type DocumentEditor } from "./document-editor.js";
import type { Edit } from "./edits.js";
import { splitJsonList } from "./json-list.js";
import { detectJsonLayout } from "./json-layout.js";
import { rootValue } from "./json-tree.js";
import { splitYamlList } from "./yaml-list.js";
import type { Layout } from "./yaml-render.js";

/**
 * A List document (`kubectl get … -o yaml|json`: every object under `items`) edited item
 * by item: each item is a small document of its own, with its own editor, so an edit reads
 * back one item's text, not the whole file's (a YAML List of 1,000 Deployments re-parsed
 * whole for each of its ~8,000 edits never finished). The items' texts are put back once,
 * when the text is asked for; the caller reads that whole text back once more (rewrite.ts).
 */

/** One item's text as a standalone document, and the way back into the List's text. */
export interface ListPiece {
  text: string;
  restore(text: string): string;
}

/** A List's text as gaps[0] item[0] gaps[1] … item[n-1] gaps[n]. */
export interface ListText {
  gaps: string[];
  items: ListPiece[];
}

interface ListItem {
  editor: DocumentEditor;
  restore(text: string): string;
}

/** A refusal about the item's own path named as the whole document names it (`items[3].spec…`), as the whole-document editor says it. */
function fromDocument(why: string, item: FieldPath, path: FieldPath): string {
  for (let length = path.length; length > 0; length--) {
    const named = formatFieldPath(path.slice(0, length));
    if (why.startsWith(`${named} `)) return formatFieldPath([...item, ...path.slice(0, length)]) + why.slice(named.length);
  }
  return why;
}

export class ListEditor implements DocumentEditor {
  readonly value: Record<string, unknown>;
  private readonly values: unknown[];
  private written: string | undefined;

  constructor(
    root: Record<string, unknown>,
    private readonly gaps: readonly string[],
    private readonly items: readonly ListItem[],
  ) {
    this.values = items.map((item) => item.editor.value);
    // Defined as data, as JSON.parse defines every key.
    this.value = Object.defineProperty({ ...root }, "items", { value: this.values, enumerable: true, writable: true, configurable: true });
  }

  get text(): string {
    return (this.written ??= this.gaps.map((gap, i) => gap + (this.items[i] ? this.items[i].restore(this.items[i].editor.text) : "")).join(""));
  }

  apply(edit: Edit): string | undefined {
    const [key, index] = edit.path;
    const item = key === "items" && typeof index === "number" ? this.items[index] : undefined;
    // Only edits inside an item come here (rewrite.ts edits each object from its path); a whole item is not one.
    if (!item || edit.path.length <= 2) return `${formatFieldPath(edit.path) || "the document"} is not inside one item of the List, so it was not written`;
    const path = edit.path.slice(2);
    const why = item.editor.apply({ ...edit, path } as Edit);
    if (why !== undefined) return fromDocument(why, edit.path.slice(0, 2), path);
    this.values[index as number] = item.editor.value;
    this.written = undefined;
    return undefined;
  }
}

function listRoot(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items) && value.items.length > 0 ? value : undefined;
}

/**
 * Each item's editor, when every item's own text reads as the item the whole text reads
 * as (else the split is not the List's, and undefined says edit it whole).
 */
function editorOf(root: Record<string, unknown>, split: ListText | undefined, make: (piece: ListPiece) => DocumentEditor): ListEditor | undefined {
  const expected = root.items as unknown[];
  if (!split || split.items.length !== expected.length) return undefined;
  const items: ListItem[] = [];
  for (const [i, piece] of split.items.entries()) {
    let editor: DocumentEditor;
    try {
      editor = make(piece);
    } catch {
      return undefined;
    }
    if (!sameValue(editor.value, expected[i])) return undefined;
    items.push({ editor, restore: piece.restore });
  }
  return new ListEditor(root, split.gaps, items);
}

/**
 * A YAML List document's editor, item by item; undefined for any other document, or one not
 * split with certainty. `make` gives an item's editor (rewrite.ts picks which kind).
 */
export function yamlListEditor(text: string, value: unknown, layout: Layout, make: (text: string, value: unknown, layout: Layout) => DocumentEditor = (t, v, l) => new YamlEditor(t, v, l)): ListEditor | undefined {
  const root = listRoot(value);
  if (!root) return undefined;
  // Each item laid out as the whole document is, so lines an edit adds look the same either way.
  return editorOf(root, splitYamlList(text), (piece) => make(piece.text, kubernetesReading(piece.text), layout));
}

/** A JSON List document's editor, item by item (the items' texts are exact: JSON has one way to nest). */
export function jsonListEditor(text: string, value: unknown): ListEditor | undefined {
  const root = listRoot(value);
  if (!root) return undefined;
  // The whole file's layout, as its one editor would have it.
  const layout = detectJsonLayout(text, rootValue(text));
  return editorOf(root, splitJsonList(text), (piece) => new JsonEditor(piece.text, JSON.parse(piece.text), layout));
}
