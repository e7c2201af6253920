import { SEVERITIES, severityRank, type Finding, type Severity } from "../findings/types.js";

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Findings at or above the threshold decide exit code 1. */
export function atOrAbove(findings: readonly Finding[], threshold: Severity | "none"): Finding[] {
  if (threshold === "none") return [];
  const min = severityRank(threshold);
  return findings.filter((f) => severityRank(f.severity) >= min);
}
