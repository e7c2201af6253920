/**
 * A workload's findings as deductions: a rule costs once per workload, its findings there
 * folded into one deduction at their highest severity. A Pod Security check and the
 * baseline check it replaces at restricted (PSA's overrides: restrictedVolumes for
 * hostPathVolumes, capabilities_restricted for capabilities_baseline, ...) are one rule
 * here: a namespace that enforces baseline and warns at restricted has its pods judged by
 * both, and one hostPath volume fails both, but it is one problem and costs once.
 */
import type { Finding, Pillar } from "../findings/types.js";
import { CHECKS } from "../podsecurity/registry.js";
import { ruleIdForCheck } from "../podsecurity/rules.js";
import { SEVERITY_POINTS } from "./scoring.js";
import type { Deduction, PosturePillar } from "./types.js";

/**
 * The rule id of each replaced baseline check, to the rule id of the restricted check that
 * replaces it: the scan's own records (the checks' `overrides`, at any version), so a pair
 * added there is folded here too.
 */
export const REPLACED_BY: ReadonlyMap<string, string> = new Map(
  CHECKS.flatMap((check) => check.versions.flatMap((version) => (version.overrides ?? []).map((replaced) => [ruleIdForCheck(replaced), ruleIdForCheck(check.id)] as const))),
);

function posturePillar(pillar: Pillar): PosturePillar {
  return pillar === "identity" || pillar === "network" || pillar === "data" ? pillar : "workload";
}

interface Folded {
  deduction: Deduction;
  /** Findings of each rule folded in: a replaced check and its replacement report one problem each, so the count is the larger, not the sum. */
  counts: Map<string, number>;
}

export function findingDeductions(findings: readonly Finding[]): Deduction[] {
  const byRule = new Map<string, Folded>();
  for (const f of findings) {
    const key = REPLACED_BY.get(f.ruleId) ?? f.ruleId;
    const known = byRule.get(key);
    const counts = known?.counts ?? new Map<string, number>();
    counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
    const count = Math.max(...counts.values());
    if (known) {
      known.deduction.count = count;
      if (SEVERITY_POINTS[f.severity] <= known.deduction.points) continue;
    }
    const deduction: Deduction = { pillar: posturePillar(f.pillar), points: SEVERITY_POINTS[f.severity], severity: f.severity, ruleId: f.ruleId, reason: f.message, count };
    if (f.position) deduction.position = f.position;
    if (f.fieldPath) deduction.fieldPath = f.fieldPath;
    if (f.remediation) deduction.remediation = f.remediation;
    byRule.set(key, { deduction, counts });
  }
  return [...byRule.values()].map((folded) => folded.deduction).filter((d) => d.points > 0);
}
