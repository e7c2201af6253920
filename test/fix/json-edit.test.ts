import { describe, expect, it } from "vitest";
import { JsonEditor } from "../../src/fix/document-editor.js";
import type { Edit } from "../../src/fix/edits.js";
import { readContainer, rootValue } from "../../src/fix/json-tree.js";

/** Apply edits one by one; the text written and why each refused edit was. */
function edit(text: string, ...edits: Edit[]): { text: string; refused: Array<string | undefined> } {
  const editor = new JsonEditor(text, JSON.parse(text));
  const refused = edits.map((e) => editor.apply(e));
  return { text: editor.text, refused };
}

describe("JSON edits spliced into the text", () => {
  it("finds every value, key and bracket, strings with brackets and escapes included", () => {
    const text = ' {"a\\"}": [1, {"b": "x]}"}], "c": null} ';
    const root = rootValue(text);
    expect(root).toEqual({ type: "object", start: 1, end: text.length - 1, isNull: false });
    const { entries } = readContainer(text, root);
    expect(entries.map((e) => [e.key, text.slice(e.keyStart, e.keyEnd), text.slice(e.value.start, e.value.end), e.value.type, e.value.isNull])).toEqual([
      ['a"}', '"a\\"}"', '[1, {"b": "x]}"}]', "array", false],
      ["c", '"c"', "null", "scalar", true],
    ]);
    const items = readContainer(text, entries[0]!.value).entries;
    expect(items.map((e) => [e.key, text.slice(e.value.start, e.value.end)])).toEqual([
      [undefined, "1"],
      [undefined, '{"b": "x]}"}'],
    ]);
  });

  it("replaces a value in the layout of what it replaces", () => {
    const text = '{\n  "a": {"x": 1},\n  "b": {\n    "y": 2\n  },\n  "c": 3\n}\n';
    expect(edit(text, { op: "set", path: ["a"], value: { z: [1, 2] } }).text).toBe('{\n  "a": {"z": [1, 2]},\n  "b": {\n    "y": 2\n  },\n  "c": 3\n}\n');
    expect(edit(text, { op: "set", path: ["b"], value: { z: 1 } }).text).toBe('{\n  "a": {"x": 1},\n  "b": {\n    "z": 1\n  },\n  "c": 3\n}\n');
    expect(edit(text, { op: "set", path: ["c"], value: { z: 1 } }).text).toBe('{\n  "a": {"x": 1},\n  "b": {\n    "y": 2\n  },\n  "c": {\n    "z": 1\n  }\n}\n');
  });

  it("lays out a value that replaces an empty object as its container does, in the container's indent step", () => {
    const text = '{\n    "spec": {\n        "sc": {},\n        "inline": {"sc": {}}\n    }\n}\n';
    const r = edit(text, { op: "set", path: ["spec", "sc"], value: { a: 1 } }, { op: "set", path: ["spec", "inline", "sc"], value: { a: 1 } });
    expect(r.text).toBe('{\n    "spec": {\n        "sc": {\n            "a": 1\n        },\n        "inline": {"sc": {"a": 1}}\n    }\n}\n');
  });

  it("fills a null with the rest of the path, and adds to an empty list in its parent's layout", () => {
    const text = '{\n  "sc": null,\n  "inline": {"list": []},\n  "list": []\n}';
    const r = edit(text, { op: "set", path: ["sc", "caps", "drop"], value: ["ALL"] }, { op: "append", path: ["inline", "list"], value: "x" }, { op: "append", path: ["list"], value: "y" });
    expect(r.refused).toEqual([undefined, undefined, undefined]);
    expect(r.text).toBe('{\n  "sc": {\n    "caps": {\n      "drop": [\n        "ALL"\n      ]\n    }\n  },\n  "inline": {"list": ["x"]},\n  "list": [\n    "y"\n  ]\n}');
  });

  it("removes the first, a middle, the last and an only entry, leaving the rest of each line as it was", () => {
    const text = '{\n  "add": ["A", "B", "C"],\n  "one": {"k": 1},\n  "block": [\n    1,\n    2\n  ]\n}\n';
    const r = edit(text, { op: "remove", path: ["add", 2] }, { op: "remove", path: ["add", 0] }, { op: "remove", path: ["one", "k"] }, { op: "remove", path: ["block", 0] });
    expect(r.text).toBe('{\n  "add": ["B"],\n  "one": {},\n  "block": [\n    2\n  ]\n}\n');
    expect(edit(text, { op: "remove", path: ["block", 1] }).text).toBe('{\n  "add": ["A", "B", "C"],\n  "one": {"k": 1},\n  "block": [\n    1\n  ]\n}\n');
    expect(edit(text, { op: "remove", path: ["block"] }).text).toBe('{\n  "add": ["A", "B", "C"],\n  "one": {"k": 1}\n}\n');
    // Nothing there: nothing changes.
    expect(edit(text, { op: "remove", path: ["missing", "x"] }).text).toBe(text);
  });

  it("renames a key in place and quotes a number as written", () => {
    const text = '{"labels": {"version": 1.0, "tier": "web"}, "imagePullpolicy": "Always"}';
    const r = edit(text, { op: "quote", path: ["labels", "version"] }, { op: "rename", path: ["imagePullpolicy"], to: "imagePullPolicy" }, { op: "quote", path: ["labels", "tier"] });
    expect(r.text).toBe('{"labels": {"version": "1.0", "tier": "web"}, "imagePullPolicy": "Always"}');
    expect(r.refused).toEqual([undefined, undefined, "labels.tier is not a number, boolean or null to quote"]);
  });

  it("refuses what cannot be written, and what would not read back as meant, leaving the text as it was", () => {
    const text = '{"spec": {"containers": "oops"}, "dup": 1, "dup": 2}';
    const r = edit(text, { op: "set", path: ["spec", "containers", 0, "name"], value: "c" }, { op: "remove", path: ["dup"] });
    // The earlier of two duplicate keys would come back: refused, not written.
    expect(r.refused).toEqual(["spec.containers is not a map or list, so nothing can be written under it", "could not be written without changing other fields, so it was not"]);
    expect(r.text).toBe(text);
  });
});
