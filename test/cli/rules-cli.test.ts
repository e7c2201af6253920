/**
 * `palisade rules`: every output format holds the same document, every rule its docs, and a
 * pattern that matches nothing is a usage error with the id most likely meant.
 */
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { Rule } from "../../src/findings/types.js";
import { palisade } from "../support/cli-in-process.js";

type Listed = Pick<Rule, "id" | "title" | "family" | "pillar" | "severity" | "docs">;

describe("palisade rules", () => {
  it("-o yaml is the -o json document as YAML", async () => {
    const json = await palisade(["rules", "-o", "json"]);
    const yaml = await palisade(["rules", "-o", "yaml"]);
    expect(yaml.code).toBe(0);
    expect(yaml.stderr).toBe("");
    const rules = JSON.parse(json.stdout) as Listed[];
    expect(rules.length).toBeGreaterThan(100);
    expect(jsYaml.load(yaml.stdout)).toEqual(rules);
    // A glob selects the same rules in either format.
    const pss = await palisade(["rules", "pss/*", "-o", "yaml"]);
    expect((jsYaml.load(pss.stdout) as Listed[]).map((r) => r.id)).toEqual(rules.filter((r) => r.id.startsWith("pss/")).map((r) => r.id));
  });

  it("lists each rule once, with a title, a description, a remediation and an https link to its upstream reference", async () => {
    const rules = JSON.parse((await palisade(["rules", "-o", "json"])).stdout) as Listed[];
    const ids = rules.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // SARIF shows helpUri as the rule's help link (GitHub code scanning links it), so no rule may lack one.
    expect(rules.filter((r) => !r.docs.helpUri).map((r) => r.id), "rules without a helpUri").toEqual([]);
    for (const rule of rules) {
      expect(rule.title.trim(), rule.id).not.toBe("");
      expect(rule.docs.description.trim(), rule.id).not.toBe("");
      expect(rule.docs.remediation.trim(), rule.id).not.toBe("");
      expect(new URL(rule.docs.helpUri ?? "").protocol, rule.id).toBe("https:");
    }
  });

  it("a pattern that matches no rule exits 2 with the one most likely meant", async () => {
    const glob = await palisade(["rules", "psss/*", "-o", "yaml"]);
    expect(glob.code).toBe(2);
    expect(glob.stdout).toBe("");
    expect(glob.stderr).toMatch(/did you mean "pss\/\*"/);
  });
});
