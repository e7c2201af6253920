import type { LoadOptions } from "js-yaml";
import { loadApplyingMergeKeys } from "./go-merge-keys.js";
import { jsYaml, kubernetesYamlSchema } from "./js-yaml-lazy.js";
import { readBlockYaml } from "./block-yaml.js";
import { KUSTOMIZATION_FILE_NAMES } from "./kustomize-patches.js";
import { scanJsonPositionsCountingKeys } from "./json-positions.js";
import { DocumentLocator, type TextPosition } from "./locate.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject, type LoadProblem, type ObjectSource } from "./types.js";
import type { SourcePosition } from "../findings/types.js";

export interface ParseLimits {
  /**
   * Collections a document may expand to, per character of its text. Without aliases a
   * document cannot hold more collections than characters; an alias bomb expands to far more.
   */
  maxExpansion: number;
  /** Nesting depth before a document is refused. */
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxExpansion: 10, maxDepth: 200 };

export interface ParsedFile {
  objects: LoadedObject[];
  problems: LoadProblem[];
  documents: number;
  skippedNonKubernetes: number;
}

interface DocumentChunk {
  text: string;
  /** 0-based line of the chunk's first line in the file. */
  startLine: number;
}

/**
 * A line that starts a document where kubectl starts one (apimachinery's YAMLReader: `---`
 * at the start of a line, then nothing or a comment, `---#` included, which YAML itself
 * would not take as a marker), or YAML's document end.
 */
const DOCUMENT_MARKER = /^(?:---(?=[ \t\r#]|$)|\.\.\.(?=[ \t\r]|$))/gm;

/**
 * Split a YAML stream at document markers so each document parses (and fails) on its own:
 * one malformed document never hides the others, and its errors keep file lines.
 */
export function splitDocuments(text: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let chunkStart = 0;
  let line = 0;
  let lineCursor = 0;
  const lineAt = (offset: number) => {
    while (lineCursor < offset) {
      const next = text.indexOf("\n", lineCursor);
      if (next < 0 || next >= offset) {
        lineCursor = offset;
        break;
      }
      line++;
      lineCursor = next + 1;
    }
    return line;
  };
  let startLine = 0;
  DOCUMENT_MARKER.lastIndex = 0;
  for (let m = DOCUMENT_MARKER.exec(text); m; m = DOCUMENT_MARKER.exec(text)) {
    const markerLine = lineAt(m.index);
    const isEnd = m[0] === "...";
    if (m.index > chunkStart) chunks.push({ text: text.slice(chunkStart, m.index), startLine });
    if (isEnd) {
      const eol = text.indexOf("\n", m.index);
      chunkStart = eol < 0 ? text.length : eol + 1;
      startLine = markerLine + 1;
    } else {
      chunkStart = m.index;
      startLine = markerLine;
    }
  }
  if (chunkStart < text.length) chunks.push({ text: text.slice(chunkStart), startLine });
  // js-yaml reads `---#` as text, not as a marker: the comment is set apart on its own line's end.
  return chunks.filter((c) => hasContent(c.text)).map((c) => (c.text.startsWith("---#") ? { ...c, text: `--- ${c.text.slice(3)}` } : c));
}

/** Anything but the marker, comments and whitespace (without copying the text). */
function hasContent(text: string): boolean {
  for (let i = text.startsWith("---") ? 3 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 35) {
      const eol = text.indexOf("\n", i);
      if (eol < 0) return false;
      i = eol;
    } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 12 && c !== 11 && !/\s/.test(text.charAt(i))) return true;
  }
  return false;
}

/**
 * Every document of a YAML stream; with `select`, only the documents whose text it
 * accepts (the loader reads some documents ahead of the rest of their file). With
 * `deliver`, each document's objects go to it before the next document is read, and
 * `objects` stays empty: a file of many documents never holds all their trees at once.
 */
export function parseYamlFile(file: string, text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS, select?: (document: string) => boolean, deliver?: (loaded: LoadedObject) => void): ParsedFile {
  const result: ParsedFile = { objects: [], problems: [], documents: 0, skippedNonKubernetes: 0 };
  const add = deliver ?? ((loaded: LoadedObject) => void result.objects.push(loaded));
  splitDocuments(text).forEach((chunk, documentIndex) => {
    if (select && !select(chunk.text)) return;
    result.documents++;
    // Manifest-shaped YAML is read (with every position) by the block reader; the rest by js-yaml.
    const fast = readBlockYaml(chunk.text);
    const value = fast ? fast.value : parseChunk(file, chunk, limits, result.problems);
    if (value === undefined || value === null) return;
    const locator = fast ? fast.positions : new DocumentLocator(chunk.text);
    addDocument(result, new DocumentPlace(file, documentIndex, locator, chunk.startLine), value, add);
  });
  return result;
}

/**
 * Whether a text is JSON, so that it can be read as JSON whatever its name: JSON is YAML
 * too, but a flow-style YAML document (`{apiVersion: v1, ...}`) starts the same way and is
 * not JSON.
 */
export function isJsonText(text: string): boolean {
  const first = text.trimStart().charAt(0);
  if (first !== "{" && first !== "[") return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    // A stream of JSON values (`jq -c '.items[]'`), which kubectl reads as documents.
    const values = jsonStreamValues(text);
    if (!values) return false;
    try {
      for (const { start, end } of values) JSON.parse(text.slice(start, end));
      return true;
    } catch {
      return false;
    }
  }
}

/** A value of a JSON stream: its offsets, and the 0-based line and column where it starts. */
export interface JsonStreamValue {
  start: number;
  end: number;
  line: number;
  column: number;
}

/**
 * The top-level objects and arrays of a JSON stream (`{...}\n{...}`, as `jq -c '.items[]'`
 * writes and `kubectl apply -f` reads), by brackets outside strings; undefined when the
 * text is not two or more of them with nothing but whitespace between.
 */
export function jsonStreamValues(text: string): JsonStreamValue[] | undefined {
  const values: JsonStreamValue[] = [];
  let line = 0;
  let lineStart = 0;
  let counted = 0;
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isJsonSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const first = text.charCodeAt(i);
    if (first !== 123 && first !== 91) return undefined;
    const start = i;
    let depth = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 92) i++;
          else if (d === 34) break;
        }
      } else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return undefined;
    for (let nl = text.indexOf("\n", counted); nl >= 0 && nl < start; nl = text.indexOf("\n", nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    counted = start;
    values.push({ start, end: i, line, column: start - lineStart });
  }
  return values.length > 1 ? values : undefined;
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** JSON files: JSON.parse reads the values, and one scan of the text records where each key and item is. */
export function parseJsonFile(file: string, text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedFile {
  const result: ParsedFile = { objects: [], problems: [], documents: 1, skippedNonKubernetes: 0 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const stream = jsonStreamValues(text);
    if (stream) return parseJsonStream(file, text, stream, limits);
    const { message, line, column } = jsonSyntaxError(text, err);
    result.problems.push({
      kind: "parse-error",
      message: `invalid JSON: ${message}`,
      position: { file, line, column },
      hint: "fix the JSON syntax at that position, or rename the file to .yaml if it is YAML",
    });
    return result;
  }
  const { shape, keys } = inspectShapeCountingKeys(value, text.length, limits);
  if (shape !== "ok") {
    result.problems.push(shape === "too-deep" ? tooDeep(file, 0, limits) : aliasBomb(file, 0, limits));
    return result;
  }
  // One pass over the text for every key's and item's position (the `yaml` AST of a large
  // `kubectl get -o json` took gigabytes).
  const scanned = scanJsonPositionsCountingKeys(text);
  if (scanned.keys !== keys) {
    result.problems.push(duplicateKeyProblem(file, text, 0));
    return result;
  }
  addDocument(result, new DocumentPlace(file, 0, scanned.positions, 0), value, (loaded) => void result.objects.push(loaded));
  return result;
}

/**
 * A stream of JSON values, each a document of its own: one that does not parse is a
 * problem at its line and column, and the others are still read. Each value is read as
 * if it stood alone at its place in the file (the text before it on its line blanked), so
 * its positions are the file's.
 */
function parseJsonStream(file: string, text: string, values: readonly JsonStreamValue[], limits: ParseLimits): ParsedFile {
  const result: ParsedFile = { objects: [], problems: [], documents: values.length, skippedNonKubernetes: 0 };
  values.forEach(({ start, end, line, column }, documentIndex) => {
    const own = " ".repeat(column) + text.slice(start, end);
    let value: unknown;
    try {
      value = JSON.parse(own);
    } catch (err) {
      const at = jsonSyntaxError(own, err);
      result.problems.push({
        kind: "parse-error",
        message: `invalid JSON: ${at.message}`,
        position: { file, line: line + at.line, column: at.column },
        hint: "fix the JSON syntax at that position; the other documents were still scanned",
      });
      return;
    }
    const { shape, keys } = inspectShapeCountingKeys(value, own.length, limits);
    if (shape !== "ok") {
      result.problems.push(shape === "too-deep" ? tooDeep(file, line, limits) : aliasBomb(file, line, limits));
      return;
    }
    const scanned = scanJsonPositionsCountingKeys(own);
    if (scanned.keys !== keys) {
      result.problems.push(duplicateKeyProblem(file, own, line));
      return;
    }
    addDocument(result, new DocumentPlace(file, documentIndex, scanned.positions, line), value, (loaded) => void result.objects.push(loaded));
  });
  return result;
}

function parseChunk(file: string, chunk: DocumentChunk, limits: ParseLimits, problems: LoadProblem[]): unknown {
  try {
    const options = { filename: file, maxDepth: limits.maxDepth, schema: kubernetesYamlSchema() } as LoadOptions;
    const value = loadApplyingMergeKeys(chunk.text, (text) => jsYaml().load(text, options));
    const shape = inspectShape(value, chunk.text.length, limits);
    if (shape === "ok") return value;
    problems.push(shape === "too-deep" ? tooDeep(file, chunk.startLine, limits) : aliasBomb(file, chunk.startLine, limits));
    return undefined;
  } catch (err) {
    if (err instanceof RangeError) {
      problems.push(tooDeep(file, chunk.startLine, limits));
      return undefined;
    }
    const e = err as { reason?: string; message?: string; mark?: { line?: number; column?: number } };
    if (e.reason?.startsWith("nesting exceeded maxDepth")) {
      problems.push(tooDeep(file, chunk.startLine, limits));
      return undefined;
    }
    problems.push({
      kind: "parse-error",
      message: `invalid YAML: ${e.reason ?? e.message ?? String(err)}`,
      position: { file, line: chunk.startLine + (e.mark?.line ?? 0) + 1, column: (e.mark?.column ?? 0) + 1 },
      hint: TEMPLATE_ACTION.test(chunk.text)
        ? "this looks like a Helm or Go template ({{ ... }}): scan what it renders, e.g. `helm template CHART | palisade scan -`; the other documents were still scanned"
        : e.reason === "duplicated mapping key"
          ? // kubectl's YAML-to-JSON step (go-yaml v2, not strict) keeps the last of the two without a word: which one was meant is for the author to say.
            "keep one of the two: YAML forbids a key twice, and kubectl would silently apply the last one; the other documents were still scanned"
          : "fix the YAML syntax at that position; the other documents were still scanned",
    });
    return undefined;
  }
}

/** A Go template action (`{{ .Values.x }}`, `{{- include ... }}`): Helm charts' templates are not YAML until rendered. */
const TEMPLATE_ACTION = /\{\{-?\s*[-.$a-zA-Z/"(]/;

function aliasBomb(file: string, startLine: number, limits: ParseLimits): LoadProblem {
  return {
    kind: "alias-limit",
    message: `refused: YAML aliases expand this document to over ${limits.maxExpansion}× its own size (an alias bomb)`,
    position: { file, line: startLine + 1, column: 1 },
    hint: "expand the anchors by hand; Kubernetes manifests rarely need aliases",
  };
}

function tooDeep(file: string, startLine: number, limits: ParseLimits): LoadProblem {
  return {
    kind: "too-deep",
    message: `refused: the document nests deeper than ${limits.maxDepth} levels`,
    position: { file, line: startLine + 1, column: 1 },
    hint: "Kubernetes objects nest a few dozen levels at most; check that this is the file you meant to scan",
  };
}

/**
 * Walk the loaded value once, without de-duplicating shared nodes, so that an alias bomb
 * (exponential expansion of shared subtrees) is caught after a bounded number of steps,
 * and depth is checked without recursion.
 */
function inspectShape(value: unknown, textLength: number, limits: ParseLimits): "ok" | "too-deep" | "alias-limit" {
  return inspectShapeCountingKeys(value, textLength, limits).shape;
}

/** inspectShape, and the number of keys of every mapping in the value (a JSON text with more has duplicates). */
function inspectShapeCountingKeys(value: unknown, textLength: number, limits: ParseLimits): { shape: "ok" | "too-deep" | "alias-limit"; keys: number } {
  const budget = limits.maxExpansion * textLength + 10_000;
  let visited = 0;
  let keys = 0;
  if (typeof value !== "object" || value === null) return { shape: "ok", keys };
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > limits.maxDepth) return { shape: "too-deep", keys };
    if (++visited > budget) return { shape: "alias-limit", keys };
    const isList = Array.isArray(node);
    const children = isList ? node : Object.values(node as object);
    if (!isList) keys += children.length;
    for (const child of children) if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
  }
  return { shape: "ok", keys };
}

/**
 * A JSON text's first duplicate key, as a problem: JSON.parse keeps the last one silently,
 * where kubectl's strict field validation (its default) refuses the object, and a YAML
 * document with one is refused here too. js-yaml reads JSON and names the place.
 */
function duplicateKeyProblem(file: string, text: string, lineOffset: number): LoadProblem {
  let line = 1;
  let column = 1;
  try {
    jsYaml().load(text, { schema: kubernetesYamlSchema() });
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    if (mark) {
      line = mark.line + 1;
      column = mark.column + 1;
    }
  }
  return {
    kind: "parse-error",
    message: "invalid JSON: a key appears twice in one object (JSON.parse would keep the last; kubectl's strict field validation refuses it)",
    position: { file, line: line + lineOffset, column },
    hint: "remove one of the two keys",
  };
}

/**
 * JSON.parse's reason for refusing `text`, and where (1-based). The reason never quotes
 * the text: V8 appends the text, or up to ten characters either side of the error
 * (`Unexpected token ',', ..."ord": "hunt"... is not valid JSON`), and those may be a
 * Secret's value.
 */
export function jsonSyntaxError(text: string, err: unknown): { message: string; line: number; column: number } {
  const raw = err instanceof Error ? err.message : String(err);
  const token = /^Unexpected token '[\s\S]',/u.exec(raw);
  const reason = (token ? token[0].slice(0, -1) : raw).replace(/ in JSON at position \d+[\s\S]*$/, "");
  // Any other form that quotes the text: say less rather than leak it.
  const message = /"|is not valid JSON/.test(reason) ? "not valid JSON" : reason;
  const pos = offsetToPosition(text, jsonErrorOffset(text));
  return { message, line: pos.line + 1, column: pos.column + 1 };
}

/**
 * Where JSON.parse first fails. Node 20 often omits the position, so find the shortest
 * prefix whose error is not "unexpected end": every longer prefix fails the same way.
 */
function jsonErrorOffset(text: string): number {
  const failsEarly = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (err) {
      const message = err instanceof Error ? err.message : "";
      if (/Unexpected end of JSON input/.test(message)) return false;
      // A prefix cut inside a token fails "at position <its length>": that is the end too.
      const at = /at position (\d+)/.exec(message);
      return !(at && Number(at[1]) >= length);
    }
  };
  let lo = 0;
  let hi = text.length;
  if (!failsEarly(hi)) return text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsEarly(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: Math.max(0, offset - lineStart) };
}

/** Where a document sits: its file, its index there, and what finds its fields' positions. */
class DocumentPlace {
  constructor(
    readonly file: string,
    readonly documentIndex: number,
    readonly locator: { locate(path: FieldPath): TextPosition },
    /** 0-based line of the document's first line in the file. */
    readonly startLine: number,
  ) {}

  at(path: FieldPath): SourcePosition {
    const p = this.locator.locate(path);
    return { file: this.file, line: this.startLine + p.line + 1, column: p.column + 1 };
  }
}

/**
 * An object's source: its document's place, and the path of the object inside the
 * document (["items", 3] for a List item). One small object per loaded object: positions
 * are computed on first use only, so loading stays as fast as parsing.
 */
class DocumentObjectSource implements ObjectSource {
  private firstLine: SourcePosition | undefined;

  constructor(
    private readonly place: DocumentPlace,
    private readonly prefix: FieldPath,
  ) {}

  get file(): string {
    return this.place.file;
  }

  get documentIndex(): number {
    return this.place.documentIndex;
  }

  get position(): SourcePosition {
    return (this.firstLine ??= this.place.at(this.prefix));
  }

  locate(path: FieldPath): SourcePosition {
    return this.place.at(this.prefix.length === 0 ? path : this.prefix.concat(path));
  }
}

/**
 * kustomize reads a kustomization file by its name and takes apiVersion and kind as
 * optional; many repositories leave them out. Such a file is a Kustomization all the same.
 */
function asKustomization(file: string, value: unknown): unknown {
  if (!isRecord(value) || value.kind !== undefined || value.apiVersion !== undefined) return value;
  const name = file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1);
  return KUSTOMIZATION_FILE_NAMES.includes(name) ? withDefaultTypeMeta(value, "kustomize.config.k8s.io/v1beta1", "Kustomization") : value;
}

function addDocument(result: ParsedFile, place: DocumentPlace, document: unknown, add: (loaded: LoadedObject) => void): void {
  const value = asKustomization(place.file, document);
  if (!isKubernetesObject(value)) {
    result.skippedNonKubernetes++;
    return;
  }
  addObject(result, place, value, [], add);
}

/** Lists in lists are as deep as a List of Lists goes: kubectl reads them, and so does this. */
const MAX_LIST_NESTING = 8;

function addObject(result: ParsedFile, place: DocumentPlace, value: K8sObject, prefix: FieldPath, add: (loaded: LoadedObject) => void): void {
  if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items) && prefix.length < 2 * MAX_LIST_NESTING) {
    // A typed list (PodList) may omit its items' kind and apiVersion, as the API server's
    // list responses do: they are the list's, less "List". A plain List names its items'.
    // An item that is itself a list (a PodList in a List) is flattened too, as kubectl
    // flattens it: its objects are not lost inside an object no rule looks into.
    const itemKind = value.kind === "List" ? undefined : value.kind.slice(0, -"List".length);
    value.items.forEach((item: unknown, i: number) => {
      const object = itemKind && isRecord(item) ? withDefaultTypeMeta(item, value.apiVersion as string, itemKind) : item;
      if (isKubernetesObject(object)) addObject(result, place, object, prefix.length === 0 ? ["items", i] : [...prefix, "items", i], add);
      else result.skippedNonKubernetes++;
    });
    return;
  }
  add({ object: value, source: new DocumentObjectSource(place, prefix) });
}

function withDefaultTypeMeta(item: Record<string, unknown>, apiVersion: string, kind: string): Record<string, unknown> {
  if (typeof item.apiVersion === "string" && typeof item.kind === "string") return item;
  return { apiVersion, kind, ...item };
}

export function isKubernetesObject(value: unknown): value is K8sObject {
  return isRecord(value) && typeof value.apiVersion === "string" && typeof value.kind === "string";
}
