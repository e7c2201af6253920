import { ProtobufDecodeError, WireReader, WireWriter, WIRE_LEN, lenFieldSize } from "./protobuf-wire.js";

/**
 * The six messages of the KMS v2 plugin API (k8s.io/kms/apis/v2/api.proto, spec §8.4),
 * encoded and decoded by hand: field numbers as in test/support/kms-grpc-proto.ts and
 * src/adapters/proto/kms-v2.proto, proto3 rules (empty values are not written, the last
 * occurrence of a field wins, unknown fields are skipped). Names are snake_case as on the
 * wire; bytes are Buffers that view the decoded input.
 */

/** The full gRPC service name kube-apiserver dials, and its three unary methods. */
export const KMS_V2_SERVICE = "v2.KeyManagementService";
export const KMS_V2_METHODS = ["Status", "Encrypt", "Decrypt"] as const;
export type KmsV2Method = (typeof KMS_V2_METHODS)[number];

export type StatusRequestMessage = Record<string, never>;
export interface StatusResponseMessage {
  version: string;
  healthz: string;
  key_id: string;
}
export interface EncryptRequestMessage {
  plaintext: Buffer;
  uid: string;
}
export interface EncryptResponseMessage {
  ciphertext: Buffer;
  key_id: string;
  annotations: Record<string, Buffer>;
}
export interface DecryptRequestMessage {
  ciphertext: Buffer;
  uid: string;
  key_id: string;
  annotations: Record<string, Buffer>;
}
export interface DecryptResponseMessage {
  plaintext: Buffer;
}

export { ProtobufDecodeError };

type Annotations = Readonly<Record<string, Uint8Array>>;
const EMPTY = Buffer.alloc(0);

/** Field sizes are computed once and reused by the writer. */
class Sizer {
  size = 0;
  readonly strings: number[] = [];

  bytes(field: number, value: Uint8Array): void {
    if (value.length > 0) this.size += lenFieldSize(field, value.length);
  }

  string(field: number, value: string): void {
    const length = Buffer.byteLength(value, "utf8");
    this.strings.push(length);
    if (length > 0) this.size += lenFieldSize(field, length);
  }

  /** A map<string, bytes> field: one nested entry (key = 1, value = 2) per pair. */
  map(field: number, map: Annotations): void {
    for (const [key, value] of Object.entries(map)) {
      const keyLength = Buffer.byteLength(key, "utf8");
      this.strings.push(keyLength);
      this.size += lenFieldSize(field, lenFieldSize(1, keyLength) + lenFieldSize(2, value.length));
    }
  }
}

class Writer {
  private next = 0;
  private readonly out: WireWriter;

  constructor(private readonly sizes: Sizer) {
    this.out = new WireWriter(sizes.size);
  }

  bytes(field: number, value: Uint8Array): void {
    if (value.length > 0) this.out.bytes(field, value);
  }

  string(field: number, value: string): void {
    const length = this.sizes.strings[this.next++]!;
    if (length > 0) this.out.string(field, value, length);
  }

  map(field: number, map: Annotations): void {
    for (const [key, value] of Object.entries(map)) {
      const keyLength = this.sizes.strings[this.next++]!;
      // Map entries always carry both key and value, as protobuf-go and protobufjs write them.
      this.out.nested(field, lenFieldSize(1, keyLength) + lenFieldSize(2, value.length));
      this.out.string(1, key, keyLength);
      this.out.bytes(2, value);
    }
  }

  finish(): Buffer {
    return this.out.finish();
  }
}

/** Runs the same field list twice: once to size, once to write. */
function encode(fields: (w: Sizer | Writer) => void): Buffer {
  const sizer = new Sizer();
  fields(sizer);
  const writer = new Writer(sizer);
  fields(writer);
  return writer.finish();
}

/** Reads a message's fields; `onField` returns false for a field it does not take, which is then skipped. */
function decode(buf: Buffer, onField: (reader: WireReader, field: number) => boolean): void {
  const reader = new WireReader(buf);
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (wire !== WIRE_LEN || !onField(reader, field)) reader.skip(field, wire);
  }
}

/** A map<string, bytes> entry: key = 1, value = 2, either may be absent; a repeated key's last value wins. */
function readMapEntry(reader: WireReader, into: Record<string, Buffer>): void {
  const entry = new WireReader(reader.bytes());
  let key = "";
  let value: Buffer = EMPTY;
  while (!entry.done) {
    const { field, wire } = entry.tag();
    if (wire === WIRE_LEN && field === 1) key = entry.string(1);
    else if (wire === WIRE_LEN && field === 2) value = entry.bytes();
    else entry.skip(field, wire);
  }
  // A hostile key such as `__proto__` must become an own key, not reach the object's prototype.
  if (key === "__proto__") Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

export function encodeStatusRequest(): Buffer {
  return EMPTY;
}

export function decodeStatusRequest(buf: Buffer): StatusRequestMessage {
  decode(buf, () => false);
  return {};
}

export function encodeStatusResponse(message: StatusResponseMessage): Buffer {
  return encode((w) => {
    w.string(1, message.version);
    w.string(2, message.healthz);
    w.string(3, message.key_id);
  });
}

export function decodeStatusResponse(buf: Buffer): StatusResponseMessage {
  const message: StatusResponseMessage = { version: "", healthz: "", key_id: "" };
  decode(buf, (r, field) => {
    if (field === 1) message.version = r.string(1);
    else if (field === 2) message.healthz = r.string(2);
    else if (field === 3) message.key_id = r.string(3);
    else return false;
    return true;
  });
  return message;
}

export function encodeEncryptRequest(message: { plaintext: Uint8Array; uid: string }): Buffer {
  return encode((w) => {
    w.bytes(1, message.plaintext);
    w.string(2, message.uid);
  });
}

export function decodeEncryptRequest(buf: Buffer): EncryptRequestMessage {
  const message: EncryptRequestMessage = { plaintext: EMPTY, uid: "" };
  decode(buf, (r, field) => {
    if (field === 1) message.plaintext = r.bytes();
    else if (field === 2) message.uid = r.string(2);
    else return false;
    return true;
  });
  return message;
}

export function encodeEncryptResponse(message: { ciphertext: Uint8Array; key_id: string; annotations?: Annotations }): Buffer {
  return encode((w) => {
    w.bytes(1, message.ciphertext);
    w.string(2, message.key_id);
    w.map(3, message.annotations ?? {});
  });
}

export function decodeEncryptResponse(buf: Buffer): EncryptResponseMessage {
  const message: EncryptResponseMessage = { ciphertext: EMPTY, key_id: "", annotations: {} };
  decode(buf, (r, field) => {
    if (field === 1) message.ciphertext = r.bytes();
    else if (field === 2) message.key_id = r.string(2);
    else if (field === 3) readMapEntry(r, message.annotations);
    else return false;
    return true;
  });
  return message;
}

export function encodeDecryptRequest(message: { ciphertext: Uint8Array; uid: string; key_id: string; annotations?: Annotations }): Buffer {
  return encode((w) => {
    w.bytes(1, message.ciphertext);
    w.string(2, message.uid);
    w.string(3, message.key_id);
    w.map(4, message.annotations ?? {});
  });
}

export function decodeDecryptRequest(buf: Buffer): DecryptRequestMessage {
  const message: DecryptRequestMessage = { ciphertext: EMPTY, uid: "", key_id: "", annotations: {} };
  decode(buf, (r, field) => {
    if (field === 1) message.ciphertext = r.bytes();
    else if (field === 2) message.uid = r.string(2);
    else if (field === 3) message.key_id = r.string(3);
    else if (field === 4) readMapEntry(r, message.annotations);
    else return false;
    return true;
  });
  return message;
}

export function encodeDecryptResponse(message: { plaintext: Uint8Array }): Buffer {
  return encode((w) => w.bytes(1, message.plaintext));
}

export function decodeDecryptResponse(buf: Buffer): DecryptResponseMessage {
  const message: DecryptResponseMessage = { plaintext: EMPTY };
  decode(buf, (r, field) => {
    if (field === 1) message.plaintext = r.bytes();
    else return false;
    return true;
  });
  return message;
}
