import { Command, CommanderError } from "commander";
import { packageVersion } from "../version.js";
import { COMMANDS } from "./commands.js";
import { printable } from "../report/printable.js";
import { reportFatal, EXIT } from "./common.js";
import { ignoreClosedPipe } from "./stdout.js";

/**
 * Load the command being run, or (for help and typos) only the command names and
 * summaries, so `palisade --version` and `palisade scan` start fast.
 */
async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry) {
    (await entry.load())(program);
    return;
  }
  for (const c of COMMANDS) program.command(c.name).description(c.summary).allowUnknownOption().helpOption(false);
}

/** Commander's own second line under an unknown option or command: names from palisade, never from the user. */
const SUGGESTION = /\n\(Did you mean [^\n]*\?\)$/;

/**
 * A commander error made safe to print: commander quotes the argument it rejects as it was
 * given (`error: unknown option '…'`), and an argument may hold ESC or a newline (a value a
 * script took from a manifest), which would act on the terminal or start a line a CI runner
 * reads as its own command. Everything but commander's suggestion line is one line, so its
 * every control character, line breaks included, is written as its escape.
 */
function printableCommanderError(text: string): string {
  const message = text.endsWith("\n") ? text.slice(0, -1) : text;
  const suggestion = SUGGESTION.exec(message)?.[0] ?? "";
  return `${printable(message.slice(0, message.length - suggestion.length))}${suggestion}\n`;
}

export async function main(argv: string[]): Promise<void> {
  ignoreClosedPipe();
  const program = new Command("palisade")
    .description("Zero-trust security for Kubernetes: manifests, admission, network and data at rest")
    .version(packageVersion(), "-V, --version")
    .option("--debug", "show stack traces of internal errors")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(printableCommanderError(s)),
    });
  program.addHelpText(
    "after",
    "\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.",
  );
  await registerCommands(program, argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      process.exitCode = err.exitCode === 0 ? EXIT.clean : EXIT.usage;
      return;
    }
    reportFatal(err, argv.includes("--debug"));
  }
}
