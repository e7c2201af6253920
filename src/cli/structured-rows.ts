/**
 * A document of a few fields and one long list of rows (a connectivity matrix), as JSON or
 * YAML, written a piece at a time: a matrix of millions of rows is more text than one
 * JavaScript string may hold. The text is the same as the whole document's, written at once.
 */
import { kubernetesYaml as toYaml } from "../k8s/yaml-out.js";

/** Rows turned into YAML per batch: a document per row would cost more than the rows. */
const YAML_BATCH = 500;

/** A row as `JSON.stringify(row, null, 2)` writes it, every line after the first led by `by`. */
export type JsonRowWriter<T> = (row: T, by: string) => string;

/** Where structuredRows writes its rows: two levels deep. */
const ROW_INDENT = "    ";

/**
 * A row two levels deep, where structuredRows puts it, indented by JSON.stringify itself:
 * `[[row]]` written whole and its brackets cut, instead of indenting every line again.
 */
const plainJsonRow: JsonRowWriter<unknown> = (row, by) => (by === ROW_INDENT ? JSON.stringify([[row]], null, 2).slice(10, -6) : indent(JSON.stringify(row, null, 2), by));

/**
 * `{ ...head, [key]: rows }` as `JSON.stringify(value, null, 2)` and a newline, or as YAML,
 * in pieces. For JSON, `jsonRow` may write a row in place of JSON.stringify: rows whose
 * value is not the row itself (a matrix's), or a writer that knows the rows' shape.
 */
export function structuredRows(head: Record<string, unknown>, key: string, rows: Iterable<unknown>, format: "json" | "yaml"): Generator<string>;
export function structuredRows<T>(head: Record<string, unknown>, key: string, rows: Iterable<T>, format: "json", jsonRow: JsonRowWriter<T>): Generator<string>;
export function* structuredRows<T>(head: Record<string, unknown>, key: string, rows: Iterable<T>, format: "json" | "yaml", jsonRow: JsonRowWriter<T> = plainJsonRow): Generator<string> {
  if (format === "yaml") {
    yield* yamlRows(head, key, rows);
    return;
  }
  const fields = Object.entries(head).map(([name, value]) => `  ${JSON.stringify(name)}: ${indent(JSON.stringify(value, null, 2), "  ")}`);
  yield `{\n${[...fields, `  ${JSON.stringify(key)}: [`].join(",\n")}`;
  let first = true;
  for (const row of rows) {
    yield `${first ? "" : ","}\n${ROW_INDENT}${jsonRow(row, ROW_INDENT)}`;
    first = false;
  }
  yield first ? "]\n}\n" : "\n  ]\n}\n";
}

/**
 * Rows may share objects (a matrix describes each set of connections once): YAML gets each
 * written out, never an anchor and aliases, as the whole document's plain values would.
 */
const NO_ALIASES = { aliasDuplicateObjects: false } as const;

function* yamlRows(head: Record<string, unknown>, key: string, rows: Iterable<unknown>): Generator<string> {
  const headText = Object.keys(head).length > 0 ? toYaml(head) : "";
  // Each batch is written under the key, as in the whole document, and the key's line dropped
  // after the first: the writer folds a long string by its column, so only the same depth folds alike.
  const under = (batch: unknown[], first: boolean): string => {
    const text = toYaml({ [key]: batch }, NO_ALIASES);
    return first ? headText + text : text.slice(text.indexOf("\n") + 1);
  };
  let batch: unknown[] = [];
  let any = false;
  for (const row of rows) {
    batch.push(row);
    if (batch.length < YAML_BATCH) continue;
    yield under(batch, !any);
    any = true;
    batch = [];
  }
  if (batch.length > 0 || !any) yield under(batch, !any);
}

/** Every line but the first indented. */
function indent(text: string, by: string): string {
  return text.replace(/\n(?=.)/g, `\n${by}`);
}
