import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import type { ScanFamily } from "../../src/scan/family.js";
import { runScan } from "../../src/scan/run.js";

function familyOf(id: string, count: number): ScanFamily {
  return {
    id,
    rules: [],
    check: () =>
      Array.from({ length: count }, (_, i): Finding => ({
        ruleId: `${id}/r`,
        severity: "low",
        pillar: "workload",
        message: `finding ${i}`,
        position: { file: "f.yaml", line: i + 1, column: 1 },
      })),
  };
}

describe("runScan", () => {
  it("keeps every finding of a family that returns hundreds of thousands of them", () => {
    // A cluster of ~60k workloads gives this many Pod Security findings; spreading them into
    // push() overflowed the stack and the whole family was reported as an internal error.
    const result = runScan(emptySnapshot(), {}, [familyOf("big", 300_000), familyOf("small", 3)]);
    expect(result.problems).toEqual([]);
    expect(result.findings.length).toBe(300_003);
  });

  it("reports a failing family as a problem and still runs the others", () => {
    const broken: ScanFamily = { id: "broken", rules: [], check: () => { throw new Error("boom"); } };
    const result = runScan(emptySnapshot(), {}, [broken, familyOf("fine", 2)]);
    expect(result.findings.length).toBe(2);
    expect(result.problems.map((p) => p.message)).toEqual(["internal error in the broken checks: boom"]);
  });
});
