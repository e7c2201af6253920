/**
 * Passwords given to a program by a one-letter option, which no credential-named flag
 * gives away: `mysql -pSECRET`, `redis-cli -a SECRET`, `sshpass -p SECRET`. An option
 * letter means a password only to its own program (`mkdir -p`, `ssh -p 22`), so an option
 * is read as one only after its program's word (its last path segment) in the same
 * command: in a container's argv, or in one simple command of a shell script.
 */
import { programName } from "../shell/script-operand.js";
import { unquoted } from "./config-text.js";
import { isReference } from "./credential-formats.js";

interface PasswordOption {
  /** The option as written before its value. */
  option: string;
  /** `-pVALUE`: the value in the option's own word. */
  attached: boolean;
  /** `-a VALUE`: the value in the next word. */
  separate: boolean;
  /**
   * For a program whose options end at its first operand (getopt's `+`): its options that
   * take the next word, so that the operand is told from a value. `sshpass -p x ssh -p 22`
   * gives ssh its port; none for a program that reads options anywhere.
   */
  valued?: ReadonlySet<string>;
  /**
   * Long options that take a value only after `=`: written bare, they take none, and the
   * next word is the program's operand (`mysql --password appdb` prompts; appdb is the database).
   */
  attachedOnly?: ReadonlySet<string>;
}

/**
 * The MySQL and MariaDB clients declare -p with an optional argument (my_getopt's
 * OPT_ARG): only `-pVALUE` gives the password, a bare `-p` prompts for it and the word
 * after it is the database. Their long --password (and --password1..3, the factors of
 * MySQL 8.0.27's multi-factor authentication) is OPT_ARG too: a value only after `=`.
 * redis-cli reads `-a` and takes the next argument whatever it
 * is (parseOptions). sshpass declares `p:` to getopt, which takes `-pVALUE` and `-p VALUE`.
 */
const MYSQL_CLIENT: PasswordOption = { option: "-p", attached: true, separate: false, attachedOnly: new Set(["--password", "--password1", "--password2", "--password3"]) };
const PROGRAMS: ReadonlyMap<string, PasswordOption> = new Map([
  ...["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlslap", "mysqlpump", "mariadb", "mariadb-dump", "mariadb-admin", "mariadb-import", "mariadb-check", "mariadb-show", "mariadb-slap"].map(
    (program): [string, PasswordOption] => [program, MYSQL_CLIENT],
  ),
  ["redis-cli", { option: "-a", attached: false, separate: true }],
  ["sshpass", { option: "-p", attached: true, separate: true, valued: new Set(["-f", "-d", "-p", "-P"]) }],
]);

/** A password option found: the index of the word holding the value, and the option as a finding names it (never the value). */
export interface PasswordOptionUse {
  index: number;
  named: string;
}

/** Words that end a simple command in a shell script, after which a new program is named. */
const SEPARATOR = /^(?:;|&&|\|\||\||&|\(|\)|\{|\}|then|do|else)$/;
const ENDS_COMMAND = /(?:;|&|\|)$/;

/** What a program's own options say of its words. */
export interface PasswordOptionReading {
  /** The password options found. */
  uses: PasswordOptionUse[];
  /** The indices of long options written bare that take no value (`mysql --password db`): the word after each is no credential. */
  valueless: Set<number>;
}

/**
 * The password options of `words`: a container's argv (`shell` false), or a shell
 * script's words (`shell` true), where `;`, `&&`, `|` and the like end the command
 * whose program was named. A value that is a variable or a reference ($VAR, $(VAR),
 * ${VAR}, `cmd`) is no password written in the manifest.
 */
export function readPasswordOptions(words: readonly string[], shell: boolean): PasswordOptionReading {
  const found: PasswordOptionUse[] = [];
  const valueless = new Set<number>();
  let program: string | undefined;
  let option: PasswordOption | undefined;
  let valueOfPrevious = false;
  words.forEach((word, i) => {
    const isValue = valueOfPrevious;
    valueOfPrevious = false;
    if (shell && SEPARATOR.test(word)) {
      program = option = undefined;
      return;
    }
    const name = programName(word.replace(/^[({]+/, ""));
    const known = PROGRAMS.get(name);
    if (known) {
      program = name;
      option = known;
    } else if (option?.valued && !isValue && !word.startsWith("-")) {
      // The program's first operand: what follows is that command's, not the program's options.
      program = option = undefined;
    } else if (option && program !== undefined && word.startsWith(option.option)) {
      const next = words[i + 1];
      if (word.length > option.option.length) {
        if (option.attached && isWritten(word.slice(option.option.length), shell)) found.push({ index: i, named: `${program} ${option.option}` });
      } else if (option.separate && next !== undefined && !(shell && SEPARATOR.test(next)) && isWritten(next, shell)) {
        found.push({ index: i + 1, named: `${program} ${option.option}` });
      }
    }
    if (option?.attachedOnly?.has(word)) valueless.add(i);
    if (option?.valued?.has(word)) valueOfPrevious = true;
    if (shell && ENDS_COMMAND.test(word)) program = option = undefined;
  });
  return { uses: found, valueless };
}

/** Whether an option's value is a password written out, not a variable or a reference to one. */
function isWritten(raw: string, shell: boolean): boolean {
  const value = shell ? unquoted(raw.replace(/[;&|]+$/, "")) : raw;
  return value !== "" && !isReference(value);
}
