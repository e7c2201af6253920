/**
 * The fields a kustomization's patches set: strategic merge patches (a file's document, or
 * inline text) and JSON 6902 operations (a file's, or inline), written as a kustomization's
 * `patches`, `patchesStrategicMerge` and `patchesJson6902`, or as a transformer
 * configuration (PatchTransformer...). A field a patch sets points at it in the patch's file,
 * or inside an inline patch written as a literal block (`patch: |-`), else at its entry.
 */
import { resolve } from "node:path";
import type { SourcePosition } from "../findings/types.js";
import type { KustomizeFiles } from "./kustomize-files.js";
import { readYaml } from "./kustomize-files.js";
import { isScalar, pathIn, selects, startsWith, type Claim, type FieldQuery, type TransformerConfig } from "./kustomize-fields.js";
import { patchEntriesOf, type PatchEntry } from "./kustomize-patches.js";
import { isRecord, valueAt, type FieldPath, type K8sObject } from "./types.js";

/** The kustomization field each patch transformer reads. */
const FIELD_OF: Record<string, string> = { PatchTransformer: "patches", PatchStrategicMergeTransformer: "patchesStrategicMerge", PatchJson6902Transformer: "patchesJson6902" };

/** Fields a strategic merge patch names to find its object, not to set them. */
const IDENTITY: readonly FieldPath[] = [["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"]];

interface Operation {
  path: FieldPath;
  value?: unknown;
  at: () => SourcePosition;
}

interface Patch {
  /** A strategic merge patch's fields, and where they are written when in a file of their own. */
  fields?: K8sObject;
  /** Where a field of `fields` is written: in the patch's file, or inside inline text written as a literal block. */
  locateField?: (path: FieldPath) => SourcePosition;
  operations?: Operation[];
  /** Where the patch's entry is. */
  entry: () => SourcePosition;
  target?: Record<string, unknown>;
}

/** The claims of the patches a patch transformer (`kind`) of `config` applies to `object`, in their order. */
export function patchClaims(config: TransformerConfig, kind: string, object: K8sObject, files: KustomizeFiles): Claim[] {
  return patchesOf(config, kind, files)
    .filter((patch) => appliesTo(patch, object))
    .map((patch) => (query) => claim(patch, query));
}

function entriesOf(config: TransformerConfig, kind: string): PatchEntry[] {
  const fields = config.fields;
  if (!config.plugin) {
    const all = patchEntriesOf(fields);
    const own = all.filter((entry) => entry.at[0] === FIELD_OF[kind]);
    return own.length > 0 ? own : all;
  }
  const target = isRecord(fields.target) ? { target: fields.target } : {};
  const entries: PatchEntry[] = [];
  if (typeof fields.path === "string") entries.push({ at: ["path"], path: fields.path, ...target });
  if (typeof fields.patch === "string") entries.push({ at: ["patch"], text: fields.patch, ...target });
  if (typeof fields.jsonOp === "string") entries.push({ at: ["jsonOp"], text: fields.jsonOp, ...target });
  if (Array.isArray(fields.paths)) fields.paths.forEach((path: unknown, i) => typeof path === "string" && entries.push({ at: ["paths", i], path }));
  if (typeof fields.patches === "string") entries.push({ at: ["patches"], text: fields.patches });
  return entries;
}

function patchesOf(config: TransformerConfig, kind: string, files: KustomizeFiles): Patch[] {
  const patches: Patch[] = [];
  for (const entry of entriesOf(config, kind)) {
    const at = () => config.locate(entry.at);
    const target = entry.target ? { target: entry.target } : {};
    if (entry.text !== undefined) {
      const value = readYaml(entry.text);
      const inside = config.inline?.(entry.at);
      if (Array.isArray(value)) patches.push({ operations: operationsOf(value, (i) => (inside ? () => inside([i]) : at)), entry: at, ...target });
      else if (isRecord(value)) patches.push({ fields: value as K8sObject, ...(inside ? { locateField: inside } : {}), entry: at, ...target });
    } else if (entry.path !== undefined) {
      const file = resolve(config.root, entry.path);
      const documents = files.objects(file);
      for (const document of documents) patches.push({ fields: document.object, locateField: (path) => document.source.locate(path), entry: at, ...target });
      // JSON patch operations are a list, not an object: each is pointed at in its file.
      const list = documents.length === 0 ? files.document(file) : undefined;
      if (list && Array.isArray(list.value)) patches.push({ operations: operationsOf(list.value, (i) => () => list.source.locate([i])), entry: at, ...target });
    }
  }
  return patches;
}

/** Whether a patch of a kustomization that ran over `object` is one that applies to it. */
function appliesTo(patch: Patch, object: K8sObject): boolean {
  if (patch.target) return selects(patch.target, object);
  const kind = patch.fields?.kind;
  if (typeof kind === "string" && kind !== object.kind) return false;
  const name = patch.fields?.metadata?.name;
  return typeof name === "string" && String(object.metadata?.name ?? "").includes(name);
}

function claim(patch: Patch, query: FieldQuery): SourcePosition | undefined {
  if (patch.operations) {
    for (let i = patch.operations.length - 1; i >= 0; i--) {
      const operation = patch.operations[i] as Operation;
      const written = resolveAppend(operation.path, query.object);
      if (!startsWith(query.path, written)) continue;
      // An operation that sets this very field to another value is not what set it last.
      if (written.length === query.path.length && isScalar(operation.value) && operation.value !== undefined && operation.value !== query.value) continue;
      return operation.at();
    }
  }
  if (patch.fields && !IDENTITY.some((identity) => identity.length === query.path.length && startsWith(query.path, identity))) {
    const inPatch = pathIn(query.object, patch.fields, query.path);
    if (!inPatch.complete) return undefined;
    if (isScalar(query.value) && valueAt(patch.fields, inPatch.path) !== query.value) return undefined;
    return patch.locateField ? patch.locateField(inPatch.path) : patch.entry();
  }
  return undefined;
}

/** The paths JSON patch operations write (add, replace, copy and move write `path`), with the operation's value. */
function operationsOf(operations: readonly unknown[], at: (index: number) => () => SourcePosition): Operation[] {
  const result: Operation[] = [];
  operations.forEach((operation, i) => {
    if (!isRecord(operation) || typeof operation.path !== "string" || !["add", "replace", "copy", "move"].includes(String(operation.op))) return;
    const path = operation.path
      .split("/")
      .slice(1)
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    result.push({ path, ...(operation.op === "add" || operation.op === "replace" ? { value: operation.value } : {}), at: at(i) });
  });
  return result;
}

/** A path that appends to a list (`/containers/-`) as the index of the list's last item, where it went. */
function resolveAppend(path: FieldPath, object: K8sObject): FieldPath {
  const dash = path.indexOf("-");
  if (dash < 0) return path;
  const list = valueAt(object, path.slice(0, dash));
  return Array.isArray(list) ? [...path.slice(0, dash), list.length - 1, ...path.slice(dash + 1)] : path;
}
