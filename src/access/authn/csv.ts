/**
 * The CSV dialect kube-apiserver reads its static token file with: Go's encoding/csv with
 * default settings and a variable number of fields. Its corners matter, because they decide
 * whether the API server starts: no comment lines, quotes only around whole fields, `""` for
 * a quote inside them, blank lines skipped, CRLF read as LF, leading spaces kept.
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** 1-based column where each field starts. */
  columns: number[];
}

export interface CsvError {
  line: number;
  column: number;
  message: string;
}

export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; records: CsvRecord[]; error: CsvError };

export function parseGoCsv(text: string): CsvResult {
  // Go drops a lone trailing \r before end of file, and reads CRLF as LF everywhere.
  const input = text.replace(/\r\n/g, "\n").replace(/\r$/, "");
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = 1;
  while (pos < input.length) {
    if (input[pos] === "\n") {
      // Go skips empty lines entirely.
      pos++;
      line++;
      continue;
    }
    const recordLine = line;
    const fields: string[] = [];
    const columns: number[] = [];
    let lineStart = pos;
    for (;;) {
      columns.push(pos - lineStart + 1);
      if (input[pos] === '"') {
        // Quoted field: runs to the matching quote, may span lines.
        const openLine = line;
        const openColumn = pos - lineStart + 1;
        let value = "";
        pos++;
        for (;;) {
          if (pos >= input.length) {
            return { ok: false, records, error: { line: openLine, column: openColumn, message: 'extraneous or missing " in quoted-field (the quote opened here is never closed)' } };
          }
          const ch = input[pos] as string;
          if (ch === '"') {
            if (input[pos + 1] === '"') {
              value += '"';
              pos += 2;
              continue;
            }
            pos++;
            break;
          }
          if (ch === "\n") {
            line++;
            lineStart = pos + 1;
          }
          value += ch;
          pos++;
        }
        fields.push(value);
        if (pos < input.length && input[pos] !== "," && input[pos] !== "\n") {
          return { ok: false, records, error: { line, column: pos - lineStart + 1, message: 'extraneous or missing " in quoted-field (a closing quote must end the field)' } };
        }
      } else {
        let end = pos;
        while (end < input.length && input[end] !== "," && input[end] !== "\n") {
          if (input[end] === '"') {
            return { ok: false, records, error: { line, column: end - lineStart + 1, message: 'bare " in non-quoted-field (quote the whole field and double quotes inside it)' } };
          }
          end++;
        }
        fields.push(input.slice(pos, end));
        pos = end;
      }
      if (input[pos] === ",") {
        pos++;
        continue;
      }
      break;
    }
    if (input[pos] === "\n") {
      pos++;
      line++;
    }
    records.push({ fields, line: recordLine, columns });
  }
  return { ok: true, records };
}
