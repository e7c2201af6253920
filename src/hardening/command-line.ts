/**
 * Where a control-plane binary sits in a container's command line. kubeadm runs it directly
 * (command[0]); kOps and registry.k8s.io images wrap it in go-runner (or kube-log-runner, what
 * go-runner now is); some distributions start it from `sh -c "exec kube-apiserver ..."`.
 */
import type { FieldPath } from "../k8s/types.js";
import { POSIX_SHELLS, shellScriptIndex } from "../shell/script-operand.js";

export const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "etcd"] as const;
export type Component = (typeof COMPONENTS)[number];

/** One word of the command line the kubelet starts (command, then args), and where it is written. */
export interface Word {
  arg: string;
  path: FieldPath;
}

/** The component's own command line, its binary first; or why its flags cannot be read exactly. */
export type Located = { component: Component; argv: Word[] } | { component: Component; unread: string; path: FieldPath };

const baseName = (word: string) => word.split("/").pop() ?? "";
const componentNamed = (word: string): Component | undefined => COMPONENTS.find((name) => baseName(word) === name);

/**
 * The component a command line starts, through the wrappers whose own arguments are known
 * exactly; undefined when it starts none (or hides it in a way not recognised here).
 */
export function locateComponent(argv: readonly Word[]): Located | undefined {
  const first = argv[0];
  if (!first) return undefined;
  const component = componentNamed(first.arg);
  if (component) return { component, argv: [...argv] };
  const name = baseName(first.arg);
  if (name === "go-runner" || name === "kube-log-runner") return throughLogRunner(argv);
  if (POSIX_SHELLS.has(name)) return throughShell(argv);
  return undefined;
}

/**
 * go-runner and kube-log-runner (build/go-runner/go-runner.go, component-base/logs/kube-log-runner)
 * parse their own flags with Go's flag package, which stops at the first word that is not a flag
 * (or after `--`): that word is the program they start, the rest its arguments, passed as they are.
 */
// kube-log-runner since v1.32 also rotates its file (initFlags: -flush-interval, -log-file-size, -log-file-age, each with a value).
const LOG_RUNNER_FLAGS: Record<string, "bool" | "value"> = { "log-file": "value", "also-stdout": "bool", "redirect-stderr": "bool", "flush-interval": "value", "log-file-size": "value", "log-file-age": "value" };

function throughLogRunner(argv: readonly Word[]): Located | undefined {
  for (let i = 1; i < argv.length; i++) {
    const arg = (argv[i] as Word).arg;
    if (arg === "--") return locateComponent(argv.slice(i + 1));
    if (arg.length < 2 || !arg.startsWith("-")) return locateComponent(argv.slice(i));
    const body = arg.slice(arg.startsWith("--") ? 2 : 1);
    if (body.includes("=")) continue; // Go's flag package: one word, whichever flag it is.
    const kind = LOG_RUNNER_FLAGS[body];
    if (kind === "bool") continue;
    if (kind === "value") {
      i++;
      continue;
    }
    // A flag this reading does not know (a newer runner's, or -help): whether it takes the next word is unknown.
    const named = argv.slice(i + 1).find((word) => componentNamed(word.arg));
    const component = named && componentNamed(named.arg);
    return component && named ? { component, unread: `${baseName((argv[0] as Word).arg)}'s flag ${arg} is not one Palisade knows, so where ${component}'s own command line starts is unknown`, path: named.path } : undefined;
  }
  return undefined;
}

/** `sh -c SCRIPT` (any options around the -c, as the shell reads them): the script's one simple command, read when it can be read exactly. */
function throughShell(argv: readonly Word[]): Located | undefined {
  const at = shellScriptIndex(argv.map((word) => word.arg));
  const script = at === undefined ? undefined : argv[at];
  if (!script) return undefined;
  const words = shellWords(script.arg);
  const named = words?.[0] === "exec" ? words.slice(1) : words;
  const exact = named && named[0] !== undefined && !named[0].startsWith("-") ? locateComponent(named.map((arg) => ({ arg, path: script.path }))) : undefined;
  if (exact) return exact;
  const mentioned = COMMAND_POSITION.exec(script.arg)?.[1] as Component | undefined;
  return mentioned ? { component: mentioned, unread: `${mentioned} is started by a shell script Palisade does not read (only one simple command, with no expansions, is read)`, path: script.path } : undefined;
}

/** A component named where a shell runs a command: the script's start, after ; & | ( or a newline, or after exec. */
const COMMAND_POSITION = new RegExp(`(?:^|[\\n;&|(]|\\bexec|\\bthen|\\bdo|\\belse)\\s*["']?(?:[^\\s"';&|()]*/)?(${COMPONENTS.join("|")})(?=["']?(?:[\\s;&|)]|$))`);

/**
 * The words of a shell script that is one simple command and nothing a shell would expand,
 * exactly as POSIX sh splits them (quotes removed, backslash escapes and line continuations
 * applied); undefined for anything else: variables, globs, redirections, several commands.
 */
export function shellWords(script: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (ch === " " || ch === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (ch === "\n") {
      if (script.slice(i).trim() !== "") return undefined; // A second command.
      break;
    } else if (ch === "\\") {
      const next = script[++i];
      if (next === undefined) return undefined;
      if (next === "\n") continue; // A line continuation: removed.
      word += next;
      inWord = true;
    } else if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word += script.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      inWord = true;
      for (i++; ; i++) {
        const inner = script[i];
        if (inner === undefined || inner === "$" || inner === "`") return undefined;
        if (inner === '"') break;
        if (inner === "\\") {
          const next = script[i + 1];
          if (next === undefined) return undefined;
          // Inside double quotes a backslash escapes only $ ` " \ and a newline; before anything else it stays.
          if (next === "\n") i++;
          else if ('$`"\\'.includes(next)) word += script[++i];
          else word += "\\";
          continue;
        }
        word += inner;
      }
    } else if (/[$`;&|<>(){}*?[\]~#!\r]/.test(ch)) return undefined;
    else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
