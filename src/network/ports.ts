/**
 * Sets of connections as intervals of ports per protocol, so that connectivity is computed
 * with set algebra instead of packet by packet. The universe is TCP, UDP and SCTP on ports
 * 1..65535 (the protocols NetworkPolicy ports can name) plus OTHER, every port-less packet:
 * each other IP protocol, and ICMP and ICMPv6 by type and code (portless.ts), which Calico
 * rules can name one by one and NetworkPolicy allows only all together, through a rule
 * without `ports`.
 */
import type { Protocol } from "./model.js";
import { describeEntry, entryKeys, familyPortless, FULL_PORTLESS, icmpKeys, packetKey, PORT_PROTOCOL_NUMBERS, portlessEntries, protocolKeys, type PortlessEntry } from "./portless.js";

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
const FULL_OTHER: Ranges = FULL_PORTLESS;

/** The IANA number of a protocol. */
export function protocolNumber(protocol: Protocol): number {
  if (typeof protocol === "number") return protocol;
  return { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPv6: 58 }[protocol];
}

export function setProtocolOf(protocol: Protocol): SetProtocol {
  if (protocol === "TCP" || protocol === "UDP" || protocol === "SCTP") return protocol;
  return typeof protocol === "number" ? (PORT_PROTOCOL_NUMBERS[protocol] ?? "OTHER") : "OTHER";
}

/** What tells port-less packets of one protocol apart: the IP family carrying it, and for ICMP the message. */
export interface PortlessDetail {
  family?: 4 | 6;
  icmp?: { type?: number; code?: number };
}

/** A JSON value for OTHER: `[[0, 0]]` (every port-less packet, the shape np-guard's data uses) or entries. */
type OtherJSON = [number, number][] | PortlessEntry[];
type SetJSON = Partial<Record<PortProtocol, [number, number][]>> & { OTHER?: OtherJSON };

export class PortSet {
  private constructor(private readonly byProtocol: Readonly<Record<SetProtocol, Ranges>>) {}

  static readonly none = new PortSet({ TCP: EMPTY_RANGES, UDP: EMPTY_RANGES, SCTP: EMPTY_RANGES, OTHER: EMPTY_RANGES });
  static readonly all = new PortSet({ TCP: FULL_PORTS, UDP: FULL_PORTS, SCTP: FULL_PORTS, OTHER: FULL_OTHER });

  /** Ports lo..hi (inclusive) of one protocol; a port-less protocol has no ports and is covered whole. */
  static range(protocol: Protocol, lo: number = MIN_PORT, hi: number = MAX_PORT): PortSet {
    const key = setProtocolOf(protocol);
    const ranges = key === "OTHER" ? protocolKeys(protocolNumber(protocol)) : lo > hi ? EMPTY_RANGES : [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)];
    return new PortSet({ ...PortSet.none.byProtocol, [key]: ranges });
  }

  /** ICMP (or ICMPv6) messages in their own family: every type, one type, or one type and code. */
  static icmp(protocol: "ICMP" | "ICMPv6", type?: number, code?: number): PortSet {
    return new PortSet({ ...PortSet.none.byProtocol, OTHER: icmpKeys(protocol === "ICMP" ? 1 : 58, type, code) });
  }

  /** Every port-less packet (no TCP, UDP or SCTP). */
  static readonly portless = new PortSet({ TCP: EMPTY_RANGES, UDP: EMPTY_RANGES, SCTP: EMPTY_RANGES, OTHER: FULL_OTHER });

  /** Every port-less packet one IP family can carry. */
  static familyPortless(family: 4 | 6): PortSet {
    return new PortSet({ ...PortSet.none.byProtocol, OTHER: familyPortless(family) });
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): PortSet {
    return PortSet.range(protocol);
  }

  /** Build from `{TCP: [[lo,hi],...], ...}` (the conformance and JSON output shape). */
  static fromJSON(value: "all" | "none" | SetJSON): PortSet {
    if (value === "all") return PortSet.all;
    if (value === "none") return PortSet.none;
    let set = PortSet.none;
    for (const key of PORT_PROTOCOLS) for (const [lo, hi] of value[key] ?? []) set = set.union(PortSet.range(key, lo, hi));
    for (const item of value.OTHER ?? []) {
      const ranges = Array.isArray(item) ? FULL_OTHER : entryKeys(item);
      set = set.union(new PortSet({ ...PortSet.none.byProtocol, OTHER: ranges }));
    }
    return set;
  }

  /**
   * Whether the set holds a connection. A port protocol needs its port; an ICMP one is held
   * when the message in `portless` is (in its family), or with no message when every packet
   * of the protocol is; another port-less protocol is held whole or not at all.
   */
  has(protocol: Protocol, port?: number, portless?: PortlessDetail): boolean {
    const key = setProtocolOf(protocol);
    const ranges = this.byProtocol[key];
    if (key === "OTHER") {
      const number = protocolNumber(protocol);
      if (portless?.icmp === undefined) return sweep(protocolKeys(number), ranges, (a, b) => a && !b).length === 0;
      const at = packetKey(number, portless.family, portless.icmp);
      return contains(ranges, at);
    }
    if (port === undefined) return false;
    return contains(ranges, port);
  }

  /** Whether any port-less packet is held. */
  hasPortless(): boolean {
    return this.byProtocol.OTHER.length > 0;
  }

  /** The port-less part as entries (whole protocols, ICMP types, single codes). */
  portlessEntries(): PortlessEntry[] {
    return portlessEntries(this.byProtocol.OTHER);
  }

  ranges(protocol: PortProtocol): [number, number][] {
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
    return this.coversAllPorts() && sameRanges(this.byProtocol.OTHER, FULL_OTHER);
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

  /**
   * `{TCP: [[lo,hi]], ...}`, "all" or "none": the shape of JSON output and of the conformance
   * data. OTHER is `[[0, 0]]` when every port-less packet is held, as np-guard writes it, and
   * otherwise its entries (`{protocol: 1, type: 8}`).
   */
  toJSON(): "all" | "none" | SetJSON {
    if (this.isAll()) return "all";
    if (this.isEmpty()) return "none";
    const out: SetJSON = {};
    for (const p of PORT_PROTOCOLS) if (this.byProtocol[p].length > 0) out[p] = this.ranges(p);
    const other = this.byProtocol.OTHER;
    if (other.length > 0) out.OTHER = sameRanges(other, FULL_OTHER) ? [[0, 0]] : this.portlessEntries();
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
    const other = this.byProtocol.OTHER;
    if (other.length > 0) parts.push(sameRanges(other, FULL_OTHER) ? "other protocols" : describePortless(other));
    return parts.join(",");
  }
}

function contains(ranges: Ranges, at: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (at >= ranges[i]! && at <= ranges[i + 1]!) return true;
  return false;
}

/** A partial port-less set, named by what it holds or, when that is shorter, by what it leaves out. */
function describePortless(ranges: Ranges): string {
  const held = portlessEntries(ranges).map(describeEntry);
  const left = portlessEntries(sweep(FULL_OTHER, ranges, (a, b) => a && !b)).map(describeEntry);
  return left.length < held.length ? `other protocols except ${left.join(", ")}` : held.join(",");
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
