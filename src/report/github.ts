/**
 * GitHub Actions workflow commands: each finding as an `::error`, `::warning` or `::notice`
 * annotation on its file, line and column, shown on the pull request's diff and in the
 * run's summary without code scanning (which private repositories need GitHub Advanced
 * Security for). Input problems are errors on their own positions. GitHub shows 10
 * annotations of a kind a step: the most severe come first, and a notice counts the rest.
 *
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import type { Severity } from "../findings/types.js";
import { describeRef, isCheckoutFile, isLiveFile } from "../k8s/types.js";
import type { ScanResult } from "../scan/run.js";
import { mostSevereFirst, severityCounts, thousands } from "./most-severe.js";
import { printable } from "./printable.js";
import { checkoutPath } from "./sarif.js";
import { summaryLine } from "./text.js";

const COMMAND: Record<Severity, "error" | "warning" | "notice"> = { critical: "error", high: "error", medium: "warning", low: "notice", info: "notice" };

/**
 * A message's text: the runner reads `%`, CR and LF as its own, so they are escaped. The
 * text is printable() already, so CR and LF here are the annotation's own line breaks.
 */
function data(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property's value: also `:` and `,`, which separate properties. */
function property(text: string): string {
  return data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

interface Annotation {
  command: "error" | "warning" | "notice";
  file: string | undefined;
  line: number | undefined;
  column: number | undefined;
  title: string;
  /** The message's lines, each of which may hold text from the input. */
  message: readonly string[];
}

/**
 * One workflow command line. Every value passes printable() here, where the line is made:
 * a control character from the input (ESC, a newline the runner would decode from %0A)
 * reaches neither the log nor the annotation, and the lines of `message` are the only
 * line breaks.
 */
function annotation({ command, file, line, column, title, message }: Annotation): string {
  const properties: string[] = [];
  // <stdin>, a live cluster, a rendered kustomization are not files of the checkout.
  if (file !== undefined && isCheckoutFile(file)) properties.push(`file=${property(printable(checkoutPath(file)))}`);
  // A live cluster's lines are those of the List kubectl returned: no one can look them up.
  const lines = file === undefined || !isLiveFile(file);
  if (line !== undefined && lines) properties.push(`line=${line}`);
  if (column !== undefined && lines) properties.push(`col=${column}`);
  properties.push(`title=${property(printable(title))}`);
  return `::${command} ${properties.join(",")}::${data(message.map(printable).join("\n"))}\n`;
}

/**
 * Annotations GitHub shows of each kind (error, warning, notice) per step; a step's others
 * are dropped without a word (and a job shows 50 at most). actions/toolkit,
 * docs/problem-matchers.md, "Limitations".
 */
export const ANNOTATIONS_PER_KIND = 10;

/**
 * The runner moves a command's file, line and title into the annotation and logs only its
 * message: one GitHub will not annotate says in its message where it is and what it is.
 */
function located(a: Annotation): Annotation {
  let at = "";
  if (a.file !== undefined) {
    at = isCheckoutFile(a.file) ? checkoutPath(a.file) : a.file;
    if (a.line !== undefined && !isLiveFile(a.file)) at += `:${a.line}${a.column !== undefined ? `:${a.column}` : ""}`;
    at += ": ";
  }
  const [first = "", ...rest] = a.message;
  return { ...a, message: [`${at}${a.title}: ${first}`, ...rest] };
}

/** One annotation per input problem, then one per finding, with what GitHub needs to know which to show. */
interface Item {
  annotation: Annotation;
  /** The finding's severity; none for an input problem. */
  severity?: Severity;
}

function* items(result: ScanResult, order: Iterable<number>): Generator<Item> {
  for (const p of result.problems) {
    const { file, line, column } = p.position;
    yield { annotation: { command: "error", file, line, column, title: `palisade: ${p.kind}`, message: p.hint ? [p.message, `hint: ${p.hint}`] : [p.message] } };
  }
  for (const i of order) {
    const f = result.findings[i]!;
    const where = f.position;
    const object = f.object ? describeRef(f.object) : undefined;
    yield {
      severity: f.severity,
      annotation: {
        command: COMMAND[f.severity],
        file: where?.file,
        line: where?.line,
        column: where?.column,
        title: `${f.ruleId} (${f.severity})${object ? ` ${object}` : ""}`,
        message: f.remediation ? [f.message, `remediation: ${f.remediation}`] : [f.message],
      },
    };
  }
}

/** Lines in pieces of 256 lines. */
function* batched(lines: Iterable<string>): Generator<string> {
  let batch: string[] = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length === 256) {
      yield batch.join("");
      batch = [];
    }
  }
  if (batch.length > 0) yield batch.join("");
}

/**
 * One annotation per input problem and per finding, then the summary as plain log lines.
 *
 * When GitHub cannot show them all, findings go most severe first (in report order within
 * a severity): first the annotations it shows, the most severe of each kind, input
 * problems first among errors; then a notice (the last one it shows) that counts the
 * others; then the others, each of which says in its message where it is, as only its
 * message reaches the log.
 */
export function* renderGithubPieces(result: ScanResult): Generator<string> {
  const findings = result.findings;
  const totals = { error: result.problems.length, warning: 0, notice: 0 };
  for (const f of findings) totals[COMMAND[f.severity]]++;
  const overflow = totals.error > ANNOTATIONS_PER_KIND || totals.warning > ANNOTATIONS_PER_KIND || totals.notice > ANNOTATIONS_PER_KIND;
  if (!overflow) {
    yield* batched([...items(result, findings.keys())].map((item) => annotation(item.annotation)));
    yield `${summaryLine(result)}\n`;
    return;
  }
  const order = mostSevereFirst(findings);
  // Annotations GitHub shows of each kind; one notice is kept for the count of the others.
  const room = { error: ANNOTATIONS_PER_KIND, warning: ANNOTATIONS_PER_KIND, notice: ANNOTATIONS_PER_KIND - 1 };
  const seen = { error: 0, warning: 0, notice: 0 };
  const shown: string[] = [];
  let problemsLeft = 0;
  const findingsLeft: Severity[] = [];
  for (const { annotation: a, severity } of items(result, order)) {
    if (++seen[a.command] <= room[a.command]) shown.push(annotation(a));
    else if (severity === undefined) problemsLeft++;
    else findingsLeft.push(severity);
  }
  yield shown.join("");
  const what = [
    ...(findingsLeft.length > 0 ? [`${thousands(findingsLeft.length)} ${findingsLeft.length === 1 ? "finding" : "findings"} (${severityCounts(findingsLeft)})`] : []),
    ...(problemsLeft > 0 ? [`${thousands(problemsLeft)} input ${problemsLeft === 1 ? "problem" : "problems"}`] : []),
  ].join(" and ");
  yield annotation({
    command: "notice",
    file: undefined,
    line: undefined,
    column: undefined,
    title: "palisade: not every finding is annotated",
    message: [
      `${what} not annotated: GitHub shows ${ANNOTATIONS_PER_KIND} error, ${ANNOTATIONS_PER_KIND} warning and ${ANNOTATIONS_PER_KIND} notice annotations a step (50 a job), and those above are the most severe.`,
      "The others follow in this log, each with its file and line; -o json reports every finding, -o sarif is for code scanning.",
    ],
  });
  function* others(): Generator<string> {
    const again = { error: 0, warning: 0, notice: 0 };
    for (const { annotation: a } of items(result, order)) if (++again[a.command] > room[a.command]) yield annotation(located(a));
  }
  yield* batched(others());
  yield `${summaryLine(result)}\n`;
}
