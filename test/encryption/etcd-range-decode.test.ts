import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRangeResponse } from "../../src/adapters/etcd-kv.js";

/** Protobuf as etcd writes it (proto3: zero and empty fields left out), built by hand so the decoder is checked against the wire format, not itself. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const field = (n: number, bytes: Uint8Array): number[] => (bytes.length === 0 ? [] : [...varint((n << 3) | 2), ...varint(bytes.length), ...bytes]);
const uint = (n: number, value: number): number[] => (value === 0 ? [] : [...varint(n << 3), ...varint(value)]);

interface Kv {
  key: Uint8Array;
  value: Uint8Array;
  modRevision: number;
  createRevision: number;
  lease: number;
}

function encode(kvs: Kv[], revision: number, more: boolean, count: number): Buffer {
  const header = Uint8Array.from([...uint(1, 12345), ...uint(3, revision), ...uint(4, 7)]);
  const body: number[] = [...field(1, header)];
  for (const kv of kvs) {
    // Field order as etcd's generated marshaller: key, create_revision, mod_revision, version, value, lease.
    const entry = Uint8Array.from([...field(1, kv.key), ...uint(2, kv.createRevision), ...uint(3, kv.modRevision), ...uint(4, 1), ...field(5, kv.value), ...uint(6, kv.lease)]);
    body.push(...varint((2 << 3) | 2), ...varint(entry.length), ...entry);
  }
  body.push(...uint(3, more ? 1 : 0), ...uint(4, count));
  return Buffer.from(body);
}

const kvArb = fc.record({
  key: fc.uint8Array({ minLength: 0, maxLength: 40 }),
  value: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  modRevision: fc.integer({ min: 0, max: 2 ** 50 }),
  createRevision: fc.integer({ min: 0, max: 2 ** 40 }),
  lease: fc.integer({ min: 0, max: 2 ** 52 }),
});

describe("etcd RangeResponse decoding", () => {
  it("finds every key, value and mod_revision, as objects and as offsets into the message", () => {
    fc.assert(
      fc.property(fc.array(kvArb, { maxLength: 150 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.boolean(), (kvs, revision, more) => {
        const message = encode(kvs, revision, more, kvs.length + 3);
        const decoded = decodeRangeResponse(message);
        expect(decoded.revision).toBe(String(revision));
        expect(decoded.more).toBe(more);
        expect(decoded.count).toBe(kvs.length + 3);
        expect(decoded.kvs.map((e) => [Buffer.from(e.key), Buffer.from(e.value), e.modRevision])).toEqual(
          kvs.map((kv) => [Buffer.from(kv.key), Buffer.from(kv.value), String(kv.modRevision)]),
        );
        const raw = decoded.raw!;
        expect(raw.message).toBe(message);
        expect(raw.length).toBe(kvs.length);
        kvs.forEach((kv, i) => {
          expect(message.subarray(raw.offsets[4 * i]!, raw.offsets[4 * i + 1]!)).toEqual(Buffer.from(kv.key));
          expect(message.subarray(raw.offsets[4 * i + 2]!, raw.offsets[4 * i + 3]!)).toEqual(Buffer.from(kv.value));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a truncated message with a clear error", () => {
    const message = encode([{ key: Buffer.from("/registry/secrets/a/b"), value: Buffer.from("v".repeat(50)), modRevision: 9, createRevision: 9, lease: 0 }], 10, false, 1);
    for (let cut = 1; cut < message.length; cut++) {
      try {
        decodeRangeResponse(message.subarray(0, cut));
      } catch (err) {
        expect((err as Error).message).toMatch(/^etcd response: /);
      }
    }
    expect(() => decodeRangeResponse(message.subarray(0, message.length - 3))).toThrow(/truncated/);
  });
});
