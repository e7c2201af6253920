/**
 * A review over maxBodyBytes is answered 413 with a RequestEntityTooLarge Status that the
 * client reads, whether the client declared the size (Content-Length, no Expect: the way
 * kube-apiserver's Go client sends) or streamed it (chunked): the server reads and drops
 * the rest of the body before closing, so the client is never reset mid-write.
 */
import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { pod, reviewBody } from "../admission/fixtures.js";
import { startTestServer, testPki, type TestServer } from "./support.js";

const LIMIT = 3 * 1024 * 1024;
const FOUR_MB = 4 * 1024 * 1024;
let server: TestServer;
const engine: WebhookEngine = {
  validate: (request) => ({ response: { uid: request.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  mutate: (request) => ({ response: { uid: request.uid, allowed: true }, records: [], exceptionsUsed: [] }),
  observe: () => undefined,
};

beforeAll(async () => {
  server = await startTestServer(engine, { maxBodyBytes: LIMIT });
});
afterAll(async () => server?.close());

/** A review of a Pod padded (an annotation) to exactly `size` bytes of JSON. */
function bigReview(size: number): string {
  const body = reviewBody(pod("big", "default", {}, { annotations: { pad: "" } }));
  (body.request as { uid: string }).uid = "u";
  const text = JSON.stringify(body);
  return text.replace('"pad":""', `"pad":"${"x".repeat(size - text.length)}"`);
}

/** POST in 64 KiB writes, as a client that does not wait for an answer before sending. */
async function post(body: string, headers: Record<string, string | number>): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const pki = await testPki();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port: server.port, path: "/validate", method: "POST", ca: pki.ca.certPem, servername: "localhost", agent: false, headers: { "Content-Type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    const bytes = Buffer.from(body);
    let offset = 0;
    const pump = () => {
      while (offset < bytes.length) {
        const chunk = bytes.subarray(offset, offset + 64 * 1024);
        offset += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const STATUS_413 = (message: string) => ({ apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", code: 413, reason: "RequestEntityTooLarge", message });

describe("bodies over maxBodyBytes", () => {
  it("Content-Length of 4 MB, no Expect: 413 RequestEntityTooLarge, read by the client (no reset)", async () => {
    const body = bigReview(FOUR_MB);
    const res = await post(body, { "Content-Length": Buffer.byteLength(body) });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    expect(JSON.parse(res.text)).toEqual(STATUS_413(`request body of ${FOUR_MB} bytes exceeds the limit of ${LIMIT} bytes`));
  });

  it("streamed (chunked, no Content-Length) past the limit: the same 413", async () => {
    const res = await post(bigReview(FOUR_MB), {});
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual(STATUS_413(`request body exceeds the limit of ${LIMIT} bytes`));
  });

  it("a body at the limit is still judged, and the server serves on after refusals", async () => {
    const res = await post(bigReview(LIMIT), {});
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "u", allowed: true } });
  });
});
