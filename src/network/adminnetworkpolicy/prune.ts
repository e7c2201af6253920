/**
 * An object as the API server stores it: every field its type does not declare dropped (the
 * structural pruning of a CRD's schema, the decoder's for built-in types), and every null
 * field value dropped, as apiextensions does for fields that are not nullable before it
 * validates. A typo is thus not an error of the policy but a field that is not there: the
 * peer `{namespaces: {}, podSelector: ...}` is a namespaces peer, and a rule whose `ports`
 * is misspelt matches every port. The unknown fields themselves are reported by the
 * manifest family (manifest/unknown-field).
 */
import { fieldsOf, rootTypeOf, type ApiType, type FieldType } from "../../manifest/api-schema.js";
import { isRecord, type K8sObject } from "../../k8s/types.js";

/** A copy of `object` with only the fields its type declares; the object itself when its type is not known. */
export function prunedAsStored(object: K8sObject): K8sObject {
  const root = rootTypeOf(object);
  return root === undefined ? object : (pruneRecord(object as Record<string, unknown>, root) as K8sObject);
}

function pruneRecord(value: Record<string, unknown>, type: ApiType): Record<string, unknown> {
  const fields = fieldsOf(type);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = fields.get(key);
    if (field === undefined || value[key] === null || value[key] === undefined) continue;
    out[key] = pruneValue(value[key], field, 0);
  }
  return out;
}

function pruneValue(value: unknown, field: FieldType, depth: number): unknown {
  if (depth < field.wrappers.length) {
    // A value of the wrong shape is kept as written: validation refuses it with its path.
    if (field.wrappers[depth] === "list") return Array.isArray(value) ? value.map((item: unknown) => pruneValue(item, field, depth + 1)) : value;
    if (!isRecord(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, pruneValue(item, field, depth + 1)]));
  }
  return typeof field.item === "object" && isRecord(value) ? pruneRecord(value, field.item) : value;
}
