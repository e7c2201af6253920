import { Command } from "commander";
import { UserError } from "../../src/errors.js";

/** Run one command in-process, as bin/palisade does, capturing stdout, stderr and the exit code. */
export async function runCli(register: (program: Command) => void, argv: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (sink: (s: string) => void) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      sink(String(chunk));
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  const previous = process.exitCode;
  process.exitCode = 0;
  let code = 0;
  try {
    const program = new Command("palisade").exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: (s) => (stdout += s) });
    register(program);
    await program.parseAsync(["node", "palisade", ...argv]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof UserError) {
      stderr += `palisade: ${e.describe()}\n`;
      code = 2;
    } else if (e && typeof e === "object" && "exitCode" in e) code = 2;
    else throw e;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = previous;
  }
  return { stdout, stderr, code };
}
