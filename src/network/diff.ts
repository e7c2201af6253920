/**
 * `netpol diff`: the connections one set of manifests allows and the other does not,
 * pair by pair, over the union of their workloads and the external blocks both sets' CIDRs
 * cut (so a block means the same addresses on both sides). Each change says why: for a
 * connection that is now allowed or now denied, the side (egress, ingress) whose verdict
 * moved, and the policy and rule that decided it before and after, where they are written.
 */
import { causesOf, type ChangeCause } from "./diff-causes.js";
import type { Endpoints } from "./endpoints.js";
import type { PolicyLocator } from "./explain.js";
import { computeMatrix } from "./matrix.js";
import { matrixRows, workloadLabel, type MatrixRow } from "./matrix-render.js";
import type { Endpoint, Tier } from "./model.js";
import { PortSet } from "./ports.js";

/** Changes only when a field's meaning does. */
export const DIFF_SCHEMA_VERSION = "palisade.dev/netpol-diff/v1";

type PortSetJson = ReturnType<PortSet["toJSON"]>;

export interface ConnectivityChange {
  from: string;
  to: string;
  /** added: nothing was allowed before; removed: nothing is allowed after; changed: both allow something. */
  change: "added" | "removed" | "changed";
  before: PortSetJson;
  after: PortSetJson;
  added: PortSetJson;
  removed: PortSetJson;
  because: ChangeCause[];
}

export interface ConnectivityDiff {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  /** Workloads only one side has: their connections are all added or all removed. */
  workloads: { added: string[]; removed: string[] };
  changes: ConnectivityChange[];
}

export interface DiffSide {
  endpoints: Endpoints;
  set: { tiers: Tier[] };
  /** Where the side's policies are written; without it, causes name policies but no file:line. */
  locate?: PolicyLocator;
}

interface SideRows {
  /** The side's allowed connections, sorted by source then destination (matrixRows' order). */
  rows: Iterable<MatrixRow>;
  /** Every endpoint by its label: the side's workloads and the shared external blocks. */
  endpoints: Map<string, Endpoint>;
}

function rowsOf(side: DiffSide, other: DiffSide): SideRows {
  const pods = side.endpoints.workloads.map((w) => w.endpoint);
  const matrix = computeMatrix(side.set.tiers, pods, { cutWith: other.set.tiers });
  const endpoints = new Map<string, Endpoint>(pods.map((p) => [workloadLabel(p), p]));
  for (const block of [...matrix.externalSources, ...matrix.externalDestinations]) endpoints.set(`${block.label}[External]`, block.endpoint);
  return { rows: lastOfEachPair(matrixRows(matrix)), endpoints };
}

/** One row per (source, destination): the last, when a workload given twice makes two. */
function* lastOfEachPair(rows: Iterable<MatrixRow>): Generator<MatrixRow> {
  let pending: MatrixRow | undefined;
  for (const row of rows) {
    if (pending && (pending.from !== row.from || pending.to !== row.to)) yield pending;
    pending = row;
  }
  if (pending) yield pending;
}

function compareRows(a: MatrixRow, b: MatrixRow): number {
  if (a.from !== b.from) return a.from < b.from ? -1 : 1;
  return a.to < b.to ? -1 : a.to > b.to ? 1 : 0;
}

function podLabels(side: DiffSide): Set<string> {
  return new Set(side.endpoints.workloads.map((w) => workloadLabel(w.endpoint)));
}

/**
 * Both sides' rows come sorted, so they are compared in one pass as they are made, never
 * held: policies naming thousands of addresses give millions of rows a side, and a map of
 * each side's rows took gigabytes.
 */
export function diffConnectivity(before: DiffSide, after: DiffSide): ConnectivityDiff {
  const a = rowsOf(before, after);
  const b = rowsOf(after, before);
  const changes: ConnectivityChange[] = [];
  const wasRows = a.rows[Symbol.iterator]();
  const nowRows = b.rows[Symbol.iterator]();
  let was = wasRows.next();
  let now = nowRows.next();
  while (!was.done || !now.done) {
    const order = was.done ? 1 : now.done ? -1 : compareRows(was.value, now.value);
    const row = order <= 0 ? (was.value as MatrixRow) : (now.value as MatrixRow);
    const wasAllowed = order <= 0 ? (was.value as MatrixRow).connections : PortSet.none;
    const nowAllowed = order >= 0 ? (now.value as MatrixRow).connections : PortSet.none;
    if (order <= 0) was = wasRows.next();
    if (order >= 0) now = nowRows.next();
    if (wasAllowed.equals(nowAllowed)) continue;
    const added = nowAllowed.subtract(wasAllowed);
    const removed = wasAllowed.subtract(nowAllowed);
    const because = causesOf(row, added, removed, { ...before, endpoints: a.endpoints }, { ...after, endpoints: b.endpoints });
    const change = wasAllowed.isEmpty() ? "added" : nowAllowed.isEmpty() ? "removed" : "changed";
    changes.push({ from: row.from, to: row.to, change, before: wasAllowed.toJSON(), after: nowAllowed.toJSON(), added: added.toJSON(), removed: removed.toJSON(), because });
  }
  const beforePods = podLabels(before);
  const afterPods = podLabels(after);
  const workloads = { added: [...afterPods].filter((p) => !beforePods.has(p)).sort(), removed: [...beforePods].filter((p) => !afterPods.has(p)).sort() };
  return { schemaVersion: DIFF_SCHEMA_VERSION, workloads, changes };
}

export function renderDiffText(diff: ConnectivityDiff): string {
  const lines: string[] = [];
  for (const w of diff.workloads.added) lines.push(`workload added: ${w}`);
  for (const w of diff.workloads.removed) lines.push(`workload removed: ${w}`);
  if (diff.changes.length === 0) lines.push("no connectivity changes");
  for (const c of diff.changes) {
    const mark = c.change === "added" ? "+" : c.change === "removed" ? "-" : "~";
    lines.push(`${mark} ${c.from} => ${c.to} : ${PortSet.fromJSON(c.before).toString()} -> ${PortSet.fromJSON(c.after).toString()}`);
    for (const cause of c.because) lines.push(...renderCause(cause));
  }
  return lines.join("\n") + "\n";
}

function renderCause(cause: ChangeCause): string[] {
  const head = `    ${cause.connection} now ${cause.now}`;
  if (cause.note !== undefined) return [`${head}: ${cause.note}`];
  const at = (where: string[] | undefined): string => (where && where.length > 0 ? ` (at ${where.join(", ")})` : "");
  return cause.sides.flatMap((s) => [`${head}: ${s.after.summary}${at(s.after.at)}`, `      before: ${s.before.summary}${at(s.before.at)}`]);
}
