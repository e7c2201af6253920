/**
 * The port-less part of the connection universe, exactly: every IP protocol other than TCP,
 * UDP and SCTP, and for ICMP the type and code, as Calico's `protocol`, `notProtocol`,
 * `icmp` and `notICMP` can tell them apart. Connections are keys on one number line so that
 * PortSet's interval algebra works on them unchanged:
 *
 * - protocol p owns the block [p * BLOCK, (p + 1) * BLOCK);
 * - in ICMP's block (1) and ICMPv6's block (58) the key is type * 256 + code: the message
 *   types as the kernel reads them, ICMP in IPv4 and ICMPv6 in IPv6;
 * - the other family's ICMP number (protocol 1 over IPv6, 58 over IPv4) has no ICMP header
 *   the kernel's icmp or icmp6 match reads, so it is one more block of its own
 *   ((256 + p) * BLOCK), matched by protocol and never by type.
 */
import type { Protocol } from "./model.js";
import type { Ranges } from "./port-ranges.js";

const BLOCK = 0x10000;
export const ICMP = 1;
export const ICMPV6 = 58;
const CROSS_FAMILY = 256;
/** Protocol numbers that carry ports, which the port part of the universe holds. */
export const PORT_PROTOCOL_NUMBERS: Readonly<Record<number, "TCP" | "UDP" | "SCTP">> = { 6: "TCP", 17: "UDP", 132: "SCTP" };

/** The family whose kernel reads this ICMP number's types: 4 for ICMP, 6 for ICMPv6. */
export function icmpFamily(protocol: number): 4 | 6 | undefined {
  return protocol === ICMP ? 4 : protocol === ICMPV6 ? 6 : undefined;
}

function block(index: number): [number, number] {
  return [index * BLOCK, (index + 1) * BLOCK - 1];
}

/**
 * Protocol numbers a packet's transport can carry: 0 is none (IPv4 reserves it, IPv6's
 * hop-by-hop header is skipped before iptables reads the protocol), and `-p 0` means every
 * protocol to iptables.
 */
const FIRST_PROTOCOL = 1;

/** Every packet of one port-less protocol, in either family (none for a number no packet carries). */
export function protocolKeys(protocol: number): Ranges {
  if (!Number.isInteger(protocol) || protocol < FIRST_PROTOCOL || protocol > 255) return [];
  return icmpFamily(protocol) ? [...block(protocol), ...block(CROSS_FAMILY + protocol)] : block(protocol);
}

/** Every packet of one port-less protocol that `family` carries: for ICMP numbers, their messages in their own family or the other family's block. */
export function protocolKeysIn(protocol: number, family: 4 | 6): Ranges {
  const own = icmpFamily(protocol);
  if (own === undefined || own === family) return own === undefined ? protocolKeys(protocol) : block(protocol);
  return block(CROSS_FAMILY + protocol);
}

/** ICMP messages of one ICMP number in its own family: every type, one type, or one type and code. */
export function icmpKeys(protocol: typeof ICMP | typeof ICMPV6, type?: number, code?: number): Ranges {
  const base = protocol * BLOCK;
  if (type === undefined) return block(protocol);
  if (code === undefined) return [base + type * 256, base + type * 256 + 255];
  return [base + type * 256 + code, base + type * 256 + code];
}

/** The key of one packet; `family` says which IP version carries it (ICMP types are read in their own family only). */
export function packetKey(protocol: number, family: 4 | 6 | undefined, icmp?: { type?: number; code?: number }): number {
  const own = icmpFamily(protocol);
  if (own === undefined) return protocol * BLOCK;
  if (family !== undefined && family !== own) return (CROSS_FAMILY + protocol) * BLOCK;
  return protocol * BLOCK + (icmp?.type ?? 0) * 256 + (icmp?.code ?? 0);
}

/** Every port-less packet: protocols 1..255 but TCP, UDP and SCTP, with both ICMP numbers' other-family blocks. */
export const FULL_PORTLESS: Ranges = (() => {
  const out: number[] = [];
  const push = ([lo, hi]: [number, number]): void => {
    if (out.length > 0 && out[out.length - 1]! + 1 === lo) out[out.length - 1] = hi;
    else out.push(lo, hi);
  };
  for (let p = FIRST_PROTOCOL; p < 256; p++) if (PORT_PROTOCOL_NUMBERS[p] === undefined) push(block(p));
  push(block(CROSS_FAMILY + ICMP));
  push(block(CROSS_FAMILY + ICMPV6));
  return out;
})();

/**
 * The port-less packets one IP family can carry: everything but the other family's typed ICMP
 * block and this family's cross-family block (ICMP types are read in their own family only).
 */
export function familyPortless(family: 4 | 6): Ranges {
  const [typedElsewhere, crossElsewhere] = family === 4 ? [ICMPV6, CROSS_FAMILY + ICMP] : [ICMP, CROSS_FAMILY + ICMPV6];
  const out: number[] = [];
  for (let i = 0; i < FULL_PORTLESS.length; i += 2) {
    let lo = FULL_PORTLESS[i]!;
    const hi = FULL_PORTLESS[i + 1]!;
    for (const cut of [typedElsewhere, crossElsewhere].map(block).sort((a, b) => a[0] - b[0])) {
      if (cut[1] < lo || cut[0] > hi) continue;
      if (cut[0] > lo) out.push(lo, cut[0] - 1);
      lo = cut[1] + 1;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}

/**
 * One piece of a port-less set as a person (and JSON) reads it: a whole protocol; an ICMP
 * number in one family only; an ICMP type; or an ICMP type and code (types are always those
 * of the number's own family).
 */
export interface PortlessEntry {
  protocol: number;
  family?: 4 | 6;
  type?: number;
  code?: number;
}

/** Which part of [lo, hi] `ranges` covers: "all", "none" or "some". */
function coverage(ranges: Ranges, lo: number, hi: number): "all" | "none" | "some" {
  for (let i = 0; i < ranges.length; i += 2) {
    const a = ranges[i]!;
    const b = ranges[i + 1]!;
    if (b < lo) continue;
    if (a > hi) break;
    return a <= lo && b >= hi ? "all" : "some";
  }
  return "none";
}

/** The set as entries, coarsest first: whole protocols, then ICMP types, then single codes. */
export function portlessEntries(ranges: Ranges): PortlessEntry[] {
  const out: PortlessEntry[] = [];
  for (let p = FIRST_PROTOCOL; p < 256; p++) {
    if (PORT_PROTOCOL_NUMBERS[p] !== undefined) continue;
    const [lo, hi] = block(p);
    const typed = coverage(ranges, lo, hi);
    const own = icmpFamily(p);
    if (own === undefined) {
      if (typed !== "none") out.push({ protocol: p });
      continue;
    }
    const [clo, chi] = block(CROSS_FAMILY + p);
    const cross = coverage(ranges, clo, chi) === "all";
    if (typed === "all" && cross) {
      out.push({ protocol: p });
      continue;
    }
    if (cross) out.push({ protocol: p, family: own === 4 ? 6 : 4 });
    if (typed === "all") out.push({ protocol: p, family: own });
    else if (typed === "some") out.push(...icmpTypeEntries(ranges, p));
  }
  return out;
}

function icmpTypeEntries(ranges: Ranges, protocol: number): PortlessEntry[] {
  const out: PortlessEntry[] = [];
  for (let type = 0; type < 256; type++) {
    const lo = protocol * BLOCK + type * 256;
    const typeCoverage = coverage(ranges, lo, lo + 255);
    if (typeCoverage === "all") out.push({ protocol, type });
    else if (typeCoverage === "some") {
      for (let code = 0; code < 256; code++) if (coverage(ranges, lo + code, lo + code) === "all") out.push({ protocol, type, code });
    }
  }
  return out;
}

/** The keys of one entry (the inverse of portlessEntries, piece by piece). */
export function entryKeys(entry: PortlessEntry): Ranges {
  const own = icmpFamily(entry.protocol);
  if (own === undefined) return protocolKeys(entry.protocol);
  if (entry.type !== undefined) return icmpKeys(entry.protocol as typeof ICMP | typeof ICMPV6, entry.type, entry.code);
  if (entry.family === undefined) return protocolKeys(entry.protocol);
  return entry.family === own ? block(entry.protocol) : block(CROSS_FAMILY + entry.protocol);
}

/** A protocol number as the model names it: TCP, UDP, SCTP, ICMP and ICMPv6 by name, the rest by number. */
export function protocolOfNumber(protocol: number): Protocol {
  return PORT_PROTOCOL_NUMBERS[protocol] ?? (protocol === ICMP ? "ICMP" : protocol === ICMPV6 ? "ICMPv6" : protocol);
}

export function describeEntry(entry: PortlessEntry): string {
  const named = protocolOfNumber(entry.protocol);
  const name = typeof named === "number" ? `protocol ${named}` : named;
  if (entry.type !== undefined) return `${name} type ${entry.type}${entry.code !== undefined ? ` code ${entry.code}` : ""}`;
  return entry.family !== undefined ? `${name} over IPv${entry.family}` : name;
}
