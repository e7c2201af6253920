/**
 * JSON texts as kubectl reads them: whether a text is JSON, a stream of JSON values, and
 * JSON.parse's reason for refusing one, said without quoting the text.
 */
/**
 * Whether a text is JSON, so that it can be read as JSON whatever its name: JSON is YAML
 * too, but a flow-style YAML document (`{apiVersion: v1, ...}`) starts the same way and is
 * not JSON.
 */
export function isJsonText(text: string): boolean {
  const first = text.trimStart().charAt(0);
  if (first !== "{" && first !== "[") return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    // A stream of JSON values (`jq -c '.items[]'`), which kubectl reads as documents.
    const values = jsonStreamValues(text);
    if (!values) return false;
    try {
      for (const { start, end } of values) JSON.parse(text.slice(start, end));
      return true;
    } catch {
      return false;
    }
  }
}

/** A value of a JSON stream: its offsets, and the 0-based line and column where it starts. */
export interface JsonStreamValue {
  start: number;
  end: number;
  line: number;
  column: number;
}

/**
 * The top-level objects and arrays of a JSON stream (`{...}\n{...}`, as `jq -c '.items[]'`
 * writes and `kubectl apply -f` reads), by brackets outside strings; undefined when the
 * text is not two or more of them with nothing but whitespace between.
 */
export function jsonStreamValues(text: string): JsonStreamValue[] | undefined {
  const values: JsonStreamValue[] = [];
  let line = 0;
  let lineStart = 0;
  let counted = 0;
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isJsonSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const first = text.charCodeAt(i);
    if (first !== 123 && first !== 91) return undefined;
    const start = i;
    let depth = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 92) i++;
          else if (d === 34) break;
        }
      } else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return undefined;
    for (let nl = text.indexOf("\n", counted); nl >= 0 && nl < start; nl = text.indexOf("\n", nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    counted = start;
    values.push({ start, end: i, line, column: start - lineStart });
  }
  return values.length > 1 ? values : undefined;
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * JSON.parse's reason for refusing `text`, and where (1-based). The reason never quotes
 * the text: V8 appends the text, or up to ten characters either side of the error
 * (`Unexpected token ',', ..."ord": "hunt"... is not valid JSON`), and those may be a
 * Secret's value.
 */
export function jsonSyntaxError(text: string, err: unknown): { message: string; line: number; column: number } {
  const raw = err instanceof Error ? err.message : String(err);
  const token = /^Unexpected token '[\s\S]',/u.exec(raw);
  const reason = (token ? token[0].slice(0, -1) : raw).replace(/ in JSON at position \d+[\s\S]*$/, "");
  // Any other form that quotes the text: say less rather than leak it.
  const message = /"|is not valid JSON/.test(reason) ? "not valid JSON" : reason;
  const pos = offsetToPosition(text, jsonErrorOffset(text));
  return { message, line: pos.line + 1, column: pos.column + 1 };
}

/**
 * Where JSON.parse first fails. Node 20 often omits the position, so find the shortest
 * prefix whose error is not "unexpected end": every longer prefix fails the same way.
 */
function jsonErrorOffset(text: string): number {
  const failsEarly = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (err) {
      const message = err instanceof Error ? err.message : "";
      if (/Unexpected end of JSON input/.test(message)) return false;
      // A prefix cut inside a token fails "at position <its length>": that is the end too.
      const at = /at position (\d+)/.exec(message);
      return !(at && Number(at[1]) >= length);
    }
  };
  let lo = 0;
  let hi = text.length;
  if (!failsEarly(hi)) return text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsEarly(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: Math.max(0, offset - lineStart) };
}
