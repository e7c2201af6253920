import { SEVERITIES, type Finding, type Severity } from "../findings/types.js";

/**
 * The findings' indices, most severe first and in report order within a severity: the
 * order in which reports that GitHub cuts short (SARIF, annotations) keep findings.
 */
export function mostSevereFirst(findings: readonly Finding[]): number[] {
  const buckets = new Map<Severity, number[]>(SEVERITIES.map((s) => [s, []]));
  findings.forEach((f, i) => buckets.get(f.severity)!.push(i));
  const order: number[] = [];
  // A loop, not push(...): spreading more than ~120k arguments overflows the stack.
  for (const severity of [...SEVERITIES].reverse()) for (const i of buckets.get(severity)!) order.push(i);
  return order;
}

/** "3,000 low, 878 info": the counts of `severities`, most severe first, those that are not 0. */
export function severityCounts(severities: Iterable<Severity>): string {
  const counts = new Map<Severity, number>();
  for (const s of severities) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...SEVERITIES]
    .reverse()
    .filter((s) => counts.has(s))
    .map((s) => `${thousands(counts.get(s)!)} ${s}`)
    .join(", ");
}

/** 25000 as "25,000". */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
