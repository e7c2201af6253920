/**
 * Configuration files kept in ConfigMaps (or beside a kustomization): which of their lines
 * give a credential-named setting its value. Formats differ (properties, YAML, redis.conf,
 * HAProxy), so a line is read three ways; what is not a setting line is left alone.
 */
import { isLiteralCredential } from "./credential-formats.js";
import { looksLikeSecretName } from "./names.js";

/** `spring.datasource.password=x`, `password: x`. */
const SETTING_LINE = /^\s*([A-Za-z_][\w.-]*)\s*[=:]\s*(.*?)\s*$/;
/** `requirepass x` (redis.conf), `HTTP_Passwd x` (Fluent Bit): a directive and one value, space-separated. */
const DIRECTIVE_LINE = /^\s*([A-Za-z_][\w.-]*)[ \t]+(\S+)\s*$/;
/** The directive of a longer line, the word before its value: `stats auth`, `user admin insecure-password`. */
const DIRECTIVE_WORD = /^-{0,2}[A-Za-z_][\w.-]*$/;

/** A script or program: its lines assign from its environment and arguments, they are code, not settings. */
export const CODE_FILE = /\.(?:sh|bash|zsh|py|js|mjs|ts|rb|go|java|groovy|ps1|pl|lua|php)$/i;
/** Text for people, where "enter your password here" is a sentence. */
const PROSE_FILE = /\.(?:md|txt|rst|adoc|html?|tpl|tmpl)$/i;

/** A shell script: its assignments of a literal to a credential-named variable are settings too. */
const SHELL_FILE = /\.(?:sh|bash|zsh|ksh)$/i;
/** `export PASSWORD=x`, `readonly TOKEN='x'`, `PGPASSWORD=x pg_dump`: a variable given a value by a shell word. */
const SHELL_ASSIGNMENT = /(?:^|[\s;&|(])(?:(?:export|readonly|local|declare(?:\s+-\w+)?)\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|)]+)/g;

/** The credential-named settings of a configuration file that are given a value on their own line, in order. */
export function settingsIn(text: string, fileName: string): string[] {
  if (SHELL_FILE.test(fileName)) return shellAssignmentsIn(text);
  if (CODE_FILE.test(fileName)) return [];
  const prose = PROSE_FILE.test(fileName);
  const names: string[] = [];
  for (const line of text.split("\n")) {
    const name = prose ? undefined : settingOnLine(line);
    if (name !== undefined) names.push(name);
  }
  return names;
}

/** Credential-named variables a script assigns a literal (not `$1`, `$(cat /run/secret)` or a path), comments aside. */
function shellAssignmentsIn(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split("\n")) {
    const code = line.replace(/(?:^|\s)#.*$/, "");
    for (const m of code.matchAll(SHELL_ASSIGNMENT)) {
      if (looksLikeSecretName(m[1] as string) && isLiteralCredential(unquoted(m[2] as string))) names.push(m[1] as string);
    }
  }
  return names;
}

function settingOnLine(line: string): string | undefined {
  const m = SETTING_LINE.exec(line) ?? DIRECTIVE_LINE.exec(line);
  if (m) {
    if (!looksLikeSecretName(m[1] as string)) return undefined;
    const setting = settingValue(m[2] as string);
    return setting !== undefined && isLiteralCredential(setting) ? (m[1] as string) : undefined;
  }
  return lastWordSetting(line);
}

/**
 * HAProxy's `stats auth admin:pw` and `user admin insecure-password pw`: the value is the
 * last word and the word before it names it. Such lines look like prose too ("enter your
 * password here"), so the value must hold something besides letters, as passwords are asked to.
 */
function lastWordSetting(line: string): string | undefined {
  const text = line.replace(/(?:^|\s)#.*$/, "").trim().replace(/;$/, "");
  if (text === "" || /[<>"]/.test(text)) return undefined;
  const words = text.split(/\s+/);
  if (words.length < 3) return undefined;
  const directive = words[words.length - 2] as string;
  const value = unquoted(words[words.length - 1] as string);
  if (!DIRECTIVE_WORD.test(directive) || !looksLikeSecretName(directive.replace(/^-+/, ""))) return undefined;
  return /[^A-Za-z]/.test(value.replace(/[.,!?]+$/, "")) && isLiteralCredential(value) ? directive : undefined;
}

/**
 * A configuration line's value as its file format reads it: without a trailing comment or
 * quotes; none for what is no literal (a nested mapping or list, a YAML tag such as !ENV).
 */
function settingValue(raw: string): string | undefined {
  const value = unquoted(raw.replace(/\s+#.*$/, "").trim());
  if (/^[{[!&*|>]/.test(value)) return undefined;
  // A shell line (PGPASSWORD=$X pg_dump ...; MYSQL_PWD="$Y" mysql): the value ends at the first space or separator.
  return unquoted(value.split(/[\s;,]/)[0] ?? "");
}

export function unquoted(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}
