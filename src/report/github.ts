/**
 * GitHub Actions workflow commands: each finding as an `::error`, `::warning` or `::notice`
 * annotation on its file, line and column, shown on the pull request's diff and in the
 * run's summary without code scanning (which private repositories need GitHub Advanced
 * Security for). Input problems are errors on their own positions.
 *
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import type { Severity } from "../findings/types.js";
import { describeRef, isCheckoutFile, isLiveFile } from "../k8s/types.js";
import type { ScanResult } from "../scan/run.js";
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

/** One line per finding and per input problem, then the summary line as a plain log line. */
export function* renderGithubPieces(result: ScanResult): Generator<string> {
  for (const p of result.problems) {
    const { file, line, column } = p.position;
    yield annotation({ command: "error", file, line, column, title: `palisade: ${p.kind}`, message: p.hint ? [p.message, `hint: ${p.hint}`] : [p.message] });
  }
  let batch: string[] = [];
  for (const f of result.findings) {
    const where = f.position;
    const object = f.object ? describeRef(f.object) : undefined;
    batch.push(
      annotation({
        command: COMMAND[f.severity],
        file: where?.file,
        line: where?.line,
        column: where?.column,
        title: `${f.ruleId} (${f.severity})${object ? ` ${object}` : ""}`,
        message: f.remediation ? [f.message, `remediation: ${f.remediation}`] : [f.message],
      }),
    );
    if (batch.length === 256) {
      yield batch.join("");
      batch = [];
    }
  }
  if (batch.length > 0) yield batch.join("");
  yield `${summaryLine(result)}\n`;
}
