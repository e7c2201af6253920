import type { Rule } from "./types.js";

/**
 * All rules of all families, by id. Families register their rule records at import time
 * (see src/rules.ts), so `palisade rules`, SARIF and JUnit all read one list.
 */
const rules = new Map<string, Rule>();

export function registerRules(family: readonly Rule[]): void {
  for (const rule of family) {
    const existing = rules.get(rule.id);
    if (existing && existing !== rule) throw new Error(`rule id registered twice: ${rule.id}`);
    rules.set(rule.id, rule);
  }
}

export function getRule(id: string): Rule | undefined {
  return rules.get(id);
}

export function allRules(): Rule[] {
  return [...rules.values()].sort((a, b) => a.id.localeCompare(b.id));
}
