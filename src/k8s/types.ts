import type { ObjectRef, SourcePosition } from "../findings/types.js";

/** A Kubernetes object as loaded: plain JSON data, nothing assumed beyond apiVersion/kind. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A path into an object: keys and array indices, e.g. ["spec", "containers", 0, "image"]. */
export type FieldPath = ReadonlyArray<string | number>;

/**
 * Where an object came from. `locate` turns a field path into a file position lazily,
 * so that loading stays as fast as the YAML parser and only reported fields pay for
 * their positions.
 */
export interface ObjectSource {
  file: string;
  /** 0-based index of the YAML document in its file. */
  documentIndex: number;
  /** Position of the document's (or List item's) first line. */
  position: SourcePosition;
  /**
   * Position of the field at `path` (relative to this object), or the nearest existing
   * parent. A method: call it on the source (`source.locate(p)`), do not detach it.
   */
  locate(path: FieldPath): SourcePosition;
  /** kubectl apply never sends the object: its document follows a `...` line (split-documents.ts). */
  notAppliedByKubectl?: true;
}

/**
 * The file name of objects read from a live cluster (`palisade scan --cluster`), like
 * `<stdin>`: angle brackets, so that no path on disk is taken for it.
 */
export function liveSourceName(context: string | undefined): string {
  return context ? `<cluster ${context}>` : "<cluster>";
}

/** Whether a file name is that of a live cluster (see liveSourceName). */
export function isLiveFile(file: string): boolean {
  return file === "<cluster>" || (file.startsWith("<cluster ") && file.endsWith(">"));
}

/** The file name of the objects `kubectl kustomize DIR` rendered, where their own files could not be traced (kustomize-origins.ts). */
export function renderedKustomizationName(dir: string): string {
  return `kustomize:${dir}`;
}

/**
 * Whether a source name is a file of the checkout, one that GitHub's annotations and code
 * scanning can open: not `<stdin>`, `<cluster CTX>` and the like (angle brackets, so that
 * no path on disk is taken for one), nor a rendered kustomization's text.
 */
export function isCheckoutFile(file: string): boolean {
  return !file.startsWith("<") && !file.startsWith("kustomize:");
}

/** Whether an object was read from a live cluster: the API server has validated it already. */
export function isLiveSource(source: ObjectSource): boolean {
  return isLiveFile(source.file);
}

export interface LoadedObject {
  object: K8sObject;
  source: ObjectSource;
}

/** A problem met while loading: the input continues to load around it. */
export interface LoadProblem {
  kind: "parse-error" | "too-large" | "too-deep" | "alias-limit" | "binary" | "unreadable" | "not-kubernetes" | "invalid-object" | "empty-input" | "encoding";
  message: string;
  position: SourcePosition;
  hint?: string;
}

export interface LoadStats {
  files: number;
  documents: number;
  objects: number;
  /** Documents that parsed but are not Kubernetes objects (no apiVersion/kind). */
  skippedNonKubernetes: number;
  /** Files skipped as binary or by extension. */
  skippedFiles: number;
  /** Files a kustomization names as patches, left out of a directory walk (see kustomize-patches.ts). */
  skippedPatches?: number;
  /** Files under a Helm chart's templates/ and charts/, left out of a directory walk. */
  skippedTemplates?: number;
  /** Dockerfiles read (counted in `files` too): files, not objects, which the summary counts apart. */
  dockerfiles?: number;
  /** Kustomizations rendered (`-k DIR`); not counted in `files`. */
  kustomizations?: number;
  /** The live cluster read (`--cluster`), by its file name (`<cluster CONTEXT>`); not counted in `files`. */
  cluster?: string;
  /** Live objects left out because their controller was read too (a Deployment's ReplicaSets and pods): judged through it. */
  skippedControlled?: number;
}

/**
 * A copy of `text` that does not keep alive the file it was read from. The YAML reader cuts
 * values out of their file's text, and V8 represents a cut of 13 or more characters as a
 * view of the whole text: one such name kept in a finding or a scan's object list keeps its
 * whole file in memory (a scan of 5 MB of manifests with longer names held 5 MB more). Text
 * that outlives its file's parse — references, the labels of network endpoints — goes
 * through here. (A string of two parts is made flat, into fresh memory, when it is cut.)
 */
export function detached<T>(value: T): T {
  // Anything but a long string (a number where a name should be, say) is kept as it is.
  return typeof value === "string" && value.length >= 13 ? (` ${value}`.slice(1) as T) : value;
}

export function objectRef(object: K8sObject): ObjectRef {
  const ref: ObjectRef = {
    kind: text(object.kind ?? "Unknown"),
    name: text(object.metadata?.name ?? object.metadata?.generateName ?? "(unnamed)"),
  };
  if (object.apiVersion) ref.apiVersion = text(object.apiVersion);
  if (object.metadata?.namespace) ref.namespace = text(object.metadata.namespace);
  return ref;
}

/** A reference is text in every report (its schema says so), even for `name: 1.0` or `name: yes`. */
function text(value: unknown): string {
  return typeof value === "string" ? detached(value) : String(value);
}

/**
 * An object reduced to its reference and its own position: what a finding on the object
 * itself needs. Neither its tree nor its document (text, field positions) is kept, so a
 * streaming scan can hold one per workload.
 */
export function slimmed(loaded: LoadedObject, at: FieldPath = []): LoadedObject {
  const { apiVersion, kind, metadata } = loaded.object;
  const slimMetadata: Record<string, unknown> = {};
  if (metadata?.name !== undefined) slimMetadata.name = detached(metadata.name);
  if (metadata?.generateName !== undefined) slimMetadata.generateName = detached(metadata.generateName);
  if (metadata?.namespace !== undefined) slimMetadata.namespace = detached(metadata.namespace);
  const object: K8sObject = { metadata: slimMetadata };
  if (apiVersion !== undefined) object.apiVersion = detached(apiVersion);
  if (kind !== undefined) object.kind = detached(kind);
  return { object, source: new RootPositionSource(loaded.source, at) };
}

/**
 * Where a finding about a namespace the input holds no Namespace object for points: the
 * `namespace:` field of an object in it (its metadata, for an object that lands in the
 * default namespace by naming none), as slimmed() keeps it.
 */
export function namespaceAnchor(loaded: LoadedObject): LoadedObject {
  return slimmed(loaded, ["metadata", "namespace"]);
}

class RootPositionSource implements ObjectSource {
  readonly file: string;
  readonly documentIndex: number;
  readonly position: SourcePosition;

  /** `at`: the field whose position stands for the object's (its own by default). */
  constructor(source: ObjectSource, at: FieldPath) {
    this.file = source.file;
    this.documentIndex = source.documentIndex;
    this.position = source.locate(at);
  }

  locate(path: FieldPath): SourcePosition {
    // Loud, not approximate: a caller that needs fields must keep the object whole.
    if (path.length > 0) throw new Error(`the position of ${formatFieldPath(path)} was not kept (a slimmed object keeps its own position only)`);
    return { ...this.position };
  }
}

/** `Kind/namespace/name`, the short form used in text output and logs. */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/**
 * Dotted JSONPath-like rendering: spec.containers[0].securityContext. Printed paths are
 * kept in a tree of the paths seen so far, so the tens of thousands of findings of a big
 * scan share a few hundred flat strings instead of each building (and keeping) its own.
 */
export function formatFieldPath(path: FieldPath): string {
  let node = PRINTED_ROOT;
  for (const part of path) {
    const next = node.next?.get(part) ?? printedChild(node, part);
    if (next === undefined) return printFieldPath(path);
    node = next;
  }
  return node.text;
}

interface PrintedPath {
  text: string;
  next: Map<string | number, PrintedPath> | undefined;
}

const PRINTED_ROOT: PrintedPath = { text: "", next: undefined };
/** Beyond this many distinct paths (label keys, long lists), paths are printed each time. */
const MAX_PRINTED_PATHS = 1 << 16;
let printedPaths = 0;

function printedChild(parent: PrintedPath, part: string | number): PrintedPath | undefined {
  if (printedPaths >= MAX_PRINTED_PATHS) return undefined;
  printedPaths++;
  const printed = segment(part, parent === PRINTED_ROOT);
  // Joined, not appended: one flat string rather than a chain of pieces.
  const child: PrintedPath = { text: [parent.text, printed].join(""), next: undefined };
  // The tree lives as long as the process: its keys must not be views of a file's text.
  (parent.next ??= new Map()).set(detached(part), child);
  return child;
}

function printFieldPath(path: FieldPath): string {
  const parts: string[] = [];
  for (const part of path) parts.push(segment(part, parts.length === 0));
  return parts.join("");
}

/** A path part as printed after others (`.name`, `[0]`, `["a.b"]`), or first (`name`). */
function segment(part: string | number, first: boolean): string {
  if (typeof part === "number") return `[${part}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) return `[${JSON.stringify(part)}]`;
  return first ? part : `.${part}`;
}

/** The value at a field path (a list item by number, a mapping's field by name), or undefined. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === "number") node = node[part];
    else if (isRecord(node) && typeof part === "string") node = node[part];
    else return undefined;
  }
  return node;
}

/** RFC 6901 pointer for JSON patches. */
export function toJsonPointer(path: FieldPath): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
