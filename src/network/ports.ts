/**
 * Sets of connections as intervals of ports per protocol, so that connectivity is computed
 * with set algebra instead of packet by packet. The universe is TCP, UDP and SCTP on ports
 * 1..65535 (the protocols NetworkPolicy ports can name) plus OTHER, one point standing for
 * every port-less protocol (ICMP, ICMPv6, numeric protocols), which NetworkPolicy allows
 * only through a rule without `ports`.
 */
import type { Protocol } from "./model.js";

export const PORT_PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];
export type SetProtocol = PortProtocol | "OTHER";
const SET_PROTOCOLS: readonly SetProtocol[] = [...PORT_PROTOCOLS, "OTHER"];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Sorted, disjoint, non-adjacent inclusive ranges flattened as [lo0, hi0, lo1, hi1, ...]. */
type Ranges = readonly number[];

const EMPTY_RANGES: Ranges = [];
const FULL_PORTS: Ranges = [MIN_PORT, MAX_PORT];
const FULL_OTHER: Ranges = [0, 0];

export function setProtocolOf(protocol: Protocol): SetProtocol {
  return protocol === "TCP" || protocol === "UDP" || protocol === "SCTP" ? protocol : "OTHER";
}

export class PortSet {
  private constructor(private readonly byProtocol: Readonly<Record<SetProtocol, Ranges>>) {}

  static readonly none = new PortSet({ TCP: EMPTY_RANGES, UDP: EMPTY_RANGES, SCTP: EMPTY_RANGES, OTHER: EMPTY_RANGES });
  static readonly all = new PortSet({ TCP: FULL_PORTS, UDP: FULL_PORTS, SCTP: FULL_PORTS, OTHER: FULL_OTHER });

  /** Ports lo..hi (inclusive) of one protocol; a port-less protocol covers all of OTHER. */
  static range(protocol: Protocol, lo: number = MIN_PORT, hi: number = MAX_PORT): PortSet {
    const key = setProtocolOf(protocol);
    const ranges = key === "OTHER" ? FULL_OTHER : lo > hi ? EMPTY_RANGES : [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)];
    return new PortSet({ ...PortSet.none.byProtocol, [key]: ranges });
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): PortSet {
    return PortSet.range(protocol);
  }

  /** Build from `{TCP: [[lo,hi],...], ...}` (the conformance and JSON output shape). */
  static fromJSON(value: "all" | "none" | Partial<Record<SetProtocol, [number, number][]>>): PortSet {
    if (value === "all") return PortSet.all;
    if (value === "none") return PortSet.none;
    let set = PortSet.none;
    for (const key of SET_PROTOCOLS) for (const [lo, hi] of value[key] ?? []) set = set.union(PortSet.range(key === "OTHER" ? "ICMP" : key, lo, hi));
    return set;
  }

  has(protocol: Protocol, port?: number): boolean {
    const key = setProtocolOf(protocol);
    const ranges = this.byProtocol[key];
    if (key === "OTHER") return ranges.length > 0;
    if (port === undefined) return false;
    for (let i = 0; i < ranges.length; i += 2) if (port >= ranges[i]! && port <= ranges[i + 1]!) return true;
    return false;
  }

  ranges(protocol: SetProtocol): [number, number][] {
    const r = this.byProtocol[protocol];
    const out: [number, number][] = [];
    for (let i = 0; i < r.length; i += 2) out.push([r[i]!, r[i + 1]!]);
    return out;
  }

  isEmpty(): boolean {
    return SET_PROTOCOLS.every((p) => this.byProtocol[p].length === 0);
  }

  /** All of TCP, UDP and SCTP 1..65535 (OTHER is not required: np-guard's "All Connections"). */
  coversAllPorts(): boolean {
    return PORT_PROTOCOLS.every((p) => sameRanges(this.byProtocol[p], FULL_PORTS));
  }

  isAll(): boolean {
    return this.coversAllPorts() && this.byProtocol.OTHER.length > 0;
  }

  equals(other: PortSet): boolean {
    return SET_PROTOCOLS.every((p) => sameRanges(this.byProtocol[p], other.byProtocol[p]));
  }

  /** Equal on TCP, UDP and SCTP, ignoring port-less protocols. */
  equalsOnPorts(other: PortSet): boolean {
    return PORT_PROTOCOLS.every((p) => sameRanges(this.byProtocol[p], other.byProtocol[p]));
  }

  union(other: PortSet): PortSet {
    if (other === PortSet.none || this === PortSet.all) return this;
    if (this === PortSet.none || other === PortSet.all) return other;
    return this.combine(other, (a, b) => a || b);
  }

  intersect(other: PortSet): PortSet {
    if (other === PortSet.all || this === PortSet.none) return this;
    if (this === PortSet.all || other === PortSet.none) return other;
    return this.combine(other, (a, b) => a && b);
  }

  subtract(other: PortSet): PortSet {
    if (other === PortSet.none || this === PortSet.none) return this;
    if (other === PortSet.all) return PortSet.none;
    return this.combine(other, (a, b) => a && !b);
  }

  complement(): PortSet {
    return PortSet.all.subtract(this);
  }

  private combine(other: PortSet, keep: (a: boolean, b: boolean) => boolean): PortSet {
    const result = {} as Record<SetProtocol, Ranges>;
    for (const p of SET_PROTOCOLS) result[p] = sweep(this.byProtocol[p], other.byProtocol[p], keep);
    return new PortSet(result);
  }

  /** `{TCP: [[lo,hi]], ...}`, "all" or "none": the shape of JSON output and of the conformance data. */
  toJSON(): "all" | "none" | Partial<Record<SetProtocol, [number, number][]>> {
    if (this.isAll()) return "all";
    if (this.isEmpty()) return "none";
    const out: Partial<Record<SetProtocol, [number, number][]>> = {};
    for (const p of SET_PROTOCOLS) if (this.byProtocol[p].length > 0) out[p] = this.ranges(p);
    return out;
  }

  /** `All Connections`, `No Connections`, or `TCP 80,443,UDP 53` as np-guard prints them. */
  toString(): string {
    if (this.isAll()) return "All Connections";
    if (this.isEmpty()) return "No Connections";
    const parts: string[] = [];
    for (const p of PORT_PROTOCOLS) {
      const ranges = this.ranges(p);
      if (ranges.length === 0) continue;
      parts.push(`${p} ${ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",")}`);
    }
    if (this.byProtocol.OTHER.length > 0) parts.push("other protocols");
    return parts.join(",");
  }
}

function sameRanges(a: Ranges, b: Ranges): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Boolean combination of two range lists by a sweep over their boundaries. */
function sweep(a: Ranges, b: Ranges, keep: (inA: boolean, inB: boolean) => boolean): Ranges {
  if (a.length === 0 && b.length === 0) return EMPTY_RANGES;
  // Boundaries as half-open starts: a range [lo,hi] toggles membership at lo and hi+1. Each
  // list's boundaries are strictly increasing, so a two-way merge gives them in order.
  const boundary = (r: Ranges, k: number): number => (k % 2 === 0 ? r[k]! : r[k]! + 1);
  const sorted: number[] = [];
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    const va = i < a.length ? boundary(a, i) : Infinity;
    const vb = j < b.length ? boundary(b, j) : Infinity;
    const v = va < vb ? va : vb;
    if (sorted.length === 0 || sorted[sorted.length - 1] !== v) sorted.push(v);
    if (va === v) i++;
    if (vb === v) j++;
  }
  const out: number[] = [];
  let ia = 0;
  let ib = 0;
  let openStart: number | undefined;
  for (let k = 0; k < sorted.length; k++) {
    const at = sorted[k]!;
    while (ia < a.length && (ia % 2 === 0 ? a[ia]! : a[ia]! + 1) <= at) ia++;
    while (ib < b.length && (ib % 2 === 0 ? b[ib]! : b[ib]! + 1) <= at) ib++;
    // An odd count of boundaries passed means we are inside a range.
    const inside = keep(ia % 2 === 1, ib % 2 === 1);
    if (inside && openStart === undefined) openStart = at;
    else if (!inside && openStart !== undefined) {
      out.push(openStart, at - 1);
      openStart = undefined;
    }
  }
  return out.length === 0 ? EMPTY_RANGES : out;
}
