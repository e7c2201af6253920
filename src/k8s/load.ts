import { execFile } from "node:child_process";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { UserError } from "../errors.js";
import { DEFAULT_PARSE_LIMITS, parseJsonFile, parseYamlFile, type ParsedFile, type ParseLimits } from "./parse.js";
import { emptySnapshot, type Snapshot } from "./snapshot.js";

export interface LoadOptions {
  /** Files and directories; "-" reads standard input. */
  paths: string[];
  /** Kustomization directories, rendered with `kubectl kustomize` (or `kustomize build`). */
  kustomizeDirs?: string[];
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
  return name === "Dockerfile" || name === "Containerfile" || name.endsWith(".Dockerfile") || name.endsWith(".dockerfile") || /^Dockerfile\.[\w.-]+$/.test(name);
}

/**
 * Load manifests into a Snapshot. Unreadable, binary, oversized or malformed inputs
 * become problems with positions; everything else still loads.
 */
export async function loadSnapshot(options: LoadOptions): Promise<LoadedSnapshot> {
  const snapshot: LoadedSnapshot = { ...emptySnapshot(), textFiles: [] };
  const limits = options.limits ?? DEFAULT_PARSE_LIMITS;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: string[] = [];
  for (const path of options.paths) {
    if (path === "-") files.push("-");
    else await collect(path, files, snapshot, true);
  }
  let done = 0;
  const total = files.length + (options.kustomizeDirs?.length ?? 0);
  for (const file of files) {
    if (file === "-") {
      const text = options.stdinText ?? (await readStdin());
      merge(snapshot, looksLikeJson(text) ? parseJsonFile("<stdin>", text, limits) : parseYamlFile("<stdin>", text, limits));
      snapshot.stats.files++;
    } else if (isDockerfileName(basename(file))) {
      const text = await readText(file, maxBytes, snapshot);
      if (text !== undefined) {
        snapshot.textFiles.push({ file, kind: "dockerfile", text });
        snapshot.stats.files++;
      }
    } else {
      const text = await readText(file, maxBytes, snapshot);
      if (text !== undefined) {
        merge(snapshot, extname(file).toLowerCase() === ".json" ? parseJsonFile(file, text, limits) : parseYamlFile(file, text, limits));
        snapshot.stats.files++;
      }
    }
    options.onFile?.(++done, total);
  }
  for (const dir of options.kustomizeDirs ?? []) {
    const rendered = await renderKustomization(dir);
    merge(snapshot, parseYamlFile(`kustomize:${dir}`, rendered, limits));
    snapshot.stats.files++;
    options.onFile?.(++done, total);
  }
  snapshot.stats.objects = snapshot.objects.length;
  return snapshot;
}

async function collect(path: string, files: string[], snapshot: Snapshot, explicit: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    if (explicit) throw new UserError(`cannot read ${path}: no such file or directory`, { hint: "check the path; directories are scanned recursively" });
    return;
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await collect(join(path, entry.name), files, snapshot, false);
      } else if (entry.isFile() && (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase()) || isDockerfileName(entry.name))) {
        files.push(join(path, entry.name));
      } else if (entry.isFile()) {
        snapshot.stats.skippedFiles++;
      }
    }
  } else if (info.isFile()) {
    files.push(path);
  }
}

/** Reused for every file read: a thousand small files need no thousand Buffers. */
const READ_BUFFER_BYTES = 1 << 20;
let readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/**
 * Read one file, synchronously: a CLI reading a thousand small files sequentially spends
 * most of an async read waiting on the event loop, not the disk. The size is checked on
 * the open file, so a file swapped between the check and the read cannot slip past it.
 */
async function readText(file: string, maxBytes: number, snapshot: Snapshot): Promise<string | undefined> {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    if (size > maxBytes) {
      snapshot.problems.push({
        kind: "too-large",
        message: `skipped: ${size} bytes is over the ${maxBytes}-byte limit per file`,
        position: { file, line: 1, column: 1 },
        hint: "raise the limit with --max-file-size if this file really is a manifest",
      });
      return undefined;
    }
    // To the end, not to `size` (files in /proc say 0); one byte past the limit reveals a
    // file that grew beyond it after fstat.
    const length = readAll(fd, maxBytes + 1);
    if (length > maxBytes) {
      snapshot.problems.push({ kind: "too-large", message: `skipped: over the ${maxBytes}-byte limit per file`, position: { file, line: 1, column: 1 }, hint: "raise the limit with --max-file-size if this file really is a manifest" });
      return undefined;
    }
    if (readBuffer.subarray(0, Math.min(length, 8192)).includes(0)) {
      snapshot.problems.push({ kind: "binary", message: "skipped: binary file", position: { file, line: 1, column: 1 } });
      snapshot.stats.skippedFiles++;
      return undefined;
    }
    const text = readBuffer.toString("utf8", 0, length);
    if (readBuffer.length > READ_BUFFER_BYTES) readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES); // not kept for one big file
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    snapshot.problems.push({
      kind: "unreadable",
      message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      position: { file, line: 1, column: 1 },
      hint: "check the file's permissions",
    });
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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

function looksLikeJson(text: string): boolean {
  const first = text.trimStart().charAt(0);
  return first === "{" || first === "[";
}

function merge(snapshot: Snapshot, parsed: ParsedFile): void {
  for (const o of parsed.objects) snapshot.objects.push(o);
  for (const p of parsed.problems) snapshot.problems.push(p);
  snapshot.stats.documents += parsed.documents;
  snapshot.stats.skippedNonKubernetes += parsed.skippedNonKubernetes;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UserError("reading manifests from standard input, but it is a terminal", { hint: "pipe manifests in, e.g. `kubectl get pods -A -o yaml | palisade scan -`" });
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve(stdout);
    });
  });
}

async function renderKustomization(dir: string): Promise<string> {
  const attempts: Array<[string, string[]]> = [
    ["kubectl", ["kustomize", dir]],
    ["kustomize", ["build", dir]],
  ];
  let lastError = "";
  for (const [command, args] of attempts) {
    try {
      return await run(command, args);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === "ENOENT") continue;
      lastError = (e.stderr || e.message || "").trim().split("\n")[0] ?? "";
      throw new UserError(`kustomize could not render ${dir}: ${lastError}`, { hint: "run `kubectl kustomize " + dir + "` to see the full error" });
    }
  }
  throw new UserError(`cannot render the kustomization in ${dir}: neither kubectl nor kustomize is installed`, {
    hint: "install kubectl (which includes kustomize), or render it yourself: `kustomize build DIR | palisade scan -`",
  });
}
