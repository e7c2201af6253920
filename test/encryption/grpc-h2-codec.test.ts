import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameMessage, UnaryMessageReader } from "../../src/encryption/grpc-h2-frame.js";
import { decodeGrpcMessage, encodeGrpcMessage, encodeGrpcTimeout, GrpcError, GrpcStatus, parseGrpcTimeout } from "../../src/encryption/grpc-h2-status.js";
import { kmsV2PackageDefinition } from "../support/kms-grpc-proto.js";
import * as kms from "../../src/encryption/kms-v2-messages.js";
import { ProtobufDecodeError } from "../../src/encryption/protobuf-wire.js";

/**
 * The hand-written KMS v2 protobuf codec against protobufjs (the schema in
 * test/support/kms-grpc-proto.ts, as grpc-js peers use it), and the gRPC message framing
 * against hostile byte streams.
 */

type Serializers = Record<string, { requestSerialize(m: unknown): Buffer; requestDeserialize(b: Buffer): unknown; responseSerialize(m: unknown): Buffer; responseDeserialize(b: Buffer): unknown }>;
const pbjs = kmsV2PackageDefinition()["v2.KeyManagementService"] as unknown as Serializers;

const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
const text = fc.string({ unit: "grapheme", maxLength: 24 });
const annotations = fc.dictionary(text, bytes, { maxKeys: 4 }).map((d) => ({ ...d }));

const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v && typeof v === "object" && (v as { type?: string }).type === "Buffer" ? Buffer.from((v as { data: number[] }).data).toString("hex") : v)));
const hexMap = (map: Record<string, Uint8Array>): Record<string, string> => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, Buffer.from(v).toString("hex")]));

describe("KMS v2 messages: hand-written codec == protobufjs", () => {
  it("property: each message round-trips, and both codecs read each other's bytes the same", () => {
    fc.assert(
      fc.property(bytes, bytes, text, text, text, annotations, (b1, b2, s1, s2, s3, map) => {
        const cases: [string, "request" | "response", Record<string, unknown>, (m: never) => Buffer, (b: Buffer) => unknown][] = [
          ["Status", "response", { version: s1, healthz: s2, key_id: s3 }, kms.encodeStatusResponse, kms.decodeStatusResponse],
          ["Encrypt", "request", { plaintext: b1, uid: s1 }, kms.encodeEncryptRequest, kms.decodeEncryptRequest],
          ["Encrypt", "response", { ciphertext: b1, key_id: s2, annotations: map }, kms.encodeEncryptResponse, kms.decodeEncryptResponse],
          ["Decrypt", "request", { ciphertext: b2, uid: s1, key_id: s3, annotations: map }, kms.encodeDecryptRequest, kms.decodeDecryptRequest],
          ["Decrypt", "response", { plaintext: b2 }, kms.encodeDecryptResponse, kms.decodeDecryptResponse],
        ];
        for (const [method, side, message, encode, decode] of cases) {
          const ours = encode(message as never);
          const theirs = side === "request" ? pbjs[method]!.requestSerialize(message) : pbjs[method]!.responseSerialize(message);
          const fromTheirs = side === "request" ? pbjs[method]!.requestDeserialize(ours) : pbjs[method]!.responseDeserialize(ours);
          expect(plain(decode(ours))).toEqual(plain(message));
          expect(plain(decode(theirs))).toEqual(plain(message));
          expect(plain(fromTheirs)).toEqual(plain(message));
          // Bytes may differ only where protobufjs (no proto3 marker in the JSON schema) writes an empty value.
          if (!Object.values(message).some((v) => v === "" || (v instanceof Buffer && v.length === 0))) expect(ours.toString("hex")).toBe(theirs.toString("hex"));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("skips unknown fields of every wire type, including groups, and keeps the last of a repeated scalar", () => {
    const known = kms.encodeDecryptRequest({ ciphertext: Buffer.from("ct"), uid: "u", key_id: "k", annotations: { a: Buffer.from("1") } });
    const unknown = Buffer.from([
      0x28, 0x96, 0x01, // field 5 varint 150
      0x31, 1, 2, 3, 4, 5, 6, 7, 8, // field 6 fixed64
      0x3a, 0x02, 0xaa, 0xbb, // field 7 bytes
      0x45, 1, 2, 3, 4, // field 8 fixed32
      0x4b, 0x08, 0x01, 0x53, 0x08, 0x02, 0x54, 0x4c, // field 9 group holding a varint and a nested group 10
      0x18, 0x05, // field 3 (key_id) as a varint: wrong wire type, so unknown
    ]);
    const overridden = kms.encodeDecryptRequest({ ciphertext: Buffer.alloc(0), uid: "", key_id: "k2", annotations: { a: Buffer.from("2") } });
    const decoded = kms.decodeDecryptRequest(Buffer.concat([unknown, known, unknown, overridden]));
    expect(decoded.ciphertext.toString()).toBe("ct");
    expect(decoded.uid).toBe("u");
    expect(decoded.key_id).toBe("k2");
    expect(hexMap(decoded.annotations)).toEqual({ a: Buffer.from("2").toString("hex") });
  });

  it("a hostile map key is an ordinary key, not a prototype", () => {
    const decoded = kms.decodeDecryptRequest(kms.encodeDecryptRequest({ ciphertext: Buffer.from("c"), uid: "u", key_id: "k", annotations: { ["__proto__"]: Buffer.from("x") } }));
    expect(Object.keys(decoded.annotations)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it("property: decoding arbitrary bytes returns a message or throws ProtobufDecodeError, nothing else", () => {
    const decoders = [kms.decodeStatusRequest, kms.decodeStatusResponse, kms.decodeEncryptRequest, kms.decodeEncryptResponse, kms.decodeDecryptRequest, kms.decodeDecryptResponse];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (input) => {
        for (const decode of decoders) {
          try {
            decode(Buffer.from(input));
          } catch (err) {
            expect(err).toBeInstanceOf(ProtobufDecodeError);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("refuses truncated fields, bad wire types, field 0, overlong varints and invalid UTF-8 with a reason", () => {
    const cases: [number[], RegExp][] = [
      [[0x0a, 0x05, 1, 2], /runs past the end/],
      [[0x0a], /truncated varint/],
      [[0x0f], /invalid wire type 7/],
      [[0x00, 0x00], /invalid field number 0/],
      [[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], /overflows 64 bits/],
      [[0x12, 0x02, 0xc3, 0x28], /not valid UTF-8/],
      [[0x4c], /unmatched end-group/],
      [[0x4b, 0x08, 0x01], /truncated varint/],
    ];
    for (const [input, reason] of cases) expect(() => kms.decodeEncryptRequest(Buffer.from(input)), reason.source).toThrow(reason);
  });
});

describe("gRPC message framing", () => {
  const chunksOf = (data: Buffer, cuts: number[]): Buffer[] => {
    const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let at = 0;
    for (const p of [...points, data.length]) {
      out.push(data.subarray(at, p));
      at = p;
    }
    return out;
  };

  it("property: a message split anywhere reassembles to itself", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), (body, cuts) => {
        const reader = new UnaryMessageReader("request");
        for (const chunk of chunksOf(frameMessage(body), cuts)) reader.push(chunk);
        expect(reader.message().equals(Buffer.from(body))).toBe(true);
      }),
    );
  });

  it("property: arbitrary byte streams end in a message or a GrpcError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(fc.nat(), { maxLength: 4 }), (data, cuts) => {
        const reader = new UnaryMessageReader("request", 16);
        try {
          for (const chunk of chunksOf(Buffer.from(data), cuts)) reader.push(chunk);
          reader.message();
        } catch (err) {
          expect(err).toBeInstanceOf(GrpcError);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("maps each framing fault to grpc-go's status, before buffering an oversized body", () => {
    const fault = (chunks: Buffer[], max = 1024): GrpcError => {
      const reader = new UnaryMessageReader("request", max);
      try {
        for (const chunk of chunks) reader.push(chunk);
        reader.message();
      } catch (err) {
        return err as GrpcError;
      }
      throw new Error("expected a fault");
    };
    expect(fault([Buffer.from([0, 0xff, 0xff, 0xff, 0xff])]).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(fault([Buffer.from([0, 0xff, 0xff, 0xff, 0xff])]).details).toMatch(/larger than max \(4294967295 vs\. 1024\)/);
    expect(fault([Buffer.from([1, 0, 0, 0, 1, 7])]).code).toBe(GrpcStatus.INTERNAL);
    expect(fault([Buffer.from([2, 0, 0, 0, 0])]).details).toMatch(/unexpected message flags/);
    expect(fault([Buffer.from([0, 0, 0, 0, 9, 1, 2])]).details).toMatch(/truncated after 7 bytes/);
    expect(fault([Buffer.from([0, 0, 0])]).details).toMatch(/truncated/);
    expect(fault([]).details).toMatch(/no request message/);
    expect(fault([frameMessage(Buffer.from("a")), frameMessage(Buffer.alloc(0))]).details).toMatch(/cardinality violation/);
  });
});

describe("gRPC header encodings", () => {
  it("property: grpc-message percent-encoding round-trips any text and stays printable ASCII", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (message) => {
        const encoded = encodeGrpcMessage(message);
        expect(encoded).toMatch(/^[\x20-\x7e]*$/);
        expect(decodeGrpcMessage(encoded)).toBe(message);
      }),
    );
    expect(encodeGrpcMessage("50% ok\n")).toBe("50%25 ok%0A");
    expect(decodeGrpcMessage("100%")).toBe("100%");
    expect(decodeGrpcMessage("%zz%4")).toBe("%zz%4");
  });

  it("grpc-timeout: parses every unit, refuses more than 8 digits, and encodes rounding up", () => {
    expect(parseGrpcTimeout("1H")).toBe(3_600_000);
    expect(parseGrpcTimeout("2M")).toBe(120_000);
    expect(parseGrpcTimeout("3S")).toBe(3_000);
    expect(parseGrpcTimeout("4m")).toBe(4);
    expect(parseGrpcTimeout("5000u")).toBe(5);
    expect(parseGrpcTimeout("6000000n")).toBe(6);
    for (const bad of ["", "S", "123456789S", "1s", "-1S", "1.5S", " 1S"]) expect(parseGrpcTimeout(bad), bad).toBeUndefined();
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (ms) => {
        const parsed = parseGrpcTimeout(encodeGrpcTimeout(ms));
        expect(parsed).toBeDefined();
        expect(parsed!).toBeGreaterThanOrEqual(ms - 1e-9);
      }),
    );
  });
});
