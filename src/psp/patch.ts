import jsonPatch from "fast-json-patch";
import type { JsonPatchOperation } from "../findings/types.js";

/** The RFC 6902 patch that turns `before` into `after` (what a mutating webhook returns). */
export function diffAsPatch(before: unknown, after: unknown): JsonPatchOperation[] {
  return jsonPatch.compare(before as object, after as object) as JsonPatchOperation[];
}
