import { isUtf8 } from "node:buffer";

/**
 * The protobuf wire format, as far as the KMS messages need it: varints, length-delimited
 * fields, and skipping every wire type a newer peer may add (unknown fields must be
 * ignored, not rejected). Decoding never reads outside its input and throws only
 * ProtobufDecodeError, whatever the bytes; bytes fields are views into the input (no copy).
 */

export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtobufDecodeError";
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;

/**
 * Reads one message, or (with `start` and `end`) one nested message in place, so a caller
 * can walk a large response without a Buffer per field (the etcd client reads 100k-key
 * pages this way, by offsets).
 */
export class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.key();
    return { field: key >>> 3, wire: key & 7 };
  }

  /**
   * The next field's key, `field << 3 | wire`, as one number: hot loops compare it with
   * constants instead of making an object per field.
   */
  key(): number {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0 || field > MAX_FIELD_NUMBER) throw new ProtobufDecodeError(`invalid field number ${field} at byte ${this.pos}`);
    return key;
  }

  /**
   * A varint as a JS number: exact up to 2^53, which covers every length and tag; larger
   * values only occur in unknown integer fields, whose value is skipped anyway. The first
   * four bytes (tags, lengths, most revisions) are read with 32-bit arithmetic.
   */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) throw new ProtobufDecodeError("truncated varint");
      const byte = buf[pos++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    let scale = 2 ** 28;
    for (let i = 4; i < 10; i++, scale *= 128) {
      if (pos >= this.end) throw new ProtobufDecodeError("truncated varint");
      const byte = buf[pos++]!;
      // The 10th byte carries only bit 63; anything more overflows 64 bits (protobuf-go refuses it too).
      if (i === 9 && byte > 1) throw new ProtobufDecodeError("varint overflows 64 bits");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    throw new ProtobufDecodeError("varint overflows 64 bits");
  }

  bytes(): Buffer {
    const [start, end] = this.span();
    return this.buf.subarray(start, end);
  }

  /** Where a length-delimited field's payload lies in the input; the reader moves past it. */
  span(): [number, number] {
    const length = this.varint();
    if (length > this.end - this.pos) {
      throw new ProtobufDecodeError(`length ${length} at byte ${this.pos} runs past the end of the message (${this.end} bytes)`);
    }
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  /** proto3 strings must be valid UTF-8; protobuf-go refuses the message otherwise, and so do we. */
  string(field: number): string {
    const bytes = this.bytes();
    if (!isUtf8(bytes)) throw new ProtobufDecodeError(`field ${field}: string is not valid UTF-8`);
    return bytes.toString("utf8");
  }

  /** Skips a field the schema does not know (or knows with another wire type, which protobuf also treats as unknown). */
  skip(field: number, wire: number): void {
    const groups: number[] = [];
    for (;;) {
      switch (wire) {
        case WIRE_VARINT:
          this.varint();
          break;
        case WIRE_FIXED64:
          this.advance(8);
          break;
        case WIRE_LEN:
          this.span();
          break;
        case WIRE_FIXED32:
          this.advance(4);
          break;
        case WIRE_START_GROUP:
          // Groups are proto2-only but still legal on the wire; skip to the matching end tag.
          groups.push(field);
          break;
        case WIRE_END_GROUP:
          if (groups.pop() !== field) throw new ProtobufDecodeError(`unmatched end-group tag for field ${field}`);
          break;
        default:
          throw new ProtobufDecodeError(`invalid wire type ${wire} for field ${field}`);
      }
      if (groups.length === 0) return;
      ({ field, wire } = this.tag());
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufDecodeError("truncated fixed-width field");
    this.pos += n;
  }
}

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Size on the wire of a length-delimited field holding `length` bytes. */
export function lenFieldSize(field: number, length: number): number {
  return varintSize(field * 8) + varintSize(length) + length;
}

/**
 * Writes into a buffer sized up front (callers add up lenFieldSize per field), so encoding
 * a message is one allocation and no concatenation.
 */
export class WireWriter {
  readonly buf: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  varint(value: number): void {
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  bytes(field: number, value: Uint8Array): void {
    this.varint(field * 8 + WIRE_LEN);
    this.varint(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** `byteLength` is the string's UTF-8 length, which the caller already computed for sizing. */
  string(field: number, value: string, byteLength: number): void {
    this.varint(field * 8 + WIRE_LEN);
    this.varint(byteLength);
    this.pos += this.buf.write(value, this.pos, byteLength, "utf8");
  }

  /** Starts a nested message (a map entry) of `length` bytes; its fields follow. */
  nested(field: number, length: number): void {
    this.varint(field * 8 + WIRE_LEN);
    this.varint(length);
  }

  finish(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`protobuf writer sized ${this.buf.length} bytes but wrote ${this.pos}`);
    return this.buf;
  }
}
