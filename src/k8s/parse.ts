import type { LoadOptions } from "js-yaml";
import { loadApplyingMergeKeys } from "./go-merge-keys.js";
import { withGoMapKeys } from "./go-map-keys.js";
import { aliasBomb, documentEndFirst, markerAsText, notJson, refusedKey, STILL_SCANNED, tooDeep } from "./load-problems.js";
import { jsYaml, kubernetesYamlSchema } from "./js-yaml-lazy.js";
import { readBlockYaml } from "./block-yaml.js";
import { KUSTOMIZATION_FILE_NAMES } from "./kustomize-patches.js";
import { scanJsonPositionsCountingKeys } from "./json-positions.js";
import { isJsonText, jsonStreamValues, jsonSyntaxError, type JsonStreamValue } from "./json-text.js";
import { DocumentLocator, type TextPosition } from "./locate.js";
import { splitDocuments, splitStream, type DocumentChunk } from "./split-documents.js";
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

// Where callers have always found them.
export { isJsonText, jsonStreamValues, jsonSyntaxError, splitDocuments, type JsonStreamValue };

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxExpansion: 10, maxDepth: 200 };

export interface ParsedFile {
  objects: LoadedObject[];
  problems: LoadProblem[];
  documents: number;
  skippedNonKubernetes: number;
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
  const { chunks, refusedDocumentEnds } = splitStream(text);
  // A refused `...` line is reported with the document after it (the last one, when none
  // follows), so that a file read in two selections reports it once.
  const refusedBy = new Map<number, number[]>();
  for (const line of refusedDocumentEnds) {
    const next = chunks.findIndex((c) => c.startLine > line);
    const owner = next === -1 ? chunks.length - 1 : next;
    refusedBy.set(owner, [...(refusedBy.get(owner) ?? []), line]);
  }
  if (chunks.length === 0) for (const line of refusedDocumentEnds) result.problems.push(documentEndFirst(file, line));
  chunks.forEach((chunk, documentIndex) => {
    if (select && !select(chunk.text)) return;
    for (const line of refusedBy.get(documentIndex) ?? []) result.problems.push(documentEndFirst(file, line));
    result.documents++;
    if (chunk.markerAsText) {
      result.problems.push(markerAsText(file, chunk.startLine));
      return;
    }
    // Manifest-shaped YAML is read (with every position) by the block reader; the rest by js-yaml.
    const fast = readBlockYaml(chunk.text);
    const value = fast ? fast.value : parseChunk(file, chunk, limits, result.problems);
    if (value === undefined || value === null) return;
    const locator = fast ? fast.positions : new DocumentLocator(chunk.text);
    addDocument(result, new DocumentPlace(file, documentIndex, locator, chunk.startLine, chunk.notAppliedByKubectl === true), value, add);
  });
  return result;
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
        hint: `fix the JSON syntax at that position; ${STILL_SCANNED}`,
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
    const keyed = withGoMapKeys(chunk.text);
    if ("refused" in keyed) {
      problems.push(refusedKey(file, chunk.startLine, keyed.refused));
      return undefined;
    }
    const value = loadApplyingMergeKeys(keyed.text, (text) => jsYaml().load(text, options));
    const shape = inspectShape(value, chunk.text.length, limits);
    if (shape === "ok") return value;
    problems.push(shape === "too-deep" ? tooDeep(file, chunk.startLine, limits) : shape === "not-json" ? notJson(file, chunk.startLine) : aliasBomb(file, chunk.startLine, limits));
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
        ? `this looks like a Helm or Go template ({{ ... }}): scan what it renders, e.g. \`helm template CHART | palisade scan -\`; ${STILL_SCANNED}`
        : e.reason === "duplicated mapping key"
          ? // kubectl's YAML-to-JSON step (go-yaml v2, not strict) keeps the last of the two without a word: which one was meant is for the author to say.
            `keep one of the two: YAML forbids a key twice, and kubectl would silently apply the last one; ${STILL_SCANNED}`
          : `fix the YAML syntax at that position; ${STILL_SCANNED}`,
    });
    return undefined;
  }
}

/** A Go template action (`{{ .Values.x }}`, `{{- include ... }}`): Helm charts' templates are not YAML until rendered. */
const TEMPLATE_ACTION = /\{\{-?\s*[-.$a-zA-Z/"(]/;

/**
 * Walk the loaded value once, without de-duplicating shared nodes, so that an alias bomb
 * (exponential expansion of shared subtrees) is caught after a bounded number of steps,
 * and depth is checked without recursion.
 */
function inspectShape(value: unknown, textLength: number, limits: ParseLimits): Shape {
  return inspectShapeCountingKeys(value, textLength, limits).shape;
}

/** What the walk found: too deep, an alias bomb, or a number JSON cannot hold (NaN, infinities). */
type Shape = "ok" | "too-deep" | "alias-limit" | "not-json";

/** inspectShape, and the number of keys of every mapping in the value (a JSON text with more has duplicates). */
function inspectShapeCountingKeys(value: unknown, textLength: number, limits: ParseLimits): { shape: Shape; keys: number } {
  const budget = limits.maxExpansion * textLength + 10_000;
  let visited = 0;
  let keys = 0;
  if (typeof value !== "object" || value === null) return { shape: isNonFinite(value) ? "not-json" : "ok", keys };
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > limits.maxDepth) return { shape: "too-deep", keys };
    if (++visited > budget) return { shape: "alias-limit", keys };
    const isList = Array.isArray(node);
    const children = isList ? node : Object.values(node as object);
    if (!isList) keys += children.length;
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
      else if (isNonFinite(child)) return { shape: "not-json", keys };
    }
  }
  return { shape: "ok", keys };
}

function isNonFinite(value: unknown): boolean {
  return typeof value === "number" && !Number.isFinite(value);
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

/** Where a document sits: its file, its index there, and what finds its fields' positions. */
class DocumentPlace {
  constructor(
    readonly file: string,
    readonly documentIndex: number,
    readonly locator: { locate(path: FieldPath): TextPosition },
    /** 0-based line of the document's first line in the file. */
    readonly startLine: number,
    /** kubectl never applies the document (it follows `...` in a part go-yaml reads one document of: split-documents.ts). */
    readonly notAppliedByKubectl = false,
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

  get notAppliedByKubectl(): true | undefined {
    return this.place.notAppliedByKubectl ? true : undefined;
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
