/**
 * `palisade serve` as a real process (the built CLI, dist/), on a random loopback port,
 * with a client for it: what an API server or a kubelet probe would send.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:https";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { repoRoot } from "./conformance.js";

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** stdout and stderr so far (JSON log lines). */
  output(): string;
  call(path: string, body?: unknown): Promise<{ status: number; text: string }>;
  /** Poll until `check` holds (or fail with the process output). */
  until(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Start `serve --config FILE --port P [extra]`; `ca` verifies its certificate (read from the caBundle line with --self-signed). */
export async function startServe(config: string, options: { ca?: string; extra?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, [resolve(repoRoot, "bin/palisade.js"), "serve", "--config", config, "--port", String(port), ...(options.extra ?? [])], {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env ?? { ...process.env, KUBERNETES_SERVICE_HOST: "", KUBERNETES_SERVICE_PORT: "" },
  });
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  let ca = options.ca;
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; serve output:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const call = (path: string, body?: unknown) =>
    new Promise<{ status: number; text: string }>((done, fail) => {
      const req = request({ host: "127.0.0.1", port, path, method: body === undefined ? "GET" : "POST", ca, servername: "localhost", agent: false, headers: { "Content-Type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on("error", fail);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  if (!ca) {
    await until("the caBundle line", async () => /caBundle: (\S+)\n/.test(output));
    ca = Buffer.from(/caBundle: (\S+)\n/.exec(output)![1]!, "base64").toString();
  }
  await until("the server to listen", async () => (await call("/healthz")).status === 200);
  return {
    child,
    port,
    output: () => output,
    call,
    until,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}
