/**
 * `palisade scan FILE` through the built CLI in every output format, stdout and stderr of all
 * of them together: what a test searches for a secret that must appear in none of them.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./conformance.js";

export const OUTPUT_FORMATS = ["json", "sarif", "text", "wide", "github", "junit", "yaml"] as const;

/** Every format's output for a scan that finds something (exit 1, which is asserted). */
export function scanInEveryFormat(file: string): string {
  let out = "";
  for (const format of OUTPUT_FORMATS) {
    try {
      execFileSync(process.execPath, [join(repoRoot, "bin/palisade.js"), "scan", file, "-o", format], { encoding: "utf8", env: { ...process.env, CI: "true" } });
      throw new Error(`expected exit 1 from -o ${format}`);
    } catch (err) {
      const e = err as { status?: number; stdout?: string; stderr?: string; message: string };
      if (e.status !== 1) throw new Error(`palisade scan -o ${format} exited ${String(e.status)}, not 1: ${e.stderr ?? e.message}`);
      out += (e.stdout ?? "") + (e.stderr ?? "");
    }
  }
  return out;
}
