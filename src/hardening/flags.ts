import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";

import { BOOLEAN_FLAGS } from "./boolean-flags.js";
import { locateComponent, type Component, type Word } from "./command-line.js";
import { readCsvRecord } from "./csv-record.js";
import { parseGoBool } from "./go-bool.js";
import { invalidBoolean, readShorthands } from "./pflag-shorthands.js";
import { applyEtcdEnvironment } from "./etcd-environment.js";
import { validationRefusals } from "./flag-refusals.js";
import { wordForMessage } from "./url-text.js";

/** One `--name=value` (or `--name value`) argument of a control-plane container, or an ETCD_* variable etcd reads as one. */
export interface Flag {
  name: string;
  value: string;
  /** A list flag's items as the component reads them (pflag: one CSV record per occurrence). */
  items?: string[];
  /** How it was set, for messages: `--name=value`, `--name value`, a bare boolean `--name`, `ETCD_NAME=value`. */
  written: string;
  /** Where the argument sits, relative to the object root. */
  path: FieldPath;
}

/** Why the component exits at start with this command line, and the word (or variable) that makes it. */
export interface Refusal {
  message: string;
  path: FieldPath;
}

export interface ControlPlaneContainer {
  component: Component;
  flags: Map<string, Flag>;
  /** The container, to point at when a flag is missing. */
  path: FieldPath;
  refusals: Refusal[];
  /** etcd's --config-file (or ETCD_CONFIG_FILE): with it etcd ignores its other flags and every ETCD_* variable. */
  configFile?: Flag;
}

/** A container that runs a component whose command line cannot be read exactly (a shell script). */
export interface UnreadCommandLine {
  component: Component;
  message: string;
  path: FieldPath;
}

/**
 * pflag list flags. A string slice reads each value as one CSV record (string_slice.go readAsCSV),
 * and written again adds to the list (`--authorization-mode=AlwaysAllow --authorization-mode=RBAC`
 * is both modes); a string array (--service-account-issuer) adds each value whole, commas and
 * quotes included. Every other flag written twice takes its last value.
 */
const LIST_FLAGS: Record<string, Readonly<Record<string, "slice" | "array">>> = {
  "kube-apiserver": { "authorization-mode": "slice", "enable-admission-plugins": "slice", "disable-admission-plugins": "slice", "admission-control": "slice", "etcd-servers": "slice", "tls-cipher-suites": "slice", "api-audiences": "slice", "service-account-issuer": "array" },
  "kube-controller-manager": { controllers: "slice", "tls-cipher-suites": "slice" },
  "kube-scheduler": { "tls-cipher-suites": "slice" },
  kubelet: { "tls-cipher-suites": "slice" },
};

/**
 * Every flag kube-apiserver, kube-controller-manager, kube-scheduler and the kubelet register
 * (klog's and cadvisor's adopted Go flags too) is named in letters, digits, `.`, `_` and `-`. A
 * name with any other character (a space: `--anonymous-auth false` written as one item) is no
 * flag of theirs, which pflag's parseLongArg refuses as "unknown flag" before it reads a value.
 * Whether a well-formed name is registered is not known here: the full flag sets are not kept.
 */
const COULD_BE_REGISTERED = /^[A-Za-z0-9._-]+$/;

/**
 * Control-plane components run as static pods (kubeadm and most distributions):
 * recognise them by their binary in command/args (wrapped or not), and read their flags.
 */
export function controlPlaneContainers(object: K8sObject): ControlPlaneContainer[] {
  return controlPlaneCommandLines(object).filter((c): c is ControlPlaneContainer => "flags" in c);
}

/** Every container of the object that runs a control-plane component: its flags read, or why they cannot be. */
export function controlPlaneCommandLines(object: K8sObject): Array<ControlPlaneContainer | UnreadCommandLine> {
  const template = podTemplate(object);
  if (!template) return [];
  const containers = template.pod.spec.containers;
  if (!Array.isArray(containers)) return [];
  const out: Array<ControlPlaneContainer | UnreadCommandLine> = [];
  containers.forEach((c: unknown, index) => {
    if (!isRecord(c)) return;
    const base: FieldPath = [...template.path, "spec", "containers", index];
    // The kubelet runs command followed by args: a flag at the end of command takes its value from args.
    const words = (key: "command" | "args"): Word[] => (Array.isArray(c[key]) ? (c[key] as unknown[]).map((arg, i) => ({ arg: asArgument(arg), path: [...base, key, i] })) : []);
    const located = locateComponent([...words("command"), ...words("args")]);
    if (!located) return;
    if ("unread" in located) {
      out.push({ component: located.component, message: located.unread, path: located.path });
      return;
    }
    const { flags, refusals } = parseFlags(located.component, located.argv);
    const container: ControlPlaneContainer = { component: located.component, flags, path: base, refusals };
    if (located.component === "etcd") applyEtcdEnvironment(container, c.env, [...base, "env"]);
    container.refusals.push(...validationRefusals(container));
    out.push(container);
  });
  return out;
}

/**
 * The flags of one command line, as the component's flag parser reads them: pflag (spf13/pflag
 * flag.go parseArgs, parseLongArg) for the Kubernetes binaries, Go's flag package (FlagSet.parseOne)
 * for etcd; and what makes the component refuse to start: a parse error, or a word that is not a
 * flag (cobra's Args check in kube-apiserver, kube-controller-manager and kube-scheduler allows
 * none; etcd's config.go parse reports the first as "not a valid flag").
 */
function parseFlags(component: Component, argv: readonly Word[]): { flags: Map<string, Flag>; refusals: Refusal[] } {
  const flags = new Map<string, Flag>();
  const refusals: Refusal[] = [];
  // A boolean written bare is true and leaves the next word alone (boolean-flags.ts says which flags are).
  const booleans = BOOLEAN_FLAGS[component];
  const lists = LIST_FLAGS[component] ?? {};
  // etcd parses with Go's flag package, which takes -name as well as --name, keeps `_` in names, and stops at the first non-flag.
  const goFlag = component === "etcd";
  const refuse = (message: string, path: FieldPath) => refusals.push({ message: `${component} refuses to start: ${message}`, path });
  // pflag stops at its first parse error, which the component reports instead of acting on --help.
  let parseFailed = false;
  const fail = (message: string, path: FieldPath) => {
    refuse(message, path);
    parseFailed = true;
  };
  // --help (or -h) as its last occurrence left it: when true and every flag parsed, the component prints its usage and exits.
  let help: { value: boolean; word: string; path: FieldPath } | undefined;
  let bareBoolean: string | undefined; // The word before, when it is a boolean flag written without a value.
  for (let i = 1; i < argv.length; i++) {
    const { arg, path } = argv[i] as Word;
    const after = bareBoolean;
    bareBoolean = undefined;
    if (arg === "--" || arg.length < 2 || !arg.startsWith("-")) {
      const rest = arg === "--" ? argv.slice(i + 1) : goFlag ? argv.slice(i) : [argv[i] as Word];
      const stray = rest.find((word) => goFlag || word.arg !== ""); // cobra's check lets empty arguments pass.
      if (stray) refuse(strayMessage(component, stray.arg, stray === argv[i] ? after : undefined), stray.path);
      if (arg === "--" || goFlag) break;
      continue;
    }
    if (!goFlag && !arg.startsWith("--")) {
      // pflag reads a single-dash word as shorthands (-v 4, -v=4, -v4, -h), and refuses any letter not registered.
      const next = argv[i + 1]?.arg;
      const read = readShorthands(arg, next);
      if (read.tookNext) i++;
      if (read.verbosity !== undefined) flags.set("v", { name: "v", value: read.verbosity, written: read.tookNext ? `${arg} ${read.verbosity}` : arg, path });
      if (read.help !== undefined) help = { value: read.help, word: arg, path };
      if (read.error !== undefined) {
        fail(read.error, path);
        break;
      }
      continue;
    }
    const body = arg.slice(arg.startsWith("--") ? 2 : 1);
    if (body.startsWith("-") || body.startsWith("=")) {
      fail(`bad flag syntax: ${wordForMessage(arg)}`, path);
      break;
    }
    const eq = body.indexOf("=");
    const writtenName = eq >= 0 ? body.slice(0, eq) : body;
    // Kubernetes components normalise `_` to `-` (component-base's WordSepNormalizeFunc).
    const name = goFlag ? writtenName : writtenName.replace(/_/g, "-");
    if (!goFlag && !COULD_BE_REGISTERED.test(name)) {
      // pflag looks the name up before it reads any value: `--anonymous-auth false` as one word is no flag, and the next word stays a word.
      fail(`unknown flag: --${wordForMessage(writtenName)}`, path);
      break;
    }
    if (goFlag && (name === "h" || name === "help")) {
      refuse(`${arg} prints the usage and exits`, path);
      break;
    }
    if (!goFlag && name === "help") {
      // --help is a registered boolean: --help=false is no request for help, and the component still parses every flag.
      const value = eq >= 0 ? parseGoBool(body.slice(eq + 1)) : true;
      if (value === undefined) {
        fail(invalidBoolean("-h, --help", body.slice(eq + 1)), path);
        break;
      }
      help = { value, word: arg, path };
      if (eq < 0) bareBoolean = arg;
      continue;
    }
    let value: string;
    let written = arg;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (booleans.has(name)) {
      value = "true";
      bareBoolean = arg;
    } else if (i + 1 < argv.length) {
      // Whatever the next word is, even --another-flag, it is this flag's value (parseLongArg's '--flag arg').
      value = (argv[++i] as Word).arg;
      written = `${arg} ${value}`;
    } else {
      fail(`flag needs an argument: ${wordForMessage(arg)}`, path);
      break;
    }
    const kind = lists[name];
    const previous = flags.get(name);
    let items: string[] | undefined;
    if (kind === "slice") {
      const record = readCsvRecord(value);
      if ("error" in record) {
        fail(`invalid argument ${JSON.stringify(wordForMessage(value))} for --${name}: its value is read as one CSV record, which fails (${record.error})`, path);
        break;
      }
      items = [...(previous?.items ?? []), ...record.fields];
    } else if (kind === "array") items = [...(previous?.items ?? []), value];
    if (previous && kind) value = [previous.value, value].filter(Boolean).join(",");
    flags.set(name, { name, value, written, path, ...(items ? { items } : {}) });
  }
  if (help?.value && !parseFailed) refuse(`${wordForMessage(help.word)} prints the usage and exits`, help.path);
  return { flags, refusals };
}

/** Why a word that is not a flag stops the component, and, after a bare boolean, why it is not that flag's value. */
function strayMessage(component: Component, stray: string, afterBoolean: string | undefined): string {
  // Messages reach CI logs: a URL's user and password in the word are not shown.
  const word = wordForMessage(stray);
  const why = afterBoolean ? ` (${afterBoolean} is a boolean flag, which takes a value only in the same word: ${afterBoolean}=${word})` : "";
  if (component === "etcd") return `Go's flag parsing stops at ${JSON.stringify(word)}, which etcd reports as not a valid flag${why}; no flag after it is read`;
  return `it takes no arguments, and ${JSON.stringify(word)} is one${why}`;
}

/**
 * A list flag's items: as pflag read them (CSV, quotes removed) for the Kubernetes list flags,
 * else split at commas (etcd's URL lists: types.NewURLs of strings.Split).
 */
export function listValue(flag: Flag | undefined): string[] {
  if (!flag) return [];
  return flag.items ?? flag.value.split(",").map((s) => s.trim()).filter(Boolean);
}

// Re-exported for the modules that read flag values through this one (flag-rule.ts, kubelet-flags.ts).
export { parseGoBool };

/**
 * An item of command or args as the kubelet would pass it: a scalar as its text; anything
 * else (which the API server refuses) as nothing, never through String(), which throws on
 * a mapping such as `{toString: false}`.
 */
function asArgument(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}
