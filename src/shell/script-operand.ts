/**
 * Where a shell's command line holds the script it runs with -c, read as dash's
 * options()/procargs() and bash's parse_shell_options() read it: bash's long options first,
 * then words starting with `-` or `+` are groups of one-letter options until `-` or `--`;
 * `o` (and bash's `O`) takes the next word; a `c` anywhere in a group makes the first word
 * after the options the script (`sh -ec s`, `bash -lc s`, `sh -e -c s`, `sh -c -e s` and
 * `bash -o pipefail -c s` all run `s`). Shared by the Dockerfile reader (RUN in JSON form) and
 * the control-plane reader (a component started by `sh -c`).
 */

/** Shells whose command line is read as sh's. */
export const POSIX_SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "dash", "ash", "ksh", "mksh", "zsh"]);

/** bash's long options that take the next word (parse_long_options: --rcfile, --init-file). */
const LONG_OPTIONS_WITH_VALUE = new Set(["--rcfile", "--init-file"]);

/** The last path segment of a program: `/bin/sh` is sh. */
export const programName = (word: string): string => word.split("/").pop() ?? "";

/**
 * The index in `argv` of the script a shell runs with -c, or undefined when argv[0] is no
 * POSIX shell, no -c is given, or the options leave no word for the script.
 */
export function shellScriptIndex(argv: readonly string[]): number | undefined {
  if (!POSIX_SHELLS.has(programName(argv[0] ?? ""))) return undefined;
  let wantsScript = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const word = argv[i] as string;
    if (!word.startsWith("--") || word === "--") break;
    if (LONG_OPTIONS_WITH_VALUE.has(word)) i++;
  }
  for (; i < argv.length; i++) {
    const word = argv[i] as string;
    if (!word.startsWith("-") && !word.startsWith("+")) break;
    if (word === "-" || word === "--") {
      i++;
      break;
    }
    for (const letter of word.slice(1)) {
      if (letter === "c") wantsScript = true;
      else if (letter === "o" || letter === "O") i++;
    }
  }
  return wantsScript && i < argv.length ? i : undefined;
}
