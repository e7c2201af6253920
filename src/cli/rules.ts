import type { Command } from "commander";
import { allRules } from "../findings/registry.js";
import { FAMILIES } from "../scan/families.js";
import { registerRules } from "../findings/registry.js";
import { outputOption, writeStdout } from "./common.js";

export function registerRulesCommand(program: Command): void {
  program
    .command("rules")
    .description("list every rule with its documentation")
    .argument("[id]", "show one rule in full")
    .addOption(outputOption(["text", "json"], "text"))
    .action(async (id: string | undefined, opts: { output: string }) => {
      for (const family of FAMILIES) registerRules(family.rules);
      let rules = allRules();
      if (id) rules = rules.filter((r) => r.id === id || r.id.toLowerCase() === id.toLowerCase());
      if (opts.output === "json") return writeStdout(JSON.stringify(rules, null, 2) + "\n");
      const lines: string[] = [];
      for (const rule of rules) {
        lines.push(`${rule.id}  [${rule.severity}, ${rule.pillar}]  ${rule.title}`);
        if (id) {
          lines.push("", rule.docs.description, "", `Remediation: ${rule.docs.remediation}`);
          if (rule.docs.helpUri) lines.push(`See: ${rule.docs.helpUri}`);
        }
      }
      if (rules.length === 0) lines.push(id ? `no rule named ${id}` : "no rules registered");
      await writeStdout(lines.join("\n") + "\n");
    });
}
