import { Option } from "commander";
import { formatPosition, UserError } from "../errors.js";
import { SEVERITIES, type Severity } from "../findings/types.js";
import { printable, printableLineStart } from "../report/printable.js";

/** Documented exit codes (README, `palisade --help`). */
export const EXIT = { clean: 0, findings: 1, usage: 2 } as const;

export function outputOption(formats: readonly string[], fallback: string): Option {
  return new Option("-o, --output <format>", "output format").choices(formats as string[]).default(fallback);
}

/**
 * A repeatable flag's parser (`--rules a --rules b`): each value added to the list. Given
 * no default, a flag's --help shows none and an absent flag is undefined.
 */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function failOnOption(fallback: Severity = "low"): Option {
  return new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity")
    .choices([...SEVERITIES, "none"])
    .default(fallback);
}

/**
 * An error's text as stderr may show it: messages quote the input (namespace names, file
 * names, values), and on a terminal or in a CI log an ESC from a manifest would act (see
 * report/printable.ts). The text's own line breaks (one problem per line, a caret under a
 * selector) are kept, and no line can start a CI workflow command.
 */
function printableError(err: UserError): string {
  const where = err.position ? `${printable(formatPosition(err.position))}: ` : "";
  const lines = (text: string) => text.split("\n").map(printableLineStart).join("\n");
  const hint = err.hint === undefined ? "" : `\n  hint: ${lines(err.hint)}`;
  return `${where}${lines(err.message)}${hint}`;
}

/** Print an error a person can act on; stack traces only with --debug. */
export function reportFatal(err: unknown, debug: boolean): void {
  if (err instanceof UserError) {
    process.stderr.write(`palisade: ${printableError(err)}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`palisade: internal error: ${printable(message)}\n`);
    process.stderr.write(debug && err instanceof Error && err.stack ? `${err.stack}\n` : "  (run with --debug for details, and please report it)\n");
  }
  process.exitCode = EXIT.usage;
}

export { writeStdout } from "./stdout.js";

export function isInteractive(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI && process.env.TERM !== "dumb";
}

/**
 * Whether to colour what goes to `stream`: never with --no-color; else as FORCE_COLOR asks
 * (any value but 0 or false: always; it wins over NO_COLOR, as in Node itself); never with
 * NO_COLOR set (no-color.org); otherwise only on an interactive terminal.
 */
export function colorFor(stream: NodeJS.WriteStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (process.env.NO_COLOR) return false;
  return isInteractive(stream);
}
