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

/** The kind a Dockerfile's findings name it by (its path is the name). */
const DOCKERFILE_KIND = "Dockerfile";

/** What the findings are about: input objects, and namespaces the input only names. */
export interface FindingSubjects {
  /** Input objects with at least one finding. */
  objects: number;
  /** Namespaces with findings (no quota, not isolated...) that no Namespace object in the input declares. */
  impliedNamespaces: number;
  /** Dockerfiles with findings: files, not objects, so counted apart. */
  dockerfiles: number;
}

/**
 * Counts objects, not references: one family names a Pod without a namespace `default/p`,
 * another `p`, and both are the one object the input holds. Objects of one kind and name
 * in different files (a base and its overlay, a copy per environment) are different
 * objects, told apart by the file their findings point into. Findings about a namespace
 * that the input has no Namespace object for are counted apart: they are not input objects.
 */
export function findingSubjects(result: Pick<ScanResult, "findings" | "scanned">): FindingSubjects {
  const declaredNamespaces = new Set<string>();
  // kind/name -> the files that hold an object of that kind and name.
  const filesOf = new Map<string, Set<string>>();
  for (const { object, file } of result.scanned) {
    if (object.kind === "Namespace") declaredNamespaces.add(object.name);
    const key = `${object.kind}/${object.name}`;
    let files = filesOf.get(key);
    if (!files) filesOf.set(key, (files = new Set()));
    files.add(file);
  }
  const impliedNamespaces = new Set<string>();
  const dockerfiles = new Set<string>();
  // kind/name -> file ("" when the finding points elsewhere) -> namespaces.
  const namespacesByObject = new Map<string, Map<string, Set<string>>>();
  for (const { object, position } of result.findings) {
    if (!object) continue;
    if (object.kind === DOCKERFILE_KIND) {
      dockerfiles.add(object.name);
      continue;
    }
    if (object.kind === "Namespace" && !declaredNamespaces.has(object.name)) {
      impliedNamespaces.add(object.name);
      continue;
    }
    const key = `${object.kind}/${object.name}`;
    const file = position && filesOf.get(key)?.has(position.file) ? position.file : "";
    let byFile = namespacesByObject.get(key);
    if (!byFile) namespacesByObject.set(key, (byFile = new Map()));
    let namespaces = byFile.get(file);
    if (!namespaces) byFile.set(file, (namespaces = new Set()));
    namespaces.add(object.namespace ?? "");
  }
  let objects = 0;
  for (const byFile of namespacesByObject.values()) {
    const located = [...byFile.entries()].filter(([file]) => file !== "");
    for (const [, namespaces] of located) objects += distinct(namespaces);
    // Findings that point at no file of the object (another object's file, or none) are
    // about an object already counted, unless none of its findings pointed into its file.
    const elsewhere = byFile.get("");
    if (elsewhere && located.length === 0) objects += distinct(elsewhere);
  }
  return { objects, impliedNamespaces: impliedNamespaces.size, dockerfiles: dockerfiles.size };
}

/** Namespaces of one kind and name; "" (a reference without one) is one of the others when there are others. */
function distinct(namespaces: ReadonlySet<string>): number {
  return namespaces.size > 1 && namespaces.has("") ? namespaces.size - 1 : namespaces.size;
}
