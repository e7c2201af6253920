import { concatBytes, decodeUtf8Strict, utf8 } from "../bytes.js";
import { StoredValueError } from "../errors.js";

/**
 * KMS v2's stored `EncryptedObject` (proto3, package v2): the body after
 * `k8s:enc:kms:v2:<name>:`. A hand-written codec for five fields is smaller and clearer
 * than a protobuf runtime, and lets every decode failure be a clear error.
 */
export interface EncryptedObject {
  encryptedData: Uint8Array;
  keyId: string;
  encryptedDekSource: Uint8Array;
  annotations: Record<string, Uint8Array>;
  /** 0 AES_GCM_KEY, 1 HKDF_SHA256_XNONCE_AES_GCM_SEED; other values fail validation. */
  encryptedDekSourceType: number;
}

export const DEK_SOURCE_AES_GCM_KEY = 0;
export const DEK_SOURCE_HKDF_SEED = 1;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

class Reader {
  offset = 0;
  constructor(private readonly data: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.data.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.data.length) throw truncated();
      const byte = this.data[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & 0xffffffffffffffffn;
    }
    throw new StoredValueError("invalid EncryptedObject: varint longer than 10 bytes");
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (length > BigInt(this.data.length - this.offset)) throw truncated();
    const start = this.offset;
    this.offset += Number(length);
    return this.data.subarray(start, this.offset);
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_BYTES) this.bytes();
    else if (wireType === WIRE_FIXED64 || wireType === WIRE_FIXED32) {
      const size = wireType === WIRE_FIXED64 ? 8 : 4;
      if (this.offset + size > this.data.length) throw truncated();
      this.offset += size;
    } else throw new StoredValueError(`invalid EncryptedObject: unsupported protobuf wire type ${wireType}`);
  }
}

function truncated(): StoredValueError {
  return new StoredValueError("invalid EncryptedObject: protobuf data is truncated");
}

function decodeString(bytes: Uint8Array, field: string): string {
  const text = decodeUtf8Strict(bytes);
  if (text === undefined) throw new StoredValueError(`invalid EncryptedObject: ${field} is not valid UTF-8`);
  return text;
}

function decodeMapEntry(bytes: Uint8Array): [string, Uint8Array] {
  const reader = new Reader(bytes);
  let key = "";
  let value: Uint8Array = new Uint8Array(0);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 1 && wire === WIRE_BYTES) key = decodeString(reader.bytes(), "annotation key");
    else if (field === 2 && wire === WIRE_BYTES) value = reader.bytes();
    else reader.skip(wire);
  }
  return [key, value];
}

/**
 * Decode as Go's proto.Unmarshal does: fields in any order, the last occurrence of a
 * scalar wins, unknown fields (and known numbers with an unexpected wire type) are skipped.
 */
export function decodeEncryptedObject(data: Uint8Array): EncryptedObject {
  const reader = new Reader(data);
  const object: EncryptedObject = {
    encryptedData: new Uint8Array(0),
    keyId: "",
    encryptedDekSource: new Uint8Array(0),
    annotations: {},
    encryptedDekSourceType: 0,
  };
  while (!reader.done) {
    const tag = reader.varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0) throw new StoredValueError("invalid EncryptedObject: protobuf field number 0");
    if (field === 1 && wire === WIRE_BYTES) object.encryptedData = reader.bytes();
    else if (field === 2 && wire === WIRE_BYTES) object.keyId = decodeString(reader.bytes(), "keyID");
    else if (field === 3 && wire === WIRE_BYTES) object.encryptedDekSource = reader.bytes();
    else if (field === 4 && wire === WIRE_BYTES) {
      const [key, value] = decodeMapEntry(reader.bytes());
      // A stored `__proto__` key must stay an own key (and so fail validateAnnotations as a
      // non-FQDN key), not set the object's prototype and vanish, as kms-v2-messages.ts guards.
      if (key === "__proto__") Object.defineProperty(object.annotations, key, { value, enumerable: true, writable: true, configurable: true });
      else object.annotations[key] = value;
    } else if (field === 5 && wire === WIRE_VARINT) {
      // proto enums are int32: keep the low 32 bits, signed, as Go does.
      object.encryptedDekSourceType = Number(BigInt.asIntN(32, reader.varint()));
    } else reader.skip(wire);
  }
  return object;
}

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return concatBytes(varint((field << 3) | WIRE_BYTES), varint(bytes.length), bytes);
}

/** Encode like Go's deterministic marshal: ascending fields, defaults omitted, map keys sorted. */
export function encodeEncryptedObject(object: EncryptedObject): Uint8Array {
  const parts: Uint8Array[] = [];
  if (object.encryptedData.length > 0) parts.push(bytesField(1, object.encryptedData));
  if (object.keyId.length > 0) parts.push(bytesField(2, utf8(object.keyId)));
  if (object.encryptedDekSource.length > 0) parts.push(bytesField(3, object.encryptedDekSource));
  for (const key of Object.keys(object.annotations).sort()) {
    const entry = concatBytes(bytesField(1, utf8(key)), bytesField(2, object.annotations[key]!));
    parts.push(bytesField(4, entry));
  }
  if (object.encryptedDekSourceType !== 0) {
    parts.push(concatBytes(varint((5 << 3) | WIRE_VARINT), varint(object.encryptedDekSourceType)));
  }
  return concatBytes(...parts);
}
