import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer as createH2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmsPlugin } from "../../src/adapters/kms-server.js";
import { GrpcH2Channel } from "../../src/encryption/grpc-h2-client.js";
import { frameMessage } from "../../src/encryption/grpc-h2-frame.js";
import { GrpcError, GrpcStatus } from "../../src/encryption/grpc-h2-status.js";
import { createKmsV2GrpcClient } from "../../src/encryption/kms-grpc-client.js";
import { encodeStatusResponse } from "../../src/encryption/kms-v2-messages.js";

/**
 * Palisade's HTTP/2 gRPC client against broken or hostile servers: every call ends in a
 * GrpcError with gRPC's code for what happened (or a StoredValueError naming the plugin),
 * never in a crash or a hang past the deadline.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-grpc-client-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plain node:http2 server whose every stream is answered by `answer`. */
async function fakeServer(name: string, answer: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void): Promise<{ path: string; close(): void }> {
  const path = join(dir, `${name}.sock`);
  const server = createH2Server();
  server.on("sessionError", () => undefined);
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    stream.on("data", () => undefined);
    answer(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, close: () => server.close() };
}

async function failure(path: string, timeoutMs = 2_000): Promise<GrpcError> {
  const channel = new GrpcH2Channel({ socketPath: path });
  try {
    await channel.unary("/v2.KeyManagementService/Status", Buffer.alloc(0), timeoutMs);
  } catch (err) {
    expect(err).toBeInstanceOf(GrpcError);
    return err as GrpcError;
  } finally {
    channel.close();
  }
  throw new Error("the call succeeded");
}

const okHeaders = { ":status": 200, "content-type": "application/grpc" };

describe("the HTTP/2 gRPC client against broken servers", () => {
  it("sends what grpc-go servers expect: POST, te, content-type, :authority localhost, grpc-timeout", async () => {
    let seen: IncomingHttpHeaders | undefined;
    const server = await fakeServer("headers", (stream, headers) => {
      seen = headers;
      stream.respond({ ...okHeaders, "grpc-status": "0" }, { endStream: true });
    });
    await failure(server.path); // no message in an OK answer
    server.close();
    expect(seen).toMatchObject({ ":method": "POST", ":scheme": "http", ":authority": "localhost", ":path": "/v2.KeyManagementService/Status", "content-type": "application/grpc", te: "trailers" });
    expect(seen?.["grpc-timeout"]).toMatch(/^[0-9]{1,8}[umSM]$/);
  });

  it("an OK status without a response message, or with two, is INTERNAL", async () => {
    const empty = await fakeServer("empty", (stream) => stream.respond({ ...okHeaders, "grpc-status": "0" }, { endStream: true }));
    expect(await failure(empty.path)).toMatchObject({ code: GrpcStatus.INTERNAL, details: expect.stringMatching(/no response message/) });
    empty.close();
    const two = await fakeServer("two", (stream) => {
      stream.respond(okHeaders, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(Buffer.concat([frameMessage(Buffer.alloc(0)), frameMessage(Buffer.alloc(0))]));
    });
    expect((await failure(two.path)).details).toMatch(/cardinality violation/);
    two.close();
  });

  it("HTTP errors without grpc-status map as gRPC says (503 -> UNAVAILABLE, 404 -> UNIMPLEMENTED, 200 text/html -> UNKNOWN)", async () => {
    for (const [status, contentType, code] of [[503, "text/plain", GrpcStatus.UNAVAILABLE], [404, "text/html", GrpcStatus.UNIMPLEMENTED], [200, "text/html", GrpcStatus.UNKNOWN]] as const) {
      const server = await fakeServer(`http-${status}`, (stream) => stream.respond({ ":status": status, "content-type": contentType }, { endStream: true }));
      expect((await failure(server.path)).code).toBe(code);
      server.close();
    }
  });

  it("headers and data but no trailers is INTERNAL; a reset mid-response maps by its HTTP/2 code", async () => {
    const noTrailers = await fakeServer("no-trailers", (stream) => {
      stream.respond(okHeaders);
      stream.end(frameMessage(Buffer.alloc(0)));
    });
    expect((await failure(noTrailers.path)).details).toMatch(/without sending trailers/);
    noTrailers.close();
    // Node's server sends END_STREAM before any RST_STREAM, so the reset comes from hand-built frames.
    const frame = (type: number, flags: number, payload: Buffer): Buffer => {
      const head = Buffer.alloc(9);
      head.writeUIntBE(payload.length, 0, 3);
      head[3] = type;
      head[4] = flags;
      head.writeUInt32BE(type === 0x4 ? 0 : 1, 5);
      return Buffer.concat([head, payload]);
    };
    const literal = (n: string, v: string): Buffer => Buffer.concat([Buffer.from([0, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v)]);
    const resetPath = join(dir, "reset.sock");
    const resetServer = createNetServer((socket) => {
      socket.on("error", () => undefined);
      socket.once("data", () => {
        socket.write(Buffer.concat([
          frame(0x4, 0, Buffer.alloc(0)), // SETTINGS
          frame(0x1, 0x4, Buffer.concat([literal(":status", "200"), literal("content-type", "application/grpc")])), // HEADERS
          frame(0x0, 0, Buffer.from([0, 0, 0, 0, 9, 1, 2])), // DATA, part of a message
          frame(0x3, 0, Buffer.from([0, 0, 0, 2])), // RST_STREAM INTERNAL_ERROR
        ]));
      });
    });
    await new Promise<void>((resolve) => resetServer.listen(resetPath, resolve));
    expect(await failure(resetPath)).toMatchObject({ code: GrpcStatus.INTERNAL, details: expect.stringMatching(/reset the stream \(HTTP\/2 error code 2\)/) });
    resetServer.close();
    const cancelled = await fakeServer("cancel", (stream) => stream.close(0x8));
    expect((await failure(cancelled.path)).code).toBe(GrpcStatus.CANCELLED);
    cancelled.close();
  });

  it("an absurd length prefix in the response is RESOURCE_EXHAUSTED at once; a malformed grpc-status is INTERNAL", async () => {
    const huge = await fakeServer("huge", (stream) => {
      stream.respond(okHeaders);
      stream.write(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]));
    });
    expect(await failure(huge.path)).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: expect.stringMatching(/4294967295 vs\. 4194304/) });
    huge.close();
    const badStatus = await fakeServer("bad-status", (stream) => stream.respond({ ...okHeaders, "grpc-status": "ok" }, { endStream: true }));
    expect((await failure(badStatus.path)).details).toMatch(/malformed grpc-status "ok"/);
    badStatus.close();
  });

  it("a server that never answers is DEADLINE_EXCEEDED at the deadline", async () => {
    const silent = await fakeServer("silent", () => undefined);
    expect(await failure(silent.path, 100)).toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED, details: "deadline of 100 ms exceeded" });
    silent.close();
  });

  it("a server that is not HTTP/2 (garbage, or closing at once) is UNAVAILABLE", async () => {
    for (const [name, onConnection] of [
      ["garbage", (socket: Socket) => socket.end(randomBytes(512))],
      ["hangup", (socket: Socket) => socket.destroy()],
    ] as const) {
      const path = join(dir, `${name}.sock`);
      const server: Server = createNetServer(onConnection);
      await new Promise<void>((resolve) => server.listen(path, resolve));
      expect((await failure(path)).code).toBe(GrpcStatus.UNAVAILABLE);
      server.close();
    }
  });

  it("no socket at all is UNAVAILABLE, and the KMS client says which plugin and what to check", async () => {
    expect(await failure(join(dir, "absent.sock"))).toMatchObject({ code: GrpcStatus.UNAVAILABLE, details: expect.stringMatching(/ENOENT/) });
    const client = createKmsV2GrpcClient(`unix://${join(dir, "absent.sock")}`, { name: "vault", timeoutMs: 1_000 });
    const err = await client.status().catch((e: unknown) => e);
    expect(String(err)).toMatch(/^StoredValueError: KMS v2 plugin "vault" \(unix:\/\/.*absent\.sock\) Status failed: UNAVAILABLE: no connection to the server: .*ENOENT/);
    expect((err as { hint?: string }).hint).toMatch(/is the plugin running/);
    client.close();
  });

  it("a response that is not protobuf fails the KMS call with INTERNAL, naming the decode fault", async () => {
    const server = await fakeServer("not-protobuf", (stream) => {
      stream.respond(okHeaders, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frameMessage(Buffer.from([0x0a, 0x40, 0x01])));
    });
    const client = createKmsV2GrpcClient(`unix://${server.path}`, { timeoutMs: 1_000 });
    await expect(client.status()).rejects.toThrow(/Status failed: INTERNAL: cannot decode the response: length 64/);
    client.close();
    server.close();
  });

  it("reconnects after the plugin restarts on the same socket", async () => {
    const kekFile = join(dir, "keks");
    writeFileSync(kekFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const endpoint = `unix://${join(dir, "restart.sock")}`;
    const options = { endpoint, kekFile, logger: pino({ level: "silent" }) };
    let plugin = await startKmsPlugin(options);
    const client = createKmsV2GrpcClient(endpoint, { timeoutMs: 2_000 });
    try {
      expect((await client.status()).healthz).toBe("ok");
      await plugin.close();
      await expect(client.status()).rejects.toThrow(/UNAVAILABLE/);
      plugin = await startKmsPlugin(options);
      expect((await client.status()).healthz).toBe("ok");
      // A restart between two calls, with the old connection still cached: the call retries on a new one.
      await plugin.close();
      plugin = await startKmsPlugin(options);
      expect((await client.status()).healthz).toBe("ok");
    } finally {
      client.close();
      await plugin.close();
      if (existsSync(join(dir, "restart.sock"))) unlinkSync(join(dir, "restart.sock"));
    }
  });

  it("a closed client fails new calls at once instead of reconnecting", async () => {
    const server = await fakeServer("closed-client", (stream) => {
      stream.respond(okHeaders, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frameMessage(encodeStatusResponse({ version: "v2", healthz: "ok", key_id: "k" })));
    });
    const channel = new GrpcH2Channel({ socketPath: server.path });
    expect((await channel.unary("/v2.KeyManagementService/Status", Buffer.alloc(0), 1_000)).length).toBeGreaterThan(0);
    channel.close();
    await expect(channel.unary("/v2.KeyManagementService/Status", Buffer.alloc(0), 1_000)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    server.close();
  });
});
