import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { readCluster, type ClusterSource } from "../adapters/cluster.js";
import { UserError } from "../errors.js";
import { KUSTOMIZATION_FILE_NAMES, patchFilesOf } from "./kustomize-patches.js";
import { decodeText } from "./decode-text.js";
import { overlongDockerfileLine } from "./dockerfile-lines.js";
import { withoutStillScannedNote } from "./load-problems.js";
import { DEFAULT_PARSE_LIMITS, isJsonText, parseJsonFile, parseYamlFile, type ParsedFile, type ParseLimits } from "./parse.js";
import type { Labels } from "./labels.js";
import { emptySnapshot, namespaceLabelsOf, type Snapshot } from "./snapshot.js";
import { isLiveFile, renderedKustomizationName, type LoadedObject, type LoadProblem } from "./types.js";
import type { KustomizeOrigins } from "./kustomize-origins.js";

export interface LoadOptions {
  /** Files and directories; "-" reads standard input. */
  paths: string[];
  /** Kustomization directories, rendered with `kubectl kustomize` (or `kustomize build`). */
  kustomizeDirs?: string[];
  /** A live cluster, read through kubectl (`palisade scan --cluster`). */
  cluster?: ClusterSource;
  /**
   * Write what the cluster read gave to this (new or empty) directory as YAML, and read
   * those files instead (`--save`): findings then point at their lines.
   */
  saveClusterTo?: string;
  /** Called with the files --save wrote and the cluster they came from. */
  onSaved?: (files: readonly string[], cluster: string) => void;
  /** Files larger than this are refused (bytes). */
  maxFileBytes?: number;
  limits?: ParseLimits;
  /** Called after each file, for progress bars. */
  onFile?: (done: number, total: number) => void;
  /** Text for "-" (tests); defaults to reading process.stdin. */
  stdinText?: string;
}

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".terraform", ".idea", ".vscode"]);
/** Beside a Chart.yaml: the chart's templates, and its subcharts (each with templates of its own). */
const HELM_TEMPLATE_DIRECTORIES = new Set(["templates", "charts"]);

/** A file that is not a manifest but that some family reads (Dockerfiles). */
export interface TextFile {
  file: string;
  kind: "dockerfile";
  text: string;
}

export interface LoadedSnapshot extends Snapshot {
  textFiles: TextFile[];
}

export function isDockerfileName(name: string): boolean {
  return name === "Dockerfile" || name === "Containerfile" || name.endsWith(".Dockerfile") || name.endsWith(".dockerfile") || /^(Dockerfile|Containerfile)\.[\w.-]+$/.test(name);
}

/**
 * What the whole input holds, known before its first object loads: a streaming scan
 * judges each object as it loads, and some judgements depend on other objects. Ask it
 * during `begin` only: the loader lets go of texts and objects as it goes.
 */
export interface InputSummary {
  /** Labels of every Namespace object, with `kubernetes.io/metadata.name` (see namespaceLabels). */
  namespaces: ReadonlyMap<string, Labels>;
  /** Every object of a kind the observer asked for ahead (LoadObserver.ahead), in input order. */
  objectsAhead(kind: string): LoadedObject[];
  /**
   * Whether any input's text contains `word`. May say yes wrongly (the word in a comment),
   * never no wrongly: a text with any backslash (an escape could spell the word) mentions every word.
   */
  mentions(word: string): boolean;
}

/** Sees each object as it loads (a streaming scan), and chooses which ones the snapshot keeps. */
export interface LoadObserver {
  /**
   * Kinds to know before the first object loads (Namespace is always among them): the
   * documents that name one are parsed ahead, and their objects wait until their turn.
   */
  ahead?: readonly string[];
  /** Once, before the first object. */
  begin(input: InputSummary): void;
  /** Each object, in input order, while its tree is fresh; true keeps it in the snapshot. */
  object(loaded: LoadedObject): boolean;
}

const KEEP_EVERYTHING: LoadObserver = { begin() {}, object: () => true };

/** One input, read but not yet parsed; `problem` when it could not be read. */
interface Input {
  name: string;
  format: "yaml" | "json" | "dockerfile";
  text: string | undefined;
  problem?: LoadProblem;
  skipped?: boolean;
  /** Read from a pipe (`<(helm template .)`) rather than a file. */
  pipe?: boolean;
  /** The output of `kubectl kustomize DIR` (-k), counted as a kustomization rather than a file. */
  rendersKustomization?: boolean;
  /** A rendered kustomization's way back to the files its objects were written in. */
  origins?: KustomizeOrigins;
}

/**
 * Load manifests into a Snapshot. Unreadable, binary, oversized or malformed inputs
 * become problems with positions; everything else still loads. With an observer, every
 * object passes through it as it loads and the snapshot keeps only what it asks for, so a
 * scan need not hold every object's tree at once.
 */
export async function loadSnapshot(options: LoadOptions, observer: LoadObserver = KEEP_EVERYTHING): Promise<LoadedSnapshot> {
  const snapshot: LoadedSnapshot = { ...emptySnapshot(), textFiles: [] };
  const limits = options.limits ?? DEFAULT_PARSE_LIMITS;
  const inputs = await readInputs(options, snapshot);
  const parse = (input: Input, select?: (document: string) => boolean, deliver?: (loaded: LoadedObject) => void): ParsedFile => {
    const origins = input.origins;
    if (input.format === "json") return parseJsonFile(input.name, input.text ?? "", limits);
    if (!origins) return parseYamlFile(input.name, input.text ?? "", limits, select, deliver);
    const parsed = parseYamlFile(input.name, input.text ?? "", limits, select, deliver && ((loaded) => deliver(origins.map(loaded))));
    return { ...parsed, objects: parsed.objects.map((loaded) => origins.map(loaded)) };
  };
  // Each object as it loads: the observer judges it, and says whether the snapshot keeps it.
  const observe = (loaded: LoadedObject): void => {
    if (observer.object(loaded)) snapshot.objects.push(loaded);
    snapshot.stats.objects++;
  };
  // YAML documents (and JSON files) that name a kind wanted ahead are parsed first, and
  // kept until their file's turn; the rest of their file waits as text.
  const kinds = ["Namespace", ...(observer.ahead ?? [])];
  const namesAheadKind = (text: string | undefined): boolean => kinds.some((kind) => mayMention(text, kind));
  const parsedAhead = new Map<number, ParsedFile>();
  if (observer !== KEEP_EVERYTHING) {
    inputs.forEach((input, i) => {
      if (input.format !== "dockerfile" && namesAheadKind(input.text)) parsedAhead.set(i, parse(input, namesAheadKind));
    });
  }
  // In input order: the map keeps the order its files were added in.
  const objectsAhead = (kind: string): LoadedObject[] => [...parsedAhead.values()].flatMap((parsed) => parsed.objects.filter((loaded) => loaded.object.kind === kind));
  observer.begin({
    namespaces: namespaceLabelsOf(objectsAhead("Namespace")),
    objectsAhead,
    mentions: (word) => inputs.some((input) => mayMention(input.text, word)),
  });
  /** A file's documents in order: those read ahead, and the others now. */
  const parsedInFull = (input: Input, early: ParsedFile | undefined): ParsedFile => {
    if (early === undefined) return parse(input, undefined, observe);
    if (input.format === "json") return early;
    return mergeInDocumentOrder(early, parse(input, (document) => !namesAheadKind(document)));
  };
  let done = 0;
  for (const [i, input] of inputs.entries()) {
    if (input.problem) snapshot.problems.push(input.problem);
    if (input.skipped) snapshot.stats.skippedFiles++;
    if (input.text !== undefined) {
      if (input.format === "dockerfile") {
        const overlong = overlongDockerfileLine(input.text, input.name);
        if (overlong) snapshot.problems.push(overlong);
        else {
          snapshot.textFiles.push({ file: input.name, kind: "dockerfile", text: input.text });
          snapshot.stats.dockerfiles = (snapshot.stats.dockerfiles ?? 0) + 1;
        }
      }
      else merge(snapshot, parsedInFull(input, parsedAhead.get(i)), observe);
      if (isLiveFile(input.name)) snapshot.stats.cluster = input.name;
      else if (input.rendersKustomization) snapshot.stats.kustomizations = (snapshot.stats.kustomizations ?? 0) + 1;
      else snapshot.stats.files++;
      // The text is the observer's to keep (through the objects it keeps), not the loader's.
      input.text = undefined;
      parsedAhead.delete(i);
    }
    options.onFile?.(++done, inputs.length);
  }
  // Nothing else was read: the parser's note that the other documents were still scanned would be untrue.
  if (snapshot.stats.objects === 0 && snapshot.textFiles.length === 0) snapshot.problems = snapshot.problems.map(withoutStillScannedNote);
  return snapshot;
}

/** Every input's text, in order: files, then stdin where "-" stands, then kustomizations, then the cluster. */
async function readInputs(options: LoadOptions, snapshot: Snapshot): Promise<Input[]> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const walked: string[] = [];
  const patches = new Set<string>();
  for (const path of options.paths) {
    if (path === "-") walked.push("-");
    else await collect(path, walked, snapshot, true, patches);
  }
  // Patches a kustomization names are parts of objects: left out of a walk, not of what is named.
  const named = new Set(options.paths);
  const files = patches.size === 0 ? walked : walked.filter((file) => named.has(file) || !patches.has(resolve(file)));
  if (files.length < walked.length) snapshot.stats.skippedPatches = walked.length - files.length;
  const inputs: Input[] = [];
  for (const file of files) {
    if (file === "-") {
      const name = "<stdin>";
      // Standard input is held to the file limit too: a 200 MB stream must not take gigabytes.
      const bytes = options.stdinText !== undefined ? Buffer.from(options.stdinText, "utf8") : await readStdin(maxBytes);
      if (bytes === undefined || bytes.length > maxBytes) {
        const message = `skipped: standard input is over the ${maxBytes}-byte limit`;
        inputs.push({ name, format: "yaml", text: undefined, problem: { kind: "too-large", message, position: { file: name, line: 1, column: 1 }, hint: "raise the limit with --max-file-size, or scan the manifests as files" } });
        continue;
      }
      const read = decodeText(bytes, name);
      const text = read.text;
      inputs.push({ name, format: text !== undefined && isJsonText(text) ? "json" : "yaml", ...read, ...(text !== undefined ? { problem: emptyPipe(name, text) ?? read.problem } : {}) });
    } else {
      const extension = extname(file).toLowerCase();
      const read = readText(file, maxBytes);
      // Only .json names the format. Anything else that is JSON (`kubectl get -o json >
      // pods.yaml`, a pipe such as <(kubectl get pods -o json)) is read as JSON: the same
      // values as reading it as YAML, at a fraction of the time and memory.
      const format = isDockerfileName(basename(file)) ? "dockerfile" : extension === ".json" || (read.text !== undefined && isJsonText(read.text)) ? "json" : "yaml";
      inputs.push({ name: file, format, ...read, ...(read.pipe && read.text !== undefined ? { problem: emptyPipe(file, read.text) ?? read.problem } : {}) });
    }
  }
  for (const dir of options.kustomizeDirs ?? []) {
    // Loaded only for -k: few scans render a kustomization.
    const { renderKustomization } = await import("./kustomize-render.js");
    const rendered = await renderKustomization(dir);
    inputs.push({ name: renderedKustomizationName(dir), format: "yaml", text: rendered.text, rendersKustomization: true, ...(rendered.origins ? { origins: rendered.origins } : {}) });
  }
  if (options.cluster) {
    const cluster = await readCluster(options.cluster);
    if (options.saveClusterTo === undefined) inputs.push({ name: cluster.name, format: "json", text: cluster.text });
    else {
      // Loaded only here: the YAML writer it uses costs every other load its import.
      const { saveClusterList } = await import("../adapters/cluster-save.js");
      const files = saveClusterList(options.saveClusterTo, cluster.text);
      options.onSaved?.(files, cluster.name);
      for (const file of files) inputs.push({ name: file, format: "yaml", ...readText(file, maxBytes) });
    }
    snapshot.problems.push(...cluster.problems);
    snapshot.listedResources = cluster.listed;
    if (cluster.controlled > 0) snapshot.stats.skippedControlled = cluster.controlled;
  }
  return inputs;
}

function mayMention(text: string | undefined, word: string): boolean {
  return text !== undefined && (text.includes(word) || text.includes("\\"));
}

async function collect(path: string, files: string[], snapshot: Snapshot, explicit: boolean, patches: Set<string>): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (explicit && code === "ELOOP") throw new UserError(`cannot read ${path}: ${whyUnreadable(code, "").reason}`, { hint: whyUnreadable(code, "").hint });
    if (explicit) throw new UserError(`cannot read ${path}: no such file or directory`, { hint: "check the path; directories are scanned recursively" });
    return;
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
    const kustomization = KUSTOMIZATION_FILE_NAMES.map((name) => entries.find((entry) => entry.name === name && !entry.isDirectory())).find((entry) => entry !== undefined);
    if (kustomization) for (const patch of await patchFilesOf(join(path, kustomization.name))) patches.add(patch);
    // A Helm chart's templates (and its subcharts') are Go templates, not manifests, until
    // `helm template` renders them: judged as written they give findings on text that
    // never reaches the cluster. They are counted and left out.
    const chart = entries.some((entry) => entry.name === "Chart.yaml" && !entry.isDirectory());
    for (const entry of entries) {
      const entryPath = join(path, entry.name);
      if (entry.isDirectory() && chart && HELM_TEMPLATE_DIRECTORIES.has(entry.name)) {
        const templates: string[] = [];
        await collect(entryPath, templates, emptySnapshot(), false, new Set());
        snapshot.stats.skippedTemplates = (snapshot.stats.skippedTemplates ?? 0) + templates.length;
      } else if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await collect(entryPath, files, snapshot, false, patches);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const wanted = MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase()) || isDockerfileName(entry.name);
        if (wanted && (entry.isFile() || (await linksToFile(entryPath)))) files.push(entryPath);
        else snapshot.stats.skippedFiles++;
      }
    }
  } else if (info.isFile() || info.isFIFO() || info.isCharacterDevice()) {
    // Named explicitly: a pipe too (`palisade scan <(helm template .)`), read to its end.
    files.push(path);
  } else {
    throw new UserError(`cannot read ${path}: it is not a file, a directory or a pipe`, { hint: "name manifest files or directories, or pipe manifests in with `-`" });
  }
}

/**
 * A symbolic link in a walked directory is read when it leads to a file, as `kubectl
 * apply -f DIR` reads it (a mounted ConfigMap's files are all links), and also when it
 * leads nowhere, so that the broken link is reported. A link to a directory is not walked
 * (kubectl does not either, and links can loop), and one to a pipe or device is not read.
 */
async function linksToFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return true;
  }
}

/**
 * Directory entries in code-unit order, as `kubectl apply -f DIR` walks them (Go's byte
 * order): the same on every machine, whatever its locale, and without loading ICU's
 * collator (~13 ms of every scan's start, for localeCompare).
 */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reused for every file read: a thousand small files need no thousand Buffers. */
const READ_BUFFER_BYTES = 1 << 20;
let readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/** Why a file could not be read, in words, and what to do. */
function whyUnreadable(code: string | undefined, fallback: string): { reason: string; hint: string } {
  if (code === "ENOENT") return { reason: "ENOENT", hint: "the file is gone, or it is a symbolic link to nothing" };
  if (code === "ELOOP") return { reason: "a loop of symbolic links (ELOOP)", hint: "the link leads back to itself through other links: point it at a file, or remove it" };
  return { reason: code ?? fallback, hint: "check the file's permissions" };
}

/**
 * Read one file, synchronously: a CLI reading a thousand small files sequentially spends
 * most of an async read waiting on the event loop, not the disk. The size is checked on
 * the open file, so a file swapped between the check and the read cannot slip past it.
 */
function readText(file: string, maxBytes: number): Pick<Input, "text" | "problem" | "skipped" | "pipe"> {
  const at = { file, line: 1, column: 1 };
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const info = fstatSync(fd);
    const size = info.size;
    const pipe = info.isFIFO() || info.isCharacterDevice();
    const tooLarge = { kind: "too-large", position: at, hint: "raise the limit with --max-file-size if this file really is a manifest" } as const;
    if (size > maxBytes) return { text: undefined, problem: { ...tooLarge, message: `skipped: ${size} bytes is over the ${maxBytes}-byte limit per file` } };
    // To the end, not to `size` (files in /proc say 0); one byte past the limit reveals a
    // file that grew beyond it after fstat.
    const length = readAll(fd, maxBytes + 1);
    if (length > maxBytes) return { text: undefined, problem: { ...tooLarge, message: `skipped: over the ${maxBytes}-byte limit per file` } };
    return { ...decodeText(readBuffer.subarray(0, length), file), pipe };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const { reason, hint } = whyUnreadable(code, (err as Error).message);
    return { text: undefined, problem: { kind: "unreadable", message: `cannot read: ${reason}`, position: at, hint } };
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (readBuffer.length > READ_BUFFER_BYTES) readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES); // not kept for one big file
  }
}

/**
 * Nothing on standard input or a pipe is an input error, not a clean scan: it is what a
 * failing `helm template` or `kustomize build` upstream leaves (kubectl apply refuses it too).
 */
function emptyPipe(name: string, text: string): LoadProblem | undefined {
  if (text.trim() !== "") return undefined;
  return {
    kind: "empty-input",
    message: `${name === "<stdin>" ? "standard input" : "the pipe"} was empty: nothing was scanned`,
    position: { file: name, line: 1, column: 1 },
    hint: "check the command that feeds it; with `set -o pipefail` its failure stops the pipeline",
  };
}

/** Reads up to `limit` bytes (fewer at end of file) into readBuffer, growing it as needed. */
function readAll(fd: number, limit: number): number {
  let length = 0;
  for (;;) {
    if (length === readBuffer.length) {
      if (length >= limit) return length;
      const grown = Buffer.allocUnsafe(Math.min(limit, readBuffer.length * 2));
      readBuffer.copy(grown, 0, 0, length);
      readBuffer = grown;
    }
    const n = readSync(fd, readBuffer, length, Math.min(readBuffer.length, limit) - length, null);
    if (n === 0) return length;
    length += n;
    if (length >= limit) return length;
  }
}


/** Two parts of one file's documents (no document in both), as one parse of the file would give them. */
function mergeInDocumentOrder(a: ParsedFile, b: ParsedFile): ParsedFile {
  const byDocument = (x: LoadedObject, y: LoadedObject) => x.source.documentIndex - y.source.documentIndex;
  // Documents occupy disjoint, ordered line ranges: a problem's line orders it.
  const byLine = (x: LoadProblem, y: LoadProblem) => x.position.line - y.position.line;
  return {
    objects: [...a.objects, ...b.objects].sort(byDocument),
    problems: [...a.problems, ...b.problems].sort(byLine),
    documents: a.documents + b.documents,
    skippedNonKubernetes: a.skippedNonKubernetes + b.skippedNonKubernetes,
  };
}

/** A file's parse into the snapshot: its objects (those not already delivered one by one), problems and counts. */
function merge(snapshot: Snapshot, parsed: ParsedFile, observe: (loaded: LoadedObject) => void): void {
  for (const o of parsed.objects) observe(o);
  for (const p of parsed.problems) snapshot.problems.push(p);
  snapshot.stats.documents += parsed.documents;
  snapshot.stats.skippedNonKubernetes += parsed.skippedNonKubernetes;
}

/**
 * Standard input's bytes, or undefined when there are more than `maxBytes`: the rest is
 * read to its end (so the command writing it does not fail on a closed pipe) but not kept.
 */
async function readStdin(maxBytes: number): Promise<Buffer | undefined> {
  if (process.stdin.isTTY) throw new UserError("reading manifests from standard input, but it is a terminal", { hint: "pipe manifests in, e.g. `kubectl get pods -A -o yaml | palisade scan -`" });
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    length += (chunk as Buffer).length;
    if (length <= maxBytes) chunks.push(chunk as Buffer);
    else chunks.length = 0;
  }
  return length > maxBytes ? undefined : Buffer.concat(chunks, length);
}

