import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { afterAll } from "vitest";
import { registerAuthnCommand } from "../../../src/cli/authn.js";
import { UserError } from "../../../src/errors.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command module in-process, as bin/palisade would: UserErrors become one line on
 * stderr and exit 2. Only the given command is registered, so other areas' commands cannot
 * break these tests.
 */
export async function runCli(register: (program: Command) => void, args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const previousExit = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  let code = 0;
  try {
    const program = new Command("palisade").exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: (s) => (stdout += s) });
    register(program);
    await program.parseAsync(["node", "palisade", ...args]);
    code = typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
    else if (err instanceof UserError) {
      stderr += `palisade: ${err.describe()}\n`;
      code = 2;
    } else throw err;
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = previousExit;
  }
  return { code, stdout, stderr };
}

export const ISSUER = "https://issuer.example.com";
/** The clock the CLI tests pass as --now, and its NumericDate. */
export const AT = "2026-06-01T12:00:00Z";
export const T = Math.floor(Date.parse(AT) / 1000);

/**
 * One test file's scratch directory (removed after the file) and `palisade authn` run in
 * process: what every authn CLI test starts with.
 */
export function authnCli(prefix: string): { dir: string; file: (name: string, text: string) => string; run: (...args: string[]) => Promise<CliRun> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return { dir, file, run: (...args: string[]) => runCli(registerAuthnCommand, ["authn", ...args]) };
}
