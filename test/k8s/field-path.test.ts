import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFieldPath, type FieldPath } from "../../src/k8s/types.js";

/** The rule as stated: identifiers dotted (not before the first), indices and other keys bracketed. */
function reference(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

describe("formatFieldPath", () => {
  it("prints the usual paths", () => {
    expect(formatFieldPath(["spec", "containers", 0, "securityContext", "privileged"])).toBe("spec.containers[0].securityContext.privileged");
    expect(formatFieldPath([0, "name"])).toBe("[0].name");
    expect(formatFieldPath(["metadata", "labels", "app.kubernetes.io/name"])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(formatFieldPath([])).toBe("");
  });

  it("prints every path as the rule says, whether its parts were seen before or not", () => {
    const part = fc.oneof(fc.nat({ max: 20 }), fc.constantFrom("spec", "containers", "a.b", "x y", '"q"', "_ok-1", "1st", ""), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (path) => {
        // Twice: the second call reads printed parts back from the cache.
        expect(formatFieldPath(path)).toBe(reference(path));
        expect(formatFieldPath(path)).toBe(reference(path));
      }),
      { numRuns: 2000 },
    );
  });

  it("prints the same path the same way twice, and every path correctly past the number it keeps", () => {
    const first = formatFieldPath(["spec", "template", "spec", "containers", 0, "image"]);
    expect(formatFieldPath(["spec", "template", "spec", "containers", 0, "image"])).toBe(first);
    // More distinct paths than the cache holds (label keys of a big cluster): every one still printed by the rule.
    const wrong: string[] = [];
    for (let i = 0; i < 70_000; i++) {
      const path: FieldPath = ["metadata", "labels", `team.example.com/k${i}`];
      if (formatFieldPath(path) !== reference(path)) wrong.push(formatFieldPath(path));
    }
    expect(wrong).toEqual([]);
    expect(formatFieldPath(["spec", "x-after-the-cap", 3])).toBe("spec.x-after-the-cap[3]");
  });
});
