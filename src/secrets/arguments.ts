/**
 * Credentials in a program's arguments: a flag named as a credential given its value
 * (`--db-password=x`, `--token x`, `-Dx.keyStorePassword=x`) and a program's own password
 * option (`mysql -px`, password-options.ts). One reading for a container's command line
 * and a kubeconfig exec plugin's args alike; what it finds is named by the flag, never by
 * the value.
 */
import { unquoted } from "./config-text.js";
import { isLiteralCredential } from "./credential-formats.js";
import { looksLikeSecretName } from "./names.js";
import { readPasswordOptions } from "./password-options.js";

/** `--db-password=x`, `-token=x`: a flag and its value in one argument. */
const FLAG_WITH_VALUE = /^--?([A-Za-z][\w.-]*)=([\s\S]*)$/;
/** `--db-password`: a flag whose value is the next argument. */
const FLAG = /^--?([A-Za-z][\w.-]*)$/;

/** The flag of `--db-password=x` or `-Dx.keyStorePassword=x` when it is named as a credential and given one. */
export function secretFlag(token: string): string | undefined {
  const m = FLAG_WITH_VALUE.exec(token);
  if (!m) return undefined;
  const name = (m[1] as string).replace(/^D(?=[a-z])/, "");
  return takesValue(name) && isLiteralCredential(wordValue(m[2] as string)) ? token.slice(0, token.indexOf("=")) : undefined;
}

/** The value a word of a command assigns, without the shell's separator after it or its quotes. */
export function wordValue(raw: string): string {
  return unquoted(raw.replace(/[;,]+$/, ""));
}

/** `-passout` of `-passout pass:x`, `--token` of `--token x`: a credential-named flag whose value is the next word (unless it is a boolean, which takes none). */
export function flagBefore(flag: string, value: string, booleans: ReadonlySet<string>): string | undefined {
  const m = FLAG.exec(flag);
  return m && !booleans.has(flag) && !value.startsWith("-") && takesValue(m[1] as string) && isLiteralCredential(unquoted(value)) ? flag : undefined;
}

/**
 * A flag named as a credential that takes one: not a switch (--no-password, --password-stdin)
 * and not a bare --secret, which names one (gcloud --secret=db-password, BuildKit's --secret id=...).
 */
function takesValue(flag: string): boolean {
  return looksLikeSecretName(flag) && !/^no-|-stdin$/i.test(flag) && flag.toLowerCase() !== "secret";
}

const NO_BOOLEANS: ReadonlySet<string> = new Set();

/**
 * The arguments of an argv (not a shell script) that give a credential its value, each
 * with the flag or option that names it, by the index of the argument holding the value.
 */
export function credentialArguments(argv: readonly string[]): Array<{ index: number; flag: string }> {
  const found = new Map<number, string>();
  const options = readPasswordOptions(argv, false);
  argv.forEach((arg, i) => {
    const flag = secretFlag(arg) ?? (i > 0 && !options.valueless.has(i - 1) ? flagBefore(argv[i - 1] as string, arg, NO_BOOLEANS) : undefined);
    if (flag !== undefined) found.set(i, flag);
  });
  for (const { index, named } of options.uses) if (!found.has(index)) found.set(index, named);
  return [...found].sort(([a], [b]) => a - b).map(([index, flag]) => ({ index, flag }));
}
