/**
 * maxLimitRequestRatio as LimitRanger's limitRequestRatioConstraint decides it: the ratio is
 * a float64 division scaled by 1000 and compared with the maximum's milli-value, so float
 * rounding can put an exactly-equal ratio over the maximum, as it does in the API server.
 */
import { describe, expect, it } from "vitest";
import { limitRangeViolations, readLimitRange } from "../../../src/access/quota/limitrange.js";
import { readPodResources } from "../../../src/access/quota/pod-resources.js";
import type { QuantityProblem } from "../../../src/access/quota/resource-list.js";

function violations(ratio: string, request: string, limit: string): string[] {
  const problems: QuantityProblem[] = [];
  const range = readLimitRange("lr", { limits: [{ type: "Container", maxLimitRequestRatio: { cpu: ratio } }] }, problems);
  const pod = readPodResources({ containers: [{ name: "c", resources: { requests: { cpu: request }, limits: { cpu: limit } } }] }, ["spec"]);
  expect(problems).toEqual([]);
  return limitRangeViolations(range, pod).map((v) => v.message);
}

describe("LimitRange maxLimitRequestRatio in float64, as upstream", () => {
  it("2007m / 1000m is over a ratio of 2.007: (2.007 * 1000) rounds above 2007", () => {
    expect(violations("2.007", "1", "2007m")).toEqual(["container c: cpu max limit to request ratio per Container is 2007m, but provided ratio is 2.007000"]);
    // Where the float arithmetic is exact, a ratio at the maximum passes and one above fails.
    expect(violations("4", "500m", "2")).toEqual([]);
    expect(violations("1.5", "2", "3")).toEqual([]);
    expect(violations("1.5", "2", "3001m")).toHaveLength(1);
  });
});
