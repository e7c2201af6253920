/**
 * A deadline beyond what a Node timer holds (2^31-1 ms, about 24.8 days) means practically no
 * deadline, on both sides of the KMS gRPC transport: a client call with a 1000h timeout (KMS
 * `timeout: 1000h`, which kube-apiserver accepts) and a server receiving `grpc-timeout:
 * 99999999H` (valid gRPC) both complete a call that takes a few milliseconds, instead of
 * expiring after 1 ms with a TimeoutOverflowWarning. Real unix sockets, real HTTP/2 peers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect as h2connect, createServer as createH2Server, type Http2Server, type IncomingHttpHeaders } from "node:http2";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { GrpcH2Server } from "../../src/adapters/grpc-h2-server.js";
import { GrpcH2Channel } from "../../src/encryption/grpc-h2-client.js";
import { frameMessage } from "../../src/encryption/grpc-h2-frame.js";
import { parseGrpcTimeout } from "../../src/encryption/grpc-h2-status.js";

const dir = mkdtempSync(join(tmpdir(), "palisade-long-deadline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const THOUSAND_HOURS_MS = 1000 * 3600 * 1000;
const SLOW_MS = 30;

let warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings = [];
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});

describe("long deadlines", () => {
  it("a client call with a 1000h timeout waits for a server that answers after a few milliseconds", async () => {
    const socket = join(dir, "slow-server.sock");
    let sentTimeout: string | undefined;
    const server: Http2Server = createH2Server();
    server.on("stream", (stream, headers: IncomingHttpHeaders) => {
      sentTimeout = String(headers["grpc-timeout"]);
      stream.on("data", () => undefined);
      stream.on("end", () =>
        setTimeout(() => {
          stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
          stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
          stream.end(frameMessage(Buffer.from("pong")));
        }, SLOW_MS),
      );
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const channel = new GrpcH2Channel({ socketPath: socket });
    try {
      const response = await channel.unary("/test.Service/Ping", Buffer.from("ping"), THOUSAND_HOURS_MS);
      expect(response.toString()).toBe("pong");
      // The server is told the whole deadline, not the clamped timer's.
      expect(parseGrpcTimeout(sentTimeout!)).toBeGreaterThan(THOUSAND_HOURS_MS - 1000);
    } finally {
      channel.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === "TimeoutOverflowWarning")).toEqual([]);
  });

  it("a server given grpc-timeout 99999999H completes a call whose body arrives a few milliseconds later", async () => {
    const socket = join(dir, "server.sock");
    const server = new GrpcH2Server({ service: "test.Service", methods: { Echo: (request) => request } });
    await server.listen(socket);
    const session = h2connect("http://localhost", { createConnection: () => netConnect(socket) });
    session.on("error", () => undefined);
    try {
      const result = await new Promise<{ status: string; body: string }>((resolve) => {
        let status = "";
        let body = "";
        const stream = session.request({ ":method": "POST", ":path": "/test.Service/Echo", "content-type": "application/grpc", te: "trailers", "grpc-timeout": "99999999H" }, { endStream: false });
        stream.on("response", (h) => (status = String(h["grpc-status"] ?? status)));
        stream.on("trailers", (t) => (status = String(t["grpc-status"])));
        stream.on("data", (chunk: Buffer) => (body += chunk.subarray(5).toString()));
        stream.on("error", () => undefined);
        stream.on("close", () => resolve({ status, body }));
        setTimeout(() => stream.end(frameMessage(Buffer.from("hello"))), SLOW_MS);
      });
      expect(result).toEqual({ status: "0", body: "hello" });
    } finally {
      session.close();
      await server.close(1000);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === "TimeoutOverflowWarning")).toEqual([]);
  });
});
