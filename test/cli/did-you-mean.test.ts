import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "../../src/did-you-mean.js";

describe("did you mean", () => {
  it("counts a swap of neighbouring letters as one slip, as well as an insertion, deletion or substitution", () => {
    expect(editDistance("shpo", "shop")).toBe(1);
    expect(editDistance("paymnets", "payments")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(didYouMean("shpo", ["monitoring", "shop"])).toBe("shop");
  });

  it("property: a distance (symmetric, zero only for equal words, at most the longer length, one for one slip)", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", "c", "d"), maxLength: 8 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 10 }), fc.nat(), (a, at) => {
        const i = at % (a.length - 1);
        const swapped = a.slice(0, i) + a[i + 1] + a[i] + a.slice(i + 2);
        expect(editDistance(a, swapped)).toBe(a[i] === a[i + 1] ? 0 : 1);
      }),
    );
  });
});
