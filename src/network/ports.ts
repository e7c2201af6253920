/**
 * Sets of connections as intervals of ports per protocol, so that connectivity is computed
 * with set algebra instead of packet by packet. The universe is TCP, UDP and SCTP on ports
 * 1..65535 (the protocols NetworkPolicy ports can name) plus OTHER, every port-less packet:
 * each other IP protocol, and ICMP and ICMPv6 by type and code (portless.ts), which Calico
 * rules can name one by one and NetworkPolicy allows only all together, through a rule
 * without `ports`. TCP, UDP and SCTP may also differ by source port, which Calico rules can
 * match (source-bands.ts).
 */
import type { Protocol } from "./model.js";
import { contains, EMPTY_RANGES, pairsOf, sameRanges, sweep, type Ranges } from "./port-ranges.js";
import { describeEntry, entryKeys, familyPortless, FULL_PORTLESS, icmpKeys, packetKey, PORT_PROTOCOL_NUMBERS, portlessEntries, protocolKeys, protocolKeysIn, type PortlessEntry } from "./portless.js";
import { asPlain, combineBands, groupBySources, MAX_SOURCE_PORT, MIN_SOURCE_PORT, plainBands, portsFrom, portsFromAny, portsFromEvery, sameBands, type Bands } from "./source-bands.js";

export const PORT_PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];
export type SetProtocol = PortProtocol | "OTHER";
const SET_PROTOCOLS: readonly SetProtocol[] = [...PORT_PROTOCOLS, "OTHER"];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

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
/** Destination ports held only from some source ports, beside those a protocol's list holds from all of them. */
export interface SourcePortsJSON {
  from: [number, number][];
  ports: [number, number][];
}
type SetJSON = Partial<Record<PortProtocol, [number, number][]>> & { OTHER?: OtherJSON; sourcePorts?: Partial<Record<PortProtocol, SourcePortsJSON[]>> };

/** Destination ports and the source ports they are held from, for a renderer. */
export interface SourcePortGroup {
  /** Every source port 0..65535 when undefined. */
  sources?: [number, number][];
  ports: [number, number][];
}

type BandsByProtocol = Readonly<Partial<Record<PortProtocol, Bands>>>;

export class PortSet {
  /**
   * `byProtocol` holds, for a port protocol, the ports held from at least one source port;
   * `bands` what each source port holds, for the protocols whose source ports differ.
   */
  private constructor(
    private readonly byProtocol: Readonly<Record<SetProtocol, Ranges>>,
    private readonly bands?: BandsByProtocol,
  ) {}

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

  /** Every destination port of a port protocol, from source ports lo..hi (inclusive; 0..65535). */
  static fromSourcePorts(protocol: PortProtocol, lo: number, hi: number): PortSet {
    const from = Math.max(lo, MIN_SOURCE_PORT);
    const to = Math.min(hi, MAX_SOURCE_PORT);
    if (from > to) return PortSet.none;
    return PortSet.withBands({ ...PortSet.none.byProtocol }, { [protocol]: [{ from, to, ports: FULL_PORTS }] });
  }

  /** A set from per-protocol ranges and bands, each protocol's bands made plain when its source ports all hold the same. */
  private static withBands(byProtocol: Record<SetProtocol, Ranges>, bands: Partial<Record<PortProtocol, Bands>>): PortSet {
    const kept: Partial<Record<PortProtocol, Bands>> = {};
    let any = false;
    for (const p of PORT_PROTOCOLS) {
      const protocolBands = bands[p];
      if (!protocolBands) continue;
      const plain = asPlain(protocolBands);
      if (plain) byProtocol[p] = plain;
      else {
        byProtocol[p] = portsFromAny(protocolBands);
        kept[p] = protocolBands;
        any = true;
      }
    }
    return any ? new PortSet(byProtocol, kept) : new PortSet(byProtocol);
  }

  private bandsOf(protocol: PortProtocol): Bands {
    return this.bands?.[protocol] ?? plainBands(this.byProtocol[protocol]);
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
    for (const key of PORT_PROTOCOLS) {
      for (const group of value.sourcePorts?.[key] ?? []) {
        const sources = group.from.reduce((s, [lo, hi]) => s.union(PortSet.fromSourcePorts(key, lo, hi)), PortSet.none);
        const ports = group.ports.reduce((s, [lo, hi]) => s.union(PortSet.range(key, lo, hi)), PortSet.none);
        set = set.union(sources.intersect(ports));
      }
    }
    return set;
  }

  /**
   * Whether the set holds a connection. A port protocol needs its port; an ICMP one is held
   * when the message in `portless` is (in its family), or with no message when every packet
   * of the protocol is (that `portless.family` carries, when given); another port-less protocol is held whole or not at all. A port is
   * held from `sourcePort` when given, otherwise from at least one source port.
   */
  has(protocol: Protocol, port?: number, portless?: PortlessDetail, sourcePort?: number): boolean {
    const key = setProtocolOf(protocol);
    const ranges = this.byProtocol[key];
    if (key === "OTHER") {
      const number = protocolNumber(protocol);
      if (portless?.icmp === undefined) {
        const keys = portless?.family === undefined ? protocolKeys(number) : protocolKeysIn(number, portless.family);
        return sweep(keys, ranges, (a, b) => a && !b).length === 0;
      }
      const at = packetKey(number, portless.family, portless.icmp);
      return contains(ranges, at);
    }
    if (port === undefined) return false;
    const bands = this.bands?.[key];
    return contains(bands && sourcePort !== undefined ? portsFrom(bands, sourcePort) : ranges, port);
  }

  /** Whether some port protocol holds different ports from different source ports. */
  hasSourcePorts(): boolean {
    return this.bands !== undefined;
  }

  /**
   * A port protocol's destination ports grouped by the source ports they are held from:
   * one group without `sources` when every source port holds the same.
   */
  sourcePortGroups(protocol: PortProtocol): SourcePortGroup[] {
    const bands = this.bands?.[protocol];
    if (!bands) return this.byProtocol[protocol].length === 0 ? [] : [{ ports: this.ranges(protocol) }];
    return groupBySources(bands).map((g) => ({ sources: pairsOf(g.sources), ports: pairsOf(g.ports) }));
  }

  /** Whether any port-less packet is held. */
  hasPortless(): boolean {
    return this.byProtocol.OTHER.length > 0;
  }

  /** The port-less part as entries (whole protocols, ICMP types, single codes). */
  portlessEntries(): PortlessEntry[] {
    return portlessEntries(this.byProtocol.OTHER);
  }

  /** Destination ports held from at least one source port. */
  ranges(protocol: PortProtocol): [number, number][] {
    return pairsOf(this.byProtocol[protocol]);
  }

  isEmpty(): boolean {
    return SET_PROTOCOLS.every((p) => this.byProtocol[p].length === 0);
  }

  /** All of TCP, UDP and SCTP 1..65535 (OTHER is not required: np-guard's "All Connections"). */
  coversAllPorts(): boolean {
    return this.bands === undefined && PORT_PROTOCOLS.every((p) => sameRanges(this.byProtocol[p], FULL_PORTS));
  }

  isAll(): boolean {
    return this.coversAllPorts() && sameRanges(this.byProtocol.OTHER, FULL_OTHER);
  }

  equals(other: PortSet): boolean {
    return this.equalsOnPorts(other) && sameRanges(this.byProtocol.OTHER, other.byProtocol.OTHER);
  }

  /** Equal on TCP, UDP and SCTP, ignoring port-less protocols. */
  equalsOnPorts(other: PortSet): boolean {
    if (!PORT_PROTOCOLS.every((p) => sameRanges(this.byProtocol[p], other.byProtocol[p]))) return false;
    return (this.bands === undefined && other.bands === undefined) || PORT_PROTOCOLS.every((p) => sameBands(this.bandsOf(p), other.bandsOf(p)));
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
    if (this.bands === undefined && other.bands === undefined) return new PortSet(result);
    const bands: Partial<Record<PortProtocol, Bands>> = {};
    for (const p of PORT_PROTOCOLS) if (this.bands?.[p] || other.bands?.[p]) bands[p] = combineBands(this.bandsOf(p), other.bandsOf(p), keep);
    return PortSet.withBands(result, bands);
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
    for (const p of PORT_PROTOCOLS) {
      const bands = this.bands?.[p];
      const common = bands ? portsFromEvery(bands) : this.byProtocol[p];
      if (common.length > 0) out[p] = pairsOf(common);
      if (!bands) continue;
      const only = onlyFromSome(bands, common);
      if (only.length > 0) (out.sourcePorts ??= {})[p] = only.map((g) => ({ from: pairsOf(g.sources), ports: pairsOf(g.ports) }));
    }
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
      const bands = this.bands?.[p];
      const common = bands ? portsFromEvery(bands) : this.byProtocol[p];
      if (common.length > 0) parts.push(`${p} ${rangesText(common, ",")}`);
      if (!bands) continue;
      for (const g of onlyFromSome(bands, common)) parts.push(`${p} ${rangesText(g.ports, ",")} (from source port${g.sources.length === 2 && g.sources[0] === g.sources[1] ? "" : "s"} ${rangesText(g.sources, ", ")})`);
    }
    const other = this.byProtocol.OTHER;
    if (other.length > 0) parts.push(sameRanges(other, FULL_OTHER) ? "other protocols" : describePortless(other));
    return parts.join(",");
  }
}

/** Ports held from some source ports beyond `common` (those held from all), grouped by source ports. */
function onlyFromSome(bands: Bands, common: Ranges): { sources: Ranges; ports: Ranges }[] {
  return groupBySources(combineBands(bands, plainBands(common), (a, b) => a && !b));
}

function rangesText(ranges: Ranges, separator: string): string {
  return pairsOf(ranges)
    .map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`))
    .join(separator);
}

/** A partial port-less set, named by what it holds or, when that is shorter, by what it leaves out. */
function describePortless(ranges: Ranges): string {
  const held = portlessEntries(ranges).map(describeEntry);
  const left = portlessEntries(sweep(FULL_OTHER, ranges, (a, b) => a && !b)).map(describeEntry);
  return left.length < held.length ? `other protocols except ${left.join(", ")}` : held.join(",");
}
