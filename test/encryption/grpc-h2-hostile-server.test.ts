import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as h2connect, constants, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KmsMetrics } from "../../src/adapters/kms-metrics.js";
import { startKmsPlugin, type KmsPlugin } from "../../src/adapters/kms-server.js";
import { frameMessage } from "../../src/encryption/grpc-h2-frame.js";
import { createKmsV2GrpcClient, type KmsV2GrpcClient } from "../../src/encryption/kms-grpc-client.js";
import { encodeDecryptRequest, encodeEncryptRequest } from "../../src/encryption/kms-v2-messages.js";

/**
 * The KMS plugin under hostile or broken clients: whatever arrives on the socket, the
 * plugin answers or resets that stream (or drops that connection) and keeps serving.
 */

interface RawResult {
  headers?: IncomingHttpHeaders;
  trailers?: IncomingHttpHeaders;
  body: Buffer;
  rstCode?: number;
}

const GRPC_HEADERS = { ":method": "POST", "content-type": "application/grpc", te: "trailers" };
const SECRET_PLAINTEXT = "hostile-test-plaintext-6f1d";

let dir: string;
let plugin: KmsPlugin;
let client: KmsV2GrpcClient;
let metrics: KmsMetrics;
let logs = "";
const key = randomBytes(32).toString("base64");
const socketPath = (): string => join(dir, "kms.sock");

function session(): ClientHttp2Session {
  const s = h2connect("http://localhost", { createConnection: () => netConnect(socketPath()) });
  s.on("error", () => undefined);
  return s;
}

/** One raw HTTP/2 request; `send` writes the body its own way (partial, reset, never ended...). */
function raw(s: ClientHttp2Session, headers: OutgoingHttpHeaders, send: (stream: ReturnType<ClientHttp2Session["request"]>) => void): Promise<RawResult> {
  return new Promise((resolve) => {
    const result: RawResult = { body: Buffer.alloc(0) };
    const stream = s.request({ ...GRPC_HEADERS, ...headers }, { endStream: false });
    stream.on("response", (h) => (result.headers = h));
    stream.on("trailers", (t) => (result.trailers = t));
    stream.on("data", (c: Buffer) => (result.body = Buffer.concat([result.body, c])));
    stream.on("error", () => undefined);
    stream.on("close", () => resolve({ ...result, rstCode: stream.rstCode }));
    send(stream);
  });
}

const statusOf = (r: RawResult): number => Number((r.trailers ?? r.headers)?.["grpc-status"]);
const messageOf = (r: RawResult): string => decodeURIComponent(String((r.trailers ?? r.headers)?.["grpc-message"] ?? ""));
const stillServing = async (): Promise<void> => expect((await client.status()).healthz).toBe("ok");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "palisade-grpc-hostile-"));
  writeFileSync(join(dir, "keks"), `${key}\n`, { mode: 0o600 });
  metrics = new KmsMetrics();
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
  plugin = await startKmsPlugin({ endpoint: `unix://${socketPath()}`, kekFile: join(dir, "keks"), logger: pino({ level: "debug" }, sink), metrics });
  client = createKmsV2GrpcClient(`unix://${socketPath()}`);
});

afterAll(async () => {
  client?.close();
  await plugin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hostile connections", () => {
  const rawSocket = (bytes: Buffer, closeAfterWrite: boolean): Promise<void> =>
    new Promise((resolve) => {
      const socket = netConnect(socketPath(), () => {
        socket.write(bytes);
        if (closeAfterWrite) socket.end();
      });
      socket.on("data", () => undefined);
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
      setTimeout(() => socket.destroy(), 2_000).unref();
    });

  it("garbage bytes, an HTTP/1.1 request and random prefaces only lose their own connection", async () => {
    await rawSocket(randomBytes(4096), false);
    await rawSocket(Buffer.from("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"), false);
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => rawSocket(Buffer.from(bytes), true)), { numRuns: 25 });
    await stillServing();
  });

  it("a valid preface followed by a truncated frame, or by a frame with an absurd length", async () => {
    const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    const emptySettings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    // A HEADERS frame announcing 100 bytes, cut after 3.
    await rawSocket(Buffer.concat([preface, emptySettings, Buffer.from([0, 0, 100, 1, 4, 0, 0, 0, 1, 0x82, 0x86, 0x84])]), true);
    // A DATA frame announcing 16 MiB (above SETTINGS_MAX_FRAME_SIZE): a connection error, not a crash.
    await rawSocket(Buffer.concat([preface, emptySettings, Buffer.from([0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1])]), false);
    await stillServing();
  });
});

describe("hostile streams on a healthy connection", () => {
  let s: ClientHttp2Session;
  beforeAll(() => {
    s = session();
  });
  afterAll(() => s.close());

  const decryptPath = { ":path": "/v2.KeyManagementService/Decrypt" };

  it("an absurd length prefix is refused with RESOURCE_EXHAUSTED before its body is read", async () => {
    const r = await raw(s, decryptPath, (stream) => stream.write(Buffer.from([0, 0xff, 0xff, 0xff, 0xf0])));
    expect(statusOf(r)).toBe(8);
    expect(messageOf(r)).toMatch(/larger than max \(4294967280 vs\. 4194304\)/);
    // The client never half-closed: the plugin answered, then reset the stream with NO_ERROR.
    expect(r.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
  });

  it("a truncated message (the stream ends inside it) is INTERNAL", async () => {
    const framed = frameMessage(encodeDecryptRequest({ ciphertext: randomBytes(40), uid: "u", key_id: "k" }));
    const r = await raw(s, decryptPath, (stream) => stream.end(framed.subarray(0, framed.length - 7)));
    expect(statusOf(r)).toBe(13);
    expect(messageOf(r)).toMatch(/ended inside a message/);
  });

  it("no message at all, or two messages, in a unary request are INTERNAL", async () => {
    expect(messageOf(await raw(s, decryptPath, (stream) => stream.end()))).toMatch(/no request message/);
    const one = frameMessage(encodeEncryptRequest({ plaintext: Buffer.from("x"), uid: "u" }));
    const two = await raw(s, { ":path": "/v2.KeyManagementService/Encrypt" }, (stream) => stream.end(Buffer.concat([one, one])));
    expect(statusOf(two)).toBe(13);
    expect(messageOf(two)).toMatch(/cardinality violation/);
  });

  it("a stream reset mid-call (RST_STREAM, no END_STREAM) is counted as CANCELLED and others keep being served", async () => {
    // Hand-built frames: Node's own client sends END_STREAM before its RST_STREAM, a real cancel does not.
    const frame = (type: number, flags: number, stream: number, payload: Buffer): Buffer => {
      const head = Buffer.alloc(9);
      head.writeUIntBE(payload.length, 0, 3);
      head[3] = type;
      head[4] = flags;
      head.writeUInt32BE(stream, 5);
      return Buffer.concat([head, payload]);
    };
    // HPACK "literal header field without indexing, new name" for each header.
    const hpack = (headers: [string, string][]): Buffer =>
      Buffer.concat(headers.flatMap(([n, v]) => [Buffer.from([0, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v)]));
    const headers = hpack([[":method", "POST"], [":scheme", "http"], [":path", "/v2.KeyManagementService/Decrypt"], [":authority", "localhost"], ["content-type", "application/grpc"]]);
    const bytes = Buffer.concat([
      Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
      frame(0x4, 0, 0, Buffer.alloc(0)), // SETTINGS
      frame(0x1, 0x4, 1, headers), // HEADERS, END_HEADERS
      frame(0x0, 0, 1, Buffer.from([0, 0, 0, 0, 50, 1, 2, 3])), // DATA: 8 bytes of a 55-byte message
      frame(0x3, 0, 1, Buffer.from([0, 0, 0, 8])), // RST_STREAM CANCEL
    ]);
    const socket = netConnect(socketPath(), () => socket.write(bytes));
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    try {
      let text = "";
      for (let i = 0; i < 300 && !/method="Decrypt",code="CANCELLED"/.test(text); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        text = await metrics.registry.getSingleMetricAsString("palisade_kms_requests_total");
      }
      expect(text).toMatch(/method="Decrypt",code="CANCELLED"} 1/);
      await stillServing();
    } finally {
      socket.destroy();
    }
  });

  it("compressed messages and unsupported encodings: INTERNAL and UNIMPLEMENTED, as grpc-go", async () => {
    const body = encodeEncryptRequest({ plaintext: Buffer.from("x"), uid: "u" });
    const flagged = frameMessage(body);
    flagged[0] = 1;
    const compressed = await raw(s, { ":path": "/v2.KeyManagementService/Encrypt" }, (stream) => stream.end(flagged));
    expect(statusOf(compressed)).toBe(13);
    expect(messageOf(compressed)).toMatch(/compressed flag set/);
    const gzip = await raw(s, { ":path": "/v2.KeyManagementService/Encrypt", "grpc-encoding": "gzip" }, (stream) => stream.end(flagged));
    expect(statusOf(gzip)).toBe(12);
    expect(gzip.headers?.["grpc-accept-encoding"]).toBe("identity");
  });

  it("malformed protobuf is INTERNAL, and the log says why without echoing bytes", async () => {
    const r = await raw(s, decryptPath, (stream) => stream.end(frameMessage(Buffer.from([0x0a, 0x40, ...Buffer.from(SECRET_PLAINTEXT)]))));
    expect(statusOf(r)).toBe(13);
    expect(messageOf(r)).toMatch(/cannot unmarshal the request: length 64/);
    expect(logs).toContain("cannot unmarshal the request");
  });

  it("a client-chosen uid reaches the log capped, not whole", async () => {
    const uid = `u${"x".repeat(100_000)}`;
    const r = await raw(s, { ":path": "/v2.KeyManagementService/Encrypt" }, (stream) => stream.end(frameMessage(encodeEncryptRequest({ plaintext: Buffer.alloc(0), uid }))));
    expect(messageOf(r)).toBe("plaintext is empty");
    expect(logs).toContain(`"uid":"${uid.slice(0, 128)}..."`);
    expect(logs).not.toContain(uid.slice(0, 129));
  });

  it("header faults get grpc-go's HTTP status and gRPC code", async () => {
    const cases: [OutgoingHttpHeaders, number, number, RegExp][] = [
      [{ ":path": "/v2.KeyManagementService/Status", "content-type": "application/json" }, 415, 3, /invalid gRPC request content-type "application\/json"/],
      [{ ":path": "/v2.KeyManagementService/Status", ":method": "PUT" }, 405, 13, /which should be POST/],
      [{ ":path": "/v2.KeyManagementService/Status", "grpc-timeout": "10 seconds" }, 400, 13, /malformed grpc-timeout/],
      [{ ":path": "/v2.KeyManagementService/Status", "grpc-timeout": "123456789S" }, 400, 13, /malformed grpc-timeout/],
      [{ ":path": "/nonsense" }, 200, 12, /unknown method "\/nonsense"/],
    ];
    for (const [headers, httpStatus, code, message] of cases) {
      const r = await raw(s, headers, (stream) => stream.end(frameMessage(Buffer.alloc(0))));
      expect(r.headers?.[":status"]).toBe(httpStatus);
      expect(statusOf(r)).toBe(code);
      expect(messageOf(r)).toMatch(message);
    }
  });

  it("honours grpc-timeout: a request still arriving at the deadline gets DEADLINE_EXCEEDED", async () => {
    const r = await raw(s, { ...decryptPath, "grpc-timeout": "50m" }, (stream) => stream.write(Buffer.from([0, 0, 0, 0, 9, 1])));
    expect(statusOf(r)).toBe(4);
    expect(messageOf(r)).toMatch(/deadline of 50m exceeded/);
  });

  it("property: any request body gets a gRPC status; the plugin never crashes and the keys never reach the logs", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("Status", "Encrypt", "Decrypt"), fc.uint8Array({ maxLength: 120 }), fc.boolean(), async (method, bytes, framed) => {
        const body = framed ? frameMessage(bytes) : Buffer.from(bytes);
        const r = await raw(s, { ":path": `/v2.KeyManagementService/${method}` }, (stream) => stream.end(body));
        expect(Number.isInteger(statusOf(r))).toBe(true);
      }),
      { numRuns: 150 },
    );
    await stillServing();
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(SECRET_PLAINTEXT);
  });
});

describe("graceful shutdown", () => {
  it("a call in flight when close() starts still gets its answer; new connections are refused", async () => {
    const kekFile = join(dir, "keks2");
    writeFileSync(kekFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const path = join(dir, "closing.sock");
    const closing = await startKmsPlugin({ endpoint: `unix://${path}`, kekFile, logger: pino({ level: "silent" }) });
    const s = h2connect("http://localhost", { createConnection: () => netConnect(path) });
    s.on("error", () => undefined);
    await new Promise((resolve) => s.once("remoteSettings", resolve));
    const framed = frameMessage(encodeEncryptRequest({ plaintext: Buffer.from("in flight"), uid: "u-close" }));
    let stopped = false;
    const answer = new Promise<RawResult>((resolve) => {
      const result: RawResult = { body: Buffer.alloc(0) };
      const stream = s.request({ ...GRPC_HEADERS, ":path": "/v2.KeyManagementService/Encrypt" }, { endStream: false });
      stream.on("response", (h) => (result.headers = h));
      stream.on("trailers", (t) => (result.trailers = t));
      stream.on("data", (c: Buffer) => (result.body = Buffer.concat([result.body, c])));
      stream.on("error", () => undefined);
      stream.on("close", () => resolve(result));
      stream.write(framed.subarray(0, 10));
      // The PING is answered after the frames before it: the plugin has seen the call by then.
      s.ping(() => {
        void closing.close().then(() => (stopped = true));
        setTimeout(() => {
          expect(stopped).toBe(false);
          stream.end(framed.subarray(10));
        }, 50);
      });
    });
    const r = await answer;
    expect(statusOf(r)).toBe(0);
    expect(r.body.length).toBeGreaterThan(5);
    await closing.close();
    s.destroy();
    const refused = createKmsV2GrpcClient(`unix://${path}`, { timeoutMs: 1_000 });
    await expect(refused.status()).rejects.toThrow(/UNAVAILABLE/);
    refused.close();
  });
});
