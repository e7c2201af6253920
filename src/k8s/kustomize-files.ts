/**
 * The files a kustomize render read, each read once, with the positions of their fields:
 * manifests (objects), kustomizations (a Kustomization or a Component, whether or not it
 * names its kind), and the other YAML a kustomization names (transformer configurations,
 * replacements). A file that cannot be read holds nothing: findings then stay where they were.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import type { SourcePosition } from "../findings/types.js";
import { readBlockYaml } from "./block-yaml.js";
import { jsYaml, kubernetesYamlSchema } from "./js-yaml-lazy.js";
import { inlineTextLocator } from "./kustomize-inline-text.js";
import { KUSTOMIZATION_FILE_NAMES } from "./kustomize-patches.js";
import { DocumentLocator } from "./locate.js";
import { isJsonText, parseJsonFile, parseYamlFile, splitDocuments } from "./parse.js";
import { isRecord, type FieldPath, type LoadedObject, type ObjectSource } from "./types.js";

/** A YAML document of a file: its value, and where its fields are written. */
export interface YamlDocument {
  value: unknown;
  source: ObjectSource;
}

/** A kustomization file (kind Kustomization or Component) and the directory its paths are relative to. */
export interface Kustomization {
  file: string;
  dir: string;
  fields: Record<string, unknown>;
  source: ObjectSource;
}

export class KustomizeFiles {
  private readonly objectCache = new Map<string, LoadedObject[]>();
  private readonly documentCache = new Map<string, YamlDocument | undefined>();

  /** The objects of a manifest file, with positions. */
  objects(file: string): LoadedObject[] {
    let objects = this.objectCache.get(file);
    if (objects === undefined) {
      const text = readText(file);
      const name = displayName(file);
      objects = text === undefined ? [] : (isJsonText(text) ? parseJsonFile(name, text) : parseYamlFile(name, text)).objects;
      this.objectCache.set(file, objects);
    }
    return objects;
  }

  /** The first YAML document of a file, whatever it holds (a list of JSON patch operations, a replacement...). */
  document(file: string): YamlDocument | undefined {
    if (this.documentCache.has(file)) return this.documentCache.get(file);
    const text = readText(file);
    const document = text === undefined ? undefined : firstDocument(displayName(file), text);
    this.documentCache.set(file, document);
    return document;
  }

  /**
   * Where the fields of YAML written as text at `path` of a file's first document are
   * (an inline patch, `patch: |-`); undefined when that text is not a literal block.
   */
  inlineText(file: string, path: FieldPath): ((inner: FieldPath) => SourcePosition) | undefined {
    const document = this.document(file);
    const text = readText(file);
    if (!document || text === undefined) return undefined;
    let value: unknown = document.value;
    for (const part of path) value = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[part] : undefined;
    return typeof value === "string" ? inlineTextLocator(text, document.source.locate(path), value) : undefined;
  }

  /** The kustomization in a kustomization file; undefined when the file is none. */
  kustomization(file: string): Kustomization | undefined {
    const document = this.document(file);
    if (!document || !isRecord(document.value)) return undefined;
    const kind = document.value.kind ?? "Kustomization";
    if (kind !== "Kustomization" && kind !== "Component") return undefined;
    return { file, dir: dirname(file), fields: document.value, source: document.source };
  }

  /** The kustomization of a directory, read from the first of the names kustomize reads. */
  kustomizationIn(dir: string): Kustomization | undefined {
    const name = KUSTOMIZATION_FILE_NAMES.find((candidate) => existsSync(resolve(dir, candidate)));
    return name === undefined ? undefined : this.kustomization(resolve(dir, name));
  }

  /**
   * The directory a transformer configuration's paths are relative to: that of the
   * kustomization naming it, the nearest directory above it that holds one.
   */
  rootOf(file: string): string {
    if (isKustomizationFile(file)) return dirname(file);
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      if (KUSTOMIZATION_FILE_NAMES.some((name) => existsSync(resolve(dir, name)))) return dir;
      if (dirname(dir) === dir) return dirname(file);
    }
  }
}

export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_FILE_NAMES.includes(basename(file));
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** A path under the working directory as a relative one, as the other files of a scan are named. */
export function displayName(file: string): string {
  const near = relative(process.cwd(), file);
  return near !== "" && !near.startsWith("..") && !isAbsolute(near) ? near : file;
}

/** YAML text's value (js-yaml with the Kubernetes schema); undefined when it does not parse. */
export function readYaml(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return jsYaml().load(text, { schema: kubernetesYamlSchema() });
  } catch {
    return undefined;
  }
}

function firstDocument(file: string, text: string): YamlDocument | undefined {
  const chunk = splitDocuments(text)[0];
  if (!chunk) return undefined;
  const fast = readBlockYaml(chunk.text);
  const value = fast ? fast.value : readYaml(chunk.text);
  if (value === undefined) return undefined;
  const locator = fast ? fast.positions : new DocumentLocator(chunk.text);
  const at = (path: FieldPath): SourcePosition => {
    const p = locator.locate(path);
    return { file, line: chunk.startLine + p.line + 1, column: p.column + 1 };
  };
  return {
    value,
    source: {
      file,
      documentIndex: 0,
      get position() {
        return at([]);
      },
      locate: at,
    },
  };
}

/** A URL kustomize fetches: a scheme (https://, git::, ssh://, file://), scp-like git (git@host:), or a host and path (github.com/org/repo). */
function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^git::/.test(entry) || /^[\w.-]+@[\w.-]+:/.test(entry) || /^[a-z0-9-]+(\.[a-z0-9-]+)+\/[^/]/i.test(entry);
}

/** An entry kustomize fetches rather than reads: remote in form, and no local path of that name (`overlays.v2/prod` may be a directory). */
export function isRemoteEntry(dir: string, entry: string): boolean {
  return isRemote(entry) && !existsSync(resolve(dir, entry));
}

/** The fields by which a kustomization names other kustomizations (or files, or remote bases). */
export const REFERENCE_FIELDS: readonly string[] = ["resources", "components", "bases"];

/**
 * The kustomizations of a tree: the root directory's, and those of the local directories
 * its `resources`, `components` and `bases` name, each once, with the files of the
 * kustomizations that name it (`parents`).
 */
export type KustomizationTree = Map<string, { kustomization: Kustomization; parents: Set<string> }>;

export function kustomizationTree(root: string, files: KustomizeFiles): KustomizationTree {
  const tree: KustomizationTree = new Map();
  const visit = (dir: string, parent: string | undefined): void => {
    const kustomization = files.kustomizationIn(dir);
    if (!kustomization) return;
    const known = tree.get(kustomization.file);
    if (known) {
      if (parent !== undefined) known.parents.add(parent);
      return;
    }
    tree.set(kustomization.file, { kustomization, parents: new Set(parent === undefined ? [] : [parent]) });
    for (const field of REFERENCE_FIELDS) {
      const entries = kustomization.fields[field];
      if (Array.isArray(entries)) for (const entry of entries) if (typeof entry === "string" && !isRemoteEntry(kustomization.dir, entry)) visit(resolve(kustomization.dir, entry), kustomization.file);
    }
  };
  visit(root, undefined);
  return tree;
}
