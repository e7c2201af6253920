import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { runScan } from "../../src/scan/run.js";

/**
 * Merge keys as kubectl's go-yaml v2 applies them (decode.go mapping/merge, not strict): in
 * the order written, a merge writing over what came before it, a list's first mapping
 * winning. js-yaml would let a written key win wherever it stands.
 */
function valueOf(text: string): Record<string, unknown> {
  const parsed = parseYamlFile("m.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n${text}`);
  expect(parsed.problems).toEqual([]);
  return (parsed.objects[0]?.object as unknown as { data: Record<string, unknown> }).data;
}

describe("YAML merge keys, as kubectl applies them", () => {
  it("a merge overwrites the keys written before it; keys written after it overwrite the merge", () => {
    const data = valueOf("x: &x {a: merged, b: merged, c: merged}\ndata:\n  a: before\n  <<: *x\n  c: after\n");
    expect(data).toEqual({ a: "merged", b: "merged", c: "after" });
  });

  it("in a list the first mapping wins, and each merged mapping brings its own merges resolved the same way", () => {
    const data = valueOf("p: &p {a: p, z: p}\nq: &q {a: q, b: q}\nr: &r {<<: *p, z: r}\ndata:\n  <<: [*q, *r]\n");
    expect(data).toEqual({ a: "q", b: "q", z: "r" });
  });

  it("reads flow mappings, the !!merge tag, several merge keys, and integer-like keys in their written order", () => {
    expect(valueOf("xx: &x {a: x, '1': x}\nyy: &y {a: why}\ndata: {'1': one, <<: *x, !!merge <<: *y}\n")).toEqual({ 1: "x", a: "why" });
    expect(valueOf("x: &x {'1': x}\ndata: {<<: *x, '1': one}\n")).toEqual({ 1: "one" });
  });

  it("keeps a quoted \"<<\" as an ordinary key and a __proto__ key as an own property", () => {
    const data = valueOf("x: &x {__proto__: merged}\ndata:\n  '<<': quoted\n  <<: *x\n");
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data).sort()).toEqual(["<<", "__proto__"]);
    expect(data["<<"]).toBe("quoted");
  });

  it("refuses what go-yaml refuses, at the merge's line: a scalar, or an alias to a list", () => {
    for (const [text, line] of [
      ["data:\n  a: 1\n  <<: 5\n", 6],
      ["l: &l [{a: 1}]\ndata:\n  <<: *l\n", 6],
    ] as const) {
      const parsed = parseYamlFile("bad.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n${text}`);
      expect(parsed.objects).toEqual([]);
      expect(parsed.problems[0]?.message).toContain("map merge requires map or sequence of maps");
      expect(parsed.problems[0]?.position?.line).toBe(line);
    }
  });

  it("merges only a `<<` key: `!!merge` on any other key is that key's text, and an alias of `<<` is the text \"<<\" (go-yaml's isMerge)", () => {
    const base = "b: &b {x: 1}\n";
    // js-yaml merges any key tagged !!merge; go-yaml merges none of these.
    expect(valueOf(`${base}data:\n  !!merge foo: *b\n  !!merge bar: y\n  z: 1\n`)).toEqual({ foo: { x: 1 }, bar: true, z: 1 });
    expect(valueOf(`${base}data: {!<tag:yaml.org,2002:merge> foo: *b}\n`)).toEqual({ foo: { x: 1 } });
    expect(valueOf(`${base}data:\n  a: 1\n  !!merge : *b\n`)).toEqual({ a: 1, "": { x: 1 } });
    expect(valueOf(`${base}data:\n  !!merge : *b\n`)).toEqual({ "": { x: 1 } });
    // An anchored merge key still merges; its aliases are the text "<<", as a value and as a key (never a merge).
    expect(valueOf(`${base}c:\n  &m <<: *b\ndata:\n  v: *m\n  *m : *b\n  l: [*m]\n`)).toEqual({ v: "<<", "<<": { x: 1 }, l: ["<<"] });
    expect(valueOf(`${base}c:\n  !!merge &m <<: *b\ndata:\n  v: *m\n`)).toEqual({ v: "<<" });
  });

  it("looks for a !!merge tag in time linear in the text: a long run of `!` in a value does not stall the scan", () => {
    // The anchor keeps the document off the fast block reader, so the merge-key pass sees it.
    // Matched quadratically, a megabyte of `!` took many minutes (200,000 took 26 s): the test's timeout fails it.
    const bangs = "!".repeat(1_000_000);
    expect(valueOf(`data:\n  a: |\n    ${bangs}\n  b: &b y\n`)).toEqual({ a: `${bangs}\n`, b: true });
  });

  it("a container cannot hide privileged: true behind a written false that the merge overwrites", async () => {
    const text = [
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n",
      "x-root: &root\n  privileged: true\n",
      "spec:\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      privileged: false\n      <<: *root\n",
    ].join("");
    const file = join(mkdtempSync(join(tmpdir(), "palisade-merge-")), "pod.yaml");
    writeFileSync(file, text);
    const result = runScan(await loadSnapshot({ paths: [file] }), { podSecurity: { level: "baseline" } });
    const privileged = result.findings.find((f) => f.ruleId === "pss/privileged");
    // Found, and pointed at the value that takes effect: the anchored one.
    expect(privileged?.position).toEqual({ file, line: 6, column: 3 });
  });
});
