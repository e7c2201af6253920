import { createRequire } from "node:module";
import type * as JsYaml from "js-yaml";
import { decodeStdBase64 } from "./go-base64.js";
import { isGoFloatTagged, isGoInteger, isGoTimestamp, resolvePlainScalar } from "./yaml-scalars.js";

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
 *
 * Tags are read as kubectl's YAML decoder (go-yaml v2, through sigs.k8s.io/yaml) reads
 * them, not as js-yaml would: a tag it does not know (`!Ref`, `!custom`, `!!foo`) is no
 * error there, the scalar is kept as its text and a mapping or sequence as it is, so
 * kubectl applies the object. js-yaml refuses such a document: the object kubectl applies
 * would be reported only as invalid YAML, and none of its fields judged.
 * `!!binary` is decoded to text as Go does (not to bytes), and `!!set`, `!!omap` and
 * `!!pairs` are the plain mapping or sequence Go reads (js-yaml would turn pairs into
 * arrays and refuse a set with values).
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
  const asWritten = (kind: "scalar" | "sequence" | "mapping", tag: string, multi: boolean): JsYaml.Type =>
    new Type(tag, { kind, multi, construct: (data: unknown) => data ?? (kind === "scalar" ? "" : kind === "sequence" ? [] : {}) });
  const binaryAsText = new Type("tag:yaml.org,2002:binary", {
    kind: "scalar",
    resolve: (data: string | null) => data === null || decodeStdBase64(data) !== undefined,
    construct: (data: string | null) => (data === null ? "" : Buffer.from(decodeStdBase64(data) as Uint8Array).toString("utf8")),
  });
  schema = DEFAULT_SCHEMA.extend({
    explicit: [
      binaryAsText,
      asWritten("mapping", "tag:yaml.org,2002:set", false),
      asWritten("sequence", "tag:yaml.org,2002:omap", false),
      asWritten("sequence", "tag:yaml.org,2002:pairs", false),
      // Any other tag, in the order js-yaml tries them for an empty node: an empty scalar is "" to Go.
      asWritten("scalar", "", true),
      asWritten("sequence", "", true),
      asWritten("mapping", "", true),
      // Explicit `!!int`, `!!float` and `!!timestamp` as go-yaml checks them: an integer only
      // (`!!int 1.5` and `!!int 1e3` are errors to kubectl), a float or an int64, and a
      // timestamp kept as its text.
      new Type("tag:yaml.org,2002:float", { kind: "scalar", resolve: (data: string | null) => data !== null && isGoFloatTagged(data), construct: (data: string) => resolvePlainScalar(data) }),
      new Type("tag:yaml.org,2002:int", { kind: "scalar", resolve: (data: string | null) => data !== null && isGoInteger(data), construct: (data: string) => resolvePlainScalar(data) }),
      new Type("tag:yaml.org,2002:timestamp", { kind: "scalar", resolve: (data: string | null) => data !== null && isGoTimestamp(data), construct: (data: string) => data }),
      // `!!merge` on a value is no merge to go-yaml (only a `<<` key is): the text as written.
      // js-yaml's own merge type, which finds `<<` keys, stays the implicit one.
      new Type("tag:yaml.org,2002:merge", { kind: "scalar", resolve: () => true, construct: (data: string | null) => data ?? "" }),
    ],
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
