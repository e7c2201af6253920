import type { Command } from "commander";
import { allRules, registerRules } from "../findings/registry.js";
import { AUTHN_RULES } from "../access/authn/rules.js";
import { PKI_RULES } from "../hardening/pki/rules.js";
import { POSTURE_FACTS } from "../posture/facts.js";
import { FAMILIES } from "../scan/families.js";
import { rulesMatching } from "../scan/rule-selection.js";
import { jsYaml } from "../k8s/js-yaml-lazy.js";
import { dumpOptions } from "../report/yaml-block.js";
import { outputOption, writeStdout } from "./common.js";

export function registerRulesCommand(program: Command): void {
  program
    .command("rules")
    .description("list every rule with its documentation")
    .argument("[ids...]", "only these rules: ids or globs as scan --rules takes them (e.g. 'pss/*'); one id shows the rule in full")
    .addOption(outputOption(["text", "json", "yaml"], "text"))
    .action(async (ids: string[], opts: { output: string }) => {
      for (const family of FAMILIES) registerRules(family.rules);
      // The rules of the commands that judge other inputs than manifests.
      registerRules(AUTHN_RULES);
      registerRules(PKI_RULES);
      // The facts palisade posture adds to the findings, documented as rules.
      registerRules(POSTURE_FACTS);
      // The same patterns as scan --rules, with the same error (and suggestion) for a typo.
      const rules = ids.length > 0 ? rulesMatching(ids, allRules()) : allRules();
      if (opts.output === "json") return writeStdout(JSON.stringify(rules, null, 2) + "\n");
      // The JSON document as YAML, as kubectl's -o yaml is its -o json: what JSON drops (a rule's check) YAML drops too.
      if (opts.output === "yaml") return writeStdout(jsYaml().dump(JSON.parse(JSON.stringify(rules)), dumpOptions()));
      const inFull = rules.length === 1 && ids.length > 0;
      const lines: string[] = [];
      for (const rule of rules) {
        lines.push(`${rule.id}  [${rule.severity}, ${rule.pillar}]  ${rule.title}`);
        if (inFull) {
          lines.push("", rule.docs.description, "", `Remediation: ${rule.docs.remediation}`);
          if (rule.docs.helpUri) lines.push(`See: ${rule.docs.helpUri}`);
        }
      }
      if (rules.length === 0) lines.push("no rules registered");
      await writeStdout(lines.join("\n") + "\n");
    });
}
