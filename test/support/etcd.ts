import { spawn } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ETCD_BINARY, freePort, launchLocalEtcd, type LocalEtcd } from "../../src/adapters/etcd-launch.js";
import { repoRoot } from "./conformance.js";

/**
 * Real etcd for tests: each call starts its own member on free loopback ports in a temp
 * dir and `stop()` kills it and removes the dir (src/adapters/etcd-launch.ts, shared with
 * the benchmarks). When /usr/bin/etcd (or PALISADE_ETCD) is missing the tests fail loudly,
 * because a green run without etcd would prove nothing.
 */
export type TestEtcd = LocalEtcd;
export const startEtcd = launchLocalEtcd;
export { ETCD_BINARY, freePort };

/** Newest mtime (ms) of the .ts files under a directory. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let cliChecked: string | undefined;

/**
 * The CLI as an operator runs it (bin/palisade.js, which loads dist/bundle/), checked once
 * per test process against the sources: end-to-end tests spawn the real binary, and a
 * bundle older than src/ would test yesterday's code. `npm test` builds first; a stale
 * bundle in a single-file run is refused rather than rebuilt here, because test files run
 * in parallel and a rebuild empties dist/bundle/ under the others.
 */
export function builtCli(): string {
  if (cliChecked) return cliChecked;
  const bundle = join(repoRoot, "dist/bundle/main.js");
  if (!existsSync(bundle)) throw new Error("dist/bundle/main.js is missing: run `npm run build` first");
  const newest = newestSource(join(repoRoot, "src"));
  if (statSync(bundle).mtimeMs < newest) throw new Error("dist/bundle/ is older than src/: run `npm run build` first");
  cliChecked = join(repoRoot, "bin/palisade.js");
  return cliChecked;
}

/**
 * Runs the real CLI as a child process without blocking this process's event loop (the
 * test process may be serving the KMS plugin the child dials).
 */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli(), ...args], { env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
