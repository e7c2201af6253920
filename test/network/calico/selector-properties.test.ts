import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateNode, printNode, type SelectorNode } from "../../../src/network/calico/selector/ast.js";
import { parseCalicoSelector, SelectorSyntaxError } from "../../../src/network/calico/selector/index.js";

// A small alphabet so that generated selectors and label maps actually meet.
const labelKey = fc.constantFrom("a", "b", "app", "calico/k8s_ns", "contains", "in", "x.y-z_1");
// Values may hold either quote, but not both: Calico strings have no escapes.
const literal = fc.oneof(fc.constantFrom("", "v", "web", "w", "'", '"', "a b", "é"), fc.string({ maxLength: 3 }).filter((s) => !(s.includes('"') && s.includes("'"))));
const labels = fc.dictionary(labelKey, fc.constantFrom("v", "web", "w", "'", '"', "", "xv"), { maxKeys: 4 });

function selectorTree(allowDoubleNegation: boolean): fc.Arbitrary<SelectorNode> {
  const { node } = fc.letrec<{ node: SelectorNode; leaf: SelectorNode }>((tie) => ({
    leaf: fc.oneof(
      fc.constant<SelectorNode>({ op: "all" }),
      fc.constant<SelectorNode>({ op: "global" }),
      labelKey.map((label): SelectorNode => ({ op: "has", label })),
      fc.record({ op: fc.constantFrom("eq" as const, "ne" as const, "contains" as const, "startsWith" as const, "endsWith" as const), label: labelKey, value: literal }),
      fc.record({
        op: fc.constantFrom("in" as const, "notIn" as const),
        label: labelKey,
        values: fc.uniqueArray(literal, { maxLength: 3 }).map((v) => [...v].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))),
      }),
    ),
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      tie("leaf"),
      tie("node")
        .filter((n) => allowDoubleNegation || n.op !== "not")
        .map((operand): SelectorNode => ({ op: "not", operand })),
      fc.record({ op: fc.constantFrom("and" as const, "or" as const), operands: fc.array(tie("node"), { minLength: 2, maxLength: 3 }) }),
    ),
  }));
  return node;
}

describe("calico selector properties", () => {
  it("the canonical form parses back to the same canonical form and matches the same labels", () => {
    fc.assert(
      fc.property(selectorTree(false), fc.array(labels, { minLength: 1, maxLength: 5 }), (tree, labelMaps) => {
        const text = printNode(tree);
        const reparsed = parseCalicoSelector(text);
        expect(reparsed.canonical).toBe(text);
        for (const map of labelMaps) expect(reparsed.matches(map)).toBe(evaluateNode(tree, map));
      }),
      { numRuns: 400 },
    );
  });

  it("printing any tree, even with stacked negations, keeps its meaning", () => {
    // `!(!x)` prints as `!!x`, which upstream reads back as `x`: the text changes, the meaning must not.
    fc.assert(
      fc.property(selectorTree(true), fc.array(labels, { minLength: 1, maxLength: 5 }), (tree, labelMaps) => {
        const reparsed = parseCalicoSelector(printNode(tree));
        for (const map of labelMaps) expect(reparsed.matches(map)).toBe(evaluateNode(tree, map));
        expect(parseCalicoSelector(reparsed.canonical).canonical).toBe(reparsed.canonical);
      }),
      { numRuns: 300 },
    );
  });

  it("!= and not in are the exact negations of == and in, label present or not", () => {
    fc.assert(
      fc.property(labelKey, literal, labels, (key, value, map) => {
        const q = value.includes('"') ? `'${value}'` : `"${value}"`;
        expect(parseCalicoSelector(`${key} != ${q}`).matches(map)).toBe(!parseCalicoSelector(`${key} == ${q}`).matches(map));
        expect(parseCalicoSelector(`${key} not in {${q}}`).matches(map)).toBe(!parseCalicoSelector(`${key} in {${q}}`).matches(map));
      }),
    );
  });

  it("&& binds tighter than ||", () => {
    fc.assert(
      fc.property(labels, (map) => {
        const loose = parseCalicoSelector('a == "v" || b == "v" && app == "web"').matches(map);
        const explicit = parseCalicoSelector('a == "v" || (b == "v" && app == "web")').matches(map);
        expect(loose).toBe(explicit);
      }),
    );
  });

  it("any input either parses or fails with a SelectorSyntaxError pointing inside it", () => {
    const alphabet = fc.constantFrom("a", "b", " ", "=", "!", "&", "|", "(", ")", "{", "}", ",", '"', "'", "in", "not", "has(", "all()", "contains", "starts", "with", "%");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join("")), (text) => {
        try {
          const selector = parseCalicoSelector(text);
          expect(parseCalicoSelector(selector.canonical).canonical).toBeTypeOf("string");
        } catch (error) {
          expect(error).toBeInstanceOf(SelectorSyntaxError);
          expect((error as SelectorSyntaxError).offset).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("errors carry the column of the offending token", () => {
    expect(() => parseCalicoSelector('app == "web" && %')).toThrow(SelectorSyntaxError);
    try {
      parseCalicoSelector('app == "web" && tier == db');
    } catch (error) {
      expect((error as SelectorSyntaxError).column).toBe(25);
      expect((error as Error).message).toMatch(/quoted string/);
    }
    expect.assertions(3);
  });

  it("empty sets: in {} never matches, not in {} always does", () => {
    fc.assert(
      fc.property(labels, (map) => {
        expect(parseCalicoSelector("a in {}").matches(map)).toBe(false);
        expect(parseCalicoSelector("a not in {}").matches(map)).toBe(true);
      }),
    );
  });
});

describe("inherited object properties are never labels", () => {
  it("has(constructor), toString == ..., __proto__ on plain label maps", () => {
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(parseCalicoSelector(`has(${key})`).matches({})).toBe(false);
      expect(parseCalicoSelector(`${key} != "x"`).matches({})).toBe(true);
      expect(parseCalicoSelector(`${key} in {"x"}`).matches({})).toBe(false);
    }
    expect(parseCalicoSelector("has(constructor)").matches({ constructor: "v" } as Record<string, string>)).toBe(true);
  });
});
