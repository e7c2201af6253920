/** Where Palisade says kubectl refuses a YAML file that js-yaml alone would read: the place, and the other documents still read. */
import { describe, expect, it } from "vitest";
import { formatFloat32G } from "../../src/k8s/go-map-keys.js";
import { parseYamlFile } from "../../src/k8s/parse.js";

const cm = (body = "") => `apiVersion: v1\nkind: ConfigMap\n${body}`;
const problems = (text: string) => parseYamlFile("m.yaml", text).problems.map((p) => [p.message, p.position.line, p.position.column]);

describe("keys kubectl cannot make JSON keys of", () => {
  it("names a null key at its line and column, and still loads the other documents", () => {
    const parsed = parseYamlFile("m.yaml", `${cm("data:\n  a: 1\n")}---\n${cm("data:\n  b: 1\n  ~: x\n")}`);
    expect(parsed.problems.map((p) => [p.message, p.position.line, p.position.column, p.hint])).toEqual([
      [
        "invalid for Kubernetes: a mapping key is null (`~`, `null` or empty), which kubectl cannot make a JSON key of (unsupported map key); kubectl refuses the file",
        10,
        3,
        'quote the key ("~": ...) if text is meant; the other documents were still scanned',
      ],
    ]);
    expect(parsed.objects).toHaveLength(1);
  });

  it("names a collection key and a uint64 key", () => {
    expect(problems(cm("data:\n  ? [a]\n  : x\n"))).toEqual([["invalid for Kubernetes: a mapping key is a sequence, which kubectl cannot make a JSON key of (unsupported map key); kubectl refuses the file", 4, 5]]);
    expect(problems(cm("data: {x: 1, 18446744073709551615: y}\n"))).toEqual([
      ["invalid for Kubernetes: a mapping key is an integer beyond int64 (a uint64), which kubectl cannot make a JSON key of (unsupported map key); kubectl refuses the file", 3, 14],
    ]);
  });

  it("finds a key's properties in time linear in its line: many `!<a>` before a number key do not stall the scan", () => {
    // One regular expression that let properties repeat took time exponential in their number here (40 never ended).
    const tags = Array.from({ length: 40 }, () => "!<a>").join(" ");
    const parsed = parseYamlFile("m.yaml", cm(`data: {v: x ${tags}, 1: z}\n`));
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects[0]?.object.data).toEqual({ v: `x ${tags}`, "1": "z" });
  });

  it("writes float keys as Go's FormatFloat(f, 'g', -1, 32) and integers exactly", () => {
    const data = parseYamlFile("m.yaml", cm("data:\n  123456789.5: a\n  1e6: b\n  0.0001: c\n  0.00001: d\n  .inf: e\n  9007199254740993: f\n")).objects[0]?.object.data;
    expect(Object.keys(data as object).sort()).toEqual(["0.0001", "1.2345679e+08", "1e+06", "1e-05", "9007199254740993", ".inf"].sort());
  });

  it("reads an alias of a number key, written as a value, as the key's number (go-yaml re-reads the anchored node), whatever the order of its tag and anchor", () => {
    const object = parseYamlFile("m.yaml", cm("data:\n  &a 1.5: a\n  !!float &b 1e7: b\n  &c !!int 0x10: c\nv: [*a, *b, *c]\n")).objects[0]?.object;
    expect(object?.data).toEqual({ "1.5": "a", "1e+07": "b", "16": "c" });
    expect(object?.v).toEqual([1.5, 10000000, 16]);
  });

  it("reads a tagged empty key as Go does: `!!str : x` is the key \"\", only `!!null :` (or no tag) a null key", () => {
    expect(parseYamlFile("m.yaml", cm("data:\n  !!str : x\n")).objects[0]?.object.data).toEqual({ "": "x" });
    expect(problems(cm("data:\n  !!null : x\n"))).toEqual([["invalid for Kubernetes: a mapping key is null (`~`, `null` or empty), which kubectl cannot make a JSON key of (unsupported map key); kubectl refuses the file", 4, 10]]);
  });

  it("refuses a key whose tag go-yaml cannot apply (`!!int 1.5`, `!!float` on a uint64) at its line, instead of writing it as a number", () => {
    for (const key of ["!!int 123456789.5", '!!int "1.5"', "!!float 0x8000000000000000"]) {
      const found = problems(cm(`data:\n  ${key}: x\n`));
      expect(found.map(([message, line]) => [String(message).startsWith("invalid YAML: cannot resolve a node with"), line])).toEqual([[true, 4]]);
    }
  });

  it("formats float32s as Go does", () => {
    expect([0.1, 16777217, 3.4e38, 1e39, -0, 1e-45, 123456, 1234567, 0.5e-4].map(formatFloat32G)).toEqual(["0.1", "1.6777216e+07", "3.4e+38", ".inf", "-0", "1e-45", "123456", "1.234567e+06", "5e-05"]);
  });
});

describe("`...` lines kubectl refuses", () => {
  const message = "invalid YAML for kubectl: a `...` (document end) line before any document between `---` lines (at the start of the file or right after `---`), so kubectl refuses the file (did not find expected node content)";

  it("names a `...` right after `---` at its line, once, and still loads the document after it", () => {
    const text = `${cm()}---\n...\n${cm()}`;
    expect(problems(text)).toEqual([[message, 4, 1]]);
    expect(parseYamlFile("m.yaml", text).objects).toHaveLength(2);
  });

  it("names one at the start of the file, and one with no document after it", () => {
    expect(problems(`# c\n...\n${cm()}`)).toEqual([[message, 2, 1]]);
    expect(problems(`${cm()}---\n...\n`)).toEqual([[message, 4, 1]]);
    expect(problems("...\n")).toEqual([[message, 1, 1]]);
  });

  it("reports it once when a file is read in two selections", () => {
    const text = `${cm()}---\n...\n${cm("data: {}\n")}`;
    const selected = (pick: boolean) => parseYamlFile("m.yaml", text, undefined, (d) => d.includes("data") === pick).problems.length;
    expect(selected(true) + selected(false)).toBe(1);
  });

  it("says nothing of a `...` that ends a document", () => {
    expect(problems(`${cm()}...\n---\n${cm()}...\n`)).toEqual([]);
  });
});
