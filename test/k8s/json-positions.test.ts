import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanJsonPositions } from "../../src/k8s/json-positions.js";
import type { FieldPath } from "../../src/k8s/types.js";
import { yamlAstLocator } from "../support/yaml-ast.js";

/** Every path into the value, plus paths that miss (a missing key, an index past the end). */
function allPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...allPaths(v, [...prefix, i])));
    out.push([...prefix, value.length], [...prefix, "name"]);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...prefix, k]));
    out.push([...prefix, "no-such-field", "below"], [...prefix, 0]);
  }
  return out;
}

/** The scanner must answer as the `yaml` library's AST of the same text does, path by path. */
function agrees(text: string): void {
  const value = JSON.parse(text) as unknown;
  const scanned = scanJsonPositions(text);
  const exact = yamlAstLocator(text);
  for (const path of allPaths(value)) expect({ path, at: scanned.locate(path) }).toEqual({ path, at: exact(path) });
}

describe("JSON positions", () => {
  it("finds keys (at their quote) and items (at their value) as the exact locator does", () => {
    agrees('{"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "c", "securityContext": {"privileged": true}}]}}');
    agrees(JSON.stringify({ kind: "List", items: [{ a: 1 }, [1, [2, {}]], "x", null, { "esc\"aped\\key\n": { "ü☸": [] } }] }, null, 2));
    agrees('  \n\t{ "a" :\r\n [ 1 , 2 ] , "b":{ } ,"c":[ ]}\n');
    // A scalar document has no collection to look into, whatever was scanned before it.
    scanJsonPositions(JSON.stringify({ a: [1, { b: 2 }] }));
    expect(scanJsonPositions('\n  "just a string"').locate(["a", 0, "b"])).toEqual({ line: 1, column: 2 });
  });

  it("agrees on generated JSON in every layout", () => {
    const key = fc.oneof(fc.constantFrom("spec", "containers", "name", "a b", 'q"uote', "back\\slash", "new\nline", "ü☸", ""), fc.string({ maxLength: 5 }));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ maxDepth: 4, depthSize: "small" }, fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 6 })), tie("map"), tie("list")),
      map: fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      list: fc.array(tie("node"), { maxLength: 4 }),
    })).node;
    fc.assert(
      fc.property(tree, fc.constantFrom(0, 1, 2, 4, "\t"), (value, indent) => agrees(JSON.stringify(value, null, indent))),
      { numRuns: 400 },
    );
  });

  it("finds items deep in a long List by index", () => {
    const list = { apiVersion: "v1", kind: "List", items: Array.from({ length: 120 }, (_, i) => ({ kind: "Pod", metadata: { name: `p${i}` }, spec: { containers: [{ name: "c" }] } })) };
    agrees(JSON.stringify(list, null, 4));
  });
});
