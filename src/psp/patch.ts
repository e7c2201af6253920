import type * as JsonPatch from "fast-json-patch";
import type { JsonPatchOperation } from "../findings/types.js";
import { lazyModule } from "../lazy-module.js";

// fast-json-patch takes ~25 ms to load and only PodSecurityPolicy mutation needs it: loaded on first use.
const library = lazyModule<typeof JsonPatch>("fast-json-patch");

/** The RFC 6902 patch that turns `before` into `after` (what a mutating webhook returns). */
export function diffAsPatch(before: unknown, after: unknown): JsonPatchOperation[] {
  return library().compare(before as object, after as object) as JsonPatchOperation[];
}
