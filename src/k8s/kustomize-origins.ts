/**
 * Where a field of a kustomize-rendered object was written. kustomize's build annotations
 * (kustomize-render.ts) name the file each object came from and the kustomizations that
 * patched it; this maps a rendered object's field to:
 * - the patch that sets it (a patch file's document, or an inline patch in a kustomization),
 *   the last one applied first;
 * - else the object's own file, where the field sits at the same path (list items matched
 *   by their `name`, as strategic merge matches containers), or, for a field the object
 *   lacks, its nearest parent there: where the user would add it;
 * - else, when the rendered value is not the source's and no patch we can read sets it (a
 *   transformer such as `images:` changed it), the rendered text, as before.
 * Generated ConfigMaps and Secrets point at their generator's entry in the kustomization.
 * The two annotations are removed from the object before anything judges it.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { SourcePosition } from "../findings/types.js";
import { jsYaml, kubernetesYamlSchema } from "./js-yaml-lazy.js";
import { parseImageReference } from "../supplychain/image-reference.js";
import { patchEntriesOf } from "./kustomize-patches.js";
import { isJsonText, parseJsonFile, parseYamlFile } from "./parse.js";
import { isRecord, valueAt, type FieldPath, type K8sObject, type LoadedObject, type ObjectSource } from "./types.js";

export interface KustomizeOrigins {
  /** The object with its build annotations removed, and a source that points into the files it came from. */
  map(loaded: LoadedObject): LoadedObject;
}

const ORIGIN = "config.kubernetes.io/origin";
const TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations";
const GENERATOR_FIELDS: Record<string, string> = { ConfigMapGenerator: "configMapGenerator", SecretGenerator: "secretGenerator" };

/** A patch that may set fields of an object: a document to read fields from, or JSON patch operations. */
interface Patch {
  /** A strategic merge patch's fields. */
  fields?: K8sObject;
  /** Where its fields are written, when it is a file's document (an inline patch is a string: its entry is pointed at). */
  fieldSource?: ObjectSource;
  /** JSON patch operations' paths, as field paths. */
  operationPaths?: FieldPath[];
  /** Where to point for a field the patch sets: its document's field, else this entry of its kustomization. */
  entry: { source: ObjectSource; path: FieldPath };
  /** The entry's target selector, when it has one: its document's name need not be the object's. */
  target?: Record<string, unknown>;
}

/** Whether a patch of a kustomization that patched `object` is one that applies to it. */
function appliesTo(patch: Patch, object: K8sObject): boolean {
  const kind = patch.target?.kind ?? patch.fields?.kind;
  if (typeof kind === "string" && kind !== object.kind) return false;
  if (patch.target) return typeof patch.target.name !== "string" || String(object.metadata?.name ?? "").includes(patch.target.name);
  const name = patch.fields?.metadata?.name;
  return typeof name === "string" && String(object.metadata?.name ?? "").includes(name);
}

export function kustomizeOrigins(wrapper: string): KustomizeOrigins {
  const files = new Map<string, LoadedObject[]>();
  const loadFile = (file: string): LoadedObject[] => {
    let objects = files.get(file);
    if (objects === undefined) {
      objects = readObjects(file);
      files.set(file, objects);
    }
    return objects;
  };
  const kustomizations = new Map<string, Patch[]>();
  const patchesIn = (file: string): Patch[] => {
    let patches = kustomizations.get(file);
    if (patches === undefined) {
      const kustomization = loadFile(file).find((loaded) => loaded.object.kind === "Kustomization");
      patches = kustomization ? patchesOf(kustomization, file, loadFile) : [];
      kustomizations.set(file, patches);
    }
    return patches;
  };
  return {
    map(loaded) {
      const annotations = takeBuildAnnotations(loaded.object);
      if (!annotations) return loaded;
      const { origin, transformations } = annotations;
      if (typeof origin.path === "string" && origin.repo === undefined) {
        const own = matching(loadFile(resolve(wrapper, origin.path)), loaded.object);
        if (!own) return loaded;
        const patches = configuredIn(transformations, (kind) => kind.startsWith("Patch"))
          .flatMap((file) => patchesIn(resolve(wrapper, file)))
          .filter((patch) => appliesTo(patch, loaded.object));
        const images = configuredIn(transformations, (kind) => kind === "ImageTagTransformer").flatMap((file) => imagesIn(loadFile(resolve(wrapper, file))));
        return { object: loaded.object, source: new OriginSource(loaded, own, patches, images) };
      }
      const generatorField = GENERATOR_FIELDS[kindOf(origin.configuredBy)];
      if (generatorField && typeof origin.configuredIn === "string") {
        const kustomization = loadFile(resolve(wrapper, origin.configuredIn)).find((k) => k.object.kind === "Kustomization");
        const generators = kustomization ? valueAt(kustomization.object, [generatorField]) : undefined;
        const index = Array.isArray(generators) ? bestNameMatch(generators, String(loaded.object.metadata?.name ?? "")) : -1;
        if (kustomization && index >= 0) return { object: loaded.object, source: new GeneratorSource(kustomization.source, [generatorField, index], (generators as unknown[])[index]) };
      }
      return loaded;
    },
  };
}

/** The object's origin and transformations, removed from it (both, always); undefined when it has no origin. */
function takeBuildAnnotations(object: K8sObject): { origin: Record<string, unknown>; transformations: Array<Record<string, unknown>> } | undefined {
  const annotations = object.metadata?.annotations;
  if (!isRecord(annotations) || !(ORIGIN in annotations || TRANSFORMATIONS in annotations)) return undefined;
  const origin = readYaml(annotations[ORIGIN]);
  const transformations = readYaml(annotations[TRANSFORMATIONS]);
  delete annotations[ORIGIN];
  delete annotations[TRANSFORMATIONS];
  if (Object.keys(annotations).length === 0 && object.metadata) delete object.metadata.annotations;
  if (!isRecord(origin)) return undefined;
  return { origin, transformations: Array.isArray(transformations) ? transformations.filter(isRecord) : [] };
}

/** The kustomization files of the transformations of a kind (PatchTransformer...), each once, in order. */
function configuredIn(transformations: ReadonlyArray<Record<string, unknown>>, kind: (kind: string) => boolean): string[] {
  const files = transformations.filter((t) => kind(kindOf(t.configuredBy))).map((t) => t.configuredIn);
  return [...new Set(files.filter((file): file is string => typeof file === "string"))];
}

function readYaml(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return jsYaml().load(text, { schema: kubernetesYamlSchema() });
  } catch {
    return undefined;
  }
}

function kindOf(configuredBy: unknown): string {
  return isRecord(configuredBy) && typeof configuredBy.kind === "string" ? configuredBy.kind : "";
}

/** A file's objects with positions; none when it cannot be read (the findings then stay on the rendered text). */
function readObjects(file: string): LoadedObject[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const name = displayName(file);
  return (isJsonText(text) ? parseJsonFile(name, text) : parseYamlFile(name, text)).objects;
}

/** A path under the working directory as a relative one, as the other files of a scan are named. */
function displayName(file: string): string {
  const near = relative(process.cwd(), file);
  return near !== "" && !near.startsWith("..") && !isAbsolute(near) ? near : file;
}

/**
 * The object of a file that the rendered object came from: the only one of its kind, else
 * the one whose name the rendered name contains (namePrefix and nameSuffix add to it), the
 * longest such name first.
 */
function matching(objects: readonly LoadedObject[], rendered: K8sObject): LoadedObject | undefined {
  const sameKind = objects.filter((loaded) => loaded.object.kind === rendered.kind);
  if (sameKind.length <= 1) return sameKind[0];
  const index = bestNameMatch(sameKind.map((loaded) => loaded.object.metadata ?? {}), String(rendered.metadata?.name ?? ""));
  return index >= 0 ? sameKind[index] : undefined;
}

function bestNameMatch(entries: readonly unknown[], renderedName: string): number {
  let best = -1;
  let bestLength = 0;
  entries.forEach((entry, i) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (typeof name === "string" && name.length > bestLength && renderedName.includes(name)) {
      best = i;
      bestLength = name.length;
    }
  });
  return best;
}

/** A kustomization's `images` entries: each sets the name, tag or digest of the images it names. */
interface ImageEntry {
  /** The image name it leaves behind (newName, else name). */
  result: string;
  source: ObjectSource;
  path: FieldPath;
}

function imagesIn(objects: readonly LoadedObject[]): ImageEntry[] {
  const kustomization = objects.find((loaded) => loaded.object.kind === "Kustomization");
  const list = kustomization?.object.images;
  if (!kustomization || !Array.isArray(list)) return [];
  return list.flatMap((entry: unknown, i) => {
    const result = isRecord(entry) ? (entry.newName ?? entry.name) : undefined;
    return typeof result === "string" ? [{ result, source: kustomization.source, path: ["images", i] }] : [];
  });
}

/** The repository an image reference names (docker.io/library/nginx for nginx:1.25), as the kubelet reads it; undefined when it names none. */
function repositoryOf(image: string): string | undefined {
  const parsed = parseImageReference(image);
  return parsed.ok ? parsed.reference.repository : undefined;
}

/** The patches a kustomization applies, in its order: files by `path`, and inline ones. */
function patchesOf(kustomization: LoadedObject, file: string, loadFile: (file: string) => LoadedObject[]): Patch[] {
  const patches: Patch[] = [];
  const at = (path: FieldPath) => ({ source: kustomization.source, path });
  const fromText = (text: string, entry: { source: ObjectSource; path: FieldPath }, target: Record<string, unknown> | undefined): void => {
    const value = readYaml(text);
    if (Array.isArray(value)) patches.push({ operationPaths: operationPaths(value), entry, ...(target ? { target } : {}) });
    else if (isRecord(value)) patches.push({ fields: value as K8sObject, entry, ...(target ? { target } : {}) });
  };
  const fromFile = (path: string, entry: { source: ObjectSource; path: FieldPath }, target: Record<string, unknown> | undefined): void => {
    const patchFile = resolve(file, "..", path);
    const documents = loadFile(patchFile);
    if (documents.length > 0) for (const document of documents) patches.push({ fields: document.object, fieldSource: document.source, entry, ...(target ? { target } : {}) });
    else {
      // JSON patch operations are a list, not an object: read for their paths, pointed at by the entry.
      let text: string | undefined;
      try {
        text = readFileSync(patchFile, "utf8");
      } catch {
        text = undefined;
      }
      if (text !== undefined) fromText(text, entry, target);
    }
  };
  for (const entry of patchEntriesOf(kustomization.object)) {
    if (entry.path !== undefined) fromFile(entry.path, at(entry.at), entry.target);
    else if (entry.text !== undefined) fromText(entry.text, at(entry.at), entry.target);
  }
  return patches;
}

/** The paths JSON patch operations write (add, replace, copy and move write `path`). */
function operationPaths(operations: readonly unknown[]): FieldPath[] {
  const paths: FieldPath[] = [];
  for (const operation of operations) {
    if (!isRecord(operation) || typeof operation.path !== "string" || !["add", "replace", "copy", "move"].includes(String(operation.op))) continue;
    paths.push(
      operation.path
        .split("/")
        .slice(1)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
    );
  }
  return paths;
}

/**
 * `path` of the rendered object as a path into `source`: a list item with a `name` is found
 * by that name (a strategic merge matches containers, volumes and env by name), others by
 * position. `complete` is false when `source` lacks the field; `path` is then its nearest parent.
 */
function pathIn(rendered: unknown, source: unknown, path: FieldPath): { path: FieldPath; complete: boolean } {
  const mapped: Array<string | number> = [];
  let from = rendered;
  let to = source;
  for (const part of path) {
    if (typeof part === "number") {
      if (!Array.isArray(from) || !Array.isArray(to)) return { path: mapped, complete: false };
      const item: unknown = from[part];
      const name = isRecord(item) ? item.name : undefined;
      const index = name !== undefined ? to.findIndex((candidate) => isRecord(candidate) && candidate.name === name) : part < to.length ? part : -1;
      if (index < 0) return { path: mapped, complete: false };
      mapped.push(index);
      from = item;
      to = to[index];
    } else {
      if (!isRecord(to) || !(part in to)) return { path: mapped, complete: false };
      mapped.push(part);
      from = isRecord(from) ? from[part] : undefined;
      to = to[part];
    }
  }
  return { path: mapped, complete: true };
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => String(part) === String(path[i]));
}

/** An object's fields in the files it was written in (see the file's comment). */
class OriginSource implements ObjectSource {
  constructor(
    private readonly rendered: LoadedObject,
    private readonly own: LoadedObject,
    private readonly patches: readonly Patch[],
    private readonly images: readonly ImageEntry[],
  ) {}

  get file(): string {
    return this.own.source.file;
  }

  get documentIndex(): number {
    return this.own.source.documentIndex;
  }

  get position(): SourcePosition {
    return this.own.source.position;
  }

  locate(path: FieldPath): SourcePosition {
    const value = valueAt(this.rendered.object, path);
    if (value !== undefined) {
      for (let i = this.patches.length - 1; i >= 0; i--) {
        const patch = this.patches[i] as Patch;
        if (patch.operationPaths?.some((written) => startsWith(path, written))) return patch.entry.source.locate(patch.entry.path);
        if (patch.fields) {
          const inPatch = pathIn(this.rendered.object, patch.fields, path);
          if (inPatch.complete) return patch.fieldSource ? patch.fieldSource.locate(inPatch.path) : patch.entry.source.locate(patch.entry.path);
        }
      }
    }
    const inOwn = pathIn(this.rendered.object, this.own.object, path);
    if (!inOwn.complete) return value === undefined ? this.own.source.locate(inOwn.path) : this.rendered.source.locate(path);
    const written = valueAt(this.own.object, inOwn.path);
    const isScalar = value === null || typeof value !== "object";
    if (!isScalar || written === value) return this.own.source.locate(inOwn.path);
    const repository = path[path.length - 1] === "image" && typeof value === "string" ? repositoryOf(value) : undefined;
    const setter = repository !== undefined ? this.images.findLast((entry) => repositoryOf(entry.result) === repository) : undefined;
    return setter ? setter.source.locate(setter.path) : this.rendered.source.locate(path);
  }
}

/**
 * A generated ConfigMap or Secret: its generator's entry in the kustomization, and for a
 * key of its data the literal or file that gives it.
 */
class GeneratorSource implements ObjectSource {
  constructor(
    private readonly kustomization: ObjectSource,
    private readonly entry: FieldPath,
    private readonly generator: unknown,
  ) {}

  get file(): string {
    return this.kustomization.file;
  }

  get documentIndex(): number {
    return this.kustomization.documentIndex;
  }

  get position(): SourcePosition {
    return this.kustomization.locate(this.entry);
  }

  locate(path: FieldPath): SourcePosition {
    const key = (path[0] === "data" || path[0] === "stringData" || path[0] === "binaryData") && typeof path[1] === "string" ? path[1] : undefined;
    if (key !== undefined && isRecord(this.generator)) {
      for (const list of ["literals", "files"]) {
        const entries = this.generator[list];
        const index = Array.isArray(entries) ? entries.findIndex((entry) => typeof entry === "string" && keyOf(entry, list) === key) : -1;
        if (index >= 0) return this.kustomization.locate([...this.entry, list, index]);
      }
    }
    return this.kustomization.locate(this.entry);
  }
}

/** The data key a generator entry gives: `key=value` for a literal, `key=path` or the file's name for a file. */
function keyOf(entry: string, list: string): string {
  const equals = entry.indexOf("=");
  if (equals > 0) return entry.slice(0, equals);
  return list === "files" ? (entry.split("/").pop() ?? entry) : entry;
}
