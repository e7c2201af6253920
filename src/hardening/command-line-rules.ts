/**
 * What Palisade says about a control-plane command line as a whole, beside its flag rules: that
 * the component will not start with it, that it was not read, or (etcd) that its settings live
 * in a file the scan does not hold.
 */
import type { Rule } from "../findings/types.js";
import { flagRules } from "./flag-rule.js";
import type { Component } from "./command-line.js";

/** The components whose flags have rules (kubelet flags are judged through KubeletConfiguration). */
const JUDGED: readonly Component[] = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];

const none = () => undefined;

/** `<component>/refuses-to-start`: a parse error, a stray argument, a value the component rejects. */
export const REFUSES_TO_START = new Map(
  JUDGED.map((component) => [
    component,
    flagRules(component)(
      "refuses-to-start",
      `${component} refuses to start with this command line`,
      "medium",
      "platform",
      `${component} exits before serving anything: its flag parser rejects the command line (a word that is not a flag, a flag missing its value, a list value it cannot read) or it rejects a value (an unknown authorization mode, admission plugin or cipher suite; the same admission plugin enabled and disabled).${component === "etcd" ? " etcd also exits when an ETCD_* variable is set for a flag given on the command line." : ""} The message says which word and why.`,
      "Fix the word the finding points at: write a boolean's value in the same word (--flag=false), give every list in one unquoted value (--flag=A,B) or quote each item alone, and remove arguments that are not flags.",
      none,
    ),
  ]),
);

/** `<component>/flags-not-audited`: a shell script starts the component, and its flags were not read. */
export const FLAGS_NOT_AUDITED = new Map(
  JUDGED.map((component) => [
    component,
    flagRules(component)(
      "flags-not-audited",
      `${component}'s flags were not audited`,
      "info",
      "platform",
      `The container starts ${component} from a shell script (or a wrapper with a flag Palisade does not know), so its flags cannot be read exactly and none of its flag rules was applied. Palisade reads \`sh -c\` scripts that are one simple command (optionally after exec) with no variables, globs, redirections or command substitutions.`,
      `Start ${component} directly (command: [${component}, --flag=value, ...]), or reduce the script to \`exec ${component} --flag=value ...\` with literal words.`,
      none,
    ),
  ]),
);

export const ETCD_CONFIG_FILE_UNCHECKED = flagRules("etcd")(
  "config-file-unchecked",
  "etcd's configuration file was not checked",
  "info",
  "data",
  "With --config-file (or ETCD_CONFIG_FILE), etcd reads its settings from that YAML file and ignores every other flag and ETCD_* variable, so client and peer authentication, auto TLS and listen URLs are set in the file, which Palisade does not read.",
  "Check the file's client-transport-security and peer-transport-security (client-cert-auth: true, auto-tls: false) and listen-client-urls / listen-peer-urls (https://), or pass those settings as flags instead.",
  none,
);

/** The records for `palisade rules`. */
export const COMMAND_LINE_RULES: readonly Rule[] = [...REFUSES_TO_START.values(), ...FLAGS_NOT_AUDITED.values(), ETCD_CONFIG_FILE_UNCHECKED].map(({ check: _check, component: _component, ...rule }) => rule);
