/**
 * One record of Go's encoding/csv Reader with its defaults (comma-separated, no lazy quotes,
 * leading spaces kept), read once: how pflag reads a string-slice flag's value (string_slice.go
 * readAsCSV). `"Node,RBAC"` is therefore ONE item, Node,RBAC (the quotes keep the comma inside
 * it), and `"Node","RBAC"` two. Go's csv.Reader.readRecord is followed for empty lines (skipped),
 * \r\n line ends, quoted fields running over a line end, and its two errors: a quote inside an
 * unquoted field (ErrBareQuote) and a quoted field not followed by a comma or the line's end (ErrQuote).
 */
export type CsvRecord = { fields: string[] } | { error: string };

export function readCsvRecord(text: string): CsvRecord {
  if (text === "") return { fields: [] }; // readAsCSV's own case: no record at all.
  // Go's readLine ends lines at \n, reads \r\n as \n, and drops a \r that ends the input.
  const lines = text.replace(/\r\n/g, "\n").replace(/\r$/, "").split(/(?<=\n)/);
  // Go skips lines that hold only their line end; a value of only those has no record (io.EOF).
  while (lines.length > 0 && lines[0] === "\n") lines.shift();
  if (lines.length === 0) return { error: "EOF" };
  let line = lines.shift() as string;
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (line[pos] !== '"') {
      const end = line.indexOf(",", pos);
      const raw = end >= 0 ? line.slice(pos, end) : line.slice(pos).replace(/\n$/, "");
      if (raw.includes('"')) return { error: 'bare " in non-quoted-field' };
      fields.push(raw);
      if (end < 0) return { fields };
      pos = end + 1;
      continue;
    }
    let field = "";
    pos++;
    for (;;) {
      const quote = line.indexOf('"', pos);
      if (quote < 0) {
        // The quoted field runs over the line end: Go reads on, and at the end of input it is an error.
        field += line.slice(pos);
        const next = lines.shift();
        if (next === undefined) return { error: 'extraneous or missing " in quoted-field' };
        line = next;
        pos = 0;
        continue;
      }
      field += line.slice(pos, quote);
      const after = line[quote + 1];
      if (after === '"') {
        field += '"';
        pos = quote + 2;
      } else if (after === ",") {
        fields.push(field);
        pos = quote + 2;
        break;
      } else if (after === undefined || after === "\n") {
        fields.push(field);
        return { fields };
      } else return { error: 'extraneous or missing " in quoted-field' };
    }
  }
}
