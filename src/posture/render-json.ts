/**
 * The posture as JSON (docs/posture-report.schema.json), printed as
 * `JSON.stringify(report, null, 2)` would print it but in pieces, one batch of workloads at
 * a time: the report of 10,000 workloads is ~60 MB of text, which as one string (then one
 * Buffer) would double the memory of the run.
 */
import { ITEMS_MARK, jsonPieces } from "../report/json-pieces.js";
import type { PostureReport } from "./types.js";

export function postureJsonPieces(report: PostureReport): Iterable<string> {
  return jsonPieces({ ...report, workloads: [ITEMS_MARK] }, report.workloads.length, (i) => report.workloads[i], 2);
}
