/**
 * Users a Dockerfile creates in its RUN instructions: `useradd`, `adduser` (Debian and
 * BusyBox forms) and lines appended to /etc/passwd. Shell text is scanned, not run, so
 * this recognises the common forms and says nothing about the rest.
 */
import { shellScriptIndex } from "../../shell/script-operand.js";

export interface CreatedUser {
  name: string;
  uid?: number;
}

/** Options of useradd / adduser that take a value, in either spelling. */
const OPTIONS_WITH_VALUE = new Set([
  "-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home-dir", "--home", "-h", "-s", "--shell",
  "-c", "--comment", "-k", "--skel", "-e", "--expiredate", "-f", "--inactive", "-K", "--key", "-p",
  "--password", "-R", "--root", "-b", "--base-dir", "-Z", "--selinux-user", "--gecos", "--ingroup",
  "--firstuid", "--lastuid", "--conf", "--add_extra_groups", "--extrausers",
]);

const SEPARATORS = new Set(["&&", "||", ";", "|", "&"]);

function tokens(text: string): string[] {
  // Split shell words well enough for command detection; quotes are stripped.
  return (text.replace(/\\\r?\n/g, " ").match(/"[^"]*"|'[^']*'|&&|\|\||[;|&]|[^\s;|&]+/g) ?? []).map((t) => t.replace(/^["']|["']$/g, ""));
}

export function usersCreatedBy(runText: string): CreatedUser[] {
  const out = usersCreatedByWords(tokens(runText));
  if (runText.includes("/etc/passwd")) {
    for (const m of runText.matchAll(/(?:^|["'\s])([a-z_][a-z0-9_.-]*):[^:\s]*:(\d+):/gi)) {
      out.push({ name: m[1] ?? "", uid: Number(m[2]) });
    }
  }
  return out;
}

/**
 * Users created by a RUN in exec (JSON) form: its argv is run as is, without a shell, unless
 * it runs a shell with `-c`, whose script is then shell text.
 */
export function usersCreatedByArgv(argv: readonly string[]): CreatedUser[] {
  const at = shellScriptIndex(argv);
  const script = at === undefined ? undefined : argv[at];
  return script !== undefined ? usersCreatedBy(script) : usersCreatedByWords(argv);
}

function usersCreatedByWords(words: readonly string[]): CreatedUser[] {
  const out: CreatedUser[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const command = word.split("/").pop();
    if (command !== "useradd" && command !== "adduser") continue;
    let name: string | undefined;
    let uid: number | undefined;
    for (let j = i + 1; j < words.length && !SEPARATORS.has(words[j] ?? ""); j++) {
      const w = words[j] ?? "";
      if (w.startsWith("-")) {
        const eq = w.indexOf("=");
        const opt = eq >= 0 ? w.slice(0, eq) : w;
        const value = eq >= 0 ? w.slice(eq + 1) : OPTIONS_WITH_VALUE.has(opt) ? words[++j] : undefined;
        if ((opt === "-u" || opt === "--uid") && value !== undefined && /^\d+$/.test(value)) uid = Number(value);
        continue;
      }
      // BusyBox/Debian `adduser NAME GROUP` adds an existing user to a group: keep the first word.
      if (name === undefined) name = w;
    }
    if (name !== undefined && /^[a-z_][a-z0-9_.-]*\$?$/i.test(name)) out.push({ name, ...(uid !== undefined ? { uid } : {}) });
  }
  return out;
}
