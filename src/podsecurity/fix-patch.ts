/**
 * A Pod Security finding's fix as an RFC 6902 JSON patch against the object as written (a
 * live object has no file to edit: `kubectl patch --type json` takes this). It is the
 * object's whole fix, `palisade fix`'s plan (fix/plan.ts), and every finding it resolves
 * carries the same patch: per-check patches would each create the same missing
 * securityContext, and applied one after another the second `add` would wipe what the first
 * wrote. A check palisade leaves to a person gets no patch.
 *
 * The patch applies once. It opens with `test` operations holding every value it replaces,
 * removes or appends to, as scanned: applied a second time, or to an object changed since
 * the scan, it is refused whole (the API server applies a JSON patch all or nothing) instead
 * of removing the wrong capability or appending "ALL" twice. What it only adds is the same
 * however often it is applied.
 */
import { isDeepStrictEqual } from "node:util";
import type * as JsonPatch from "fast-json-patch";
import type { JsonPatchOperation } from "../findings/types.js";
import { applyToJson, sortEdits, type Edit } from "../fix/edits.js";
import { planPodFix } from "../fix/plan.js";
import { isRecord, toJsonPointer, valueAt, type FieldPath, type K8sObject } from "../k8s/types.js";
import type { PodTemplate } from "../k8s/workloads.js";
import { lazyModule } from "../lazy-module.js";
import type { Level, Version } from "./levels.js";

// RFC 6902 and 6901 as fast-json-patch has them, loaded only when a scan asks for fixes.
const jsonPatch = lazyModule<typeof JsonPatch>("fast-json-patch");

export interface ObjectFix {
  patch: JsonPatchOperation[];
  /** The checks the pod fails as scanned and passes once patched. */
  resolves: ReadonlySet<string>;
}

/**
 * The patch that makes `template`'s pod pass what palisade fixes at `level` and `version`,
 * or undefined when there is nothing it would change, or when its edits would make a check
 * fail that the pod passes now.
 */
export function objectFixPatch(object: K8sObject, template: PodTemplate, level: Level, version: Version): ObjectFix | undefined {
  const plan = planPodFix(level, version, template.pod);
  if (plan.rounds.length === 0) return undefined;
  const failedBefore = new Set(plan.before.map((v) => v.checkId));
  const failedAfter = new Set(plan.after.map((v) => v.checkId));
  for (const id of failedAfter) if (!failedBefore.has(id)) return undefined;
  const root = template.path.length === 0 ? object : valueAt(object, template.path);
  const operations = editsAsJsonPatch(root, template.path, plan.rounds);
  if (!operations) return undefined;
  return { patch: [...guardsOf(object, operations), ...operations], resolves: new Set([...failedBefore].filter((id) => !failedAfter.has(id))) };
}

/**
 * `test` operations for the values, as scanned, that `operations` replace, remove or append
 * to; a value an earlier operation of the patch made or changed needs none (that operation's
 * own guard, or its absence from the object, already decides).
 */
function guardsOf(object: K8sObject, operations: readonly JsonPatchOperation[]): JsonPatchOperation[] {
  const working = structuredClone(object) as unknown;
  const guards: JsonPatchOperation[] = [];
  const guarded = new Set<string>();
  for (const operation of operations) {
    const target = operation.op === "add" && operation.path.endsWith("/-") ? operation.path.slice(0, -2) : operation.op === "replace" || operation.op === "remove" ? operation.path : undefined;
    if (target !== undefined && !guarded.has(target)) {
      const original = atPointer(object, target);
      if (original.found && isDeepStrictEqual(original.value, atPointer(working, target).value)) {
        guards.push({ op: "test", path: target, value: structuredClone(original.value) });
        guarded.add(target);
      }
    }
    applyOperation(working, operation);
  }
  return guards;
}

/** The value at `pointer`, or not found (a missing member or item, or a path through one). */
function atPointer(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  try {
    const value: unknown = jsonPatch().getValueByPointer(document, pointer);
    return value === undefined ? { found: false } : { found: true, value };
  } catch {
    return { found: false };
  }
}

/** One of the patch's own operations (valid by construction), applied in place; a copy, since the library keeps the value it is given. */
function applyOperation(document: unknown, operation: JsonPatchOperation): void {
  jsonPatch().applyOperation(document, structuredClone(operation) as JsonPatch.Operation, false, true);
}

/**
 * Edits in rounds (each round's paths as the rounds before left the value, removals last
 * within a round: see sortEdits) as JSON patch operations on `root`, which sits at `prefix`
 * in the patched object. undefined when an edit has no JSON patch form here (a parent of
 * another type, a list item that is not there).
 */
export function editsAsJsonPatch(root: unknown, prefix: FieldPath, rounds: readonly (readonly Edit[])[]): JsonPatchOperation[] | undefined {
  // Each edit's operations depend on what the ones before it made (a securityContext created once).
  const working = structuredClone(root);
  const operations: JsonPatchOperation[] = [];
  for (const round of rounds) {
    for (const edit of sortEdits(round)) {
      const made = operationsOf(working, edit, (path) => toJsonPointer(prefix.concat(path)));
      if (!made) return undefined;
      for (const operation of made) operations.push(operation);
      applyToJson(working, [edit]);
    }
  }
  return operations;
}

type Container = Record<string | number, unknown>;

function operationsOf(root: unknown, edit: Edit, pointer: (path: FieldPath) => string): JsonPatchOperation[] | undefined {
  const { path } = edit;
  const last = path[path.length - 1];
  if (last === undefined || !isRecord(root)) return undefined;
  const operations: JsonPatchOperation[] = [];
  // The parents, created where missing (an explicit null is Kubernetes' "unset": `add` replaces it).
  let parent: Container | undefined = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    const next: unknown = parent === undefined ? undefined : parent[key];
    if (next === undefined || next === null) {
      // A missing list would need its items made too: the planner never asks for that.
      if (typeof path[i + 1] === "number" || edit.op === "remove") return undefined;
      operations.push({ op: "add", path: pointer(path.slice(0, i + 1)), value: {} });
      parent = undefined;
      continue;
    }
    if (!holds(next, path[i + 1] as string | number)) return undefined;
    parent = next as Container;
  }
  if (!parent && operations.length === 0) return undefined;
  const current = parent?.[last];
  const at = pointer(path);
  switch (edit.op) {
    case "set":
      operations.push({ op: current === undefined ? "add" : "replace", path: at, value: structuredClone(edit.value) });
      return operations;
    case "append":
      if (Array.isArray(current)) operations.push({ op: "add", path: `${at}/-`, value: structuredClone(edit.value) });
      else operations.push({ op: current === undefined ? "add" : "replace", path: at, value: [structuredClone(edit.value)] });
      return operations;
    case "remove":
      return current === undefined ? undefined : [{ op: "remove", path: at }];
    default:
      // Renames and quotes are manifest corrections, which carry their own patch (manifest/fixes.ts).
      return undefined;
  }
}

/** Whether `node` can hold `key`: a map a name, a list an index within it. */
function holds(node: unknown, key: string | number): boolean {
  if (typeof key === "number") return Array.isArray(node) && key >= 0 && key < node.length;
  return isRecord(node);
}
