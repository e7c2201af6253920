import { packageVersion } from "../version.js";
import type { ScanResult } from "../scan/run.js";
import { countBySeverity } from "./summary.js";

/**
 * The JSON report. Its shape is documented in docs/json-report.md and by the JSON Schema
 * in docs/scan-report.schema.json; `schemaVersion` changes only when a field's meaning does.
 */
export const JSON_SCHEMA_VERSION = "palisade.dev/scan/v1";

export function renderJson(result: ScanResult): string {
  const report = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: "palisade", version: packageVersion() },
    summary: {
      findings: result.findings.length,
      bySeverity: countBySeverity(result.findings),
      objects: result.stats.objects,
      files: result.stats.files,
      documents: result.stats.documents,
      skippedNonKubernetes: result.stats.skippedNonKubernetes,
      skippedFiles: result.stats.skippedFiles,
      problems: result.problems.length,
    },
    findings: result.findings,
    problems: result.problems,
  };
  return JSON.stringify(report, null, 2) + "\n";
}
