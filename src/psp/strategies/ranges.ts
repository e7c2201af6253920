import type { IDRange } from "../policy.js";

/** Go's `%v` of a []IDRange, as upstream's messages print it: `[{1 100} {200 300}]`. */
export function formatRanges(ranges: readonly IDRange[]): string {
  return `[${ranges.map((r) => `{${r.min} ${r.max}}`).join(" ")}]`;
}

export function inRanges(id: number, ranges: readonly IDRange[]): boolean {
  return ranges.some((r) => id >= r.min && id <= r.max);
}
