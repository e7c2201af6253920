/**
 * Corrections of manifest findings where the intent is certain: a misspelt or misplaced
 * field moved to the field most likely meant (when that one is not set too), a quoted
 * integer or boolean unquoted. Nothing else: `version: 1.0` read as the number 1 cannot say
 * which text was meant, and `command: "sh -c x"` is not one list item. A finding carries
 * a correction as a JSON patch; `palisade fix` makes it in the file (fix/fix-text.ts),
 * where it also quotes such a `1.0` as it was written.
 */
import type { JsonPatchOperation } from "../findings/types.js";
import { isRecord, toJsonPointer, valueAt, type FieldPath, type K8sObject } from "../k8s/types.js";
import type { FieldCheck, UnknownField, WrongType } from "./field-check.js";
import type { MisTypedField } from "./string-fields.js";

export type Correction =
  | { kind: "move"; from: FieldPath; to: FieldPath; value: unknown }
  | { kind: "retype"; path: FieldPath; value: number | boolean; was: string }
  /** A boolean or number where text belongs, quoted as written: only a file knows how (1.0, yes, 0644). */
  | { kind: "quote"; path: FieldPath };

function unknownFieldCorrection(object: K8sObject, { path, meant }: UnknownField): Correction | undefined {
  if (meant === undefined) return undefined;
  const steps = meant.split(".");
  const to = [...path.slice(0, -1), ...steps];
  // Both spellings set: which value was meant is for a person to say.
  if (valueAt(object, to) !== undefined) return undefined;
  if (steps.length === 2) {
    const holder = valueAt(object, to.slice(0, -1));
    if (holder !== undefined && holder !== null && !isRecord(holder)) return undefined;
  }
  return { kind: "move", from: path, to, value: valueAt(object, path) };
}

function wrongTypeCorrection({ path, expected, value }: WrongType): Correction | undefined {
  if (typeof value !== "string") return undefined;
  if (expected === "an integer" && /^-?(?:0|[1-9]\d*)$/.test(value) && Number.isSafeInteger(Number(value))) return { kind: "retype", path, value: Number(value), was: value };
  if (expected.startsWith("a boolean") && (value === "true" || value === "false")) return { kind: "retype", path, value: value === "true", was: value };
  return undefined;
}

/**
 * The certain corrections of an object's field check, by the problem each resolves. Two
 * moves that would write the same place (a misplaced `runAsNonRoot` and a misspelt
 * `securityContex` both making a `securityContext`) are left to a person, both of them.
 */
export function correctionsOf(object: K8sObject, check: FieldCheck): Map<UnknownField | WrongType, Correction> {
  const corrections = new Map<UnknownField | WrongType, Correction>();
  for (const field of check.unknown) {
    const correction = unknownFieldCorrection(object, field);
    if (correction) corrections.set(field, correction);
  }
  const moves = [...corrections].filter((entry): entry is [UnknownField, Extract<Correction, { kind: "move" }>] => entry[1].kind === "move");
  for (const [field, move] of moves) {
    if (moves.some(([other, otherMove]) => other !== field && (startsWith(move.to, otherMove.to) || startsWith(otherMove.to, move.to)))) corrections.delete(field);
  }
  for (const wrong of check.wrongTypes) {
    const correction = wrongTypeCorrection(wrong);
    if (correction) corrections.set(wrong, correction);
  }
  return corrections;
}

/** Text fields holding a boolean or a number (manifest/string-expected): quoted, as written. */
export function quoteCorrections(fields: readonly MisTypedField[]): Correction[] {
  return fields.filter((f) => typeof f.value === "boolean" || typeof f.value === "number").map((f) => ({ kind: "quote", path: f.path }));
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

/** The correction as an RFC 6902 patch against the object. */
export function jsonPatchOf(correction: Exclude<Correction, { kind: "quote" }>, object: K8sObject): JsonPatchOperation[] {
  if (correction.kind === "retype") return [{ op: "replace", path: toJsonPointer(correction.path), value: correction.value }];
  const operations: JsonPatchOperation[] = [];
  const holder = correction.to.slice(0, -1);
  if (holder.length > correction.from.length - 1) {
    const existing = valueAt(object, holder);
    if (existing === undefined || existing === null) operations.push({ op: "add", path: toJsonPointer(holder), value: {} });
  }
  operations.push({ op: "move", from: toJsonPointer(correction.from), path: toJsonPointer(correction.to) });
  return operations;
}
