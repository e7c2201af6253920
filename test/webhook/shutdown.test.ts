/**
 * Graceful shutdown: SIGTERM (the kubelet stopping the pod) must not cut a request that
 * kube-apiserver has already sent; it is answered, then the process exits 0. In-process
 * through RunningServer.shutdown, and through the built CLI (npm test builds before vitest)
 * with one process and with two workers.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request, type RequestOptions } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { repoRoot } from "../support/conformance.js";
import { reviewBody } from "../admission/fixtures.js";
import { startTestServer, testPki, type TestServer } from "./support.js";

const allowAll: WebhookEngine = {
  validate: (request) => ({ response: { uid: request.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  mutate: (request) => ({ response: { uid: request.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  observe: () => undefined,
};

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

/**
 * A POST whose headers go out at once (with Expect: 100-continue, so that the server's
 * "100 Continue" proves it has them) and whose body is sent only when `finish` is called.
 */
function openRequest(options: RequestOptions, body: string): Promise<{ finish(): Promise<Answer> }> {
  return new Promise((ready, fail) => {
    let answered!: (answer: Answer) => void;
    let failed!: (err: Error) => void;
    const answer = new Promise<Answer>((done, reject) => {
      answered = done;
      failed = reject;
    });
    // Awaited only through finish(): a request never finished may fail unobserved.
    answer.catch(() => undefined);
    // A failure before `finish` fails the opening; afterwards, the answer.
    let opened = false;
    const req = request({ ...options, method: "POST", agent: false, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), Expect: "100-continue" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => answered({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", (err) => (opened ? failed(err) : fail(err)));
    req.on("continue", () => {
      opened = true;
      ready({
        finish: () => {
          req.end(body);
          return answer;
        },
      });
    });
    req.flushHeaders();
  });
}

describe("graceful shutdown in process", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(allowAll);
  });
  afterAll(async () => server?.close());

  it("answers a request in flight, closes its connection, then stops accepting and resolves", async () => {
    const pki = await testPki();
    const body = reviewBody(null, { operation: "DELETE", kind: "ConfigMap", name: "c", namespace: "a" });
    const open = await openRequest({ host: "127.0.0.1", port: server.port, path: "/validate?timeout=10s", ca: pki.ca.certPem, servername: "localhost" }, JSON.stringify(body));
    const stopped = server.running.shutdown();
    const answer = await open.finish();
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as { response: { uid: string } }).response.uid).toBe((body.request as { uid: string }).uid);
    expect(answer.headers.connection).toBe("close");
    await stopped;
    const refused = await new Promise<string>((done) => {
      const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: pki.ca.certPem, servername: "localhost" }, () => done("connected"));
      socket.on("error", (err: NodeJS.ErrnoException) => done(err.code ?? "error"));
    });
    expect(refused).toBe("ECONNREFUSED");
  }, 20_000);

  it("cuts a client that never finishes its request once the grace period is over", async () => {
    const slow = await startTestServer(allowAll);
    const pki = await testPki();
    await openRequest({ host: "127.0.0.1", port: slow.port, path: "/validate", ca: pki.ca.certPem, servername: "localhost" }, JSON.stringify(reviewBody(null, { operation: "DELETE", kind: "ConfigMap", name: "c" })));
    // Resolving at all is the point: the connection would otherwise hold the shutdown open
    // (Node's close() stops the request timeout that would have cut it).
    await slow.running.shutdown(200);
    await slow.close();
  }, 20_000);
});

describe("palisade serve on SIGTERM", () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-shutdown-"));
  writeFileSync(join(dir, "config.yaml"), "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver: {logLevel: info}\npolicies:\n  podSecurity: {mode: enforce}\n");

  for (const workers of [1, 2]) {
    it(`answers the request in flight and exits 0 (${workers} worker${workers > 1 ? "s" : ""})`, async () => {
      const child = spawn(process.execPath, [resolve(repoRoot, "bin/palisade.js"), "serve", "--config", join(dir, "config.yaml"), "--self-signed", "localhost", "--port", "0", "--workers", String(workers)], { stdio: ["ignore", "pipe", "inherit"] });
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
      const until = async (test: () => boolean) => {
        for (let i = 0; i < 600 && !test(); i++) await new Promise((r) => setTimeout(r, 100));
        if (!test()) throw new Error(`timed out; output:\n${stdout}`);
      };
      const count = (text: string) => stdout.split(text).length - 1;
      try {
        await until(() => /caBundle: (\S+)\n/.test(stdout) && count('"palisade webhook listening"') >= workers);
        const ca = Buffer.from(/caBundle: (\S+)\n/.exec(stdout)![1]!, "base64").toString();
        const port = (JSON.parse(stdout.split("\n").find((line) => line.includes('"palisade webhook listening"'))!) as { port: number }).port;
        const body = reviewBody(null, { operation: "DELETE", kind: "ConfigMap", name: "c", namespace: "a" });
        const open = await openRequest({ host: "127.0.0.1", port, path: "/validate?timeout=10s", ca, servername: "localhost" }, JSON.stringify(body));
        child.kill("SIGTERM");
        // Every serving process has begun to drain before the body is sent.
        await until(() => count("finishing requests in flight") >= workers || child.exitCode !== null || child.signalCode !== null);
        const answer = await open.finish();
        expect(answer.status).toBe(200);
        expect((JSON.parse(answer.text) as { response: { uid: string } }).response.uid).toBe((body.request as { uid: string }).uid);
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    }, 90_000);
  }
});
