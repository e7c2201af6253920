import { createRequire } from "node:module";
import type * as JsYaml from "js-yaml";

// js-yaml takes ~35 ms to load, and a scan of ordinary manifests never needs it (the
// block reader reads them): it is loaded for the first document that does.
let library: typeof JsYaml | undefined;

export function jsYaml(): typeof JsYaml {
  return (library ??= createRequire(import.meta.url)("js-yaml") as typeof JsYaml);
}
