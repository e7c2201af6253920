import { SEVERITIES, severityRank, type Finding, type Severity } from "../findings/types.js";
import type { ScanResult } from "../scan/run.js";

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

/** What the findings are about: input objects, and namespaces the input only names. */
export interface FindingSubjects {
  /** Input objects with at least one finding. */
  objects: number;
  /** Namespaces with findings (no quota, not isolated...) that no Namespace object in the input declares. */
  impliedNamespaces: number;
}

/**
 * Counts objects, not references: one family names a Pod without a namespace `default/p`,
 * another `p`, and both are the one object the input holds. Findings about a namespace
 * that the input has no Namespace object for are counted apart: they are not input objects.
 */
export function findingSubjects(result: Pick<ScanResult, "findings" | "scanned">): FindingSubjects {
  const declaredNamespaces = new Set<string>();
  for (const { object } of result.scanned) if (object.kind === "Namespace") declaredNamespaces.add(object.name);
  const impliedNamespaces = new Set<string>();
  const namespacesByObject = new Map<string, Set<string>>();
  for (const { object } of result.findings) {
    if (!object) continue;
    if (object.kind === "Namespace" && !declaredNamespaces.has(object.name)) {
      impliedNamespaces.add(object.name);
      continue;
    }
    const key = `${object.kind}/${object.name}`;
    let namespaces = namespacesByObject.get(key);
    if (!namespaces) namespacesByObject.set(key, (namespaces = new Set()));
    namespaces.add(object.namespace ?? "");
  }
  let objects = 0;
  for (const namespaces of namespacesByObject.values()) objects += namespaces.size > 1 && namespaces.has("") ? namespaces.size - 1 : namespaces.size;
  return { objects, impliedNamespaces: impliedNamespaces.size };
}
