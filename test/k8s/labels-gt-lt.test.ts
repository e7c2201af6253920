import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesRequirement, nodeSelectorBound, validateRequirement } from "../../src/k8s/labels.js";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const gt = (bound: string, value: string) => matchesRequirement({ key: "cores", operator: "Gt", values: [bound] }, { cores: value });
const lt = (bound: string, value: string) => matchesRequirement({ key: "cores", operator: "Lt", values: [bound] }, { cores: value });
const requirement = (operator: string, values: string[]) => ({ key: "cores", operator, values });

describe("node selector Gt and Lt, as the scheduler reads both sides", () => {
  it("compares integers; leading zeros are read as Go's strconv.ParseInt reads them, on either side", () => {
    expect(gt("4", "8")).toBe(true);
    expect(lt("4", "3")).toBe(true);
    expect(gt("007", "8")).toBe(true);
    expect(gt("007", "7")).toBe(false);
    expect(gt("6", "007")).toBe(true);
    expect(nodeSelectorBound(["007"])).toBe(7n);
  });

  it("a signed bound never matches: labels.NewRequirement also wants a label value, which cannot start with + or -", () => {
    for (const bound of ["+4", "-0", "-1", "+0"]) {
      expect(nodeSelectorBound([bound])).toBeUndefined();
      expect(gt(bound, "8")).toBe(false);
      expect(lt(bound, "0")).toBe(false);
      expect(validateRequirement(requirement("Gt", [bound]), { allowGtLt: true }).length).toBeGreaterThan(0);
    }
  });

  it("never matches a value past int64, which Kubernetes cannot parse, and the scheduler refuses such a bound", () => {
    expect(gt("4", "99999999999999999999")).toBe(false);
    expect(gt("4", "9223372036854775807")).toBe(true);
    expect(gt("4", "9223372036854775808")).toBe(false);
    expect(gt("9223372036854775808", "5")).toBe(false);
    expect(validateRequirement(requirement("Gt", ["9223372036854775808"]), { allowGtLt: true })).toEqual([`values[0]: Invalid value: "9223372036854775808": for 'Gt', 'Lt' operators, the value must be an integer`]);
    expect(gt("4", "4.0")).toBe(false);
  });
});

// Written from the grammar, not from the code under test: a label value made of digits only
// (at most 63 of them) that fits int64 is what both NewRequirement and ParseInt accept.
const schedulerReadsBound = (s: string) => /^[0-9]{1,63}$/.test(s) && BigInt(s) <= INT64_MAX;
const parseIntReadsLabel = (s: string) => /^[+-]?[0-9]+$/.test(s) && BigInt(s) >= INT64_MIN && BigInt(s) <= INT64_MAX;

const numberish = fc.oneof(
  fc.stringMatching(/^[+-]?0{0,3}[0-9]{1,20}$/),
  fc.bigInt({ min: INT64_MIN - 2n, max: INT64_MAX + 2n }).map(String),
  fc.constantFrom("", "-", "+", "4.0", "1e3", " 4", "abc", "0x10", "9".repeat(63), "0".repeat(60) + "7"),
);

describe("Gt/Lt properties", () => {
  it("a requirement matches exactly when the scheduler reads the bound and ParseInt reads the label, and the comparison holds", () => {
    fc.assert(
      fc.property(fc.constantFrom("Gt", "Lt"), numberish, numberish, (operator, bound, label) => {
        const expected = schedulerReadsBound(bound) && parseIntReadsLabel(label) && (operator === "Gt" ? BigInt(label) > BigInt(bound) : BigInt(label) < BigInt(bound));
        expect(matchesRequirement(requirement(operator, [bound]), { cores: label })).toBe(expected);
      }),
    );
  });

  it("for a readable bound and an integer label, exactly one of Gt, Lt and equality holds", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: INT64_MAX }), fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.nat(3), (bound, label, zeros) => {
        const text = "0".repeat(zeros) + String(bound);
        const held = [gt(text, String(label)), lt(text, String(label)), label === bound].filter(Boolean);
        expect(held).toHaveLength(1);
      }),
    );
  });
});
