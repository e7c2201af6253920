import { isJsonText, jsonStreamValues, parseJsonFile, parseYamlFile, splitDocuments, type JsonStreamValue } from "../k8s/parse.js";
import { scanJsonPositions } from "../k8s/json-positions.js";
import { DocumentLocator, type TextPosition } from "../k8s/locate.js";
import { describeRef, isRecord, objectRef, valueAt, type FieldPath, type K8sObject, type LoadProblem } from "../k8s/types.js";
import type { DocumentChunk } from "../k8s/split-documents.js";
import { podTemplate } from "../k8s/workloads.js";
import type { PodView } from "../podsecurity/pod.js";
import { applyRound, JsonEditor, kubernetesReading, sameValue, YamlEditor, type DocumentEditor } from "./document-editor.js";
import { applyToJson, type Edit } from "./edits.js";
import { detectLayout } from "./layout.js";
import { jsonListEditor, ListEditor, yamlListEditor } from "./list-editor.js";
import { YamlItemEditor } from "./yaml-item-editor.js";
import type { Layout } from "./yaml-render.js";
import { describeUndecodable, UNDECODABLE_HINT, undecodableFields } from "../manifest/undecodable.js";

/**
 * Rewrite the workloads of one manifest file (YAML documents, or one JSON document):
 * each document is read as the loader reads it (same limits, same messages), corrected,
 * then edited by its caller's rounds, edit by edit (document-editor.ts). A document the
 * loader refuses, or an object the API server could not decode, is an input problem and
 * keeps its exact text; every other document is still edited. A List document (kubectl's
 * `-o yaml|json`) is edited item by item where it can be split with certainty
 * (list-editor.ts), and then read back whole once.
 */

export interface InputProblem {
  line: number;
  column: number;
  message: string;
  hint?: string;
}

/** A workload object as the caller's `edit` sees it: corrected already. */
export interface WorkloadDocument {
  documentIndex: number;
  line: number;
  object: K8sObject;
  template: { pod: PodView; path: FieldPath };
}

export interface RewriteHooks {
  /** Certain corrections of an object, paths from its root; asked again after each round is written, until none is left. */
  correct?: (object: K8sObject) => Edit[];
  /** Edit rounds for a workload's pod (template), paths from the template. */
  edit: (work: WorkloadDocument) => Edit[][];
}

export interface ObjectOutcome {
  documentIndex: number;
  line: number;
  /** The object as it was read, before any edit. */
  before: K8sObject;
  /** The object as the written text reads. */
  written: K8sObject;
  /** Where the pod (template) is in the object, when it has one. */
  templatePath: FieldPath | undefined;
  /** Every edit the hooks returned: undefined when it was written, else why not. */
  edits: Map<Edit, string | undefined>;
}

export interface RewriteOptions {
  file?: string;
  json?: boolean;
  /** Edit a List document as one text, not item by item (list-editor.ts): the reference the item-by-item path is compared with. */
  wholeLists?: boolean;
  /** Edit a YAML document's list items (a pod's containers) in the whole text, not apart (yaml-item-editor.ts): the reference the items-apart path is compared with. */
  wholeItems?: boolean;
}

export interface Rewrite {
  text: string;
  problems: InputProblem[];
  objects: ObjectOutcome[];
}

const MAX_CORRECTION_ROUNDS = 4;
const MAX_DOCUMENTS_READ_ALONE = 32;

function problemOf(p: LoadProblem, lineOffset: number): InputProblem {
  return { line: p.position.line + lineOffset, column: p.position.column, message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
}

/** The first line of a document that holds content (its comments and `---` are not the object). */
function contentLine(chunk: string): number {
  const lines = chunk.split("\n");
  const index = lines.findIndex((l) => !/^\s*(#.*)?$/.test(l) && !/^---\s*(#.*)?$/.test(l));
  return index < 0 ? 0 : index;
}

function membersOf(value: unknown): Array<{ object: K8sObject; prefix: FieldPath }> {
  if (isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
    return value.items.flatMap((item: unknown, n: number) => (isRecord(item) ? [{ object: item as K8sObject, prefix: ["items", n] as FieldPath }] : []));
  }
  return isRecord(value) ? [{ object: value as K8sObject, prefix: [] }] : [];
}

/** The object after every round of corrections, as plain JSON (to see what would be left). */
function corrected(object: K8sObject, correct: RewriteHooks["correct"]): K8sObject {
  const copy = JSON.parse(JSON.stringify(object)) as K8sObject;
  for (let round = 0; correct && round < MAX_CORRECTION_ROUNDS; round++) {
    const edits = correct(copy);
    if (edits.length === 0) break;
    applyToJson(copy, edits);
  }
  return copy;
}

interface DocumentPlace {
  documentIndex: number;
  /** 0-based line of the document's first line in the file. */
  startLine: number;
  locator: { locate(path: FieldPath): TextPosition };
}

function editDocument(editor: DocumentEditor, place: DocumentPlace, hooks: RewriteHooks, problems: InputProblem[]): ObjectOutcome[] {
  const outcomes: ObjectOutcome[] = [];
  for (const { object, prefix } of membersOf(editor.value)) {
    const at = place.locator.locate(prefix);
    const line = place.startLine + (prefix.length === 0 ? contentLine(editor.text) : at.line) + 1;
    const before = JSON.parse(JSON.stringify(object)) as K8sObject;
    const wrong = undecodableFields(corrected(object, hooks.correct));
    if (wrong.length > 0) {
      for (const w of wrong) {
        const p = place.locator.locate([...prefix, ...w.path]);
        problems.push({ line: place.startLine + p.line + 1, column: p.column + 1, message: `${describeRef(objectRef(object))}: ${describeUndecodable(w)}`, hint: UNDECODABLE_HINT });
      }
      continue;
    }
    const edits = new Map<Edit, string | undefined>();
    const current = () => valueAt(editor.value, prefix) as K8sObject;
    const full = (edit: Edit, base: FieldPath): Edit => ({ ...edit, path: [...base, ...edit.path] }) as Edit;
    for (let round = 0; hooks.correct && round < MAX_CORRECTION_ROUNDS; round++) {
      // A correction refused once is not asked for again.
      const refused = new Set([...edits].filter(([, why]) => why !== undefined).map(([e]) => JSON.stringify(e)));
      const next = hooks.correct(current()).filter((e) => !refused.has(JSON.stringify(e)));
      if (next.length === 0) break;
      const made = applyRound(editor, next, (e) => full(e, prefix));
      for (const [e, why] of made) edits.set(e, why);
      if ([...made.values()].every((why) => why !== undefined)) break;
    }
    const object2 = current();
    const template = podTemplate(object2);
    if (template) {
      for (const round of hooks.edit({ documentIndex: place.documentIndex, line, object: object2, template })) {
        for (const [e, why] of applyRound(editor, round, (e) => full(e, [...prefix, ...template.path]))) edits.set(e, why);
      }
    }
    outcomes.push({ documentIndex: place.documentIndex, line, before, written: current(), templatePath: template?.path, edits });
  }
  return outcomes;
}

function internalProblem(line: number, err: unknown): InputProblem {
  // Its first line only: js-yaml and the yaml package add the document's lines around the
  // error, which may be a Secret's.
  const reason = (err as { reason?: unknown } | undefined)?.reason;
  const message = (typeof reason === "string" ? reason : err instanceof Error ? err.message : String(err)).replace(/, ".*" is not valid JSON$/s, "");
  return {
    line,
    column: 1,
    message: `not fixed: internal error: ${message.split("\n")[0]?.trim() ?? ""}`,
    hint: "the document was left as it was; please report this with the document",
  };
}

/** One JSON value's text edited; `prefix` blanks what is before it on its first line, so its columns are the file's. */
function editJsonValue(text: string, place: { documentIndex: number; startLine: number; prefix: string }, hooks: RewriteHooks, wholeLists: boolean, problems: InputProblem[]): { text: string; objects: ObjectOutcome[] } {
  const value: unknown = JSON.parse(text);
  const editor = (wholeLists ? undefined : jsonListEditor(text, value)) ?? new JsonEditor(text, value);
  const objects = editDocument(editor, { documentIndex: place.documentIndex, startLine: place.startLine, locator: scanJsonPositions(place.prefix + text) }, hooks, problems);
  // Each edit was read back where it was made; the whole value is read back once more, as the file will be.
  if (editor.text !== text && !sameValue(JSON.parse(editor.text), editor.value)) throw new Error("the edited JSON does not read back as the edits meant");
  return { text: editor.text, objects };
}

function rewriteJson(text: string, file: string, hooks: RewriteHooks, wholeLists: boolean): Rewrite {
  const parsed = parseJsonFile(file, text);
  const stream = parsed.documents > 1 ? jsonStreamValues(text) : undefined;
  if (stream) return rewriteJsonStream(text, stream, parsed.problems.map((p) => problemOf(p, 0)), hooks, wholeLists);
  if (parsed.problems.length > 0) return { text, problems: parsed.problems.map((p) => problemOf(p, 0)), objects: [] };
  const problems: InputProblem[] = [];
  try {
    const edited = editJsonValue(text, { documentIndex: 0, startLine: 0, prefix: "" }, hooks, wholeLists, problems);
    return { ...edited, problems };
  } catch (err) {
    return { text, problems: [...problems, internalProblem(1, err)], objects: [] };
  }
}

/**
 * A stream of JSON values (`jq -c '.items[]'`, which kubectl applies as documents), each
 * edited as its own document, as the loader reads each (parse.ts): one it refuses keeps
 * its text, the others are still fixed. The text between values is kept as it was.
 */
function rewriteJsonStream(text: string, values: readonly JsonStreamValue[], refused: InputProblem[], hooks: RewriteHooks, wholeLists: boolean): Rewrite {
  const problems = [...refused];
  const objects: ObjectOutcome[] = [];
  const pieces: string[] = [];
  let cursor = 0;
  values.forEach(({ start, end, line, column }, documentIndex) => {
    pieces.push(text.slice(cursor, start));
    cursor = end;
    const own = text.slice(start, end);
    const lastLine = line + own.split("\n").length;
    if (refused.some((p) => p.line > line && p.line <= lastLine)) {
      pieces.push(own);
      return;
    }
    try {
      const edited = editJsonValue(own, { documentIndex, startLine: line, prefix: " ".repeat(column) }, hooks, wholeLists, problems);
      objects.push(...edited.objects);
      pieces.push(edited.text);
    } catch (err) {
      problems.push(internalProblem(line + 1, err));
      pieces.push(own);
    }
  });
  pieces.push(text.slice(cursor));
  return { text: pieces.join(""), problems, objects };
}

/**
 * The loader's problems of each document. A document's problems are on its lines, or just
 * past its end (js-yaml reports an unclosed `[`, or a `%YAML` directive with no document
 * after it, on the line after its text's last): that line is the next document's first,
 * so a problem there is given to the document that reports it when read alone, not to
 * both (the next one is judged by the scan, and is fixed too).
 */
function problemsByDocument(file: string, text: string, chunks: readonly DocumentChunk[], problems: readonly LoadProblem[]): LoadProblem[][] {
  // The last document takes the problems past its end too (no next document shares that line).
  const lastLines = chunks.map((chunk, i) => (i === chunks.length - 1 ? Infinity : chunk.startLine + chunk.text.split("\n").length));
  const onLines = (p: LoadProblem, i: number) => p.position.line > (chunks[i] as DocumentChunk).startLine && p.position.line <= (lastLines[i] as number);
  const alone = new Map<number, readonly LoadProblem[] | undefined>();
  // Each reading alone re-splits the whole file: past a few, a file of broken documents
  // keeps the cautious answer (both documents refused) instead of taking quadratic time.
  const reportedAlone = (i: number): readonly LoadProblem[] | undefined => {
    if (!alone.has(i) && alone.size >= MAX_DOCUMENTS_READ_ALONE) return undefined;
    if (!alone.has(i)) {
      let n = -1;
      alone.set(i, parseYamlFile(file, text, undefined, () => ++n === i).problems);
    }
    return alone.get(i);
  };
  const same = (a: LoadProblem, b: LoadProblem) => a.message === b.message && a.position.line === b.position.line && a.position.column === b.position.column;
  const owned: LoadProblem[][] = chunks.map(() => []);
  for (const p of problems) {
    // Documents are in line order and share at most a line: the last that starts before the
    // problem's line, and the one before it.
    let low = 0;
    let high = chunks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((chunks[mid] as DocumentChunk).startLine < p.position.line) low = mid;
      else high = mid - 1;
    }
    const candidates = [low - 1, low].filter((i) => i >= 0 && onLines(p, i));
    const readings = candidates.length > 1 ? candidates.map(reportedAlone) : [];
    const certain = readings.every((r) => r !== undefined);
    const reporters = certain ? candidates.filter((_, n) => readings[n]?.some((q) => same(p, q))) : [];
    for (const i of reporters.length > 0 ? reporters : candidates) owned[i]?.push(p);
  }
  return owned;
}

/**
 * One YAML document edited with its list items apart (yaml-item-editor.ts: an edit re-reads
 * its item, not the whole text) and read back whole once. Should that reading differ, or
 * that way fail, the document is edited again the way it always was, each edit re-reading
 * the whole text (or the whole List item), so what is written is what that way writes.
 */
function editYamlDocument(text: string, value: unknown, layout: Layout, options: { wholeLists: boolean; wholeItems: boolean }, place: DocumentPlace, hooks: RewriteHooks, problems: InputProblem[]): { text: string; objects: ObjectOutcome[] } {
  const { wholeLists, wholeItems } = options;
  const editorOf = (itemsApart: boolean): DocumentEditor => {
    const make = (t: string, v: unknown, l: Layout) => (itemsApart ? new YamlItemEditor(t, v, l) : new YamlEditor(t, v, l));
    return (wholeLists ? undefined : yamlListEditor(text, value, layout, make)) ?? make(text, value, layout);
  };
  const readsBack = (editor: DocumentEditor) => editor.text === text || sameValue(kubernetesReading(editor.text), editor.value);
  if (!wholeItems) {
    try {
      const found: InputProblem[] = [];
      const editor = editorOf(true);
      const objects = editDocument(editor, place, hooks, found);
      if (readsBack(editor)) {
        problems.push(...found);
        return { text: editor.text, objects };
      }
    } catch {
      // Edited again below, the way that reports what it meets.
    }
  }
  const editor = editorOf(false);
  const objects = editDocument(editor, place, hooks, problems);
  // A List edited item by item is read back whole once: each edit was read back in its item alone.
  if (editor instanceof ListEditor && !readsBack(editor)) throw new Error("the edited List does not read back as the edits meant");
  return { text: editor.text, objects };
}

function rewriteYaml(text: string, file: string, hooks: RewriteHooks, options: { wholeLists: boolean; wholeItems: boolean }): Rewrite {
  const loaded = parseYamlFile(file, text);
  const chunks = splitDocuments(text);
  const byDocument = problemsByDocument(file, text, chunks, loaded.problems);
  const layout = detectLayout(text);
  const problems: InputProblem[] = [];
  const objects: ObjectOutcome[] = [];
  const pieces: string[] = [];
  let cursor = 0;
  chunks.forEach((chunk, documentIndex) => {
    const start = text.indexOf(chunk.text, cursor);
    pieces.push(text.slice(cursor, start));
    cursor = start + chunk.text.length;
    const refused = byDocument[documentIndex] ?? [];
    if (refused.length > 0) {
      problems.push(...refused.map((p) => problemOf(p, 0)));
      pieces.push(chunk.text);
      return;
    }
    try {
      const value = kubernetesReading(chunk.text);
      const chunkLayout = detectLayout(chunk.text, layout);
      const place = { documentIndex, startLine: chunk.startLine, locator: new DocumentLocator(chunk.text) };
      const edited = editYamlDocument(chunk.text, value, chunkLayout, options, place, hooks, problems);
      objects.push(...edited.objects);
      pieces.push(edited.text);
    } catch (err) {
      problems.push(internalProblem(chunk.startLine + contentLine(chunk.text) + 1, err));
      pieces.push(chunk.text);
    }
  });
  pieces.push(text.slice(cursor));
  return { text: pieces.join(""), problems, objects };
}

export function rewriteManifest(text: string, hooks: RewriteHooks, options: RewriteOptions = {}): Rewrite {
  const file = options.file ?? "<input>";
  if (text.charCodeAt(0) === 0xfeff) {
    // A UTF-8 byte-order mark is not the document's (JSON.parse refuses it); it stays in front.
    const result = rewriteManifest(text.slice(1), hooks, options);
    return { ...result, text: `\ufeff${result.text}` };
  }
  if (text.includes("\r\n") && !/(?:^|[^\r])\n/.test(text)) {
    // Saved with Windows line breaks: the lines an edit adds get them too, not a mix. Lines
    // and columns are the same either way (a \r only ends a line).
    const result = rewriteManifest(text.replace(/\r\n/g, "\n"), hooks, options);
    return { ...result, text: result.text === text.replace(/\r\n/g, "\n") ? text : result.text.replace(/\n/g, "\r\n") };
  }
  const wholeLists = options.wholeLists ?? false;
  return (options.json ?? isJsonText(text)) ? rewriteJson(text, file, hooks, wholeLists) : rewriteYaml(text, file, hooks, { wholeLists, wholeItems: options.wholeItems ?? false });
}
