/**
 * gRPC status codes and the two header encodings a unary call needs on both sides:
 * `grpc-message` (percent-encoded) and `grpc-timeout`. Shared by the HTTP/2 gRPC client
 * (grpc-h2-client.ts) and server (src/adapters/grpc-h2-server.ts); no I/O here.
 * Wire rules: gRPC's PROTOCOL-HTTP2.md and statuscodes.md.
 */

export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusName = keyof typeof GrpcStatus;

const NAMES: readonly string[] = Object.keys(GrpcStatus);

/** `INVALID_ARGUMENT` for 3; a code outside 0..16 (a peer may send anything) stays a number. */
export function statusName(code: number): string {
  return NAMES[code] ?? `CODE_${code}`;
}

/** A call's non-OK outcome, on either side. `details` is what travels in grpc-message. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${statusName(code)}: ${details}`);
    this.name = "GrpcError";
  }
}

/**
 * Bytes 0x20..0x7E except `%` travel as they are; everything else (control bytes and every
 * byte of a non-ASCII UTF-8 sequence) becomes %XX, so any Unicode message survives HPACK.
 */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Lenient, as the spec asks of receivers: a `%` not followed by two hex digits stays literal. */
export function decodeGrpcMessage(value: string): string {
  if (!/[%\u0080-\uffff]/.test(value)) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x100) {
      // Node hands header bytes over as latin1, so a raw byte from a non-conforming peer is one char.
      bytes.push(c);
    } else {
      const char = String.fromCodePoint(value.codePointAt(i)!);
      for (const b of Buffer.from(char, "utf8")) bytes.push(b);
      i += char.length - 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };
const TIMEOUT = /^([0-9]{1,8})([HMSmun])$/;

/** The `grpc-timeout` value in milliseconds, or undefined when it breaks the grammar (at most 8 digits and one unit). */
export function parseGrpcTimeout(value: string): number | undefined {
  const match = TIMEOUT.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/**
 * Encodes a remaining time, rounding up so the server never gives up before the client does
 * (a rounded-down timeout could turn a late success into a spurious DEADLINE_EXCEEDED).
 * Whole milliseconds from 100 ms up: calls made with the same timeout then send the same
 * value, which HPACK indexes once and sends as one byte afterwards; a value that differs per
 * call would be re-sent in full and churn both peers' header tables.
 */
export function encodeGrpcTimeout(ms: number): string {
  const remaining = Math.max(ms, 0);
  if (remaining < 100) return `${Math.ceil(remaining * 1_000)}u`;
  for (const [unit, perUnit] of [["m", 1], ["S", 1_000], ["M", 60_000]] as const) {
    const value = Math.ceil(remaining / perUnit);
    if (value <= 99_999_999) return `${value}${unit}`;
  }
  return `${Math.min(Math.ceil(remaining / 3_600_000), 99_999_999)}H`;
}

/** gRPC's mapping for a stream that ended without grpc-status (PROTOCOL-HTTP2.md, "HTTP2 Transport Mapping"). */
export function statusForHttpStatus(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** gRPC's mapping for a RST_STREAM error code received before the status. */
export function statusForResetCode(rstCode: number): number {
  switch (rstCode) {
    case 0x7: // REFUSED_STREAM: the server never processed the call
      return GrpcStatus.UNAVAILABLE;
    case 0x8: // CANCEL
      return GrpcStatus.CANCELLED;
    case 0xb: // ENHANCE_YOUR_CALM
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 0xc: // INADEQUATE_SECURITY
      return GrpcStatus.PERMISSION_DENIED;
    default:
      return GrpcStatus.INTERNAL;
  }
}
