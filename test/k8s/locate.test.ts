import fc from "fast-check";
import jsYaml from "js-yaml";
import { parseDocument, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { DocumentLocator } from "../../src/k8s/locate.js";
import type { FieldPath } from "../../src/k8s/types.js";
import { yamlAstLocator } from "../support/yaml-ast.js";

/** Every path to every node of a JSON value, and a missing field under each collection. */
function allPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...allPaths(v, [...prefix, i])));
    out.push([...prefix, value.length]);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...prefix, k]));
    out.push([...prefix, "no-such-field", "below"]);
  }
  return out;
}

const key = fc.oneof(
  // "bell\x07" is written with an escape ("bell\a" by js-yaml, "bell\x07" by yaml): no spelling the walker tries.
  fc.constantFrom("spec", "containers", "name", "securityContext", "image", "a", "b-c", "x.y/z", "with space", "0", "true", "k8s.io/app", "bell\x07"),
  fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[\n\r\t\\"']/.test(s)),
);
const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 }).filter((s) => !/[\r\\]/.test(s)), fc.constant("multi\nline\ntext"));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ maxDepth: 5, depthSize: "small" }, scalar, tie("map"), tie("list")),
  map: fc.dictionary(key, tie("node"), { minKeys: 1, maxKeys: 4 }),
  list: fc.array(tie("node"), { minLength: 1, maxLength: 3 }),
})).map;

/**
 * The value the `yaml` library reads from `text`, or undefined where it cannot: a syntax error, or
 * an alias to nothing, which it finds only when it builds the value.
 */
function readBack(text: string): unknown {
  const reference = parseDocument(text);
  if (reference.errors.length > 0) return undefined;
  try {
    return reference.toJS();
  } catch {
    return undefined;
  }
}

describe("DocumentLocator", () => {
  it("the fast block walker agrees with the exact parser, or defers to it (js-yaml and yaml layouts)", () => {
    let answeredFast = 0;
    let runs = 0;
    fc.assert(
      fc.property(tree, fc.boolean(), fc.integer({ min: -1, max: 3 }), fc.nat(), (value, useYamlLib, flowLevel, pick) => {
        // flowLevel mixes block and one-line flow collections, as real manifests do.
        const text = useYamlLib ? stringify(value) : jsYaml.dump(value, { noRefs: true, flowLevel, lineWidth: -1 });
        // Where the two YAML libraries disagree on the text itself there is nothing to compare:
        // an error, or a value read otherwise (`yaml` reads the key `+.0` as the number 0,
        // js-yaml as a string, so the reference cannot find the key js-yaml wrote; js-yaml writes
        // the string "(:,*!" bare inside a flow sequence, where `*!` is an alias to nothing).
        fc.pre(JSON.stringify(readBack(text)) === JSON.stringify(value));
        const paths = allPaths(value);
        const path = paths[pick % paths.length] as FieldPath;
        const locator = new DocumentLocator(text);
        const exactAnswer = exactLocate(text, path);
        const fast = locator.locateFast(path);
        runs++;
        if (fast !== undefined) {
          answeredFast++;
          expect(fast).toEqual(exactAnswer);
        }
        expect(locator.locate(path)).toEqual(exactAnswer);
        // Saved on Windows: the same lines and columns, whichever walker answers.
        const crlf = new DocumentLocator(text.replace(/\n/g, "\r\n"));
        if (fast !== undefined) expect(crlf.locateFast(path)).toEqual(exactAnswer);
        expect(crlf.locate(path)).toEqual(exactAnswer);
      }),
      // The string js-yaml writes bare in a flow sequence, where `yaml` reads `*!` as an alias to nothing.
      { numRuns: 400, examples: [[{ spec: { " ": { " ": ["(:,*!"] } }, " ": 0 }, false, 0, 0]] },
    );
    // Block-style documents are what the fast path is for: it must answer most of them itself.
    expect(answeredFast / runs).toBeGreaterThan(0.5);
  });

  it("points at keys in a real manifest, and at the nearest parent for missing fields", () => {
    const text = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web # trailing comment",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "      - name: web",
      "        image: nginx",
      "        securityContext:",
      "          privileged: true",
      "      -",
      "        name: sidecar",
      "",
    ].join("\n");
    const l = new DocumentLocator(text);
    expect(l.locate(["spec", "template", "spec", "containers", 0, "securityContext", "privileged"])).toEqual({ line: 11, column: 10 });
    expect(l.locate(["spec", "template", "spec", "containers", 1, "name"])).toEqual({ line: 13, column: 8 });
    expect(l.locate(["spec", "template", "spec", "containers", 1, "securityContext", "runAsNonRoot"])).toEqual({ line: 13, column: 8 });
    expect(l.locate(["spec", "template", "spec", "hostNetwork"])).toEqual({ line: 6, column: 4 });
  });

  it("handles one-line flow collections in the fast path, and multi-line ones through the exact parser", () => {
    const text = 'spec: {containers: [{name: a, "securityContext": {privileged: true}}]}\n';
    const l = new DocumentLocator(text);
    expect(l.locateFast(["spec", "containers", 0])).toEqual({ line: 0, column: 20 });
    const multi = new DocumentLocator("spec:\n  ports: [\n    {containerPort: 80}, {hostPort: 9}]\n");
    expect(multi.locateFast(["spec", "ports", 1, "hostPort"])).toBeUndefined();
    expect(multi.locate(["spec", "ports", 1, "hostPort"])).toEqual({ line: 2, column: 26 });
    expect(l.locate(["spec", "containers", 0, "securityContext", "privileged"])).toEqual({ line: 0, column: 50 });
  });

  it("finds a key spelled with escapes where it is written, not at its parent", () => {
    const text = 'spec:\n  "host\\u004Eetwork": true\n  containers:\n    - name: a\n      "security\\x43ontext":\n        privileged: true\n';
    const l = new DocumentLocator(text);
    expect(l.locateFast(["spec", "hostNetwork"])).toBeUndefined();
    expect(l.locate(["spec", "hostNetwork"])).toEqual({ line: 1, column: 2 });
    expect(l.locate(["spec", "containers", 0, "securityContext", "privileged"])).toEqual({ line: 5, column: 8 });
    // A key missing beside one written with escapes is still the parent's.
    expect(l.locate(["spec", "hostPID"])).toEqual({ line: 0, column: 0 });
  });
});

describe("DocumentLocator on a List of every pod", () => {
  it("finds every field of every item exactly, in both sequence layouts, with a non-sequence line after", () => {
    const item = (i: number, pad: string) =>
      `${pad}- kind: Pod\n${pad}  metadata:\n${pad}    name: p${i}\n${pad}    note: a long\n${pad}      plain scalar\n${pad}  spec:\n${pad}    containers:\n${pad}    - name: c\n${pad}      ports: [{containerPort: ${i}}]\n`;
    for (const pad of ["", "  "]) {
      const text = `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: 120 }, (_, i) => item(i, pad)).join("")}metadata: {resourceVersion: "1"}\n`;
      const value = jsYaml.load(text);
      const locator = new DocumentLocator(text);
      const exact = yamlAstLocator(text);
      // Every path after the first reads the items' entry lines the first one kept.
      for (const path of allPaths(value)) expect({ path, at: locator.locate(path) }).toEqual({ path, at: exact(path) });
    }
  });
});

/** An independent exact answer straight from the `yaml` AST. */
function exactLocate(text: string, path: FieldPath): { line: number; column: number } {
  return yamlAstLocator(text)(path);
}

describe("long mappings (found through an index of their keys)", () => {
  // Keys that must be quoted, numbers and duplicates after quoting rules included.
  const longKey = fc.oneof(key, fc.constantFrom('a"b', "it's", "x: y", "#hash", "- dash", "[flow]", "1.5", "null", "yes"));
  const longMap = fc.dictionary(longKey, fc.oneof(scalar, tree), { minKeys: 40, maxKeys: 120 });

  it("every reader finds every key where the yaml library's AST puts it, also past a line the fast walker cannot read", () => {
    fc.assert(
      fc.property(longMap, fc.boolean(), fc.boolean(), fc.nat(), (value, useYamlLib, complexKeyInside, pick) => {
        let text = useYamlLib ? stringify({ data: value }) : jsYaml.dump({ data: value }, { noRefs: true, lineWidth: -1 });
        // A complex key half way makes the fast walker give up on the keys after it.
        if (complexKeyInside) {
          const lines = text.split("\n");
          const at = lines.findIndex((line, i) => i > lines.length / 2 && /^ {2}\S/.test(line) && !line.startsWith("  -"));
          if (at > 0) text = [...lines.slice(0, at), "  ? complex", "  : key", ...lines.slice(at)].join("\n");
        }
        const read = readBack(text) as { data: Record<string, unknown> } | undefined;
        fc.pre(read !== undefined);
        const exact = yamlAstLocator(text);
        const locator = new DocumentLocator(text);
        const paths = allPaths(read);
        // Every key of the long mapping, and a few deeper paths.
        const checked = [...Object.keys(read.data).map((k) => ["data", k] as FieldPath), ...[0, 1, 2].map((i) => paths[(pick + i * 7919) % paths.length] as FieldPath)];
        for (const path of checked) {
          const fast = locator.locateFast(path);
          if (fast !== undefined) expect({ path, fast }).toEqual({ path, fast: exact(path) });
          expect({ path, at: locator.locate(path) }).toEqual({ path, at: exact(path) });
        }
      }),
      { numRuns: 60 },
    );
  });
});
