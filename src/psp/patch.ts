import { createRequire } from "node:module";
import type * as JsonPatch from "fast-json-patch";
import type { JsonPatchOperation } from "../findings/types.js";

// fast-json-patch takes ~25 ms to load and only PodSecurityPolicy mutation needs it: loaded on first use.
let jsonPatch: typeof JsonPatch | undefined;
const library = (): typeof JsonPatch => (jsonPatch ??= createRequire(import.meta.url)("fast-json-patch") as typeof JsonPatch);

/** The RFC 6902 patch that turns `before` into `after` (what a mutating webhook returns). */
export function diffAsPatch(before: unknown, after: unknown): JsonPatchOperation[] {
  return library().compare(before as object, after as object) as JsonPatchOperation[];
}
