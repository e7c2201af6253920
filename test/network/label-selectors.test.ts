/** Label selector semantics (src/k8s/labels.ts) against apimachinery's own test tables. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import { matchesLabelSelector, validateLabelSelector, validateRequirement, type LabelSelector, type LabelSelectorRequirement } from "../../src/k8s/labels.js";
import { formatLabelSelector, parseLabelSelectorString } from "../../src/network/selector-format.js";

interface SelectorCase {
  kind: "match" | "requirementValid" | "labelSelectorConversion";
  labelSelector?: LabelSelector | null;
  labels?: Record<string, string>;
  match?: boolean;
  requirement?: LabelSelectorRequirement;
  valid?: boolean;
  result?: string;
  selectorString?: string;
  note?: string;
}

const dir = conformancePath("netpol");
const cases: SelectorCase[] = dir ? (JSON.parse(readFileSync(join(dir, "label-selectors.json"), "utf8")) as { cases: SelectorCase[] }).cases : [];

describe.skipIf(!dir)("label selectors (apimachinery conformance)", () => {
  it("has all 48 facts", () => {
    expect(cases).toHaveLength(48);
  });
  cases.forEach((c, i) => {
    const title = `${i} ${c.kind} ${c.selectorString ?? JSON.stringify(c.requirement ?? c.labelSelector)} ${c.note ?? ""}`.slice(0, 150);
    it(title, () => {
      if (c.kind === "match") {
        if (c.labelSelector === undefined) c.labelSelector = parseLabelSelectorString(c.selectorString ?? "");
        expect(c.labelSelector, `selector string ${c.selectorString}`).toBeDefined();
        // Gt/Lt facts come from node-selector tables; everything else is a plain LabelSelector.
        const nodeSelector = (c.labelSelector!.matchExpressions ?? []).some((e) => e.operator === "Gt" || e.operator === "Lt");
        expect(validateLabelSelector(c.labelSelector!, { allowGtLt: nodeSelector })).toEqual([]);
        if (nodeSelector) expect(validateLabelSelector(c.labelSelector!).length).toBeGreaterThan(0);
        expect(matchesLabelSelector(c.labelSelector!, c.labels!)).toBe(c.match);
      } else if (c.kind === "requirementValid") {
        // Gt/Lt are valid in node selectors, which is what the upstream table constructs.
        expect(validateRequirement(c.requirement!, { allowGtLt: true }).length === 0).toBe(c.valid);
      } else {
        const selector = c.labelSelector;
        if (c.result === "matchesNothing") expect(selector).toBeNull();
        else if (c.result === "error") expect(validateLabelSelector(selector!).length).toBeGreaterThan(0);
        else if (c.result === "matchesEverything") {
          expect(validateLabelSelector(selector!)).toEqual([]);
          expect(formatLabelSelector(selector)).toBe("");
          expect(matchesLabelSelector(selector!, { any: "thing" })).toBe(true);
        } else {
          expect(validateLabelSelector(selector!)).toEqual([]);
          expect(formatLabelSelector(selector)).toBe(c.result);
        }
      }
    });
  });
});
