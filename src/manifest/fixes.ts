/**
 * JSON patches that resolve a manifest finding, where the intent is certain: a misspelt or
 * misplaced field moved to the field most likely meant (when that one is not set too), a
 * quoted integer or boolean unquoted. Nothing else: `version: 1.0` read as the number 1
 * cannot say which text was meant, and `command: "sh -c x"` is not one list item.
 */
import type { JsonPatchOperation } from "../findings/types.js";
import { isRecord, toJsonPointer, type FieldPath, type K8sObject } from "../k8s/types.js";
import type { UnknownField, WrongType } from "./field-check.js";

function at(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === "number") node = node[part];
    else if (isRecord(node) && typeof part === "string") node = node[part];
    else return undefined;
  }
  return node;
}

export function unknownFieldFix(object: K8sObject, { path, meant }: UnknownField): JsonPatchOperation[] | undefined {
  if (meant === undefined) return undefined;
  const parent = path.slice(0, -1);
  const steps = meant.split(".");
  const target = [...parent, ...steps];
  // Both spellings set: which value was meant is for a person to say.
  if (at(object, target) !== undefined) return undefined;
  const operations: JsonPatchOperation[] = [];
  if (steps.length === 2) {
    const holder = [...parent, steps[0]!];
    const existing = at(object, holder);
    if (existing === undefined || existing === null) operations.push({ op: "add", path: toJsonPointer(holder), value: {} });
    else if (!isRecord(existing)) return undefined;
  }
  operations.push({ op: "move", from: toJsonPointer(path), path: toJsonPointer(target) });
  return operations;
}

export function wrongTypeFix({ path, expected, value }: WrongType): JsonPatchOperation[] | undefined {
  if (typeof value !== "string") return undefined;
  if (expected === "an integer" && /^-?(?:0|[1-9]\d*)$/.test(value) && Number.isSafeInteger(Number(value))) return [{ op: "replace", path: toJsonPointer(path), value: Number(value) }];
  if (expected.startsWith("a boolean") && (value === "true" || value === "false")) return [{ op: "replace", path: toJsonPointer(path), value: value === "true" }];
  return undefined;
}
