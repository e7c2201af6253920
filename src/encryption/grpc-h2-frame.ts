import { GrpcError, GrpcStatus } from "./grpc-h2-status.js";

/**
 * gRPC's length-prefixed messages inside an HTTP/2 DATA stream: 1 byte compressed flag,
 * 4 bytes big-endian length, then the message. DATA frame boundaries mean nothing to gRPC,
 * so a message may arrive split over many chunks or several messages in one chunk.
 */

export const MESSAGE_HEADER_BYTES = 5;

/**
 * The receive limit of both the KMS client and server: grpc-go's and grpc-js's default
 * (4 MiB). KMS v2 messages are far smaller (a ciphertext of at most 1 KiB and at most
 * 32 KiB of annotations), so this only bounds what a hostile peer can make us buffer.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** One uncompressed message, ready to write to the stream. */
export function frameMessage(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, MESSAGE_HEADER_BYTES);
  return framed;
}

/**
 * Collects the one message of a unary call's stream from its DATA chunks. `push` throws a
 * GrpcError as soon as the stream breaks the rules, before anything more is buffered: an
 * absurd length prefix costs 5 bytes of memory, not 4 GiB, and a flood of empty messages
 * fails at the second. The codes are grpc-go's for the same faults.
 */
export class UnaryMessageReader {
  private received: Buffer | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Body length of the message being assembled, once its 5-byte header is complete. */
  private expected = -1;

  constructor(
    private readonly what: "request" | "response",
    private readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    // Fast path: one chunk holding exactly one whole message, the usual shape of a unary call.
    if (this.pendingBytes === 0 && this.expected < 0 && chunk.length >= MESSAGE_HEADER_BYTES) {
      const length = this.checkHeader(chunk);
      if (chunk.length === MESSAGE_HEADER_BYTES + length) {
        this.accept(chunk.subarray(MESSAGE_HEADER_BYTES));
        return;
      }
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drain();
  }

  /** The message, once the peer has finished sending; throws if the stream ended inside or before it. */
  message(): Buffer {
    if (this.pendingBytes > 0 || this.expected >= 0) {
      const have = this.pendingBytes + (this.expected >= 0 ? MESSAGE_HEADER_BYTES : 0);
      throw new GrpcError(GrpcStatus.INTERNAL, `${this.what} stream ended inside a message (truncated after ${have} bytes)`);
    }
    if (this.received === undefined) throw new GrpcError(GrpcStatus.INTERNAL, `no ${this.what} message received for a unary call`);
    return this.received;
  }

  private accept(message: Buffer): void {
    if (this.received !== undefined) {
      throw new GrpcError(GrpcStatus.INTERNAL, `cardinality violation: more than one ${this.what} message for a unary call`);
    }
    this.received = message;
  }

  private drain(): void {
    for (;;) {
      if (this.expected < 0) {
        if (this.pendingBytes < MESSAGE_HEADER_BYTES) return;
        this.expected = this.checkHeader(this.take(MESSAGE_HEADER_BYTES));
      }
      if (this.pendingBytes < this.expected) return;
      const body = this.take(this.expected);
      this.expected = -1;
      this.accept(body);
    }
  }

  /** Returns the body length, or throws for a compressed or oversized message. */
  private checkHeader(header: Buffer): number {
    const flag = header[0]!;
    const length = header.readUInt32BE(1);
    // No grpc-encoding is ever negotiated here, so a set flag is a protocol violation (grpc-go: INTERNAL).
    if (flag === 1) throw new GrpcError(GrpcStatus.INTERNAL, "compressed flag set with identity or empty grpc-encoding");
    if (flag !== 0) throw new GrpcError(GrpcStatus.INTERNAL, `unexpected message flags 0x${flag.toString(16)}`);
    if (length > this.maxMessageBytes) {
      throw new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `received message larger than max (${length} vs. ${this.maxMessageBytes})`);
    }
    return length;
  }

  /** Removes the first n pending bytes (n <= pendingBytes), copying only when they span chunks. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const head = this.pending[0]!;
    let out: Buffer;
    if (head.length >= n) {
      out = head.subarray(0, n);
      if (head.length === n) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.pending[0]!;
        const used = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.pending.shift();
        else this.pending[0] = chunk.subarray(used);
      }
    }
    this.pendingBytes -= n;
    return out;
  }
}
