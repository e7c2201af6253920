/**
 * A request the client ends mid-body (it closes the connection, or the request timeout cuts
 * it off) is a client event: counted as 499 / 408, logged below error level without a stack,
 * and the timed-out client is told 408 as Node does. A genuine fault of the server is still a
 * 500 logged at error level.
 */
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { restrictedPod, reviewBody } from "../admission/fixtures.js";
import { startTestServer, testPki, type TestServer } from "./support.js";

let server: TestServer;
const engine: WebhookEngine = {
  validate: (request) => {
    if (request.name === "explode") throw new Error("engine bug");
    return { response: { uid: request.uid, allowed: true }, records: [], exceptionsUsed: [] };
  },
  mutate: (request) => ({ response: { uid: request.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  observe: () => undefined,
};

beforeAll(async () => {
  server = await startTestServer(engine, { requestTimeoutSeconds: 1 });
});
afterAll(async () => server?.close());

/** Send a request head promising 100 bytes and 5 of them; `abort` then destroys the socket. Resolves with what the server wrote back. */
async function partialRequest(path: string, abort: boolean): Promise<string> {
  const pki = await testPki();
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: pki.ca.certPem, servername: "localhost" }, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"api`, () => {
        if (abort) setTimeout(() => socket.destroy(), 50);
      });
    });
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

async function metricsText(): Promise<string> {
  return (await server.post("/metrics", "", { method: "GET" })).text;
}

/** The server records a request after the client's side is gone: wait (bounded) for it. */
async function waitForMetric(pattern: RegExp): Promise<string> {
  let text = await metricsText();
  for (let i = 0; i < 100 && !pattern.test(text); i++) {
    await new Promise((r) => setTimeout(r, 20));
    text = await metricsText();
  }
  return text;
}

const errorLines = () => server.logs.filter((line) => /"level":50/.test(line) || /"stack"/.test(line));

describe("a request the client ends", () => {
  it("counts a body aborted by the client as 499, at debug level, with no stack", async () => {
    for (const path of ["/validate", "/authenticate"]) await partialRequest(path, true);
    const text = await waitForMetric(/endpoint="\/authenticate",code="499"\} 1/);
    expect(text).toMatch(/palisade_webhook_requests_total\{endpoint="\/validate",code="499"\} 1/);
    expect(text).toMatch(/palisade_webhook_requests_total\{endpoint="\/authenticate",code="499"\} 1/);
    expect(text).not.toMatch(/code="500"/);
    expect(errorLines()).toEqual([]);
    const logged = server.logs.filter((line) => line.includes("request ended by the client"));
    expect(logged.length).toBe(2);
    for (const line of logged) expect((JSON.parse(line) as { level: number }).level).toBeLessThan(40);
  });

  it("answers a client cut off by the request timeout 408 and counts it as 408, not 500", async () => {
    const answer = await partialRequest("/validate", false);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const text = await waitForMetric(/endpoint="\/validate",code="408"\} 1/);
    expect(text).toMatch(/palisade_webhook_requests_total\{endpoint="\/validate",code="408"\} 1/);
    expect(text).not.toMatch(/code="500"/);
    // Unanswered requests stay out of the latency histogram: only the /metrics scrapes are in it.
    expect(text).not.toMatch(/palisade_webhook_request_duration_seconds_count\{endpoint="\/validate"\}/);
    expect(errorLines()).toEqual([]);
  });

  it("still answers and logs a genuine internal error as 500", async () => {
    const res = await server.post("/validate", reviewBody(restrictedPod("explode", "default")));
    expect(res.status).toBe(500);
    expect(await metricsText()).toMatch(/palisade_webhook_requests_total\{endpoint="\/validate",code="500"\} 1/);
    expect(server.logs.some((line) => /"level":50/.test(line) && line.includes("engine bug"))).toBe(true);
  });
});
