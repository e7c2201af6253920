/**
 * Sets of integers as sorted, disjoint, non-adjacent inclusive ranges flattened as
 * [lo0, hi0, lo1, hi1, ...], and their boolean combination: the arithmetic under PortSet's
 * ports, its port-less keys and its source-port bands.
 */
export type Ranges = readonly number[];

export const EMPTY_RANGES: Ranges = [];

export function pairsOf(ranges: Ranges): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) out.push([ranges[i]!, ranges[i + 1]!]);
  return out;
}

export function contains(ranges: Ranges, at: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (at >= ranges[i]! && at <= ranges[i + 1]!) return true;
  return false;
}

export function sameRanges(a: Ranges, b: Ranges): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Boolean combination of two range lists by a sweep over their boundaries. */
export function sweep(a: Ranges, b: Ranges, keep: (inA: boolean, inB: boolean) => boolean): Ranges {
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
