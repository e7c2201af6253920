import { printable, printableLineStart } from "./printable.js";

/**
 * Rows as aligned columns, as kubectl prints tables: every column but the last padded to
 * its widest cell. Cells hold names from the input (namespaces, quotas, certificate
 * subjects, RBAC rules), so each is made printable first (printable.ts), the first of a
 * row as a line's start; widths are those of what is printed.
 */
export function columns(rows: ReadonlyArray<readonly string[]>, options: { gap?: string; trimEnd?: boolean } = {}): string[] {
  const gap = options.gap ?? "  ";
  const shown = rows.map((row) => row.map((cell, i) => (i === 0 ? printableLineStart(cell) : printable(cell))));
  const widths = shown[0]?.map((_, i) => shown.reduce((width, row) => Math.max(width, (row[i] ?? "").length), 0)) ?? [];
  return shown.map((row) => {
    const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(gap);
    return options.trimEnd ? line.trimEnd() : line;
  });
}
