/**
 * Source ports. A Calico rule may match the port a packet comes from, so a set of TCP, UDP
 * or SCTP connections can hold different destination ports from different source ports.
 * Bands cut the source-port axis 0..65535 into segments, each with the destination ports
 * held from every source port in it. Port 0 is on the axis: Felix's own tests send from it
 * and a rule's range may name it (the destination side's universe starts at 1). A protocol
 * that holds the same ports from every source port has no bands: the plain case, and every
 * Kubernetes policy's.
 */
import { EMPTY_RANGES, sameRanges, sweep, type Ranges } from "./port-ranges.js";

export const MIN_SOURCE_PORT = 0;
export const MAX_SOURCE_PORT = 65535;

/** Source ports from..to (inclusive) and the destination ports held from each of them (never empty). */
export interface SourceBand {
  from: number;
  to: number;
  ports: Ranges;
}

/** Sorted, disjoint segments; adjacent ones hold different ports. */
export type Bands = readonly SourceBand[];

/** Destination ports held from every source port, as bands. */
export function plainBands(ports: Ranges): Bands {
  return ports.length === 0 ? [] : [{ from: MIN_SOURCE_PORT, to: MAX_SOURCE_PORT, ports }];
}

/** The ports held from every source port when the bands hold the same from all of them; undefined otherwise. */
export function asPlain(bands: Bands): Ranges | undefined {
  if (bands.length === 0) return EMPTY_RANGES;
  const only = bands[0]!;
  return bands.length === 1 && only.from === MIN_SOURCE_PORT && only.to === MAX_SOURCE_PORT ? only.ports : undefined;
}

/** Destination ports held from one source port. */
export function portsFrom(bands: Bands, source: number): Ranges {
  for (const band of bands) if (source >= band.from && source <= band.to) return band.ports;
  return EMPTY_RANGES;
}

/** Destination ports held from at least one source port. */
export function portsFromAny(bands: Bands): Ranges {
  return bands.reduce<Ranges>((out, band) => sweep(out, band.ports, (a, b) => a || b), EMPTY_RANGES);
}

/** Destination ports held from every source port 0..65535. */
export function portsFromEvery(bands: Bands): Ranges {
  let next = MIN_SOURCE_PORT;
  let out: Ranges | undefined;
  for (const band of bands) {
    if (band.from !== next) return EMPTY_RANGES;
    out = out === undefined ? band.ports : sweep(out, band.ports, (a, b) => a && b);
    next = band.to + 1;
  }
  return next === MAX_SOURCE_PORT + 1 && out ? out : EMPTY_RANGES;
}

/** Boolean combination segment by segment of the source-port axis, cut at every edge of either side. */
export function combineBands(a: Bands, b: Bands, keep: (inA: boolean, inB: boolean) => boolean): Bands {
  const edges = new Set<number>([MIN_SOURCE_PORT, MAX_SOURCE_PORT + 1]);
  for (const band of [...a, ...b]) edges.add(band.from).add(band.to + 1);
  const cuts = [...edges].sort((x, y) => x - y);
  const out: SourceBand[] = [];
  let ia = 0;
  let ib = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k]!;
    const to = cuts[k + 1]! - 1;
    while (ia < a.length && a[ia]!.to < from) ia++;
    while (ib < b.length && b[ib]!.to < from) ib++;
    const inA = ia < a.length && a[ia]!.from <= from ? a[ia]!.ports : EMPTY_RANGES;
    const inB = ib < b.length && b[ib]!.from <= from ? b[ib]!.ports : EMPTY_RANGES;
    const ports = sweep(inA, inB, keep);
    if (ports.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.to + 1 === from && sameRanges(last.ports, ports)) out[out.length - 1] = { from: last.from, to, ports };
    else out.push({ from, to, ports });
  }
  return out;
}

export function sameBands(a: Bands, b: Bands): boolean {
  return a.length === b.length && a.every((band, i) => band.from === b[i]!.from && band.to === b[i]!.to && sameRanges(band.ports, b[i]!.ports));
}

/** Each distinct set of destination ports with every source port that holds exactly it, in order of first source. */
export function groupBySources(bands: Bands): { sources: Ranges; ports: Ranges }[] {
  const groups: { sources: number[]; ports: Ranges }[] = [];
  for (const band of bands) {
    let group = groups.find((g) => sameRanges(g.ports, band.ports));
    if (!group) groups.push((group = { sources: [], ports: band.ports }));
    // Bands are sorted and adjacent ones differ, so a group's sources stay sorted and non-adjacent.
    group.sources.push(band.from, band.to);
  }
  return groups;
}
