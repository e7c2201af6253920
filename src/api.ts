/**
 * Palisade as a library: load manifests, run the rule families, render a report. This is
 * the package's entry point (bundled to dist/bundle/api.js, like the CLI), so a program or
 * a benchmark embedding the scan loads exactly the code the `palisade` command runs.
 */
export { loadSnapshot, type LoadOptions, type LoadedSnapshot } from "./k8s/load.js";
export { runScan, type ScanResult } from "./scan/run.js";
export type { ScanOptions } from "./scan/family.js";
export { scanStreaming, type StreamedScan } from "./scan/stream.js";
export { keepYoungGenerationSmall } from "./scan/heap.js";
export { FAMILIES } from "./scan/families.js";
export { podSecurityFamily } from "./podsecurity/family.js";
export { renderJson, renderJsonPieces } from "./report/json.js";
export { renderSarif } from "./report/sarif.js";
export { renderJunit } from "./report/junit.js";
export { writePieces } from "./cli/stdout.js";
export type { Finding, Rule, Severity } from "./findings/types.js";
