/**
 * The block reader must give exactly what js-yaml gives, or give up: checked on every YAML
 * file in the repository and the shared conformance data, on generated documents, and on
 * damaged manifests. Its positions must equal the `yaml` library's AST, for existing fields
 * and for missing ones (the nearest existing parent).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import jsYaml from "js-yaml";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { readBlockYaml } from "../../src/k8s/block-yaml.js";
import { kubernetesYamlSchema } from "../../src/k8s/js-yaml-lazy.js";
import { splitDocuments } from "../../src/k8s/parse.js";
import type { FieldPath } from "../../src/k8s/types.js";
import { conformancePath, repoRoot } from "../support/conformance.js";
import { yamlAstLocator } from "../support/yaml-ast.js";

/** Every path to every node, plus a missing child under each collection. */
function allPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...allPaths(v, [...prefix, i])));
    out.push([...prefix, value.length], [...prefix, "name"]);
  } else if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...prefix, k]));
    out.push([...prefix, "no-such-field", "below"], [...prefix, 0]);
  }
  return out;
}

function jsYamlLoad(text: string): { value?: unknown; error?: unknown } {
  try {
    // As the loader reads with js-yaml: Kubernetes' scalars (yaml-scalars.ts).
    return { value: jsYaml.load(text, { schema: kubernetesYamlSchema() }) };
  } catch (error) {
    return { error };
  }
}

/** Reads `text` both ways; returns whether the block reader answered. */
function agree(text: string, checkPositions: boolean): boolean {
  const fast = readBlockYaml(text);
  if (!fast) return false;
  const expected = jsYamlLoad(text);
  expect(expected.error, "js-yaml refuses a document the block reader accepted").toBeUndefined();
  expect(fast.value).toStrictEqual(expected.value);
  if (checkPositions) {
    const exact = yamlAstLocator(text);
    for (const path of allPaths(fast.value)) expect({ path, at: fast.positions.locate(path) }).toEqual({ path, at: exact(path) });
  }
  return true;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

describe("block YAML reader", () => {
  it("reads literal block scalars with each chomping indicator", () => {
    for (const indicator of ["|", "|-", "|+"]) {
      for (const body of ["a\n  b\n\nc\n", "a\n\n\n", "x\n", "first\n  deeper\nlast"]) {
        const text = `data:\n  script: ${indicator}\n${body.replace(/^(?=.)/gm, "    ")}\nnext: 1\n`;
        expect(agree(text, true), text).toBe(true);
      }
    }
  });

  it("leaves to js-yaml what it does not read itself", () => {
    const outside = [
      "a: &x 1\nb: *x\n",
      "a: !!str 1\n",
      "a: >\n  folded\n",
      "a: |2\n   x\n",
      "a: plain\n  continued\n",
      'a: "two\n  lines"\n',
      "a: [1,\n  2]\n",
      "? complex\n: key\n",
      "a:\tb\n",
      "a: b\r\n",
      "a: 1\na: 2\n",
      "<<: {a: 1}\n",
      "a: b: c\n",
      "%YAML 1.2\n---\na: 1\n",
      "a: 1\n---\nb: 2\n",
      "- - a\n",
      "a:\n  b\n",
      "\uFEFFa: 1\n",
      "a: [b: c]\n",
      "a: {b}\n",
      "1: a\n",
    ];
    for (const text of outside) expect(readBlockYaml(text), JSON.stringify(text)).toBeUndefined();
  });

  it("agrees with js-yaml and the yaml AST on every YAML file of the repository", () => {
    let read = 0;
    let documents = 0;
    for (const file of yamlFiles(resolve(repoRoot, "examples")).concat(yamlFiles(resolve(repoRoot, "test")))) {
      for (const chunk of splitDocuments(readFileSync(file, "utf8"))) {
        documents++;
        if (agree(chunk.text, true)) read++;
      }
    }
    // Hand-written manifests are what the reader is for: nearly all of them must be read.
    expect(read / documents).toBeGreaterThan(0.9);
  });

  it("agrees with js-yaml on the shared conformance data", () => {
    const dir = conformancePath("");
    if (!dir) return; // absent: conformancePath said so (and fails under CI)
    let read = 0;
    let documents = 0;
    yamlFiles(dir).forEach((file, i) => {
      for (const chunk of splitDocuments(readFileSync(file, "utf8"))) {
        documents++;
        // Positions on a sample: the yaml AST is slow, and the shapes repeat.
        if (agree(chunk.text, i % 20 === 0)) read++;
      }
    });
    expect(documents).toBeGreaterThan(4000);
    expect(read / documents).toBeGreaterThan(0.9);
  });

  it("finds items deep in long sequences (a List of every pod) exactly, by index", () => {
    const items = Array.from({ length: 150 }, (_, i) => `- kind: Pod\n  metadata: {name: p${i}}\n  spec:\n    containers:\n    - name: c\n      image: x\n`).join("");
    expect(agree(`apiVersion: v1\nkind: List\nitems:\n${items}`, true)).toBe(true);
    expect(agree(`list:\n${Array.from({ length: 100 }, (_, i) => `  - ${i}\n`).join("")}`, true)).toBe(true);
  });

  it("finds keys deep in long mappings (a ConfigMap of many keys) exactly, by key", () => {
    const data = Array.from({ length: 200 }, (_, i) => (i % 7 === 3 ? `  "quoted ${i}": v${i}\n` : i % 11 === 5 ? `  k${i}: {inner: ${i}}\n` : `  k${i}: ${i}\n`)).join("");
    expect(agree(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${data}`, true)).toBe(true);
    expect(agree(`data: {${Array.from({ length: 80 }, (_, i) => `k${i}: ${i}`).join(", ")}}\n`, true)).toBe(true);
  });

  it("keeps a document's positions while later documents fill and roll over the shared slabs", () => {
    const first = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  "quoted key": x\n  labels: {"a b": c, \'d\': e}\nspec:\n  containers:\n    - name: a\n      image: b\n';
    const kept = readBlockYaml(first);
    if (!kept) throw new Error("the block reader should read this document");
    const exact = yamlAstLocator(first);
    const before = allPaths(kept.value).map((path) => kept.positions.locate(path));
    // Far more than one slab of other documents, with different shapes at the same offsets.
    const other = "a:\n" + Array.from({ length: 400 }, (_, i) => `  k${i}: [${i}, {x: ${i}}]\n`).join("");
    for (let i = 0; i < 200; i++) expect(readBlockYaml(other)).toBeDefined();
    const paths = allPaths(kept.value);
    expect(paths.map((path) => kept.positions.locate(path))).toEqual(before);
    for (const path of paths) expect(kept.positions.locate(path)).toEqual(exact(path));
  });

  const key = fc.oneof(
    fc.constantFrom("spec", "containers", "name", "securityContext", "a", "b-c", "x.y/z", "with space", "0", "true", "k8s.io/app", "-x", "a:b", "#c"),
    fc.string({ minLength: 1, maxLength: 6 }),
  );
  const scalar = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 10 }), fc.constantFrom("multi\nline\ntext\n", "trailing\n\n", "~", "2024-01-01", "0o17", "a: b", "- x", "  padded  ", "x #y", "[1]"));
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ maxDepth: 5, depthSize: "small" }, scalar, tie("map"), tie("list")),
    map: fc.dictionary(key, tie("node"), { minKeys: 1, maxKeys: 4 }),
    list: fc.array(tie("node"), { minLength: 1, maxLength: 3 }),
  })).map;

  it("agrees on generated documents in js-yaml's and yaml's layouts, block and flow", () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(tree, fc.boolean(), fc.integer({ min: -1, max: 3 }), (value, useYamlLib, flowLevel) => {
        const text = useYamlLib ? stringify(value) : jsYaml.dump(value, { noRefs: true, flowLevel, lineWidth: -1 });
        runs++;
        if (agree(text, true)) read++;
      }),
      { numRuns: 600 },
    );
    expect(read / runs).toBeGreaterThan(0.3);
  });

  it("never accepts a damaged manifest that js-yaml would read differently or refuse", () => {
    const manifest = readFileSync(resolve(repoRoot, "examples/cluster/20-payments.yaml"), "utf8").split(/^---$/m)[1] ?? "";
    const alphabet = [" ", "  ", "\n", ":", ": ", "- ", "#", "'", '"', "[", "]", "{", "}", ",", "|", "|-", "x", "0", "\\", "&a", "*a", "!", "? ", "..."];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.constantFrom(...alphabet)), { minLength: 1, maxLength: 4 }), (edits) => {
        let text = manifest;
        for (const [at, cut, insert] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + cut);
        }
        agree(text, false);
      }),
      { numRuns: 5000 },
    );
  });
});
