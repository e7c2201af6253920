/**
 * `palisade serve` as shipped: a real process with two HTTP workers (node:cluster), the
 * --self-signed caBundle on stdout, cluster knowledge shared between workers, and /metrics
 * aggregated by the primary. Runs the built CLI (npm test builds before vitest).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { namespace, pod, reviewBody } from "../admission/fixtures.js";

const PORT = 19000 + Math.floor(Math.random() * 500);
let child: ChildProcess;
let ca = "";
let stdout = "";

function post(path: string, body: unknown, method = "POST"): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    // A new connection each time, so the primary hands requests to both workers in turn.
    const req = request({ host: "127.0.0.1", port: PORT, path, method, ca, servername: "localhost", agent: false, headers: { "Content-Type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", fail);
    req.end(method === "POST" ? JSON.stringify(body) : undefined);
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-workers-"));
  writeFileSync(join(dir, "config.yaml"), "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver: {workers: 2, logLevel: info}\npolicies:\n  podSecurity: {mode: enforce}\n");
  child = spawn(process.execPath, [resolve(repoRoot, "bin/palisade.js"), "serve", "--config", join(dir, "config.yaml"), "--self-signed", "localhost", "--port", String(PORT)], { stdio: ["ignore", "pipe", "inherit"] });
  // The caBundle line, then the JSON log lines, all on stdout.
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  for (let i = 0; i < 600 && !/caBundle: (\S+)\n/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
  ca = Buffer.from(/caBundle: (\S+)\n/.exec(stdout)![1]!, "base64").toString();
  await listeningWorkers(2);
}, 90_000);

/** Worker pids from the structured "listening" log lines, once `count` of them are up. */
async function listeningWorkers(count: number): Promise<number[]> {
  for (let i = 0; i < 900; i++) {
    const pids = stdout
      .split("\n")
      .filter((line) => line.includes('"palisade webhook listening"'))
      .map((line) => (JSON.parse(line) as { pid: number }).pid);
    if (pids.length >= count) return pids;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${count} workers came up; output:\n${stdout}`);
}

afterAll(() => {
  child?.kill("SIGTERM");
});

describe("palisade serve with two workers", () => {
  it("prints a caBundle the serving certificate chains to", async () => {
    expect(ca).toContain("BEGIN CERTIFICATE");
    expect((await post("/healthz", undefined, "GET")).text).toBe("ok");
  });

  it("shares what one worker learns and finds pods seen by every worker", async () => {
    // Pods land on both workers (one connection each, round robin).
    for (const name of ["p1", "p2", "p3", "p4"]) {
      const res = await post("/validate", reviewBody(pod(name, "open", { hostNetwork: true })));
      expect(res.status).toBe(200);
    }
    const tighten = await post("/validate", reviewBody(namespace("open", { "pod-security.kubernetes.io/enforce": "baseline" }), { operation: "UPDATE", oldObject: namespace("open") }));
    const warnings = (JSON.parse(tighten.text) as { response: { warnings: string[] } }).response.warnings;
    expect(warnings).toEqual(['existing pods in namespace "open" violate the new PodSecurity enforce level "baseline:latest"', "p1 (and 3 other pods): host namespaces"]);
    // The namespace update itself reached every worker: pods are now judged at baseline everywhere.
    for (let i = 0; i < 4; i++) {
      const res = JSON.parse((await post("/validate", reviewBody(pod(`q${i}`, "open", { hostNetwork: true })))).text) as { response: { allowed: boolean } };
      expect(res.response.allowed).toBe(false);
    }
  });

  it("resumes a TLS session whichever worker takes the connection (API server reconnects stay cheap)", async () => {
    const connect = (session?: Buffer) =>
      new Promise<{ reused: boolean; session: Buffer | undefined }>((done, fail) => {
        let ticket: Buffer | undefined;
        let reused = false;
        const socket = tlsConnect({ host: "127.0.0.1", port: PORT, ca, servername: "localhost", ...(session ? { session } : {}) });
        socket.on("session", (s: Buffer) => (ticket = s));
        socket.on("secureConnect", () => {
          reused = socket.isSessionReused();
          socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        });
        socket.on("error", fail);
        socket.on("close", () => done({ reused, session: ticket }));
        socket.resume();
      });
    const first = await connect();
    expect(first.session).toBeDefined();
    // Round robin: of four new connections, two land on the worker that did not issue the ticket.
    const again = await Promise.all([1, 2, 3, 4].map(() => connect(first.session)));
    expect(again.map((c) => c.reused)).toEqual([true, true, true, true]);
  });

  it("aggregates /metrics over the workers", async () => {
    const metrics = (await post("/metrics", undefined, "GET")).text;
    const validated = /palisade_webhook_requests_total\{endpoint="\/validate",code="200"\} (\d+)/.exec(metrics);
    expect(Number(validated?.[1])).toBe(9);
  });

  it("teaches a replacement worker what the others learnt before it started", async () => {
    const [first, second] = await listeningWorkers(2);
    // Kill both original workers, one after the other, so that only replacements serve.
    for (const pid of [first!, second!]) process.kill(pid, "SIGKILL");
    await listeningWorkers(4);
    for (let i = 0; i < 4; i++) {
      const res = JSON.parse((await post("/validate", reviewBody(pod(`r${i}`, "open", { hostNetwork: true })))).text) as { response: { allowed: boolean } };
      expect(res.response.allowed).toBe(false);
    }
  }, 60_000);

  // Last: it ends the server. A worker whose primary died gets no new connections; it must
  // exit, not linger as an orphan (nor crash on EPIPE when it next writes to the primary).
  it("workers exit when the primary is killed", async () => {
    const workers = (await listeningWorkers(4)).slice(2);
    child.kill("SIGKILL");
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 300 && workers.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(workers.filter(alive)).toEqual([]);
  }, 60_000);
});
