import { parseDocument, type Document } from "yaml";
import { jsYaml, kubernetesYamlSchema } from "../k8s/js-yaml-lazy.js";
import { isRecord, valueAt, type FieldPath } from "../k8s/types.js";
import { applyToJson, sortEdits, type Edit } from "./edits.js";
import { editJsonText } from "./json-edit.js";
import { detectJsonLayout, type JsonLayout } from "./json-layout.js";
import { JsonReader } from "./json-tree.js";
import { aliasedAnchors, editText } from "./text-edit.js";
import type { Layout } from "./yaml-render.js";

/**
 * One document being edited, edit by edit. Each edit is kept only when the new text reads
 * (as Kubernetes reads YAML) exactly as the value before it with that one edit made:
 * anything else is refused, with the reason, and the text stays as it was. So a refused
 * or surprising edit can never take data with it.
 */
export interface DocumentEditor {
  /** The document's value as its current text reads. */
  readonly value: unknown;
  readonly text: string;
  /** Make `edit` (its path from the document's root); the reason when it cannot be made. */
  apply(edit: Edit): string | undefined;
}

/** The one document in `text` as the loader reads it (YAML 1.1 words, Go's integers). */
export function kubernetesReading(text: string): unknown {
  return jsYaml()
    .loadAll(text, undefined, { schema: kubernetesYamlSchema() })
    .find((value) => value !== null && value !== undefined);
}

/** Deep equality of plain JSON values, whatever the order of keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

/** `value` with `edit` made, on a JSON copy: what the edited text must read as. */
export function expectedAfter(value: unknown, edit: Edit): unknown {
  const copy: unknown = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  applyToJson(copy, [edit]);
  return copy;
}

export const NOT_WRITTEN = "could not be written without changing other fields, so it was not";

export class YamlEditor implements DocumentEditor {
  private doc: Document | undefined;
  private shared: Set<string> = new Set();

  constructor(
    public text: string,
    public value: unknown,
    private readonly layout: Layout,
  ) {}

  apply(edit: Edit): string | undefined {
    if (!this.doc) {
      this.doc = parseDocument(this.text, { version: "1.1", prettyErrors: false });
      this.shared = aliasedAnchors(this.doc);
    }
    if (this.doc.errors.length > 0) return `the document cannot be edited safely: ${this.doc.errors[0]?.message ?? "YAML error"}`;
    const out = editText(this.text, this.doc, edit, this.layout, this.shared);
    if ("refused" in out) return out.refused;
    const expected = expectedAfter(this.value, out.model);
    let read: unknown;
    try {
      read = kubernetesReading(out.text);
    } catch {
      return NOT_WRITTEN;
    }
    if (!sameValue(read, expected)) return NOT_WRITTEN;
    this.text = out.text;
    this.value = read;
    this.doc = undefined;
    return undefined;
  }
}

/**
 * JSON in, JSON out: each edit spliced into the text (json-edit.ts), every other byte as it
 * was, and kept only when the text reads (JSON.parse) as the value with that edit made.
 * Only the container the splice is inside is read back: the text around it is unchanged,
 * and JSON reads a container the same wherever it stands, so one edit in a List of a
 * thousand pods does not re-read the other 999.
 */
export class JsonEditor implements DocumentEditor {
  /** The layout of the text as the user wrote it: what edits add does not teach it new habits. */
  private readonly layout: JsonLayout;
  private readonly reader: JsonReader;

  /** `layout`: the whole file's, for one item of a List edited as its own text (list-editor.ts). */
  constructor(
    text: string,
    public value: unknown,
    layout?: JsonLayout,
  ) {
    this.reader = new JsonReader(text);
    this.layout = layout ?? detectJsonLayout(text, this.reader.rootValue());
  }

  get text(): string {
    return this.reader.text;
  }

  apply(edit: Edit): string | undefined {
    const out = editJsonText(this.reader, edit, this.layout);
    if ("refused" in out) return out.refused;
    const { anchor } = out;
    const at = anchor?.path ?? [];
    const grown = out.text.length - this.text.length;
    let read: unknown;
    try {
      read = JSON.parse(anchor ? out.text.slice(anchor.start, anchor.end + grown) : out.text);
    } catch {
      return NOT_WRITTEN;
    }
    const model = { ...out.model, path: out.model.path.slice(at.length) } as Edit;
    if (!sameValue(read, expectedAfter(valueAt(this.value, at), model))) return NOT_WRITTEN;
    if (anchor) this.reader.edited(out.text, anchor.start, anchor.end);
    else this.reader.reset(out.text);
    this.value = replacedAt(this.value, at, read);
    return undefined;
  }
}

/** `root` with the value at `path` replaced, copying only the containers on the way (the old value stays as it was). */
export function replacedAt(root: unknown, path: FieldPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [part, ...rest] = path as [string | number, ...FieldPath];
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[part as number] = replacedAt(root[part as number], rest, value);
    return copy;
  }
  const record = root as Record<string, unknown>;
  // Defined as data, as JSON.parse defines every key: a "__proto__" key stays a key.
  return Object.defineProperty({ ...record }, part, { value: replacedAt(record[part as string], rest, value), enumerable: true, writable: true, configurable: true });
}

/** A round of edits in the order they can be made in (removals last, highest index first). */
export function applyRound(editor: DocumentEditor, edits: readonly Edit[], at: (edit: Edit) => Edit): Map<Edit, string | undefined> {
  const outcome = new Map<Edit, string | undefined>();
  for (const edit of sortEdits(edits)) outcome.set(edit, editor.apply(at(edit)));
  return outcome;
}
