/**
 * How findings and facts become scores. Kept small and stated in one place so a report
 * can say exactly why a workload scores what it does:
 *
 * - a deduction takes points by its severity: critical 60, high 40, medium 15, low 5;
 * - a pillar's score is 100 times the product of (1 - points/100) over its deductions, so
 *   each further weakness costs a share of what is left and no pillar goes below 0;
 * - a rule costs once per workload, however many of its containers it fires on;
 * - a workload's score is its weakest pillar's.
 */
import type { Severity } from "../findings/types.js";
import type { Deduction, Grade, PillarScore } from "./types.js";

export const SEVERITY_POINTS: Readonly<Record<Severity, number>> = { critical: 60, high: 40, medium: 15, low: 5, info: 0 };

export function pillarScore(deductions: readonly Deduction[]): number {
  let share = 1;
  for (const d of deductions) share *= 1 - d.points / 100;
  return Math.round(100 * share);
}

export function scored(deductions: Deduction[]): PillarScore {
  deductions.sort((a, b) => b.points - a.points || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  return { score: pillarScore(deductions), deductions };
}

export const GRADE_FLOORS: ReadonlyArray<readonly [Grade, number]> = [
  ["A", 90],
  ["B", 75],
  ["C", 50],
  ["D", 25],
  ["F", 0],
];

export function gradeOf(score: number): Grade {
  for (const [grade, floor] of GRADE_FLOORS) if (score >= floor) return grade;
  return "F";
}
