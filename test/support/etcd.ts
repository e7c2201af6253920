import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { repoRoot } from "./conformance.js";

/**
 * Real etcd for tests: each call starts its own member on free loopback ports in a temp
 * dir and `stop()` kills it and removes the dir. CI installs etcd at /usr/bin/etcd
 * (override with PALISADE_ETCD); when it is missing the tests fail loudly, because a green
 * run without etcd would prove nothing.
 */
export const ETCD_BINARY = process.env.PALISADE_ETCD ?? "/usr/bin/etcd";

export interface TestEtcd {
  endpoint: string;
  client: Etcd3;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startEtcd(): Promise<TestEtcd> {
  if (!existsSync(ETCD_BINARY)) {
    throw new Error(`etcd not found at ${ETCD_BINARY}: install it (Debian/Ubuntu: apt-get install etcd-server) or set PALISADE_ETCD`);
  }
  const dir = mkdtempSync(join(tmpdir(), "palisade-etcd-"));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    ETCD_BINARY,
    [
      "--name", "palisade-test",
      "--data-dir", join(dir, "data"),
      "--listen-client-urls", endpoint,
      "--advertise-client-urls", endpoint,
      "--listen-peer-urls", peer,
      "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `palisade-test=${peer}`,
      "--log-level", "error",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const client = new Etcd3({ hosts: endpoint, dialTimeout: 2_000 });
  const stop = async (): Promise<void> => {
    client.close();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with ${child.exitCode} before it was ready: ${stderr}`);
    }
    try {
      await client.put("/palisade-test/ready").value("1");
      await client.delete().key("/palisade-test/ready");
      break;
    } catch (err) {
      if (attempt > 200) {
        await stop();
        throw new Error(`etcd did not become ready: ${(err as Error).message}: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { endpoint, client, stop };
}

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
 * The compiled CLI entry, rebuilt once per test process when a source it runs on (CLI,
 * adapters, encryption core) is newer than the build: end-to-end tests spawn the real
 * `palisade` binary as a child process, exactly as an operator runs it.
 */
export function builtCli(): string {
  if (cliChecked) return cliChecked;
  const main = join(repoRoot, "dist/src/cli/main.js");
  const newest = Math.max(...["src/cli", "src/adapters", "src/encryption", "src/k8s"].map((d) => newestSource(join(repoRoot, d))));
  if (!existsSync(main) || statSync(main).mtimeMs < newest) {
    // tsc emits even when another area's file has a type error; our own files are checked by the typecheck step.
    spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(repoRoot, "tsconfig.build.json")], { stdio: "ignore" });
    if (!existsSync(main)) throw new Error("could not build the CLI (npm run build)");
  }
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
