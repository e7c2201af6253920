import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

/** The same CLI entry point in-process, capturing what it writes and the exit code it sets. */
export async function palisade(args: string[]) {
  let stdout = "";
  let stderr = "";
  const capture =
    (sink: (s: string) => void): Write =>
    (chunk, ...rest) => {
      sink(String(chunk));
      const callback = rest.find((r): r is () => void => typeof r === "function");
      callback?.();
      return true;
    };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture((s) => (stdout += s)) as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture((s) => (stderr += s)) as typeof process.stderr.write);
  try {
    process.exitCode = undefined;
    await main(["node", "palisade", ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}
