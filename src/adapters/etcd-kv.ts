import * as grpc from "@grpc/grpc-js";
import { ProtobufDecodeError, WIRE_LEN, WIRE_VARINT, WireReader, lenFieldSize } from "../encryption/protobuf-wire.js";

/**
 * A lean etcd v3 KV client: the three calls Palisade makes (Range, and Txn for one
 * compare-and-put), straight over grpc-js with hand-written encoding and decoding (on the
 * project's protobuf reader, encryption/protobuf-wire.ts) for exactly the messages involved
 * (etcd's api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto).
 *
 * Why not the etcd3 package: on a 100k-key scan it decoded every key and value into a
 * fresh object and Buffer copy through protobufjs, and loading it (with protobufjs and
 * cockatiel) cost about as much CPU as etcdctl's whole scan. Here keys and values are
 * views into the response message, and nothing is decoded that status or rotate does not use.
 */

export interface RangeRequest {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  limit?: number;
  /** Read at this revision (decimal string, as etcd's int64); 0 or absent: the newest. */
  revision?: string;
  countOnly?: boolean;
}

export interface KvEntry {
  /** Views into the response message: no copy per key or value. */
  key: Buffer;
  value: Buffer;
  /** Decimal, exact (int64). */
  modRevision: string;
}

export interface RangeResult {
  /** The store revision the range was served at (decimal). */
  revision: string;
  kvs: KvEntry[];
  more: boolean;
  count: number;
  /** The lean client's form of `kvs` (see RawKvs); other clients leave it out. */
  raw?: RawKvs;
}

/** What the etcd adapters need from an etcd client; `EtcdKv` implements it, so does the etcd3 package (via `asKv`). */
export interface KvReader {
  range(request: RangeRequest): Promise<RangeResult>;
  /** Puts `value` at `key` (keeping its lease) only if the key's mod_revision is still `modRevision`; false when it changed. */
  compareAndPut(key: Uint8Array, modRevision: string, value: Uint8Array): Promise<boolean>;
}

export interface EtcdKv extends KvReader {
  close(): void;
}

export interface EtcdKvOptions {
  /** `http://host:port` or `https://host:port`; tried in order, the next one on UNAVAILABLE. */
  endpoints: string[];
  rootCertificate?: Buffer;
  certChain?: Buffer;
  privateKey?: Buffer;
  maxResponseBytes: number;
}

// ---- protobuf wire format ------------------------------------------------------------

class Writer {
  private buf = Buffer.allocUnsafe(64);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  tag(field: number, wireType: 0 | 2): this {
    return this.varint((field << 3) | wireType);
  }

  /** A varint field; `always` writes it even when zero (oneof members must be present). */
  uint(field: number, value: number | bigint, always = false): this {
    if (!always && (value === 0 || value === 0n)) return this;
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

// ---- etcdserverpb messages -----------------------------------------------------------


function encodeRange(request: RangeRequest): Buffer {
  const w = new Writer().bytes(1, request.key);
  if (request.rangeEnd) w.bytes(2, request.rangeEnd);
  if (request.limit) w.uint(3, request.limit);
  if (request.revision && request.revision !== "0") w.uint(4, BigInt(request.revision));
  if (request.countOnly) w.uint(9, 1);
  return w.finish();
}

/** Field keys (`field << 3 | wire type`) of the response fields read below. */
const fieldKey = (field: number, wire: number): number => (field << 3) | wire;
const HEADER_REVISION = fieldKey(3, WIRE_VARINT);
const KV_KEY = fieldKey(1, WIRE_LEN);
const KV_MOD_REVISION = fieldKey(3, WIRE_VARINT);
const KV_VALUE = fieldKey(5, WIRE_LEN);
const RANGE_HEADER = fieldKey(1, WIRE_LEN);
const RANGE_KVS = fieldKey(2, WIRE_LEN);
const RANGE_MORE = fieldKey(3, WIRE_VARINT);
const RANGE_COUNT = fieldKey(4, WIRE_VARINT);
const TXN_SUCCEEDED = fieldKey(2, WIRE_VARINT);

/** A varint that etcd sends as int64: exact as a number up to 2^53, which no revision or count reaches. */
function int64(r: WireReader): number {
  const value = r.varint();
  if (value > Number.MAX_SAFE_INTEGER) throw new ProtobufDecodeError("integer out of range");
  return value;
}

/** ResponseHeader { cluster_id = 1; member_id = 2; revision = 3; raft_term = 4 }: only the revision. */
function decodeHeaderRevision(message: Buffer, start: number, end: number): number {
  const r = new WireReader(message, start, end);
  let revision = 0;
  while (!r.done) {
    const key = r.key();
    if (key === HEADER_REVISION) revision = int64(r);
    else r.skip(key >>> 3, key & 7);
  }
  return revision;
}

/**
 * A page's keys and values where they lie in the response message: per entry, key start,
 * key end, value start, value end. `etcd status` hands the message and these offsets to
 * its decrypting thread as they are, without an object per value.
 */
export interface RawKvs {
  message: Buffer;
  offsets: Uint32Array;
  modRevisions: Float64Array;
  length: number;
}

/** mvccpb.KeyValue { key = 1; create_revision = 2; mod_revision = 3; version = 4; value = 5; lease = 6 }: entry `index` of `raw`. */
function decodeKeyValue(raw: RawKvs, index: number, start: number, end: number): void {
  const r = new WireReader(raw.message, start, end);
  const at = 4 * index;
  // Absent key or value: empty, at the entry's end.
  raw.offsets.fill(end, at, at + 4);
  while (!r.done) {
    const key = r.key();
    if (key === KV_KEY) [raw.offsets[at], raw.offsets[at + 1]] = r.span();
    else if (key === KV_MOD_REVISION) raw.modRevisions[index] = int64(r);
    else if (key === KV_VALUE) [raw.offsets[at + 2], raw.offsets[at + 3]] = r.span();
    else r.skip(key >>> 3, key & 7);
  }
}

/** Entries as objects, made only when asked for (rotate and tests; status reads the offsets). */
function entriesOf(raw: RawKvs): KvEntry[] {
  const { message, offsets } = raw;
  return Array.from({ length: raw.length }, (_, i) => ({
    key: message.subarray(offsets[4 * i]!, offsets[4 * i + 1]!),
    value: message.subarray(offsets[4 * i + 2]!, offsets[4 * i + 3]!),
    modRevision: String(raw.modRevisions[i]!),
  }));
}

/** RangeResponse { header = 1; repeated kvs = 2; more = 3; count = 4 }. */
export function decodeRangeResponse(buf: Buffer): RangeResult {
  return decoding(() => {
    const r = new WireReader(buf);
    let capacity = 64;
    let raw: RawKvs = { message: buf, offsets: new Uint32Array(4 * capacity), modRevisions: new Float64Array(capacity), length: 0 };
    let revision = 0;
    let more = false;
    let count = 0;
    while (!r.done) {
      const key = r.key();
      if (key === RANGE_HEADER) {
        const [s, e] = r.span();
        revision = decodeHeaderRevision(buf, s, e);
      } else if (key === RANGE_KVS) {
        const [s, e] = r.span();
        if (raw.length === capacity) {
          capacity *= 2;
          const grown: RawKvs = { message: buf, offsets: new Uint32Array(4 * capacity), modRevisions: new Float64Array(capacity), length: raw.length };
          grown.offsets.set(raw.offsets);
          grown.modRevisions.set(raw.modRevisions);
          raw = grown;
        }
        decodeKeyValue(raw, raw.length++, s, e);
      } else if (key === RANGE_MORE) {
        more = r.varint() !== 0;
      } else if (key === RANGE_COUNT) {
        count = int64(r);
      } else {
        r.skip(key >>> 3, key & 7);
      }
    }
    const done = { ...raw, offsets: raw.offsets.subarray(0, 4 * raw.length), modRevisions: raw.modRevisions.subarray(0, raw.length) };
    let kvs: KvEntry[] | undefined;
    return {
      revision: String(revision),
      more,
      count,
      raw: done,
      get kvs() {
        return (kvs ??= entriesOf(done));
      },
    };
  });
}

/** The shared protobuf reader's faults, said as what they are here: a bad etcd response. */
function decoding<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw new Error(`etcd response: truncated or malformed protobuf message (${err.message})`);
    throw err;
  }
}

/**
 * TxnRequest { compare = 1; success = 2; failure = 3 } with one Compare
 * { result = 1 (EQUAL = 0); target = 2 (MOD = 2); key = 3; mod_revision = 6 } and one
 * RequestOp { request_put = 2: PutRequest { key = 1; value = 2; ignore_lease = 6 } }.
 * ignore_lease keeps the key's etcd lease: a plain put detaches it, and kube-apiserver
 * stores Events (and anything else with a TTL) under a lease, so they would never expire.
 */
function encodeCompareAndPut(request: { key: Uint8Array; modRevision: string; value: Uint8Array }): Buffer {
  return new Writer()
    .message(1, (c) => c.uint(2, 2).bytes(3, request.key).uint(6, BigInt(request.modRevision), true))
    .message(2, (op) => op.message(2, (put) => put.bytes(1, request.key).bytes(2, request.value).uint(6, 1)))
    .finish();
}

/**
 * The bytes etcd weighs against its --max-request-bytes for our compare-and-put: it wraps the
 * TxnRequest in an InternalRaftRequest { header = 100: RequestHeader { ID = 1 }; txn = 6 }
 * and refuses the write ("request is too large") when that marshals to more than the limit
 * (etcdserver's processInternalRaftRequestOnce). The ID is a uint64 of up to 10 varint bytes,
 * counted at its largest; with etcd's auth on, the header also carries the user's name and
 * auth revision, which this leaves out.
 */
export function compareAndPutRequestBytes(request: { key: Uint8Array; modRevision: string; value: Uint8Array }): number {
  const header = 1 + 10;
  return lenFieldSize(100, header) + lenFieldSize(6, encodeCompareAndPut(request).length);
}

/** TxnResponse { header = 1; succeeded = 2; responses = 3 }: only `succeeded`. */
export function decodeTxnSucceeded(buf: Buffer): boolean {
  return decoding(() => {
    const r = new WireReader(buf);
    let succeeded = false;
    while (!r.done) {
      const key = r.key();
      if (key === TXN_SUCCEEDED) succeeded = r.varint() !== 0;
      else r.skip(key >>> 3, key & 7);
    }
    return succeeded;
  });
}

export const encodeForTest = { encodeRange, encodeCompareAndPut };

// ---- the client ----------------------------------------------------------------------

/** Above one default page (10000 values of ~700 bytes), so etcd streams a page without stalling. */
const FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;
const RANGE = "/etcdserverpb.KV/Range";
const TXN = "/etcdserverpb.KV/Txn";
const identity = (b: Buffer): Buffer => b;

/** The grpc target for `http(s)://host:port`. */
function target(endpoint: string): string {
  return new URL(endpoint).host;
}

export function createEtcdKv(options: EtcdKvOptions): EtcdKv {
  const channelOptions: grpc.ClientOptions = {
    "grpc.max_receive_message_length": options.maxResponseBytes,
    "grpc.max_send_message_length": -1,
    // HTTP/2's default 64 KiB window makes etcd stop every 64 KiB of a multi-MiB page and
    // wait for a WINDOW_UPDATE round trip; a window of a few pages lets it stream.
    "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW,
  };
  const clients: Array<grpc.Client | undefined> = options.endpoints.map(() => undefined);
  const clientFor = (index: number): grpc.Client => {
    let client = clients[index];
    if (client === undefined) {
      const endpoint = options.endpoints[index]!;
      const credentials = endpoint.startsWith("https://")
        ? grpc.credentials.createSsl(options.rootCertificate ?? null, options.privateKey ?? null, options.certChain ?? null)
        : grpc.credentials.createInsecure();
      client = new grpc.Client(target(endpoint), credentials, channelOptions);
      clients[index] = client;
    }
    return client;
  };
  let current = 0;

  /** One unary call; on UNAVAILABLE the next endpoint is tried, each once per call. */
  const call = async <Res>(method: string, request: Buffer, decode: (b: Buffer) => Res): Promise<Res> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < options.endpoints.length; attempt++) {
      const index = (current + attempt) % options.endpoints.length;
      try {
        const response = await new Promise<Buffer>((resolve, reject) => {
          clientFor(index).makeUnaryRequest(method, identity, identity, request, (err, value) => (err || value === undefined ? reject(err ?? new Error("etcd: empty response")) : resolve(value)));
        });
        current = index;
        return decode(response);
      } catch (err) {
        lastError = err;
        if ((err as grpc.ServiceError).code !== grpc.status.UNAVAILABLE) throw err;
      }
    }
    throw lastError;
  };

  return {
    range: (request) => call(RANGE, encodeRange(request), decodeRangeResponse),
    compareAndPut: (key, modRevision, value) => call(TXN, encodeCompareAndPut({ key, modRevision, value }), decodeTxnSucceeded),
    close() {
      for (const client of clients) client?.close();
    },
  };
}
