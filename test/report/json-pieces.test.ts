import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ITEMS_MARK, jsonPieces } from "../../src/report/json-pieces.js";

/** A report whose big array sits `depth` levels deep, as the real reports nest theirs. */
function reportAt(depth: number, items: unknown[]): { report: unknown; layout: unknown } {
  const build = (array: unknown[]): unknown => {
    let node: unknown = { before: "ü", items: array, after: [1, { x: null }] };
    for (let level = 2; level < depth; level++) node = { level, inner: node };
    return node;
  };
  return { report: build(items), layout: build([ITEMS_MARK]) };
}

const printed = (layout: unknown, items: unknown[], depth: number): string[] => [...jsonPieces(layout, items.length, (i) => items[i], depth)];

describe("jsonPieces", () => {
  it("adds up to JSON.stringify(report, null, 2) for items of any size, text and depth", () => {
    // Items from a few bytes to far over a piece, with quotes, newlines and non-Latin-1 text.
    const item = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ id: fc.nat(), message: fc.string({ unit: "grapheme", maxLength: 40 }) }),
      fc.integer({ min: 0, max: 120_000 }).map((n) => ({ big: "—".repeat(n) })),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 300 }), fc.integer({ min: 2, max: 5 }), (items, depth) => {
        const { report, layout } = reportAt(depth, items);
        expect(printed(layout, items, depth).join("")).toBe(`${JSON.stringify(report, null, 2)}\n`);
      }),
      { numRuns: 60 },
    );
  });

  it("keeps pieces of many small items below V8's large-object size, whatever the item size", () => {
    for (const size of [20, 400, 1400, 5000]) {
      // Two-byte text (a dash) doubles the bytes of every character: the worst case.
      const items = Array.from({ length: 2000 }, (_, i) => ({ i, text: "—".repeat(size) }));
      const { layout } = reportAt(4, items);
      const pieces = printed(layout, items, 4);
      const largest = Math.max(...pieces.map((p) => p.length * 2));
      expect(largest, `items of ${size} characters`).toBeLessThan(128 * 1024);
      // ...and batches several items a call (not one item a piece) when they are small.
      expect(pieces.length, `items of ${size} characters`).toBeLessThan(2000);
    }
  });
});
