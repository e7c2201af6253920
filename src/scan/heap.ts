import { createRequire } from "node:module";
import type * as V8 from "node:v8";

/**
 * For a process that runs one large scan and exits (the CLI): keep V8's young generation at
 * its starting size instead of letting it double up to 2 × 16 MB.
 *
 * A scan keeps a steady trickle of survivors (findings, the objects some families read), so
 * V8 keeps growing the young generation, and every page of it is memory touched for the first
 * time. On the 2-core VM the benchmarks run on, a first touch costs ~12 µs per 4 KiB page; a
 * young generation held small saves 20–25 MB of peak memory and ~10% of a Pod Security scan
 * (BENCHMARKS.md). Only the growth factor can change once V8 is running (it is read at each
 * growth; the maximum size is fixed at start-up), so this is the one knob a running process has.
 *
 * It changes a process-wide setting, so the library never calls it on its own: a host
 * process decides (the CLI does, for `palisade scan`).
 */
export function keepYoungGenerationSmall(): void {
  // node:v8 is required here, not imported: loading it (and the streams it pulls in) costs
  // every importer of the library a few milliseconds, for a call only the CLI makes.
  (createRequire(import.meta.url)("node:v8") as typeof V8).setFlagsFromString("--semi-space-growth-factor=1");
}
