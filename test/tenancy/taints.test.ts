import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import {
  findUntoleratedTaint,
  minTolerationSeconds,
  schedulable,
  taintMatchesTaint,
  taintMatchesTaintByKey,
  taintToString,
  toleratesTaint,
  type Taint,
  type TaintFilter,
  type Toleration,
} from "../../src/tenancy/taints.js";

interface Case {
  kind: string;
  description?: string;
  toleration?: Toleration;
  tolerations?: Toleration[];
  taint?: Taint;
  otherTaint?: Taint;
  taints?: Taint[];
  taintFilter?: string | null;
  tolerated?: boolean;
  match?: boolean;
  string?: string;
  expectError?: boolean;
  featureGate?: string;
  featureGateEnabled?: boolean;
  usedTolerations?: Toleration[];
  expectedSeconds?: number;
}

const dir = conformancePath("taints");
const cases: Case[] = dir ? (JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as Case[]) : [];

function filterOf(name: string | null | undefined): TaintFilter | undefined {
  switch (name) {
    case "all":
    case null:
    case undefined:
      return undefined;
    case "none":
      return () => false;
    case "effect==NoExecute":
      return (t) => t.effect === "NoExecute";
    default:
      throw new Error(`unknown taintFilter ${name}`);
  }
}

/** A case names the gate when it needs it; enabled unless it says featureGateEnabled: false. */
function gate(c: Case) {
  return { comparisonOperators: c.featureGate !== undefined && c.featureGateEnabled !== false };
}

describe.skipIf(!dir)("taints conformance (kubernetes/kubernetes unit tests)", () => {
  it("has every kind of case", () => {
    const kinds = new Set(cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(
      ["findUntoleratedTaint", "noExecuteMinTolerationSeconds", "schedulerFilter", "taintMatchesTaint", "taintMatchesTaintByKey", "taintToString", "toleratesTaint"].sort(),
    );
    expect(cases.length).toBe(62);
  });

  it.each(cases.map((c, i) => [`${i} ${c.kind}: ${c.description ?? c.string ?? ""}`, c] as const))("%s", (_name, c) => {
    switch (c.kind) {
      case "toleratesTaint": {
        const result = toleratesTaint(c.toleration!, c.taint!, gate(c));
        expect(result.tolerated).toBe(c.tolerated);
        expect(result.error !== undefined).toBe(Boolean(c.expectError));
        break;
      }
      case "findUntoleratedTaint": {
        const result = findUntoleratedTaint(c.tolerations!, c.taints!, filterOf(c.taintFilter), gate(c));
        expect(result.taint === undefined).toBe(c.tolerated);
        expect(result.error !== undefined).toBe(Boolean(c.expectError));
        break;
      }
      case "schedulerFilter":
        expect(schedulable(c.tolerations!, c.taints!, gate(c))).toBe(c.tolerated);
        break;
      case "taintMatchesTaint":
        expect(taintMatchesTaint(c.taint!, c.otherTaint!)).toBe(c.match);
        break;
      case "taintMatchesTaintByKey":
        expect(taintMatchesTaintByKey(c.taint!, c.otherTaint!)).toBe(c.match);
        break;
      case "taintToString":
        expect(taintToString(c.taint!)).toBe(c.string);
        break;
      case "noExecuteMinTolerationSeconds":
        expect(minTolerationSeconds(c.usedTolerations!)).toBe(c.expectedSeconds);
        break;
      default:
        throw new Error(`unknown case kind ${c.kind}`);
    }
  });
});

const effect = fc.constantFrom("NoSchedule", "PreferNoSchedule", "NoExecute");
const word = fc.constantFrom("", "a", "b", "dedicated", "10", "-3");
const taintArb = fc.record({ key: fc.constantFrom("a", "b", "tenant"), value: word, effect });
const tolerationArb = fc.record(
  { key: fc.constantFrom("", "a", "b", "tenant"), operator: fc.constantFrom("", "Equal", "Exists", "Gt", "Lt", "Bogus"), value: word, effect: fc.constantFrom("", "NoSchedule", "PreferNoSchedule", "NoExecute") },
  { requiredKeys: [] },
);

describe("taint matching properties", () => {
  it("an empty-key Exists toleration with no effect tolerates every taint", () => {
    fc.assert(fc.property(taintArb, (taint) => toleratesTaint({ operator: "Exists" }, taint).tolerated));
  });

  it("a toleration never tolerates a taint of another non-empty effect", () => {
    fc.assert(
      fc.property(tolerationArb, taintArb, (toleration, taint) => {
        fc.pre((toleration.effect ?? "") !== "" && toleration.effect !== taint.effect);
        return !toleratesTaint(toleration, taint, { comparisonOperators: true }).tolerated;
      }),
    );
  });

  it("with the comparison gate off, Gt/Lt tolerate nothing", () => {
    fc.assert(
      fc.property(tolerationArb, taintArb, (toleration, taint) => {
        fc.pre(toleration.operator === "Gt" || toleration.operator === "Lt");
        return !toleratesTaint(toleration, taint).tolerated;
      }),
    );
  });

  it("adding a toleration never makes a schedulable pod unschedulable; PreferNoSchedule never blocks", () => {
    fc.assert(
      fc.property(fc.array(tolerationArb, { maxLength: 4 }), tolerationArb, fc.array(taintArb, { maxLength: 4 }), (tolerations, extra, taints) => {
        if (schedulable(tolerations, taints)) expect(schedulable([...tolerations, extra], taints)).toBe(true);
        const soft = taints.filter((t) => t.effect === "PreferNoSchedule");
        expect(schedulable(tolerations, soft)).toBe(true);
      }),
    );
  });

  it("taint identity ignores the value", () => {
    fc.assert(fc.property(taintArb, word, (taint, value) => taintMatchesTaint(taint, { ...taint, value })));
  });
});
