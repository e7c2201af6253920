/**
 * Which rules a scan runs: `--rules` keeps only the rules it names, `--skip-rules` leaves
 * rules out. A pattern is a rule id as `palisade rules` lists it, or a glob over ids
 * (`pss/*`, `*privileged*`). A family none of whose rules is selected does not run at
 * all, so `--rules 'pss/*'` costs what a Pod Security scan costs.
 *
 * A pattern that matches no rule is an error, not an empty selection: a typo in CI would
 * otherwise pass every build while checking nothing.
 */
import { UserError } from "../errors.js";
import { didYouMean } from "../did-you-mean.js";
import type { Rule } from "../findings/types.js";
import type { ScanFamily } from "./family.js";
import type { ScanResult } from "./run.js";

export interface RuleSelection {
  /** The patterns of --rules (empty: every rule), as given. */
  rules: string[];
  /** The patterns of --skip-rules, as given. */
  skipRules: string[];
  /** Whether a rule id is selected. */
  selects(ruleId: string): boolean;
}

/**
 * The selection the flags ask for, or undefined when they ask for none. Each flag value
 * may hold several patterns separated by commas. Throws a UserError for a pattern that
 * matches no rule (with the id it most likely meant) and for a selection of nothing.
 */
export function ruleSelection(rules: readonly string[], skipRules: readonly string[], known: readonly Rule[]): RuleSelection | undefined {
  const ids = known.map((rule) => rule.id);
  const only = patternsOf("--rules", rules, ids);
  const skip = patternsOf("--skip-rules", skipRules, ids);
  if (only.length === 0 && skip.length === 0) return undefined;
  const onlyMatchers = only.map(matcherOf);
  const skipMatchers = skip.map(matcherOf);
  const selects = (ruleId: string): boolean =>
    (onlyMatchers.length === 0 || onlyMatchers.some((matches) => matches(ruleId))) && !skipMatchers.some((matches) => matches(ruleId));
  if (!ids.some(selects)) {
    throw new UserError(`${describeFlags(only, skip)} selects no rule: nothing would be checked`, { hint: "`palisade rules` lists every rule id" });
  }
  return { rules: only, skipRules: skip, selects };
}

/** The families that have a selected rule: the others need not run. */
export function selectedFamilies(families: readonly ScanFamily[], selection: RuleSelection | undefined): ScanFamily[] {
  if (!selection) return [...families];
  return families.filter((family) => family.rules.some((rule) => selection.selects(rule.id)));
}

/** The result with only the selected rules and their findings. */
export function selectedResult(result: ScanResult, selection: RuleSelection | undefined): ScanResult {
  if (!selection) return result;
  return {
    ...result,
    findings: result.findings.filter((finding) => selection.selects(finding.ruleId)),
    rules: result.rules.filter((rule) => selection.selects(rule.id)),
    ruleSelection: { rules: selection.rules, skipRules: selection.skipRules },
  };
}

/** Rules in a list of patterns that match them (for `palisade rules PATTERN...`). */
export function rulesMatching(patterns: readonly string[], known: readonly Rule[]): Rule[] {
  const matchers = patternsOf("rule", patterns, known.map((rule) => rule.id)).map(matcherOf);
  return known.filter((rule) => matchers.some((matches) => matches(rule.id)));
}

function patternsOf(flag: string, values: readonly string[], ids: readonly string[]): string[] {
  const patterns: string[] = [];
  for (const value of values) {
    const parts = value.split(",").map((part) => part.trim());
    if (parts.some((part) => part === "")) throw new UserError(`${flag} ${JSON.stringify(value)}: an empty rule pattern`, { hint: "give rule ids or globs separated by commas, e.g. --rules 'pss/*,rbac/wildcard'" });
    for (const part of parts) {
      if (!ids.some(matcherOf(part))) {
        // `palisade rules` lists the posture facts too, but only `palisade posture` weighs them.
        if (part.startsWith("posture/")) throw new UserError(`${flag} ${part}: posture rules are judged by \`palisade posture\`, not by scan`, { hint: "run `palisade posture` on the same input for its trust scores and these facts; scan's own findings feed it" });
        throw new UserError(`${flag} ${part}: ${part.includes("*") ? "matches no rule id" : "no rule has this id"}`, { hint: hintFor(part, ids) });
      }
      patterns.push(part);
    }
  }
  return patterns;
}

/** Glob over rule ids: `*` stands for any text, `/` included; everything else is literal. */
function matcherOf(pattern: string): (ruleId: string) => boolean {
  if (!pattern.includes("*")) return (ruleId) => ruleId === pattern;
  const regex = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return (ruleId) => regex.test(ruleId);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function hintFor(pattern: string, ids: readonly string[]): string {
  const meant = meantPattern(pattern, ids);
  return meant !== undefined ? `did you mean ${JSON.stringify(meant)}? \`palisade rules\` lists every rule id` : "`palisade rules` lists every rule id";
}

function meantPattern(pattern: string, ids: readonly string[]): string | undefined {
  const prefixes = [...new Set(ids.map((id) => id.slice(0, id.indexOf("/") + 1)).filter((prefix) => prefix !== ""))];
  // A family prefix on its own (`pss`, `rbac/`) most likely meant all of its rules.
  const prefix = pattern.endsWith("/") ? pattern : `${pattern}/`;
  if (prefixes.includes(prefix)) return `${prefix}*`;
  if (!pattern.includes("*")) return didYouMean(pattern, ids);
  // A glob with a misspelt prefix (`psss/*`): the prefix it most likely meant, same glob.
  const slash = pattern.indexOf("/");
  if (slash < 0) return undefined;
  const meant = didYouMean(pattern.slice(0, slash), prefixes.map((p) => p.slice(0, -1)));
  return meant !== undefined ? `${meant}${pattern.slice(slash)}` : undefined;
}

function describeFlags(only: readonly string[], skip: readonly string[]): string {
  const parts: string[] = [];
  if (only.length > 0) parts.push(`--rules ${only.join(",")}`);
  if (skip.length > 0) parts.push(`--skip-rules ${skip.join(",")}`);
  return parts.join(" with ");
}
