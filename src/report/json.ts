import { packageVersion } from "../version.js";
import type { ScanResult } from "../scan/run.js";
import { countBySeverity } from "./summary.js";

/**
 * The JSON report. Its shape is documented in docs/json-report.md and by the JSON Schema
 * in docs/scan-report.schema.json; `schemaVersion` changes only when a field's meaning does.
 */
export const JSON_SCHEMA_VERSION = "palisade.dev/scan/v1";

/** Stands in for the findings while the rest of the report is laid out; cannot occur in a report. */
const FINDINGS_MARK = "\u0000palisade-findings\u0000";
const FINDING_INDENT = "    ";
const NESTED_OPEN = "[\n  [\n    ".length;
const NESTED_CLOSE = "\n  ]\n]".length;
/**
 * Findings rendered per piece: enough to amortise the call, few enough (~60 KB of text)
 * that the piece stays below V8's large-object size (128 KiB). A larger piece is
 * allocated as fresh memory every time, and first-touch page faults made 256 findings
 * a piece three times slower than one.
 */
const FINDINGS_PER_PIECE = 64;

function reportOf(result: ScanResult, findings: unknown[]) {
  return {
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
    findings,
    problems: result.problems,
  };
}

/**
 * The report as `JSON.stringify(report, null, 2)` would print it, in pieces: the text
 * around the findings, then the findings a batch at a time. A large scan's report (tens of MB)
 * is then never one string (see cli/stdout.ts for why that matters).
 */
export function* renderJsonPieces(result: ScanResult): Generator<string> {
  if (result.findings.length === 0) {
    yield `${JSON.stringify(reportOf(result, []), null, 2)}\n`;
    return;
  }
  const skeleton = JSON.stringify(reportOf(result, [FINDINGS_MARK]), null, 2);
  const mark = skeleton.indexOf(JSON.stringify(FINDINGS_MARK));
  yield skeleton.slice(0, mark);
  const findings = result.findings;
  for (let start = 0; start < findings.length; start += FINDINGS_PER_PIECE) {
    // Printed two levels deep, as inside the report's findings array, by wrapping a batch
    // twice and cutting the wrappers ("[\n  [\n    " and "\n  ]\n]") off again. A batch
    // per call: one call per finding cost half again as much.
    const text = JSON.stringify([findings.slice(start, start + FINDINGS_PER_PIECE)], null, 2).slice(NESTED_OPEN, -NESTED_CLOSE);
    yield start === 0 ? text : `,\n${FINDING_INDENT}${text}`;
  }
  yield `${skeleton.slice(mark + JSON.stringify(FINDINGS_MARK).length)}\n`;
}

/** The whole report as one string (for callers that need one; the CLI writes the pieces). */
export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(reportOf(result, result.findings), null, 2)}\n`;
}
