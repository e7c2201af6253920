/**
 * `netpol diff`: the connections one set of manifests allows and the other does not,
 * pair by pair, over the union of their workloads and the external blocks both sets' CIDRs
 * cut (so a block means the same addresses on both sides).
 */
import type { Endpoints } from "./endpoints.js";
import { computeMatrix } from "./matrix.js";
import { matrixRows } from "./matrix-render.js";
import type { Tier } from "./model.js";
import { PortSet } from "./ports.js";

export interface ConnectivityChange {
  from: string;
  to: string;
  before: ReturnType<PortSet["toJSON"]>;
  after: ReturnType<PortSet["toJSON"]>;
  added: ReturnType<PortSet["toJSON"]>;
  removed: ReturnType<PortSet["toJSON"]>;
}

export interface ConnectivityDiff {
  changes: ConnectivityChange[];
}

interface Side {
  endpoints: Endpoints;
  set: { tiers: Tier[] };
}

function rowsOf(side: Side, other: Side): Map<string, { from: string; to: string; connections: PortSet }> {
  const pods = side.endpoints.workloads.map((w) => w.endpoint);
  const matrix = computeMatrix(side.set.tiers, pods, { cutWith: other.set.tiers });
  return new Map(matrixRows(matrix).map((r) => [`${r.from}\u0000${r.to}`, r]));
}

export function diffConnectivity(before: Side, after: Side): ConnectivityDiff {
  const a = rowsOf(before, after);
  const b = rowsOf(after, before);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: ConnectivityChange[] = [];
  for (const key of keys) {
    const was = a.get(key)?.connections ?? PortSet.none;
    const now = b.get(key)?.connections ?? PortSet.none;
    if (was.equals(now)) continue;
    const row = (a.get(key) ?? b.get(key))!;
    changes.push({ from: row.from, to: row.to, before: was.toJSON(), after: now.toJSON(), added: now.subtract(was).toJSON(), removed: was.subtract(now).toJSON() });
  }
  return { changes };
}

export function renderDiffText(diff: ConnectivityDiff): string {
  if (diff.changes.length === 0) return "no connectivity changes\n";
  return diff.changes
    .map((c) => {
      const before = PortSet.fromJSON(c.before);
      const after = PortSet.fromJSON(c.after);
      const mark = before.isEmpty() ? "+" : after.isEmpty() ? "-" : "~";
      return `${mark} ${c.from} => ${c.to} : ${before.toString()} -> ${after.toString()}\n`;
    })
    .join("");
}
