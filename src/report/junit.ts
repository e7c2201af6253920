import type { Finding, Severity } from "../findings/types.js";
import { describeRef, type LoadProblem } from "../k8s/types.js";
import type { ScanResult } from "../scan/run.js";
import { printable } from "./printable.js";
import { atOrAbove } from "./summary.js";

export interface JunitOptions {
  /**
   * The run's --fail-on. A finding below it is a <skipped> case, not a <failure>: CI test
   * reporters (GitLab, Jenkins, Azure) turn failures into a red or unstable build, which must
   * agree with the exit code the user chose. Skipped rather than passed, because GitLab shows
   * the text of a skipped case and drops a passing case's system-out, so the finding stays
   * readable. Without it every finding is a failure.
   */
  failOn?: Severity | "none";
}

// XML 1.0 forbids most C0 controls even when escaped (&#27; is not well-formed either).
// eslint-disable-next-line no-control-regex
const C0 = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
// Nor are U+FFFE, U+FFFF or a lone surrogate in its Char production: U+FFFD stands for
// them, as a UTF-8 encoder writes it for a lone surrogate.
const NOT_CHAR = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as XML 1.0 can hold it: only its characters, markup escaped. */
function xml(text: string): string {
  return text.replace(C0, "").replace(NOT_CHAR, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * A value from the input, as dashboards and consoles show the report to people: printable()
 * as in text output (a newline in a name must not make a line of its own, ESC not reach a
 * terminal), then XML.
 */
function value(text: string): string {
  return xml(printable(text));
}

/**
 * JUnit XML for CI dashboards: a suite per file, a test case per object and rule that
 * failed (skipped when below --fail-on), and one passing case per clean object so progress
 * is visible too. In pieces: 200,000 findings make ~140 MB of XML, which as one string took 800 MB.
 */
export function* renderJunitPieces(result: ScanResult, options: JunitOptions = {}): Generator<string> {
  const { failOn } = options;
  const failing = new Set(failOn === undefined ? result.findings : atOrAbove(result.findings, failOn));
  // A file's input problems are errors of its own suite: one suite per file, as consumers
  // that key suites by name (and merge or drop duplicates) expect.
  const byFile = new Map<string, { objects: Set<string>; findings: Finding[]; problems: LoadProblem[] }>();
  const entry = (file: string) => {
    let e = byFile.get(file);
    if (!e) byFile.set(file, (e = { objects: new Set(), findings: [], problems: [] }));
    return e;
  };
  for (const s of result.scanned) entry(s.file).objects.add(describeRef(s.object));
  for (const f of result.findings) entry(f.position?.file ?? "<unknown>").findings.push(f);
  for (const p of result.problems) entry(p.position.file).problems.push(p);
  // The totals open the document, so they are counted before any case is printed.
  const suites = [...byFile].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, { objects, findings, problems }]) => {
    const failed = new Set(findings.map((f) => (f.object ? describeRef(f.object) : "")));
    return { file, findings, problems, clean: [...objects].sort().filter((ref) => !failed.has(ref)) };
  });
  const tests = suites.reduce((n, s) => n + s.findings.length + s.clean.length, 0) + result.problems.length;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="palisade" tests="${tests}" failures="${failing.size}" errors="${result.problems.length}">\n`;
  let firstSuite = true;
  for (const { file, findings, problems, clean } of suites) {
    const failures = findings.filter((f) => failing.has(f)).length;
    yield `${firstSuite ? "" : "\n"}  <testsuite name="${value(file)}" tests="${findings.length + clean.length + problems.length}" failures="${failures}" errors="${problems.length}" skipped="${findings.length - failures}">\n`;
    firstSuite = false;
    let batch: string[] = [];
    let batchChars = 0;
    let firstCase = true;
    const flush = function* (): Generator<string> {
      if (batch.length === 0) return;
      // A piece of its own, not `"\n" + cases`: that would be a cons string the writer copies flat.
      if (!firstCase) yield "\n";
      yield batch.join("\n");
      firstCase = false;
      batch = [];
      batchChars = 0;
    };
    const add = (testCase: string): boolean => {
      batch.push(testCase);
      batchChars += testCase.length;
      return batch.length === CASES_PER_PIECE || batchChars >= PIECE_CHARS;
    };
    const names = caseNames(findings.map((f) => ({ classname: f.object ? describeRef(f.object) : file, name: f.ruleId, detail: f.fieldPath || at(f.position) })));
    for (const [i, f] of findings.entries()) {
      const ref = f.object ? describeRef(f.object) : file;
      const where = printable(f.position ? `${f.position.file}:${f.position.line}:${f.position.column}` : file);
      // The body's line breaks are the report's own: each line's values are made printable.
      const fails = failing.has(f);
      // A skipped case has no type attribute (the JUnit schemas give <skipped> a message only): its body names the severity.
      const below = fails ? "" : `severity: ${f.severity}, below --fail-on ${String(failOn)}: reported, not failing the run\n`;
      const body = `${where}: ${printable(f.message)}\n${below}${f.fieldPath ? `field: ${printable(f.fieldPath)}\n` : ""}${f.remediation ? `remediation: ${printable(f.remediation)}` : ""}`;
      const outcome = fails ? `<failure type="${f.severity}" message="${value(f.message)}">${xml(body)}</failure>` : `<skipped message="${value(f.message)}">${xml(body)}</skipped>`;
      const full = add(`    <testcase classname="${value(ref)}" name="${value(names[i]!)}" file="${value(file)}">\n` + `      ${outcome}\n` + `    </testcase>`);
      if (full) yield* flush();
    }
    for (const ref of clean) {
      if (add(`    <testcase classname="${value(ref)}" name="all checks" file="${value(file)}"/>`)) yield* flush();
    }
    const problemNames = caseNames(problems.map((p) => ({ classname: "input", name: p.kind, detail: at(p.position) })));
    for (const [i, p] of problems.entries()) {
      const where = printable(`${p.position.file}:${p.position.line}:${p.position.column}`);
      const body = `${where}: ${printable(p.message)}${p.hint ? `\nhint: ${printable(p.hint)}` : ""}`;
      if (add(`    <testcase classname="input" name="${value(problemNames[i]!)}" file="${value(file)}"><error type="${xml(p.kind)}" message="${value(p.message)}">${xml(body)}</error></testcase>`)) yield* flush();
    }
    yield* flush();
    yield "\n  </testsuite>";
  }
  yield "\n</testsuites>\n";
}

/** "line 12, column 5": where in its file a case without a field is. */
function at(position: { line: number; column: number } | undefined): string | undefined {
  return position ? `line ${position.line}, column ${position.column}` : undefined;
}

/**
 * Each case's name, unique within its suite and class: GitLab keys a case by suite, class
 * and name and keeps only the last of a key (lib/gitlab/ci/reports/test_suite.rb), so two
 * findings of one rule on one object (two containers, two RBAC rules) would count as one.
 * A name that repeats says what it is about (its field, else its position), and numbers
 * what still repeats; a name that does not repeat stays the rule id, stable from run to run.
 */
function caseNames(cases: ReadonlyArray<{ classname: string; name: string; detail: string | undefined }>): string[] {
  const counts = (keys: readonly string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const key = (classname: string, name: string) => `${classname}\u0000${name}`;
  const plain = counts(cases.map((c) => key(c.classname, c.name)));
  const detailed = cases.map((c) => (plain.get(key(c.classname, c.name))! > 1 && c.detail !== undefined ? `${c.name} (${c.detail})` : c.name));
  const repeats = counts(cases.map((c, i) => key(c.classname, detailed[i]!)));
  const seen = new Map<string, number>();
  return detailed.map((name, i) => {
    const k = key(cases[i]!.classname, name);
    if (repeats.get(k)! === 1) return name;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return `${name} #${n}`;
  });
}

/**
 * Test cases joined per piece: small strings, few of them, and below V8's large-object size
 * (128 KiB) even as a two-byte string (see json-pieces.ts for why that matters).
 */
const CASES_PER_PIECE = 64;
const PIECE_CHARS = 48 * 1024;

/** The JUnit XML as one string, for callers that need one; the CLI writes the pieces. */
export function renderJunit(result: ScanResult, options: JunitOptions = {}): string {
  return [...renderJunitPieces(result, options)].join("");
}
