import { colorFor } from "../cli/common.js";
import type { Severity } from "../findings/types.js";
import type { ScanResult } from "../scan/run.js";
import { renderGithubPieces } from "./github.js";
import { renderJsonPieces } from "./json.js";
import { renderJunitPieces } from "./junit.js";
import { renderSarifPieces, sarifLimitWarning } from "./sarif.js";
import { renderTextPieces } from "./text.js";
import { renderYamlPieces } from "./yaml.js";

/** The report formats every findings command offers. */
export const REPORT_FORMATS = ["text", "wide", "json", "yaml", "sarif", "junit", "github"] as const;

export interface RenderFlags {
  output: string;
  summary?: boolean;
  color?: boolean;
  /** The run's --fail-on: JUnit reports findings below it as skipped cases, not failures, to agree with the exit code. */
  failOn?: Severity | "none";
  /** Where a warning about the report goes (a SARIF report that leaves findings out): stderr unless given. */
  warn?: (line: string) => void;
}

/**
 * Render findings in the chosen format (text coloured only on a terminal), as pieces to
 * write one after another: a large scan's report runs to hundreds of MB.
 */
export function renderReport(result: ScanResult, flags: RenderFlags): Iterable<string> {
  switch (flags.output) {
    case "json":
      return renderJsonPieces(result);
    case "yaml":
      return renderYamlPieces(result);
    case "sarif": {
      // Once, before the report: in CI stdout goes to a file for upload-sarif, stderr to the log.
      const warning = sarifLimitWarning(result.findings);
      if (warning) (flags.warn ?? ((line: string) => process.stderr.write(line)))(warning);
      return renderSarifPieces(result);
    }
    case "junit":
      return renderJunitPieces(result, flags.failOn === undefined ? {} : { failOn: flags.failOn });
    case "github":
      return renderGithubPieces(result);
    default:
      return renderTextPieces(result, { color: colorFor(process.stdout, flags.color), summaryOnly: flags.summary === true, wide: flags.output === "wide" });
  }
}
