/**
 * IP addresses and CIDR blocks as integer ranges (IPv4 and IPv6, via ipaddr.js), and the
 * cutting of external address space into the disjoint blocks that the ipBlocks in use
 * distinguish, so a matrix can report one line per block.
 */
import { ipaddr } from "./ipaddr.js";

export type IpFamily = 4 | 6;

export interface IpRange {
  family: IpFamily;
  /** First and last address, inclusive. */
  first: bigint;
  last: bigint;
}

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** Parse an address; undefined when it is not an IPv4 or IPv6 address. IPv4-mapped IPv6 stays IPv6. */
export function parseIp(text: string): { family: IpFamily; value: bigint } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  // ipaddr.isValid accepts shorthand IPv4 like "10.1"; Kubernetes does not.
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const addr = ipaddr.parse(text);
  return { family: addr.kind() === "ipv4" ? 4 : 6, value: toBigInt(addr.toByteArray()) };
}

const parsedIps = new Map<string, { family: IpFamily; value: bigint } | undefined>();

/** parseIp, remembered: the same few addresses are tested against many blocks. */
export function parseIpCached(text: string): { family: IpFamily; value: bigint } | undefined {
  if (parsedIps.has(text)) return parsedIps.get(text);
  if (parsedIps.size > 100_000) parsedIps.clear();
  const ip = parseIp(text);
  parsedIps.set(text, ip);
  return ip;
}

/**
 * Parse a CIDR. Host bits set are accepted and dropped (the API server's ParseCIDR does the
 * same for NetworkPolicy ipBlocks); undefined when it is not a CIDR.
 */
export function parseCidr(text: string): IpRange | undefined {
  if (parsedCidrs.has(text)) return parsedCidrs.get(text);
  if (parsedCidrs.size > 100_000) parsedCidrs.clear();
  // Frozen: every caller shares the one range, so one that changed it would change it for all.
  const range = parseCidrText(text);
  parsedCidrs.set(text, range && Object.freeze(range));
  return range;
}

/** Remembered: validation, compilation and each lint read a policy's CIDRs again, and a policy may name thousands. */
const parsedCidrs = new Map<string, IpRange | undefined>();

function parseCidrText(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = familyBits(ip.family);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, first, last: first + (1n << hostBits) - 1n };
}

export function rangeContains(range: IpRange, ip: { family: IpFamily; value: bigint }): boolean {
  return range.family === ip.family && ip.value >= range.first && ip.value <= range.last;
}

/** `range` lies entirely inside `outer`. */
export function rangeWithin(range: IpRange, outer: IpRange): boolean {
  return range.family === outer.family && range.first >= outer.first && range.last <= outer.last;
}

export function formatIp(family: IpFamily, value: bigint): string {
  const bytes: number[] = [];
  for (let i = familyBits(family) / 8 - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** `a.b.c.d-e.f.g.h`, as np-guard prints external blocks. */
export function formatRange(range: IpRange): string {
  return `${formatIp(range.family, range.first)}-${formatIp(range.family, range.last)}`;
}

/**
 * Cut the whole address space of each family into disjoint blocks at every boundary of the
 * given ranges, so that every range is a union of blocks. IPv6 blocks only appear when an
 * IPv6 range is given.
 */
export function cutAddressSpace(ranges: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  for (const family of [4, 6] as const) {
    const ofFamily = ranges.filter((r) => r.family === family);
    if (family === 6 && ofFamily.length === 0) continue;
    const max = (1n << BigInt(familyBits(family))) - 1n;
    const starts = new Set<bigint>([0n]);
    for (const r of ofFamily) {
      starts.add(r.first);
      if (r.last < max) starts.add(r.last + 1n);
    }
    const sorted = [...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    sorted.forEach((first, i) => {
      const next = sorted[i + 1];
      out.push({ family, first, last: next === undefined ? max : next - 1n });
    });
  }
  return out;
}

function byFirst(a: IpRange, b: IpRange): number {
  return a.first < b.first ? -1 : a.first > b.first ? 1 : 0;
}

/** `range` without the addresses of `holes`, as disjoint ranges in order. */
export function rangeWithout(range: IpRange, holes: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  let next = range.first;
  for (const hole of holes.filter((h) => h.family === range.family && h.last >= range.first && h.first <= range.last).sort(byFirst)) {
    if (hole.first > next) out.push({ family: range.family, first: next, last: hole.first - 1n });
    if (hole.last + 1n > next) next = hole.last + 1n;
  }
  if (next <= range.last) out.push({ family: range.family, first: next, last: range.last });
  return out;
}

/** Ranges of one family as disjoint ranges in order, overlapping and touching ones joined (new objects). */
export function joinedRanges(ranges: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  for (const r of [...ranges].sort(byFirst)) {
    const last = out[out.length - 1];
    if (last && r.first <= last.last + 1n) {
      if (r.last > last.last) last.last = r.last;
    } else out.push({ family: r.family, first: r.first, last: r.last });
  }
  return out;
}

/**
 * A union of ranges that answers whether it holds an address by binary search. A rule may
 * name thousands of CIDRs (a partner list, a threat feed), and the matrix asks it about
 * every block those CIDRs cut: testing each CIDR in turn made that quadratic.
 */
export class RangeIndex {
  /** Per family, disjoint ranges in order, touching ones joined. */
  private readonly byFamily: Record<IpFamily, readonly IpRange[]>;

  constructor(ranges: readonly IpRange[]) {
    this.byFamily = { 4: joinedRanges(ranges.filter((r) => r.family === 4)), 6: joinedRanges(ranges.filter((r) => r.family === 6)) };
  }

  has(ip: { family: IpFamily; value: bigint }): boolean {
    const ranges = this.byFamily[ip.family];
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const range = ranges[mid]!;
      if (ip.value < range.first) high = mid - 1;
      else if (ip.value > range.last) low = mid + 1;
      else return true;
    }
    return false;
  }
}

const indexes = new WeakMap<readonly IpRange[], RangeIndex>();

/** The index of a list of ranges that lives as long as the list (a rule's nets, a network set's). */
export function rangeIndexOf(ranges: readonly IpRange[]): RangeIndex {
  let index = indexes.get(ranges);
  if (!index) indexes.set(ranges, (index = new RangeIndex(ranges)));
  return index;
}
