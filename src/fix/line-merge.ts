/**
 * Keep the user's own text for every line an edit did not touch. The YAML library
 * re-prints a whole document, normalising spacing (before comments, inside flow
 * collections); a line diff between the original and the re-printed text (Myers' O(ND)
 * algorithm, D being the few lines edited) lets us take the original line wherever the
 * two agree up to such spacing, and the new line only where the edit is.
 */

function normalise(line: string): string {
  // Indentation, including the spacing after a sequence dash, is significant in YAML.
  const lead = /^\s*(-\s+)*/.exec(line)?.[0] ?? "";
  const body = line
    .slice(lead.length)
    .trim()
    .replace(/\s+#/g, " #")
    .replace(/([[{])\s+/g, "$1")
    .replace(/\s+([\]}])/g, "$1")
    .replace(/\s+/g, " ");
  return `${lead}${body}`;
}

/** Indices of lines of `a` and `b` that match, in order (a longest common subsequence). */
function matchLines(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[max + k - 1] ?? 0) < (v[max + k + 1] ?? 0))) x = v[max + k + 1] ?? 0;
      else x = (v[max + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back to collect the diagonal (matching) moves.
  const pairs: Array<[number, number]> = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    if (d === 0) {
      while (x > 0 && y > 0) {
        x--;
        y--;
        pairs.push([x, y]);
      }
      break;
    }
    const vd = trace[d] as Int32Array;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && (vd[max + k - 1] ?? 0) < (vd[max + k + 1] ?? 0))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = vd[max + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  return pairs.reverse();
}

/** The re-printed text, with each line that only differs in spacing replaced by the original line. */
export function preserveOriginalLines(original: string, reprinted: string): string {
  const a = original.split("\n");
  const b = reprinted.split("\n");
  const pairs = matchLines(a.map(normalise), b.map(normalise));
  const out = [...b];
  for (const [i, j] of pairs) out[j] = a[i] as string;
  return out.join("\n");
}
