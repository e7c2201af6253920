import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import { jsonSyntaxError } from "../k8s/parse.js";

/**
 * An earlier report named by a flag (`--baseline FILE`), parsed: a missing file or broken
 * JSON is a UserError with the flag, the file and (for JSON) its line and column.
 */
export async function readJsonReport(flag: string, file: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${flag} ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a report" : (err as Error).message}`, { hint });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // The same report as YAML (scan -o yaml) is the likeliest mistake: say so rather than where JSON failed.
    if (/^\s*(?:#.*\n\s*)*schemaVersion:/.test(text)) throw new UserError(`${flag} ${file}: a YAML report; ${flag} reads the JSON one`, { hint: `write it with -o json; ${hint}` });
    const { message, line, column } = jsonSyntaxError(text, err);
    throw new UserError(`${flag} ${file}:${line}:${column}: not JSON (${message})`, { hint });
  }
}
