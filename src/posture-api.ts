/**
 * `palisade/posture`: the posture as a library, an entry point of its own so that a program
 * that only scans (and the scan benchmark, which times loading the package) does not load it.
 */
export { buildPosture, type PostureMeta } from "./posture/build.js";
export { withBaseline } from "./posture/baseline.js";
export { postureJsonPieces } from "./posture/render-json.js";
export { renderPostureText } from "./posture/render-text.js";
export { renderPostureHtml } from "./posture/html/page.js";
export type { PostureReport, WorkloadPosture, Deduction } from "./posture/types.js";
