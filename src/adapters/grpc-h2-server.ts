import { createServer, constants, type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { frameMessage, UnaryMessageReader, DEFAULT_MAX_MESSAGE_BYTES } from "../encryption/grpc-h2-frame.js";
import { encodeGrpcMessage, GrpcError, GrpcStatus, parseGrpcTimeout } from "../encryption/grpc-h2-status.js";
import { timerDelay } from "../encryption/timer-delay.js";

/**
 * A gRPC server for unary methods over `node:http2`, wire-compatible with grpc-go and
 * grpc-js clients. It exists because grpc-js spends more CPU per call than the KMS plugin's
 * own work and allocates enough to pause the caller; a unary call needs only the framing
 * below. Scope: one service, unary methods, no compression, no metadata beyond gRPC's own.
 *
 * Every fault a client can cause ends that call with a status (or a reset) and nothing
 * else: no exception escapes a stream's handlers, and the session keeps serving.
 */

/** Decodes the request, runs the method, returns the encoded response; throw GrpcError for a status. */
export type UnaryMethod = (request: Buffer) => Uint8Array | Promise<Uint8Array>;

export interface CallOutcome {
  /** The method's name, or undefined for a path that names no method of the service. */
  method: string | undefined;
  code: number;
  message: string;
  seconds: number;
  /** True when the method ran and chose the status; false for faults the transport answered. */
  handled: boolean;
}

export interface GrpcH2ServerOptions {
  service: string;
  methods: Readonly<Record<string, UnaryMethod>>;
  maxReceiveMessageBytes?: number;
  /** Called once per call, whatever its outcome, after the status is sent (or the client went away). */
  onCallEnd?: (outcome: CallOutcome) => void;
}

/**
 * Streams per connection. kube-apiserver runs a handful of KMS calls at once; the cap bounds
 * what one client can make us buffer (each stream up to the 4 MiB message limit).
 */
const MAX_CONCURRENT_STREAMS = 256;

const ignore = (): void => undefined;

export class GrpcH2Server {
  private readonly server: Http2Server;
  private readonly sessions = new Set<Http2Session>();
  private readonly methods: ReadonlyMap<string, { name: string; run: UnaryMethod }>;
  private readonly maxReceive: number;

  constructor(private readonly options: GrpcH2ServerOptions) {
    this.maxReceive = options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.methods = new Map(Object.entries(options.methods).map(([name, run]) => [`/${options.service}/${name}`, { name, run }]));
    this.server = createServer({ settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, enablePush: false } });
    this.server.on("session", (session) => {
      this.sessions.add(session);
      session.on("close", () => this.sessions.delete(session));
    });
    // A peer that is not an HTTP/2 client (bad preface, garbage frames) only loses its own connection.
    this.server.on("sessionError", ignore);
    this.server.on("stream", (stream, headers) => this.onStream(stream, headers));
  }

  /** Listens on a unix socket path; the caller sets the umask and mode around it. */
  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(path, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  /**
   * Stops accepting connections, sends GOAWAY so clients open no new calls, lets calls in
   * flight finish, and cuts whatever is still open after `graceMs`.
   */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all(
      [...this.sessions].map((session) => new Promise<void>((resolve) => {
        if (session.closed || session.destroyed) return resolve();
        session.once("close", () => resolve());
        session.close();
      })),
    );
    let force: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      force = setTimeout(() => {
        for (const session of this.sessions) session.destroy();
        resolve();
      }, graceMs);
    });
    await Promise.race([drained, forced]);
    clearTimeout(force);
    await closed;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    // Serving time runs from the complete request (reset at "end") to the status, as a
    // handler-time histogram in other gRPC servers does; until then, from the stream's start.
    let started = performance.now();
    const entry = this.methods.get(String(headers[":path"] ?? ""));
    let done = false;
    let timer: NodeJS.Timeout | undefined;

    const report = (code: number, message: string, handled: boolean): void => {
      done = true;
      clearTimeout(timer);
      this.options.onCallEnd?.({ method: entry?.name, code, message, seconds: (performance.now() - started) / 1e3, handled });
    };
    /** A trailers-only response: the status in the one HEADERS frame, as gRPC allows for errors. */
    const fail = (code: number, message: string, handled: boolean, httpStatus = 200, extra?: Record<string, string>): void => {
      if (done) return;
      report(code, message, handled);
      if (stream.closed || stream.destroyed) return;
      try {
        stream.respond(
          { ":status": httpStatus, "content-type": "application/grpc", "grpc-status": String(code), "grpc-message": encodeGrpcMessage(message), ...extra },
          { endStream: true },
        );
        // A client still sending would only fill buffers; after a complete response, RST_STREAM
        // NO_ERROR tells it to stop (as grpc-go does) without failing the call.
        if (!stream.readableEnded) stream.close(constants.NGHTTP2_NO_ERROR);
      } catch {
        stream.destroy();
      }
    };
    const succeed = (response: Uint8Array): void => {
      if (done) return;
      if (stream.closed || stream.destroyed) return report(GrpcStatus.CANCELLED, "client went away before the response", true);
      report(GrpcStatus.OK, "", true);
      try {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.once("wantTrailers", () => {
          try {
            stream.sendTrailers({ "grpc-status": "0" });
          } catch {
            stream.destroy();
          }
        });
        stream.end(frameMessage(response));
      } catch {
        stream.destroy();
      }
    };

    // Reset by the client (or the connection dropped): nothing to answer, but count it.
    stream.on("error", ignore);
    stream.on("close", () => {
      if (!done) report(GrpcStatus.CANCELLED, "call cancelled by the client (stream reset or connection closed)", false);
    });

    // Header checks, in grpc-go's order and with its codes, so any client reads a familiar failure.
    if (headers[":method"] !== "POST") {
      return fail(GrpcStatus.INTERNAL, `invalid gRPC request method ${JSON.stringify(headers[":method"] ?? "")}, which should be POST`, false, 405);
    }
    const contentType = headers["content-type"] ?? "";
    if (!/^application\/grpc(?:$|[+;])/.test(contentType)) {
      return fail(GrpcStatus.INVALID_ARGUMENT, `invalid gRPC request content-type ${JSON.stringify(contentType)}`, false, 415);
    }
    const timeout = headers["grpc-timeout"];
    let timeoutMs: number | undefined;
    if (timeout !== undefined) {
      timeoutMs = parseGrpcTimeout(String(timeout));
      if (timeoutMs === undefined) return fail(GrpcStatus.INTERNAL, `malformed grpc-timeout ${JSON.stringify(timeout)}`, false, 400);
    }
    if (entry === undefined) {
      return fail(GrpcStatus.UNIMPLEMENTED, `unknown method ${JSON.stringify(headers[":path"] ?? "")} (this server serves ${this.options.service})`, false);
    }
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") {
      return fail(GrpcStatus.UNIMPLEMENTED, `grpc-encoding ${JSON.stringify(encoding)} is not supported; send uncompressed messages`, false, 200, { "grpc-accept-encoding": "identity" });
    }
    if (timeoutMs !== undefined) {
      // Honours the caller's deadline while the request is still arriving or the method runs.
      timer = setTimeout(() => fail(GrpcStatus.DEADLINE_EXCEEDED, `deadline of ${timeout} exceeded before the call completed`, false), timerDelay(timeoutMs));
    }

    const reader = new UnaryMessageReader("request", this.maxReceive);
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      try {
        reader.push(chunk);
      } catch (err) {
        const e = err as GrpcError;
        fail(e.code, e.details, false);
      }
    });
    // Unary: the method runs once the client half-closes, so a second or truncated message is caught.
    stream.on("end", () => {
      if (done) return;
      started = performance.now();
      let request: Buffer;
      try {
        request = reader.message();
      } catch (err) {
        // Node also ends the readable side when the client resets the stream, and says so only
        // in the "close" that follows; answer a short request after that, so a reset counts as
        // CANCELLED and not as a truncated message.
        const e = err as GrpcError;
        setImmediate(() => fail(e.code, e.details, false));
        return;
      }
      const failed = (err: unknown): void => {
        if (err instanceof GrpcError) fail(err.code, err.details, true);
        else fail(GrpcStatus.UNKNOWN, "the method failed", true);
      };
      try {
        const result = entry.run(request);
        if (result instanceof Promise) result.then(succeed, failed);
        else succeed(result);
      } catch (err) {
        failed(err);
      }
    });
  }
}
