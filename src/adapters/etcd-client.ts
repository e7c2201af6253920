import { readFile } from "node:fs/promises";
import type { Etcd3 } from "etcd3";
import { UserError } from "../errors.js";
import { etcdAnswered } from "./etcd-errors.js";
import { createEtcdKv, type EtcdKv, type KvReader, type RangeRequest, type RangeResult, type RawKvs } from "./etcd-kv.js";

export type { EtcdKv, KvReader, RawKvs } from "./etcd-kv.js";

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** How to reach etcd, as kube-apiserver's --etcd-servers / --etcd-cafile / --etcd-certfile / --etcd-keyfile. */
export interface EtcdConnectionOptions {
  endpoints: string[];
  cacert?: string;
  cert?: string;
  key?: string;
  /** Largest etcd response accepted (default 64 MiB); a page over it is split. */
  maxResponseBytes?: number;
}

export interface StoredEntry {
  key: Buffer;
  value: Buffer;
  /** The revision of the value's last write; rotate writes only if it is unchanged. */
  modRevision: string;
}

async function readPem(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new UserError(`cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { hint: `pass a readable PEM file to ${flag}` });
  }
}

export async function connectEtcd(options: EtcdConnectionOptions): Promise<EtcdKv> {
  const endpoints = options.endpoints.flatMap((e) => e.split(",")).map((e) => e.trim()).filter((e) => e !== "");
  if (endpoints.length === 0) throw new UserError("no etcd endpoint given", { hint: "pass --endpoints https://127.0.0.1:2379" });
  for (const endpoint of endpoints) {
    if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
      throw new UserError(`etcd endpoint ${JSON.stringify(endpoint)} is not a URL like https://host:2379`, { hint: "use --endpoints https://HOST:PORT[,https://HOST2:PORT]" });
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new UserError("--cert and --key go together", { hint: "pass both the client certificate and its key, or neither" });
  }
  const tls = endpoints.some((e) => e.startsWith("https://"));
  if (!tls && (options.cacert || options.cert)) {
    throw new UserError("TLS files given for an http:// endpoint", { hint: "use https:// endpoints with --cacert/--cert/--key" });
  }
  const credentials = tls
    ? {
        rootCertificate: options.cacert ? await readPem(options.cacert, "--cacert") : Buffer.alloc(0),
        ...(options.cert && options.key ? { certChain: await readPem(options.cert, "--cert"), privateKey: await readPem(options.key, "--key") } : {}),
      }
    : undefined;
  if (credentials && credentials.rootCertificate.length === 0) {
    throw new UserError("https endpoints need --cacert", { hint: "pass the etcd CA bundle (kube-apiserver's --etcd-cafile)" });
  }
  // A lean client (etcd-kv.ts): keys and values stay views into each response.
  return createEtcdKv({
    endpoints,
    maxResponseBytes: options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
    ...(credentials ?? {}),
  });
}

/**
 * The etcd clients the adapters accept: the lean one `connectEtcd` returns, or an etcd3
 * `Etcd3` (tests and benchmarks hold one from etcd-launch.ts). etcd3 is only a type here,
 * so the CLI never loads it.
 */
export type EtcdClient = KvReader | Etcd3;

export function asKv(client: EtcdClient): KvReader {
  if (!("kv" in client)) return client;
  const kv = client.kv;
  return {
    async range(request: RangeRequest): Promise<RangeResult> {
      const response = await kv.range({
        key: Buffer.from(request.key),
        ...(request.rangeEnd ? { range_end: Buffer.from(request.rangeEnd) } : {}),
        ...(request.limit ? { limit: request.limit } : {}),
        ...(request.revision ? { revision: request.revision } : {}),
        ...(request.countOnly ? { count_only: true } : {}),
      });
      return {
        revision: response.header.revision,
        kvs: response.kvs.map((e) => ({ key: e.key, value: e.value, modRevision: e.mod_revision })),
        more: response.more,
        count: Number(response.count),
      };
    },
    async compareAndPut(key, modRevision, value) {
      const k = Buffer.from(key);
      const response = await kv.txn({
        compare: [{ key: k, target: "Mod", result: "Equal", mod_revision: modRevision }],
        // ignore_lease: keep the key's lease (Events expire through one), as the lean client does.
        success: [{ request_put: { key: k, value: Buffer.from(value), ignore_lease: true } }],
        failure: [],
      });
      return response.succeeded;
    },
  };
}

/**
 * Wraps an etcd failure as something a person can act on; the cause stays for --debug. The
 * hint about endpoints and TLS files is given only when etcd was not reached: when it answered
 * with an error, the connection is fine and the hint would send the reader the wrong way.
 */
export function etcdUnavailable(err: unknown, endpoints: string[]): UserError {
  if (err instanceof UserError) return err;
  const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
  if (etcdAnswered(err)) {
    return new UserError(`etcd refused the request (${endpoints.join(",")}): ${reason}`, {
      hint: "etcd was reached and answered with this error: see its logs and state (etcdctl endpoint status, etcdctl alarm list) and the etcd user's permissions",
      cause: err,
    });
  }
  return new UserError(`etcd request failed (${endpoints.join(",")}): ${reason}`, {
    hint: "check --endpoints, that etcd is running, and the TLS files (--cacert, --cert, --key)",
    cause: err,
  });
}

/** The key just past every key with this prefix (etcd's "range_end" for a prefix scan). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // prefix of all 0xff: to the end of the keyspace
}

export async function countPrefix(client: EtcdClient, prefix: string): Promise<number> {
  const key = Buffer.from(prefix);
  const response = await asKv(client).range({ key, rangeEnd: prefixEnd(key), countOnly: true });
  return response.count;
}

/**
 * Keys per range request. Large pages matter: etcd 3.4 walks its whole index from the
 * start key to the range end on every limited range, so small pages make a full scan
 * quadratic (100k keys: ~3x slower at 1000 per page than at 5000), and etcd's own CPU,
 * which shares the machine, drops further from 5000 to 10000 per page (100k keys of
 * ~700 bytes: ~1.1 s to ~0.9 s of etcd CPU). 10000 is also --page-size's maximum.
 */
export const DEFAULT_PAGE_SIZE = 10000;

function tooLarge(err: unknown): boolean {
  return err instanceof Error && /larger than max|RESOURCE_EXHAUSTED/i.test(err.message);
}

/**
 * Pages through every key under the prefix in key order, `pageSize` at a time, so memory
 * stays bounded at 100k keys; a page too big for one response is halved and retried. With
 * `consistent`, every page reads the revision of the first, so the whole scan is one
 * snapshot (rerun if etcd compacts it away mid-scan).
 *
 * The next page is requested as soon as a page arrives, before the caller works on it, so
 * etcd serves page n+1 while the caller decrypts page n (at most one page ahead).
 */
export async function* scanPrefix(client: EtcdClient, prefix: string, options: ScanPagesOptions = {}): AsyncGenerator<StoredEntry[]> {
  for await (const response of rangePages(client, prefix, options)) yield response.kvs;
}

/**
 * `scanPrefix` without an object per value: each page as the response message and the
 * offsets of its keys and values (entries from clients other than the lean one are packed).
 */
export async function* scanPrefixRaw(client: EtcdClient, prefix: string, options: ScanPagesOptions = {}): AsyncGenerator<RawKvs> {
  for await (const response of rangePages(client, prefix, options)) yield response.raw ?? packEntries(response.kvs);
}

interface ScanPagesOptions {
  pageSize?: number;
  consistent?: boolean;
  startAfter?: Buffer;
}

/** The range responses of a prefix scan, each with at least one entry. */
async function* rangePages(client: EtcdClient, prefix: string, options: ScanPagesOptions): AsyncGenerator<RangeResult> {
  const kv = asKv(client);
  let pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const rangeEnd = prefixEnd(Buffer.from(prefix));
  let revision: string | undefined;
  const fetch = (start: Buffer): Promise<RangeResult> => {
    const pending = kv.range({ key: start, rangeEnd, limit: pageSize, ...(revision ? { revision } : {}) });
    // A prefetched page the caller never asks for (it stopped early) must not surface as an unhandled rejection.
    pending.catch(() => undefined);
    return pending;
  };
  let start = options.startAfter ? Buffer.concat([options.startAfter, Buffer.from([0])]) : Buffer.from(prefix);
  let next = fetch(start);
  for (;;) {
    let response: RangeResult;
    try {
      response = await next;
    } catch (err) {
      if (tooLarge(err) && pageSize > 1) {
        pageSize = Math.max(1, Math.floor(pageSize / 2));
        next = fetch(start);
        continue;
      }
      throw err;
    }
    if (options.consistent && revision === undefined) revision = response.revision;
    const last = lastKey(response);
    if (!response.more || last === undefined) {
      if (last !== undefined) yield response;
      return;
    }
    // A copy: the caller may hand the page's bytes to another thread.
    start = Buffer.concat([last, Buffer.from([0])]);
    next = fetch(start);
    yield response;
  }
}

function lastKey(response: RangeResult): Buffer | undefined {
  const raw = response.raw;
  if (raw === undefined) return response.kvs[response.kvs.length - 1]?.key;
  const at = 4 * (raw.length - 1);
  return raw.length === 0 ? undefined : raw.message.subarray(raw.offsets[at]!, raw.offsets[at + 1]!);
}

function packEntries(entries: readonly StoredEntry[]): RawKvs {
  const message = Buffer.allocUnsafeSlow(entries.reduce((n, e) => n + e.key.byteLength + e.value.byteLength, 0));
  const offsets = new Uint32Array(entries.length * 4);
  const modRevisions = new Float64Array(entries.length);
  let at = 0;
  entries.forEach((entry, i) => {
    offsets[4 * i] = at;
    at += entry.key.copy(message, at);
    offsets[4 * i + 1] = at;
    offsets[4 * i + 2] = at;
    at += entry.value.copy(message, at);
    offsets[4 * i + 3] = at;
    modRevisions[i] = Number(entry.modRevision);
  });
  return { message, offsets, modRevisions, length: entries.length };
}

/**
 * Writes `value` only if the key's mod_revision is still `modRevision`, in one etcd
 * transaction: a write that raced ours wins and is never overwritten. False on conflict.
 */
export function compareAndPut(client: EtcdClient, key: Buffer, modRevision: string, value: Buffer): Promise<boolean> {
  return asKv(client).compareAndPut(key, modRevision, value);
}
