import { Command, CommanderError } from "commander";
import { packageVersion } from "../version.js";
import { COMMANDS } from "./commands.js";
import { reportFatal, EXIT } from "./common.js";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("palisade")
    .description("Zero-trust security for Kubernetes: manifests, admission, network and data at rest")
    .version(packageVersion(), "-V, --version")
    .option("--debug", "show stack traces of internal errors")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addHelpText(
    "after",
    "\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.",
  );
  for (const register of COMMANDS) register(program);
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
