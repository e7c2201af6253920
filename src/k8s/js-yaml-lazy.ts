import { createRequire } from "node:module";
import type * as JsYaml from "js-yaml";
import { resolvePlainScalar } from "./yaml-scalars.js";

// js-yaml takes ~35 ms to load, and a scan of ordinary manifests never needs it (the
// block reader reads them): it is loaded for the first document that does.
let library: typeof JsYaml | undefined;

export function jsYaml(): typeof JsYaml {
  return (library ??= createRequire(import.meta.url)("js-yaml") as typeof JsYaml);
}

let schema: JsYaml.Schema | undefined;

/**
 * js-yaml's default schema with plain scalars resolved as Kubernetes resolves them
 * (yaml-scalars.ts: YAML 1.1's yes/no/on/off, Go's integers, timestamps kept as text), so
 * js-yaml and the block reader give the same values. Types replace the default ones of
 * the same tag; the timestamp type matches nothing.
 */
export function kubernetesYamlSchema(): JsYaml.Schema {
  if (schema) return schema;
  const { Type, DEFAULT_SCHEMA } = jsYaml();
  const resolves = (tag: string, test: (value: unknown) => boolean): JsYaml.Type =>
    new Type(`tag:yaml.org,2002:${tag}`, {
      kind: "scalar",
      resolve: (data: string | null) => data === null ? tag === "null" : test(resolvePlainScalar(data)),
      construct: (data: string | null) => (data === null ? null : resolvePlainScalar(data)),
    });
  const isNumber = (value: unknown) => typeof value === "number";
  schema = DEFAULT_SCHEMA.extend({
    implicit: [
      resolves("null", (value) => value === null),
      resolves("bool", (value) => typeof value === "boolean"),
      resolves("int", isNumber),
      resolves("float", isNumber),
      resolves("timestamp", () => false),
    ],
  });
  return schema;
}
