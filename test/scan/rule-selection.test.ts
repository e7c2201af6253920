import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { Snapshot } from "../../src/k8s/snapshot.js";
import { podSecurityFamily } from "../../src/podsecurity/family.js";
import { FAMILIES } from "../../src/scan/families.js";
import { ruleSelection, rulesMatching, selectedFamilies, selectedResult } from "../../src/scan/rule-selection.js";
import { runScan } from "../../src/scan/run.js";
import { repoRoot } from "../support/conformance.js";

const RULES = FAMILIES.flatMap((family) => family.rules);
const IDS = RULES.map((rule) => rule.id);
const PREFIXES = [...new Set(IDS.map((id) => id.slice(0, id.indexOf("/") + 1)))];

function failure(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error("expected a UserError");
}

describe("rule selection (--rules, --skip-rules)", () => {
  it("asks for nothing when no pattern is given", () => {
    expect(ruleSelection([], [], RULES)).toBeUndefined();
  });

  it("selects ids, globs and comma-separated lists, then leaves out what is skipped", () => {
    const selection = ruleSelection(["pss/*", "rbac/wildcard,quota/namespace-without-limitrange"], ["pss/host*"], RULES)!;
    expect(selection.selects("pss/privileged")).toBe(true);
    expect(selection.selects("pss/hostNamespaces")).toBe(false);
    expect(selection.selects("pss/hostPorts")).toBe(false);
    expect(selection.selects("rbac/wildcard")).toBe(true);
    expect(selection.selects("rbac/read-secrets")).toBe(false);
    expect(selection.selects("quota/namespace-without-limitrange")).toBe(true);
    expect(selection.rules).toEqual(["pss/*", "rbac/wildcard", "quota/namespace-without-limitrange"]);
    expect(selection.skipRules).toEqual(["pss/host*"]);
    // Skipping alone keeps everything else.
    const skipOnly = ruleSelection([], ["pss/*"], RULES)!;
    expect(IDS.filter((id) => skipOnly.selects(id))).toEqual(IDS.filter((id) => !id.startsWith("pss/")));
  });

  it("is exactly the ids named minus the ids skipped (property)", () => {
    const subset = fc.uniqueArray(fc.constantFrom(...IDS), { maxLength: 12 });
    fc.assert(
      fc.property(subset, subset, (only, skip) => {
        const wanted = IDS.filter((id) => (only.length === 0 || only.includes(id)) && !skip.includes(id));
        if (wanted.length === 0 || (only.length === 0 && skip.length === 0)) return;
        const selection = ruleSelection(only, skip, RULES)!;
        expect(IDS.filter((id) => selection.selects(id))).toEqual(wanted);
      }),
    );
  });

  it("reads `*` as any text and everything else literally (property)", () => {
    // Any piece of a real id, with stars around or inside it, matches what the same regular expression would.
    const piece = fc.constantFrom(...IDS).chain((id) => fc.tuple(fc.nat(id.length), fc.nat(id.length)).map(([a, b]) => id.slice(Math.min(a, b), Math.max(a, b))));
    fc.assert(
      fc.property(piece, fc.boolean(), fc.boolean(), (text, before, after) => {
        const pattern = `${before ? "*" : ""}${text}${after ? "*" : ""}`;
        const literal = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const regex = new RegExp(`^${before ? ".*" : ""}${literal}${after ? ".*" : ""}$`);
        const expected = IDS.filter((id) => regex.test(id));
        if (expected.length === 0 || pattern === "") {
          expect(() => ruleSelection([pattern], [], RULES)).toThrow(UserError);
          return;
        }
        const selection = ruleSelection([pattern], [], RULES)!;
        expect(IDS.filter((id) => selection.selects(id))).toEqual(expected);
      }),
    );
  });

  it("refuses a pattern that matches no rule, with the rule it most likely meant", () => {
    expect(failure(() => ruleSelection(["pss/runasnonroot"], [], RULES)).describe()).toMatch(/--rules pss\/runasnonroot: no rule has this id\n {2}hint: did you mean "pss\/runAsNonRoot"\?/);
    expect(failure(() => ruleSelection(["pss"], [], RULES)).hint).toMatch(/did you mean "pss\/\*"/);
    expect(failure(() => ruleSelection(["rbac/"], [], RULES)).hint).toMatch(/did you mean "rbac\/\*"/);
    expect(failure(() => ruleSelection(["psss/*"], [], RULES)).describe()).toMatch(/--rules psss\/\*: matches no rule id\n {2}hint: did you mean "pss\/\*"/);
    // Posture facts are listed by `palisade rules` but weighed only by `palisade posture`.
    expect(failure(() => ruleSelection(["posture/*"], [], RULES)).describe()).toMatch(/--rules posture\/\*: posture rules are judged by `palisade posture`, not by scan\n {2}hint: run `palisade posture`/);
    expect(failure(() => ruleSelection([], ["pss/privilegd"], RULES)).describe()).toMatch(/--skip-rules pss\/privilegd: .*did you mean "pss\/privileged"/s);
    expect(failure(() => ruleSelection(["nothing-like-it"], [], RULES)).hint).toBe("`palisade rules` lists every rule id");
    expect(failure(() => ruleSelection(["pss/*,"], [], RULES)).message).toMatch(/an empty rule pattern/);
    expect(failure(() => ruleSelection(["pss/*"], ["pss/*"], RULES)).message).toBe("--rules pss/* with --skip-rules pss/* selects no rule: nothing would be checked");
  });

  it("runs only the families that have a selected rule", () => {
    expect(selectedFamilies(FAMILIES, ruleSelection(["pss/*"], [], RULES))).toEqual([podSecurityFamily]);
    expect(selectedFamilies(FAMILIES, ruleSelection([], ["pss/*"], RULES))).toEqual(FAMILIES.filter((family) => family !== podSecurityFamily));
    expect(selectedFamilies(FAMILIES, undefined)).toEqual(FAMILIES);
  });

  it("lists the rules a pattern matches, for palisade rules", () => {
    expect(rulesMatching(["rbac/*"], RULES).map((rule) => rule.id)).toEqual(IDS.filter((id) => id.startsWith("rbac/")));
    expect(failure(() => rulesMatching(["rbac/wildcards"], RULES)).hint).toMatch(/did you mean "rbac\/wildcard"/);
  });

  describe("on the example cluster", () => {
    let snapshot: Snapshot;
    beforeAll(async () => {
      snapshot = await loadSnapshot({ paths: [join(repoRoot, "examples")] });
    });

    it("a family scanned alone finds what it finds among all the others, and --rules and --skip-rules split the findings", () => {
      const all = runScan(snapshot);
      expect(PREFIXES.length).toBeGreaterThan(5);
      for (const prefix of PREFIXES) {
        const only = ruleSelection([`${prefix}*`], [], RULES)!;
        const skip = ruleSelection([], [`${prefix}*`], RULES)!;
        const selected = selectedResult(runScan(snapshot, {}, selectedFamilies(FAMILIES, only)), only);
        const skipped = selectedResult(runScan(snapshot, {}, selectedFamilies(FAMILIES, skip)), skip);
        expect(selected.findings, prefix).toEqual(all.findings.filter((f) => f.ruleId.startsWith(prefix)));
        expect(skipped.findings, prefix).toEqual(all.findings.filter((f) => !f.ruleId.startsWith(prefix)));
        expect(selected.rules.map((rule) => rule.id)).toEqual(all.rules.map((rule) => rule.id).filter((id) => id.startsWith(prefix)));
        expect(selected.ruleSelection).toEqual({ rules: [`${prefix}*`], skipRules: [] });
      }
      // The examples hold findings of most families: the split above compared real findings.
      expect(new Set(all.findings.map((f) => f.ruleId.slice(0, f.ruleId.indexOf("/") + 1))).size).toBeGreaterThan(5);
    });
  });
});
