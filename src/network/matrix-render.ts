/**
 * The matrix as rows (allowed connections only, as np-guard lists them) and as text, JSON
 * and CSV. A pod's connections to itself are not listed: they are always allowed.
 *
 * Rows are made in their sorted order as they are read, never held: policies naming
 * thousands of addresses give millions of rows (1,500 workloads and 5,000 allowed
 * addresses are 7.5 million), and an array of them, sorted, cost gigabytes.
 */
import type { Matrix } from "./matrix.js";
import type { PodEndpoint } from "./model.js";
import type { PortSet } from "./ports.js";

export interface MatrixRow {
  from: string;
  to: string;
  connections: PortSet;
}

export function workloadLabel(pod: PodEndpoint): string {
  const kind = pod.workload ? pod.workload.slice(0, pod.workload.indexOf("/")) : "Pod";
  return `${pod.namespace}/${pod.name}[${kind}]`;
}

/** One end of a row: a pod (its index in matrix.pods) or an external block (its index in its direction's list). */
export interface End {
  label: string;
  pod?: number;
  block?: number;
}

function byLabel(ends: End[]): End[] {
  // Array.prototype.sort is stable: ends of one label keep their order, as the rows did when sorted whole.
  return ends.sort((a, b) => cmp(a.label, b.label));
}

/** A matrix's row ends, each side sorted by label, and the connections between two ends (undefined: no row, a pod to itself or both ends left out). */
export interface MatrixEnds {
  sources: End[];
  destinations: End[];
  connections(from: End, to: End): PortSet | undefined;
}

/** `include` filters pods (e.g. -n): a row is kept when one of its pods is included. */
export function matrixEnds(matrix: Matrix, include: (pod: PodEndpoint) => boolean = () => true): MatrixEnds {
  const pods: End[] = matrix.pods.map((pod, i) => ({ label: workloadLabel(pod), pod: i }));
  const included = matrix.pods.map((pod) => include(pod));
  return {
    sources: byLabel([...pods, ...matrix.externalSources.map((block, b) => ({ label: `${block.label}[External]`, block: b }))]),
    destinations: byLabel([...pods, ...matrix.externalDestinations.map((block, b) => ({ label: `${block.label}[External]`, block: b }))]),
    connections(from, to) {
      if (from.pod !== undefined) {
        if (to.pod !== undefined) return from.pod !== to.pod && (included[from.pod] || included[to.pod]) ? matrix.podToPod(from.pod, to.pod) : undefined;
        return included[from.pod] ? matrix.podToExternal(from.pod, to.block!) : undefined;
      }
      return to.pod !== undefined && included[to.pod] ? matrix.externalToPod(from.block!, to.pod) : undefined;
    },
  };
}

/** Allowed connections, sorted by source then destination; `include` filters pods (e.g. -n). */
export function* matrixRows(matrix: Matrix, include?: (pod: PodEndpoint) => boolean): Generator<MatrixRow> {
  const { sources, destinations, connections } = matrixEnds(matrix, include);
  // Sources of one label (the same workload twice in the input) interleave by destination, as a sort of every row would order them.
  for (let start = 0; start < sources.length; ) {
    let end = start + 1;
    while (end < sources.length && sources[end]!.label === sources[start]!.label) end++;
    for (const to of destinations) {
      for (let s = start; s < end; s++) {
        const from = sources[s]!;
        const set = connections(from, to);
        if (set !== undefined && !set.isEmpty()) yield { from: from.label, to: to.label, connections: set };
      }
    }
    start = end;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each distinct set of connections described once: the rows of a matrix share a few sets
 * (the matrix hands out one object per side result), and describing a set costs more than
 * looking it up.
 */
function described<T>(describe: (set: PortSet) => T): (set: PortSet) => T {
  const known = new WeakMap<PortSet, T>();
  return (set) => {
    let text = known.get(set);
    if (text === undefined) known.set(set, (text = describe(set)));
    return text;
  };
}

export function renderMatrixText(rows: Iterable<MatrixRow>): string {
  return [...matrixTextLines(rows)].join("");
}

/** The text, a line at a time: a large matrix is more text than one string may hold. */
export function* matrixTextLines(rows: Iterable<MatrixRow>): Generator<string> {
  const text = described((set) => set.toString());
  for (const r of rows) yield `${r.from} => ${r.to} : ${text(r.connections)}\n`;
}

/** The rows as JSON values, made as they are written. */
export function* matrixJson(rows: Iterable<MatrixRow>): Generator<{ from: string; to: string; allowed: ReturnType<PortSet["toJSON"]> }> {
  const json = described((set) => set.toJSON());
  for (const r of rows) yield { from: r.from, to: r.to, allowed: json(r.connections) };
}

/**
 * A row as `JSON.stringify({from, to, allowed}, null, 2)` writes matrixJson's value, every
 * line after the first led by `indent`: the writer structuredRows takes for a long list.
 * Each set's part is written once; the same bytes in a fraction of the time.
 */
export function matrixRowJson(): (row: MatrixRow, indent: string) => string {
  const byIndent = new Map<string, (set: PortSet) => string>();
  // A label stands in a row per peer it meets: quoted once.
  const labels = new Map<string, string>();
  const quoted = (label: string): string => {
    let text = labels.get(label);
    if (text === undefined) labels.set(label, (text = JSON.stringify(label)));
    return text;
  };
  // Rows come sorted by source: a row's source is most often the last one's.
  let lastFrom = "";
  let lastFromQuoted = '""';
  return (row, indent) => {
    if (row.from !== lastFrom) lastFromQuoted = quoted((lastFrom = row.from));
    let allowed = byIndent.get(indent);
    if (!allowed) byIndent.set(indent, (allowed = described((set) => JSON.stringify(set.toJSON(), null, 2).replace(/\n/g, `\n${indent}  `))));
    const inner = `\n${indent}  `;
    return `{${inner}"from": ${lastFromQuoted},${inner}"to": ${quoted(row.to)},${inner}"allowed": ${allowed(row.connections)}\n${indent}}`;
  };
}

export function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function* renderMatrixCsv(rows: Iterable<MatrixRow>): Generator<string> {
  const text = described((set) => csvField(set.toString()));
  yield "from,to,connections\n";
  for (const r of rows) yield `${csvField(r.from)},${csvField(r.to)},${text(r.connections)}\n`;
}
