/** `palisade netpol ...` in process, with its stdout, stderr and exit code (for the netpol CLI tests). */
import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

export async function runNetpol(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const write = (sink: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  const o = vi.spyOn(process.stdout, "write").mockImplementation(write((s) => (out += s)));
  const e = vi.spyOn(process.stderr, "write").mockImplementation(write((s) => (err += s)));
  process.exitCode = 0;
  try {
    await main(["node", "palisade", "netpol", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
