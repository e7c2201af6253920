import type { Finding, Rule } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { objectRef, type LoadProblem, type LoadStats } from "../k8s/types.js";
import type { ObjectRef } from "../findings/types.js";
import type { ScanFamily, ScanOptions } from "./family.js";
import { FAMILIES } from "./families.js";

/** Everything a report renders: what was found, what could not be read, and the rules that ran. */
export interface ScanResult {
  findings: Finding[];
  problems: LoadProblem[];
  stats: LoadStats;
  rules: Rule[];
  /** Every object scanned, so reports can show what passed too (JUnit). */
  scanned: Array<{ object: ObjectRef; file: string }>;
  /** The rule patterns a scan was limited to (--rules, --skip-rules), when it was: see rule-selection.ts. */
  ruleSelection?: { rules: string[]; skipRules: string[] };
  /** When the scan was judged against an earlier report (--baseline): see baseline.ts. */
  baseline?: { file: string; known: number; fixed: number };
  /** When an exceptions file was applied (--exceptions): the findings it left out, each with the exception that did. */
  exceptions?: { file: string; excepted: ExceptedFinding[] };
}

/** A finding an exception left out, and that exception as its file states it (who answers for it, why, until when). */
export interface ExceptedFinding {
  finding: Finding;
  exception: { id: string; owner: string; reason: string; expires: string };
}

/**
 * Run every family over the snapshot. A family that fails (a bug) is reported as a
 * problem and the others still run: one defect never hides the rest of the results.
 */
export function runScan(snapshot: Snapshot, options: ScanOptions = {}, families: readonly ScanFamily[] = FAMILIES): ScanResult {
  const results = families.map((family) => guarded(family, () => family.check(snapshot, options)));
  const scanned = snapshot.objects.map((o) => ({ object: objectRef(o.object), file: o.source.file }));
  return assembleResult(snapshot, families, results, scanned);
}

/** One family's findings, or the problem that stopped it. */
export type FamilyResult = { findings: Iterable<Finding> } | { problem: LoadProblem };

export function guarded(family: ScanFamily, run: () => Iterable<Finding>): FamilyResult {
  try {
    return { findings: run() };
  } catch (err) {
    return { problem: familyFailure(family, err) };
  }
}

export function familyFailure(family: ScanFamily, err: unknown): LoadProblem {
  return {
    kind: "invalid-object",
    message: `internal error in the ${family.id} checks: ${err instanceof Error ? err.message : String(err)}`,
    position: { file: "<palisade>", line: 1, column: 1 },
    hint: "please report this with the input that caused it (run with --debug)",
  };
}

/** Findings in report order, the snapshot's problems then the families', rules in family order. */
export function assembleResult(snapshot: Snapshot, families: readonly ScanFamily[], results: readonly FamilyResult[], scanned: ScanResult["scanned"]): ScanResult {
  const findings: Finding[] = [];
  const problems = [...snapshot.problems];
  const rules: Rule[] = [];
  families.forEach((family, i) => {
    rules.push(...family.rules);
    const result = results[i] as FamilyResult;
    // A loop, not push(...): spreading more than ~120k arguments overflows the stack,
    // and a big cluster's family returns that many findings.
    if ("findings" in result) for (const finding of result.findings) findings.push(finding);
    else problems.push(result.problem);
  });
  findings.sort(compareFindings);
  return { findings, problems, stats: snapshot.stats, rules, scanned };
}

export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.position?.file ?? "";
  const fb = b.position?.file ?? "";
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.position?.line ?? 0;
  const lb = b.position?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.position?.column ?? 0;
  const cb = b.position?.column ?? 0;
  if (ca !== cb) return ca - cb;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
