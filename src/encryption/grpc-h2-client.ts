import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { connect as connectSocket } from "node:net";
import { DEFAULT_MAX_MESSAGE_BYTES, frameMessage, UnaryMessageReader } from "./grpc-h2-frame.js";
import { timerDelay } from "./timer-delay.js";
import { decodeGrpcMessage, encodeGrpcTimeout, GrpcError, GrpcStatus, statusForHttpStatus, statusForResetCode } from "./grpc-h2-status.js";

/**
 * A gRPC client for unary calls over `node:http2` and a unix socket: one HTTP/2 connection,
 * opened on first use and reopened after it closes, one stream per call. It speaks what
 * grpc-go servers expect (POST, `te: trailers`, `content-type: application/grpc`,
 * `grpc-timeout`) and turns every way a call can end into a GrpcError with gRPC's codes,
 * including a server that sends garbage, resets, or never answers. It replaces grpc-js for
 * the KMS calls, whose per-call CPU and garbage cost more than the round trip itself.
 */

export interface GrpcH2ChannelOptions {
  socketPath: string;
  /** `:authority`; kube-apiserver sends `localhost` to KMS plugins and some plugins check it. */
  authority?: string;
  maxReceiveMessageBytes?: number;
}

interface Connection {
  session: ClientHttp2Session;
  /** Set once the connection failed; explains the calls it takes down. */
  error?: Error;
}

/** Lets a plugin's logs tell this client from kube-apiserver's grpc-go. */
const USER_AGENT = "palisade-grpc-h2/1";

export class GrpcH2Channel {
  private connection: Connection | undefined;
  private shutDown = false;
  private readonly authority: string;
  private readonly maxReceive: number;

  constructor(private readonly options: GrpcH2ChannelOptions) {
    this.authority = options.authority ?? "localhost";
    this.maxReceive = options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Sends one request message to `path` and resolves with the response message. */
  unary(path: string, request: Uint8Array, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.shutDown) return reject(new GrpcError(GrpcStatus.UNAVAILABLE, "the client was closed"));
      this.attempt(path, frameMessage(request), performance.now() + timeoutMs, timeoutMs, true, resolve, reject);
    });
  }

  /** Lets calls in flight finish, then closes the connection; later calls fail at once. */
  close(): void {
    this.shutDown = true;
    this.connection?.session.close();
    this.connection = undefined;
  }

  /** Stops using a connection; calls still running on it finish. */
  private retire(connection: Connection): void {
    if (this.connection === connection) this.connection = undefined;
    if (!connection.session.closed && !connection.session.destroyed) connection.session.close();
  }

  private connect(): Connection {
    const session = connect(`http://${this.authority}`, {
      createConnection: () => connectSocket(this.options.socketPath),
      settings: { enablePush: false },
    });
    const connection: Connection = { session };
    session.on("error", (err) => {
      connection.error = err;
    });
    const forget = (): void => {
      if (this.connection === connection) this.connection = undefined;
    };
    // After GOAWAY the server takes no new streams: the next call opens a new connection.
    session.on("goaway", forget);
    session.on("close", forget);
    // An idle connection must not keep a CLI process alive; a call's deadline timer does while it runs.
    session.unref();
    return connection;
  }

  private attempt(
    path: string,
    framed: Buffer,
    deadline: number,
    timeoutMs: number,
    mayRetry: boolean,
    resolve: (response: Buffer) => void,
    reject: (err: GrpcError) => void,
  ): void {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return reject(new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, `deadline of ${timeoutMs} ms exceeded`));
    const connection = (this.connection ??= this.connect());
    let stream: ClientHttp2Stream;
    try {
      stream = connection.session.request(
        {
          ":method": "POST",
          // Explicit, or Node would send "localhost:80" from the URL.
          ":authority": this.authority,
          ":path": path,
          "content-type": "application/grpc",
          te: "trailers",
          "grpc-timeout": encodeGrpcTimeout(remaining),
          "user-agent": USER_AGENT,
        },
        { endStream: false },
      );
    } catch (err) {
      // The session closed or got GOAWAY since we last looked; nothing was sent, so a fresh connection may retry.
      this.retire(connection);
      if (mayRetry) return this.attempt(path, framed, deadline, timeoutMs, false, resolve, reject);
      return reject(new GrpcError(GrpcStatus.UNAVAILABLE, `cannot start the call: ${(err as Error).message}`));
    }

    let settled = false;
    let headers: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    let streamError: (Error & { code?: string; cause?: unknown }) | undefined;
    let localFailure: GrpcError | undefined;
    const reader = new UnaryMessageReader("response", this.maxReceive);

    const settle = (err: GrpcError | undefined, response?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(response!);
    };
    const timer = setTimeout(() => {
      settle(new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, `deadline of ${timeoutMs} ms exceeded`));
      stream.close(constants.NGHTTP2_CANCEL);
    }, timerDelay(remaining));

    stream.on("response", (h) => {
      headers = h;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (chunk: Buffer) => {
      if (localFailure) return;
      try {
        reader.push(chunk);
      } catch (err) {
        // Oversized or malformed response: stop the server from sending the rest.
        localFailure = err as GrpcError;
        stream.close(constants.NGHTTP2_CANCEL);
      }
    });
    stream.on("error", (err) => {
      streamError = err;
    });
    stream.on("close", () => {
      if (settled) return;
      if (localFailure) return settle(localFailure);
      const outcome = this.outcome(stream, connection, headers, trailers, streamError, reader);
      // Refused, or the connection failed before any answer (a plugin restart leaves a dead
      // connection behind): one more try on a fresh connection. Only the answer is lost, never
      // a status, and the KMS methods are safe to run twice (Encrypt would only seal anew).
      if (outcome.retryable && mayRetry) {
        settled = true;
        clearTimeout(timer);
        this.retire(connection);
        return this.attempt(path, framed, deadline, timeoutMs, false, resolve, reject);
      }
      settle(outcome.error, outcome.response);
    });
    stream.end(framed);
  }

  /** How a closed stream ended, by gRPC's rules: trailers first, then HTTP status, then the reset code. */
  private outcome(
    stream: ClientHttp2Stream,
    connection: Connection,
    headers: IncomingHttpHeaders | undefined,
    trailers: IncomingHttpHeaders | undefined,
    streamError: (Error & { code?: string; cause?: unknown }) | undefined,
    reader: UnaryMessageReader,
  ): { error?: GrpcError; response?: Buffer; retryable?: boolean } {
    // A connection that failed or broke takes its streams down with Node-internal codes; report
    // that as UNAVAILABLE (grpc-go does the same), with the socket's own error when there is one.
    const broken = connection.session.destroyed || streamError?.code === "ERR_HTTP2_STREAM_CANCEL" || stream.id === undefined;
    const why = (streamError?.cause instanceof Error ? streamError.cause : connection.error ?? streamError)?.message ?? "connection closed";
    if (headers === undefined) {
      if (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM) {
        return { error: new GrpcError(GrpcStatus.UNAVAILABLE, "the server refused the stream (it is shutting down or overloaded)"), retryable: true };
      }
      if (broken) return { error: new GrpcError(GrpcStatus.UNAVAILABLE, `no connection to the server: ${why}`), retryable: true };
      if (stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR) {
        return { error: new GrpcError(statusForResetCode(stream.rstCode), `the server reset the stream (HTTP/2 error code ${stream.rstCode})`) };
      }
      return { error: new GrpcError(GrpcStatus.UNAVAILABLE, "the connection closed before the server answered") };
    }
    const httpStatus = Number(headers[":status"]);
    const contentType = String(headers["content-type"] ?? "");
    const status = trailers?.["grpc-status"] ?? headers["grpc-status"];
    if (status === undefined) {
      if (httpStatus !== 200) return { error: new GrpcError(statusForHttpStatus(httpStatus), `unexpected HTTP status ${httpStatus} (content-type ${JSON.stringify(contentType)})`) };
      if (!contentType.startsWith("application/grpc")) return { error: new GrpcError(GrpcStatus.UNKNOWN, `unexpected content-type ${JSON.stringify(contentType)}`) };
      if (broken) return { error: new GrpcError(GrpcStatus.UNAVAILABLE, `the connection was lost during the response: ${why}`) };
      if (stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR) {
        return { error: new GrpcError(statusForResetCode(stream.rstCode), `the server reset the stream (HTTP/2 error code ${stream.rstCode})`) };
      }
      return { error: new GrpcError(GrpcStatus.INTERNAL, "the server closed the stream without sending trailers") };
    }
    const code = /^[0-9]{1,4}$/.test(String(status)) ? Number(status) : undefined;
    if (code === undefined) return { error: new GrpcError(GrpcStatus.INTERNAL, `malformed grpc-status ${JSON.stringify(status)}`) };
    const message = decodeGrpcMessage(String(trailers?.["grpc-message"] ?? headers["grpc-message"] ?? ""));
    if (code !== GrpcStatus.OK) return { error: new GrpcError(code, message) };
    try {
      return { response: reader.message() };
    } catch (err) {
      return { error: err as GrpcError };
    }
  }
}
