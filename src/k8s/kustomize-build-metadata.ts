/**
 * kustomize's build annotations, which the wrapping kustomization asks for
 * (kustomize-render.ts): `config.kubernetes.io/origin` names the file an object was read
 * from (`path`, and `repo` for a remote base) or the generator that made it (`configuredIn`,
 * `configuredBy`); `alpha.config.kubernetes.io/transformations` lists, in the order they
 * ran, every transformer that ran while the object was in the build (`configuredIn`,
 * `configuredBy`), whether or not it changed the object. Paths are relative to the wrapper.
 *
 * They are taken out of the rendered text before anything reads it, so that the text is
 * what `kubectl kustomize DIR` prints, line for line, and a finding that stays in it points
 * at the line the user sees there. They are never the user's, so never judged or printed.
 */
import { readYaml } from "./kustomize-files.js";
import { splitDocuments } from "./parse.js";
import { isRecord, type K8sObject } from "./types.js";

const ORIGIN = "config.kubernetes.io/origin";
const TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations";

export interface BuildAnnotations {
  origin: Record<string, unknown>;
  transformations: Array<Record<string, unknown>>;
}

export interface StrippedRender {
  /** The rendered text without the build annotations. */
  text: string;
  /** The annotations taken out of each document, by its index in the text. */
  byDocument: ReadonlyArray<Record<string, string> | undefined>;
}

/**
 * The annotations taken out of the text. kustomize writes an object's metadata at the
 * document's top level, its annotations two spaces in and their keys four; each build
 * annotation is a block scalar under its key. A document written otherwise keeps its text,
 * and its object its annotations (taken off by takeBuildAnnotations).
 */
export function stripBuildAnnotations(text: string): StrippedRender {
  const lines = text.split("\n");
  const kept: string[] = [];
  const found: Array<{ line: number; annotations: Record<string, string> }> = [];
  let inMetadata = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\S/.test(line)) inMetadata = line === "metadata:";
    if (!inMetadata || line !== "  annotations:") {
      kept.push(line);
      continue;
    }
    // The annotations block: lines four spaces in, and blank lines inside a block scalar.
    let end = i + 1;
    while (end < lines.length && (isAnnotationLine(lines[end] as string) || (lines[end] === "" && nextIsAnnotationLine(lines, end)))) end++;
    // Each annotation: its key's line, and the lines of its value below.
    const keyLines: number[] = [];
    for (let j = i + 1; j < end; j++) if (/^ {4}\S/.test(lines[j] as string)) keyLines.push(j);
    const entries = keyLines.map((start, k) => ({ start, end: keyLines[k + 1] ?? end }));
    const build = entries.filter((entry) => isBuildKey(lines[entry.start] as string));
    const annotations: Record<string, string> = {};
    for (const entry of build) Object.assign(annotations, annotationOf(lines.slice(entry.start, entry.end)));
    if (build.length > 0) found.push({ line: kept.length, annotations });
    // The `annotations:` key goes when nothing is left under it.
    if (build.length < entries.length) kept.push(line);
    for (const entry of entries) if (!build.includes(entry)) kept.push(...lines.slice(entry.start, entry.end));
    i = end - 1;
  }
  const stripped = kept.join("\n");
  const starts = splitDocuments(stripped).map((chunk) => chunk.startLine);
  const byDocument: Array<Record<string, string> | undefined> = [];
  let document = 0;
  for (const { line, annotations } of found) {
    while (document + 1 < starts.length && (starts[document + 1] as number) <= line) document++;
    byDocument[document] = annotations;
  }
  return { text: stripped, byDocument };
}

/**
 * An annotation's key and text from its lines: a literal block scalar (`key: |`, what
 * kustomize writes) read by its indentation, anything else by js-yaml.
 */
function annotationOf(lines: readonly string[]): Record<string, string> {
  const block = /^ {4}(\S+): \|(-|\+)?$/.exec(lines[0] as string);
  const content = lines.slice(1);
  const indent = content.find((line) => line !== "")?.search(/\S/) ?? 0;
  if (block && indent > 4 && content.every((line) => line === "" || line.startsWith(" ".repeat(indent)))) {
    let text = content.map((line) => line.slice(indent)).join("\n");
    if (block[2] !== "+") text = text.replace(/\n+$/, "");
    return { [block[1] as string]: block[2] === "-" ? text : `${text}\n` };
  }
  const value = readYaml(lines.map((line) => line.slice(4)).join("\n"));
  const annotations: Record<string, string> = {};
  if (isRecord(value)) for (const [key, text] of Object.entries(value)) if (typeof text === "string") annotations[key] = text;
  return annotations;
}

function isAnnotationLine(line: string): boolean {
  return line.startsWith("    ");
}

function nextIsAnnotationLine(lines: readonly string[], from: number): boolean {
  for (let i = from; i < lines.length; i++) if (lines[i] !== "") return isAnnotationLine(lines[i] as string);
  return false;
}

function isBuildKey(line: string): boolean {
  return line.startsWith(`    ${ORIGIN}:`) || line.startsWith(`    ${TRANSFORMATIONS}:`);
}

/**
 * The object's build annotations, taken off it when it still holds them (both, always),
 * else those its document's text held; undefined when it has no origin.
 */
export function takeBuildAnnotations(object: K8sObject, fromText: Record<string, string> | undefined, parsed: Map<string, unknown> = new Map()): BuildAnnotations | undefined {
  let annotations: Record<string, unknown> | undefined = fromText;
  const own = object.metadata?.annotations;
  if (isRecord(own) && (ORIGIN in own || TRANSFORMATIONS in own)) {
    annotations = { [ORIGIN]: own[ORIGIN], [TRANSFORMATIONS]: own[TRANSFORMATIONS] };
    delete own[ORIGIN];
    delete own[TRANSFORMATIONS];
    if (Object.keys(own).length === 0 && object.metadata) delete object.metadata.annotations;
  }
  if (!annotations) return undefined;
  // The objects of one file share their transformations' text: each text is parsed once.
  const read = (text: unknown): unknown => {
    if (typeof text !== "string") return undefined;
    if (!parsed.has(text)) parsed.set(text, readYaml(text));
    return parsed.get(text);
  };
  const origin = read(annotations[ORIGIN]);
  const transformations = read(annotations[TRANSFORMATIONS]);
  if (!isRecord(origin)) return undefined;
  return { origin, transformations: Array.isArray(transformations) ? transformations.filter(isRecord) : [] };
}
