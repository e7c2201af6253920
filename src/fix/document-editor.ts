import { isScalar, parseDocument, type Document } from "yaml";
import { jsYaml, kubernetesYamlSchema } from "../k8s/js-yaml-lazy.js";
import { isRecord } from "../k8s/types.js";
import { applyToJson, sortEdits, type Edit } from "./edits.js";
import { jsonIndent, jsonText } from "./json-out.js";
import { aliasedAnchors, editText } from "./text-edit.js";
import type { Layout } from "./yaml-render.js";
import { applyToDocument } from "./yaml-apply.js";

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

function expectedAfter(value: unknown, edit: Edit): unknown {
  const copy: unknown = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  applyToJson(copy, [edit]);
  return copy;
}

const NOT_WRITTEN = "could not be written without changing other fields, so it was not";

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

/** JSON in, JSON out: edits go through the Document API and the document is written as JSON again. */
export class JsonEditor implements DocumentEditor {
  private readonly doc: Document;
  private edited = false;

  constructor(
    private readonly source: string,
    public value: unknown,
  ) {
    this.doc = parseDocument(source, { prettyErrors: false });
  }

  get text(): string {
    if (!this.edited) return this.source;
    const trailing = /\n\s*$/.test(this.source) ? "\n" : "";
    return jsonText(this.doc.contents, this.source, jsonIndent(this.source)) + trailing;
  }

  apply(edit: Edit): string | undefined {
    if (this.doc.errors.length > 0) return `the document cannot be edited safely: ${this.doc.errors[0]?.message ?? "JSON error"}`;
    let model = edit;
    if (edit.op === "quote") {
      const node = this.doc.getIn(edit.path, true);
      if (!isScalar(node) || !node.range) return "is not a scalar to quote";
      model = { op: "set", path: edit.path, value: this.source.slice(node.range[0], node.range[1]) };
    }
    const before = this.doc.clone();
    const wasEdited = this.edited;
    try {
      applyToDocument(this.doc, [], [model]);
      this.edited = true;
      const read: unknown = JSON.parse(this.text);
      if (sameValue(read, expectedAfter(this.value, model))) {
        this.value = read;
        return undefined;
      }
    } catch (err) {
      if (!(err instanceof Error) || /Maximum call stack/.test(err.message)) throw err;
    }
    this.doc.contents = before.contents;
    this.edited = wasEdited;
    return NOT_WRITTEN;
  }
}

/** A round of edits in the order they can be made in (removals last, highest index first). */
export function applyRound(editor: DocumentEditor, edits: readonly Edit[], at: (edit: Edit) => Edit): Map<Edit, string | undefined> {
  const outcome = new Map<Edit, string | undefined>();
  for (const edit of sortEdits(edits)) outcome.set(edit, editor.apply(at(edit)));
  return outcome;
}
