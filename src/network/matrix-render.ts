/**
 * The matrix as rows (allowed connections only, as np-guard lists them) and as text, JSON
 * and CSV. A pod's connections to itself are not listed: they are always allowed.
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

/** Allowed connections, sorted by source then destination; `include` filters pods (e.g. -n). */
export function matrixRows(matrix: Matrix, include: (pod: PodEndpoint) => boolean = () => true): MatrixRow[] {
  const rows: MatrixRow[] = [];
  const labels = matrix.pods.map(workloadLabel);
  const add = (from: string, to: string, connections: PortSet): void => {
    if (!connections.isEmpty()) rows.push({ from, to, connections });
  };
  matrix.pods.forEach((src, i) => {
    matrix.pods.forEach((dst, j) => {
      if (i !== j && (include(src) || include(dst))) add(labels[i]!, labels[j]!, matrix.podToPod(i, j));
    });
  });
  matrix.externalSources.forEach((block, b) => {
    matrix.pods.forEach((dst, j) => {
      if (include(dst)) add(`${block.label}[External]`, labels[j]!, matrix.externalToPod(b, j));
    });
  });
  matrix.pods.forEach((src, i) => {
    if (!include(src)) return;
    matrix.externalDestinations.forEach((block, b) => add(labels[i]!, `${block.label}[External]`, matrix.podToExternal(i, b)));
  });
  return rows.sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function renderMatrixText(rows: readonly MatrixRow[]): string {
  return [...matrixTextLines(rows)].join("");
}

/** The text, a line at a time: a large matrix is more text than one string may hold. */
export function* matrixTextLines(rows: readonly MatrixRow[]): Generator<string> {
  for (const r of rows) yield `${r.from} => ${r.to} : ${r.connections.toString()}\n`;
}

/** The rows as JSON values, made as they are written. */
export function* matrixJson(rows: readonly MatrixRow[]): Generator<{ from: string; to: string; allowed: ReturnType<PortSet["toJSON"]> }> {
  for (const r of rows) yield { from: r.from, to: r.to, allowed: r.connections.toJSON() };
}

export function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function* renderMatrixCsv(rows: readonly MatrixRow[]): Generator<string> {
  yield "from,to,connections\n";
  for (const r of rows) yield `${csvField(r.from)},${csvField(r.to)},${csvField(r.connections.toString())}\n`;
}
