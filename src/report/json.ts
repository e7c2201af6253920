import { packageVersion } from "../version.js";
import type { ScanResult } from "../scan/run.js";
import { countBySeverity } from "./summary.js";
import { ITEMS_MARK, jsonPieces } from "./json-pieces.js";

/**
 * The JSON report. Its shape is documented by the JSON Schema in
 * docs/scan-report.schema.json; `schemaVersion` changes only when a field's meaning does.
 */
export const JSON_SCHEMA_VERSION = "palisade.dev/scan/v1";

/** The report document with `findings` in place of the findings (the YAML report is the same document). */
export function reportOf(result: ScanResult, findings: unknown[]) {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: "palisade", version: packageVersion() },
    summary: {
      findings: result.findings.length,
      bySeverity: countBySeverity(result.findings),
      objects: result.stats.objects,
      files: result.stats.files,
      ...(result.stats.kustomizations ? { kustomizations: result.stats.kustomizations } : {}),
      ...(result.stats.cluster ? { cluster: result.stats.cluster } : {}),
      documents: result.stats.documents,
      skippedNonKubernetes: result.stats.skippedNonKubernetes,
      skippedFiles: result.stats.skippedFiles,
      // Only when a walk left kustomize patches or Helm templates out, so other reports read as they did.
      ...(result.stats.skippedPatches ? { skippedPatches: result.stats.skippedPatches } : {}),
      ...(result.stats.skippedTemplates ? { skippedTemplates: result.stats.skippedTemplates } : {}),
      ...(result.stats.skippedControlled ? { skippedControlled: result.stats.skippedControlled } : {}),
      problems: result.problems.length,
      // Only for a scan limited to some rules: a clean report of a partial scan says so.
      ...(result.ruleSelection ? { ruleSelection: result.ruleSelection } : {}),
      // Only for a scan against an earlier report: its findings here are the new ones.
      ...(result.baseline ? { baseline: result.baseline } : {}),
      // Only with --exceptions: how many findings its exceptions left out (listed in `excepted`).
      ...(result.exceptions ? { exceptions: { file: result.exceptions.file, excepted: result.exceptions.excepted.length } } : {}),
    },
    findings,
    problems: result.problems,
    ...(result.exceptions ? { excepted: result.exceptions.excepted } : {}),
  };
}

/**
 * The report as `JSON.stringify(report, null, 2)` would print it, in pieces (see
 * json-pieces.ts): a large scan's report (tens of MB) is then never one string.
 */
export function renderJsonPieces(result: ScanResult): Generator<string> {
  const findings = result.findings;
  return jsonPieces(reportOf(result, [ITEMS_MARK]), findings.length, (i) => findings[i], 2);
}

/** The whole report as one string (for callers that need one; the CLI writes the pieces). */
export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(reportOf(result, result.findings), null, 2)}\n`;
}
