/** The scoring rule stated as properties: bounded, order-free, and never raised by a further weakness. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEVERITIES } from "../../src/findings/types.js";
import { gradeOf, pillarScore, SEVERITY_POINTS } from "../../src/posture/scoring.js";
import type { Deduction } from "../../src/posture/types.js";

const deduction = fc.constantFrom(...SEVERITIES).map(
  (severity): Deduction => ({ pillar: "workload", points: SEVERITY_POINTS[severity], severity, ruleId: `r/${severity}`, reason: "", count: 1 }),
);

describe("posture scoring", () => {
  it("is between 0 and 100, whatever the deductions and their order", () => {
    fc.assert(
      fc.property(fc.array(deduction, { maxLength: 40 }), (list) => {
        const score = pillarScore(list);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
        expect(pillarScore([...list].reverse())).toBe(score);
      }),
    );
  });

  it("a further deduction never raises a score", () => {
    fc.assert(
      fc.property(fc.array(deduction, { maxLength: 10 }), deduction, (list, more) => {
        expect(pillarScore([...list, more])).toBeLessThanOrEqual(pillarScore(list));
      }),
    );
    expect(pillarScore([])).toBe(100);
    expect(pillarScore([{ pillar: "data", points: 60, severity: "critical", ruleId: "x", reason: "", count: 1 }])).toBe(40);
    expect(pillarScore([{ pillar: "data", points: 15, severity: "medium", ruleId: "x", reason: "", count: 1 }, { pillar: "data", points: 15, severity: "medium", ruleId: "y", reason: "", count: 1 }])).toBe(72);
  });

  it("grades at the documented floors", () => {
    expect([100, 90, 89, 75, 74, 50, 49, 25, 24, 0].map(gradeOf)).toEqual(["A", "A", "B", "B", "C", "C", "D", "D", "F", "F"]);
  });
});
