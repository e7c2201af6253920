/**
 * Text from the input (object, container and file names, label and annotation values)
 * made safe to print in a human-readable report: on a terminal ESC, CR and BEL can erase
 * or rewrite lines already printed, and in a CI log a newline starts a line the runner may
 * read as one of its own commands (GitHub Actions' `::error ...::`). Bidi controls and the
 * Unicode line separators can make text read other than it is.
 *
 * Each such character is written as the JSON escape for it (`\n`, `\u001b`), the form
 * rule messages already quote values in (JSON.stringify), so one report reads one way.
 * Backslashes are left as they are: a message's quoted values hold JSON escapes of their
 * own, which must not be doubled. Structured formats (JSON, YAML, SARIF) encode their
 * strings themselves and do not use this.
 */

// C0 controls (with tab, LF and CR: inside a value they are not the report's own), DEL,
// C1 controls, the Arabic letter mark, LRM/RLM, the line and paragraph separators, the
// bidi embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069), and lone
// surrogates, which an encoder would turn into U+FFFD and so hide.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// The same without the global flag: `test` on a global regex keeps state between calls.
const ANY_UNSAFE = new RegExp(UNSAFE.source);

const SHORT: Readonly<Record<string, string>> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };

function escape(char: string): string {
  return SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `text` with every character a terminal or a log reader would act on written as its escape. */
export function printable(text: string): string {
  // Nearly every value is plain: a test is cheaper than a replace that finds nothing.
  const safe = ANY_UNSAFE.test(text) ? text.replace(UNSAFE, escape) : text;
  // GitHub Actions' runner also reads the older `##[command]` form anywhere in a line (a
  // fake `##[error]`, an `##[add-mask]` that hides what follows): its bracket is escaped.
  return safe.includes("##[") ? safe.replaceAll("##[", "##\\u005b") : safe;
}

/**
 * printable(), for a value that starts a line (a file name, an object's reference): GitHub
 * Actions' runner takes any line that starts with `::` after leading whitespace for a
 * workflow command, so the first colon of such a value is written as its escape too.
 */
export function printableLineStart(text: string): string {
  const shown = printable(text);
  return /^\s*::/.test(shown) ? shown.replace(":", "\\u003a") : shown;
}
