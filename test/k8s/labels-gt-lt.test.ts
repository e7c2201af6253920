import { describe, expect, it } from "vitest";
import { matchesRequirement, validateRequirement } from "../../src/k8s/labels.js";

describe("node selector Gt and Lt, as Kubernetes reads both sides (strconv.ParseInt, 64 bits)", () => {
  const gt = (bound: string, value: string) => matchesRequirement({ key: "cores", operator: "Gt", values: [bound] }, { cores: value });

  it("compares integers, a signed bound included", () => {
    expect(gt("4", "8")).toBe(true);
    expect(gt("+4", "8")).toBe(true);
    expect(gt("-1", "0")).toBe(true);
    expect(matchesRequirement({ key: "cores", operator: "Lt", values: ["4"] }, { cores: "3" })).toBe(true);
    expect(validateRequirement({ key: "cores", operator: "Gt", values: ["4"] }, { allowGtLt: true })).toEqual([]);
  });

  it("never matches a value past int64, which Kubernetes cannot parse, and refuses such a bound", () => {
    expect(gt("4", "99999999999999999999")).toBe(false);
    expect(gt("4", "9223372036854775807")).toBe(true);
    expect(gt("4", "9223372036854775808")).toBe(false);
    expect(gt("9223372036854775808", "5")).toBe(false);
    expect(validateRequirement({ key: "cores", operator: "Gt", values: ["9223372036854775808"] }, { allowGtLt: true })).toEqual(["operator Gt needs exactly one integer value"]);
    expect(gt("4", "4.0")).toBe(false);
  });
});
