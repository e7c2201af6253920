/**
 * Fields that YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`) or aliases bring into a
 * mapping are located where they are written, in the anchored mapping, with the precedence
 * kubectl's go-yaml v2 applies (go-merge-keys.ts): the last writer in the order written wins,
 * a merge key writing the mappings it names over what was written before it, and earlier
 * mappings of a merge list over later ones.
 */
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { loadApplyingMergeKeys } from "../../src/k8s/go-merge-keys.js";
import { DocumentLocator } from "../../src/k8s/locate.js";
import type { FieldPath } from "../../src/k8s/types.js";

/** 0-based position of `needle` (its `occurrence`th appearance) in `text`. */
function at(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let n = 0; n < occurrence; n++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${needle} #${occurrence} not in the text`);
  }
  const before = text.slice(0, index).split("\n");
  return { line: before.length - 1, column: (before.at(-1) as string).length };
}

const locate = (text: string, path: FieldPath) => new DocumentLocator(text).locate(path);

/** The value Palisade's loader reads at `path` (as kubectl would), to check the located key is the one that takes effect. */
function valueAt(text: string, path: FieldPath): unknown {
  let value = loadApplyingMergeKeys(text, (t) => jsYaml.load(t));
  for (const part of path) value = (value as Record<string | number, unknown>)[part];
  return value;
}

describe("DocumentLocator through merge keys", () => {
  it("points a merged field at the field inside the anchored mapping", () => {
    const text = "metadata:\n  name: p\n  x-defaults: &sc\n    privileged: true\n    runAsUser: 0\nspec:\n  containers:\n  - name: c\n    securityContext:\n      <<: *sc\n      runAsNonRoot: false\n";
    const path = ["spec", "containers", 0, "securityContext", "privileged"];
    expect(valueAt(text, path)).toBe(true);
    expect(locate(text, path)).toEqual(at(text, "privileged: true"));
    expect(locate(text, ["spec", "containers", 0, "securityContext", "runAsUser"])).toEqual(at(text, "runAsUser: 0"));
    // A field written directly is found where it is, a missing one at the mapping that would hold it.
    expect(locate(text, ["spec", "containers", 0, "securityContext", "runAsNonRoot"])).toEqual(at(text, "runAsNonRoot"));
    expect(locate(text, ["spec", "containers", 0, "securityContext", "seccompProfile", "type"])).toEqual(at(text, "securityContext:"));
  });

  it("a key written after the merge key wins over the merged one; one written before it is overwritten (go-yaml v2)", () => {
    const text = "base: &b\n  privileged: true\n  runAsUser: 0\nafter:\n  <<: *b\n  privileged: false\nbefore:\n  runAsUser: 1000\n  <<: *b\n  hostPID: true\n";
    expect(valueAt(text, ["after", "privileged"])).toBe(false);
    expect(locate(text, ["after", "privileged"])).toEqual(at(text, "privileged: false"));
    expect(locate(text, ["after", "runAsUser"])).toEqual(at(text, "runAsUser: 0"));
    expect(valueAt(text, ["before", "runAsUser"])).toBe(0);
    expect(locate(text, ["before", "runAsUser"])).toEqual(at(text, "runAsUser: 0"));
    expect(locate(text, ["before", "privileged"])).toEqual(at(text, "privileged: true"));
    expect(locate(text, ["before", "hostPID"])).toEqual(at(text, "hostPID: true"));
  });

  it("a list of merges: the earlier mapping wins, a later one gives what the earlier lacks", () => {
    const text = "a: &a\n  privileged: true\nb: &b\n  privileged: false\n  runAsUser: 0\npod:\n  <<: [*a, *b]\n  name: p\nblock:\n  <<:\n  - *b\n  - *a\n";
    expect(valueAt(text, ["pod", "privileged"])).toBe(true);
    expect(locate(text, ["pod", "privileged"])).toEqual(at(text, "privileged: true"));
    expect(locate(text, ["pod", "runAsUser"])).toEqual(at(text, "runAsUser: 0"));
    expect(valueAt(text, ["block", "privileged"])).toBe(false);
    expect(locate(text, ["block", "privileged"])).toEqual(at(text, "privileged: false"));
  });

  it("a nested merge: a merged mapping's own merges come after its own keys, and before the next mapping of the list", () => {
    const text = [
      "c: &c\n  privileged: true\n  hostPID: true\n  runAsUser: 5\n",
      "a: &a\n  <<: *c\n  hostPID: false\n",
      "d: &d\n  runAsUser: 6\n  seLinux: x\n",
      "spec:\n  <<: [*a, *d]\n  name: s\n",
    ].join("");
    expect(valueAt(text, ["spec", "privileged"])).toBe(true);
    expect(locate(text, ["spec", "privileged"])).toEqual(at(text, "privileged: true"));
    expect(valueAt(text, ["spec", "hostPID"])).toBe(false);
    expect(locate(text, ["spec", "hostPID"])).toEqual(at(text, "hostPID: false"));
    expect(valueAt(text, ["spec", "runAsUser"])).toBe(5);
    expect(locate(text, ["spec", "runAsUser"])).toEqual(at(text, "runAsUser: 5"));
    expect(locate(text, ["spec", "seLinux"])).toEqual(at(text, "seLinux: x"));
    expect(locate(text, ["spec", "missing"])).toEqual(at(text, "spec:"));
  });

  it("merges of flow mappings: an anchored one, one written inline, and a merge inside a flow mapping", () => {
    const text = "defaults: &sc {privileged: true, capabilities: {add: [NET_ADMIN]}}\nanchored:\n  <<: *sc\ninline:\n  <<: {hostPID: true}\nflow: {<<: *sc, runAsUser: 0}\nlist: [{<<: *sc}]\n";
    expect(locate(text, ["anchored", "privileged"])).toEqual(at(text, "privileged: true"));
    // The path goes on below the merged field, inside the anchor.
    expect(valueAt(text, ["anchored", "capabilities", "add", 0])).toBe("NET_ADMIN");
    expect(locate(text, ["anchored", "capabilities", "add", 0])).toEqual(at(text, "NET_ADMIN"));
    expect(locate(text, ["inline", "hostPID"])).toEqual(at(text, "hostPID: true"));
    expect(locate(text, ["flow", "privileged"])).toEqual(at(text, "privileged: true"));
    expect(locate(text, ["flow", "runAsUser"])).toEqual(at(text, "runAsUser: 0"));
    expect(locate(text, ["flow", "missing"])).toEqual(at(text, "flow:"));
    expect(locate(text, ["list", 0, "capabilities"])).toEqual(at(text, "capabilities:"));
  });

  it("follows a whole value given as an alias, and the last anchor of a name before it", () => {
    const text = "x: &sc\n  privileged: true\ny: &sc\n  privileged: false\nsecurityContext: *sc\nitems:\n- *sc\n";
    expect(valueAt(text, ["securityContext", "privileged"])).toBe(false);
    expect(locate(text, ["securityContext", "privileged"])).toEqual(at(text, "privileged: false"));
    expect(locate(text, ["securityContext"])).toEqual(at(text, "securityContext:"));
    expect(locate(text, ["items", 0, "privileged"])).toEqual(at(text, "privileged: false"));
    expect(locate(text, ["items", 0])).toEqual(at(text, "*sc\n", 2));
  });

  it("a quoted \"<<\" is an ordinary key, not a merge", () => {
    const text = "base: &b\n  privileged: true\npod:\n  \"<<\": *b\n  name: p\n";
    expect(locate(text, ["pod", "privileged"])).toEqual(at(text, "pod:"));
  });

  it("a key tagged !!merge that is not `<<` is an ordinary key, found by its text (go-yaml merges only `<<`)", () => {
    const text = "base: &b\n  privileged: true\npod:\n  !!merge opts: *b\n  !!merge <<: *b\n";
    expect(valueAt(text, ["pod", "opts", "privileged"])).toBe(true);
    expect(locate(text, ["pod", "opts"])).toEqual(at(text, "opts:"));
    expect(locate(text, ["pod", "opts", "privileged"])).toEqual(at(text, "privileged: true"));
    expect(locate(text, ["pod", "privileged"])).toEqual(at(text, "privileged: true"));
  });

  it("a mapping merged twice, or into itself through another, is searched once and the search ends", () => {
    const text = "a: &a\n  k: 1\nb: &b\n  <<: *a\nc:\n  <<: [*b, *a, *b]\n";
    expect(locate(text, ["c", "k"])).toEqual(at(text, "k: 1"));
    expect(locate(text, ["c", "none"])).toEqual(at(text, "c:"));
  });

  it("a long mapping (read through its key index) with a merge key", () => {
    const keys = Array.from({ length: 80 }, (_, i) => `  k${i}: ${i}\n`).join("");
    const text = `base: &b\n  privileged: true\n  k3: merged\nbig:\n${keys}  <<: *b\n`;
    expect(locate(text, ["big", "privileged"])).toEqual(at(text, "privileged: true"));
    // k3 is written before the merge key, which overwrites it with the merged value.
    expect(locate(text, ["big", "k3"])).toEqual(at(text, "k3: merged"));
    expect(locate(text, ["big", "k4"])).toEqual(at(text, "k4: 4"));
    expect(locate(text, ["big", "missing"])).toEqual(at(text, "big:"));
  });

  it("a mapping without a merge key still answers from the fast walker", () => {
    const text = "spec:\n  a: 1\n  b: 2\n";
    const locator = new DocumentLocator(text);
    expect(locator.locateFast(["spec", "c"])).toEqual(at(text, "spec:"));
    const merged = new DocumentLocator("spec:\n  <<: {c: 1}\n  a: 1\n");
    expect(merged.locateFast(["spec", "a"])).toEqual({ line: 2, column: 2 });
    expect(merged.locateFast(["spec", "c"])).toBeUndefined();
  });
});
