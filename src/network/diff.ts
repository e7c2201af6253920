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
import { matrixEnds, workloadLabel, type End, type MatrixEnds } from "./matrix-render.js";
import type { Endpoint, PodEndpoint, Tier } from "./model.js";
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

interface SideIndex {
  /** Row ends by label, sorted: one per label, as each workload counts once. */
  sources: End[];
  destinations: End[];
  connections: MatrixEnds["connections"];
  /** Every endpoint by its label: the side's workloads and the shared external blocks. */
  endpoints: Map<string, Endpoint>;
}

/**
 * A side's workloads, each once: of a workload the input gives twice (two files defining one
 * Deployment), the last copy, as `kubectl apply -f` leaves it. Rows and causes then speak of
 * the same copy.
 */
function lastCopies(pods: readonly PodEndpoint[]): PodEndpoint[] {
  const last = new Map<string, PodEndpoint>();
  for (const pod of pods) {
    const label = workloadLabel(pod);
    last.delete(label);
    last.set(label, pod);
  }
  return [...last.values()];
}

function indexOf(side: DiffSide, other: DiffSide): SideIndex {
  const pods = lastCopies(side.endpoints.workloads.map((w) => w.endpoint));
  const matrix = computeMatrix(side.set.tiers, pods, { cutWith: other.set.tiers });
  const endpoints = new Map<string, Endpoint>(pods.map((p) => [workloadLabel(p), p]));
  for (const block of [...matrix.externalSources, ...matrix.externalDestinations]) endpoints.set(`${block.label}[External]`, block.endpoint);
  return { ...matrixEnds(matrix), endpoints };
}

/** What a side allows from one end to another: none where it has no such end, or lists no row. */
function allowedBetween(side: SideIndex, from: End | undefined, to: End | undefined): PortSet {
  return from && to ? (side.connections(from, to) ?? PortSet.none) : PortSet.none;
}

/** The labels of both sides in order, each with its end on either side (undefined where a side lacks it). */
function* mergedLabels(a: readonly End[], b: readonly End[]): Generator<[End | undefined, End | undefined]> {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const order = i === a.length ? 1 : j === b.length ? -1 : a[i]!.label < b[j]!.label ? -1 : a[i]!.label > b[j]!.label ? 1 : 0;
    yield [order <= 0 ? a[i++] : undefined, order >= 0 ? b[j++] : undefined];
  }
}

/** A diff whose changes are made as they are read: a policy naming thousands of addresses changes millions of pairs. */
export interface ConnectivityDiffStream {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  workloads: ConnectivityDiff["workloads"];
  changes: Iterable<ConnectivityChange>;
}

/** The diff with every change held: for callers that want them all at once. */
export function diffConnectivity(before: DiffSide, after: DiffSide): ConnectivityDiff {
  const diff = connectivityChanges(before, after);
  return { ...diff, changes: [...diff.changes] };
}

/**
 * Every pair of labels is compared where both matrices keep it, in the rows' order, never
 * as rows: policies naming thousands of addresses give tens of millions of pairs a side.
 */
export function connectivityChanges(before: DiffSide, after: DiffSide): ConnectivityDiffStream {
  const beforePods = podLabels(before);
  const afterPods = podLabels(after);
  const workloads = { added: [...afterPods].filter((p) => !beforePods.has(p)).sort(), removed: [...beforePods].filter((p) => !afterPods.has(p)).sort() };
  return { schemaVersion: DIFF_SCHEMA_VERSION, workloads, changes: changesBetween(before, after) };
}

function* changesBetween(before: DiffSide, after: DiffSide): Generator<ConnectivityChange> {
  const a = indexOf(before, after);
  const b = indexOf(after, before);
  // The matrices hand out a few set objects over and over: whether two are equal is worked out once per pair of objects.
  const equal = new Map<PortSet, Map<PortSet, boolean>>();
  const same = (was: PortSet, now: PortSet): boolean => {
    if (was === now) return true;
    let withWas = equal.get(was);
    if (!withWas) equal.set(was, (withWas = new Map()));
    let verdict = withWas.get(now);
    if (verdict === undefined) withWas.set(now, (verdict = was.equals(now)));
    return verdict;
  };
  const wasContext = { ...before, endpoints: a.endpoints };
  const nowContext = { ...after, endpoints: b.endpoints };
  const destinations = [...mergedLabels(a.destinations, b.destinations)];
  for (const [wasFrom, nowFrom] of mergedLabels(a.sources, b.sources)) {
    for (const [wasTo, nowTo] of destinations) {
      const wasAllowed = allowedBetween(a, wasFrom, wasTo);
      const nowAllowed = allowedBetween(b, nowFrom, nowTo);
      if (same(wasAllowed, nowAllowed)) continue;
      const row = { from: (wasFrom ?? nowFrom)!.label, to: (wasTo ?? nowTo)!.label };
      const added = nowAllowed.subtract(wasAllowed);
      const removed = wasAllowed.subtract(nowAllowed);
      const because = causesOf(row, added, removed, wasContext, nowContext);
      const change = wasAllowed.isEmpty() ? "added" : nowAllowed.isEmpty() ? "removed" : "changed";
      yield { ...row, change, before: wasAllowed.toJSON(), after: nowAllowed.toJSON(), added: added.toJSON(), removed: removed.toJSON(), because };
    }
  }
}

function podLabels(side: DiffSide): Set<string> {
  return new Set(side.endpoints.workloads.map((w) => workloadLabel(w.endpoint)));
}

/** The text, a line at a time, as the changes are made. */
export function* diffTextLines(diff: ConnectivityDiffStream): Generator<string> {
  for (const w of diff.workloads.added) yield `workload added: ${w}\n`;
  for (const w of diff.workloads.removed) yield `workload removed: ${w}\n`;
  let any = false;
  for (const c of diff.changes) {
    any = true;
    const mark = c.change === "added" ? "+" : c.change === "removed" ? "-" : "~";
    yield `${mark} ${c.from} => ${c.to} : ${PortSet.fromJSON(c.before).toString()} -> ${PortSet.fromJSON(c.after).toString()}\n`;
    for (const cause of c.because) for (const line of renderCause(cause)) yield `${line}\n`;
  }
  if (!any) yield "no connectivity changes\n";
}

function renderCause(cause: ChangeCause): string[] {
  const head = `    ${cause.connection} now ${cause.now}`;
  if (cause.note !== undefined) return [`${head}: ${cause.note}`];
  const at = (where: string[] | undefined): string => (where && where.length > 0 ? ` (at ${where.join(", ")})` : "");
  return cause.sides.flatMap((s) => [`${head}: ${s.after.summary}${at(s.after.at)}`, `      before: ${s.before.summary}${at(s.before.at)}`]);
}
