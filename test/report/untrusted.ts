/**
 * Shared by the tests of reports over untrusted text: what must never reach a line of
 * human-readable output, and findings whose every value is chosen by a manifest's author.
 */
import fc from "fast-check";
import type { Finding } from "../../src/findings/types.js";
import type { LoadProblem } from "../../src/k8s/types.js";
import type { ScanResult } from "../../src/scan/run.js";

/** What printable() must keep out of a report line: controls, separators, bidi controls, lone surrogates. */
// eslint-disable-next-line no-control-regex
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The SGR sequences picocolors writes (`ESC [ n m`), and nothing else. */
// eslint-disable-next-line no-control-regex
export const SGR = /\u001b\[\d+m/g;

/**
 * Any string but the empty one (an empty note or remediation has no line, which would
 * change a report's shape), weighted towards those that attack a terminal or a CI log.
 */
export const untrusted = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("c\n::error file=README.md,line=1::all good\n::stop-commands::zzz", "d\r\u001b[1A\u001b[2K", "\u001b[31mRED\u001b[0m", "a\u202eb\u2066c", "x\u2028y\u0085z\u009b", "a\ufffeb\uffffc\ud800"),
  fc.array(fc.constantFrom("a", "\n", "\r", "\t", "\u001b", "\u0007", "\u007f", "\u009b", "\u2029", "\u202e", ":", "%", "\ud83d", "\ude00"), { maxLength: 12 }).map((chars) => chars.join("")),
).filter((text) => text.length > 0);

/** The values a manifest (or a kubeconfig, a file name) decides, all in one report. */
export interface Values {
  file: string;
  kind: string;
  namespace: string;
  name: string;
  message: string;
  note: string;
  fieldPath: string;
  remediation: string;
  cluster: string;
  baseline: string;
  problemFile: string;
  problemMessage: string;
  hint: string;
}

export const untrustedValues: fc.Arbitrary<Values> = fc.record({
  file: untrusted,
  kind: untrusted,
  namespace: untrusted,
  name: untrusted,
  message: untrusted,
  note: untrusted,
  fieldPath: untrusted,
  remediation: untrusted,
  cluster: untrusted,
  baseline: untrusted,
  problemFile: untrusted,
  problemMessage: untrusted,
  hint: untrusted,
});

/** The same report with every value a plain word: its lines are the shape any values must keep. */
export function plainValues(): Values {
  const word = "x";
  // The problem in a file of its own, as in the reports it is compared with.
  return { file: word, kind: word, namespace: word, name: word, message: word, note: word, fieldPath: word, remediation: word, cluster: word, baseline: word, problemFile: "y", problemMessage: word, hint: word };
}

/** One finding, one input problem, a cluster and a baseline: every place a value can reach. */
export function reportOf(v: Values): ScanResult {
  const finding: Finding = {
    ruleId: "pss/privileged",
    severity: "critical",
    pillar: "workload",
    message: v.message,
    object: { kind: v.kind, namespace: v.namespace, name: v.name },
    fieldPath: v.fieldPath,
    position: { file: v.file, line: 3, column: 5 },
    remediation: v.remediation,
    note: v.note,
  };
  const problem: LoadProblem = { kind: "parse-error", message: v.problemMessage, position: { file: v.problemFile, line: 2, column: 1 }, hint: v.hint };
  return {
    findings: [finding],
    problems: [problem],
    rules: [],
    scanned: [{ object: finding.object!, file: v.file }],
    stats: { files: 1, documents: 1, objects: 1, skippedNonKubernetes: 0, skippedFiles: 0, cluster: v.cluster },
    baseline: { file: v.baseline, known: 1, fixed: 0 },
  };
}
