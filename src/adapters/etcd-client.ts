import { readFile } from "node:fs/promises";
import { Etcd3, type IKeyValue, type IOptions } from "etcd3";
import { UserError } from "../errors.js";

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions["faultHandling"]>["host"]>>;
/** Runs the call as is; etcd3 only ever calls `execute` on a host policy. */
const PASS_THROUGH_POLICY = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => T | Promise<T>) => Promise.resolve(fn({ signal: new AbortController().signal })),
} as unknown as HostPolicy;

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

export async function connectEtcd(options: EtcdConnectionOptions): Promise<Etcd3> {
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
  const client = new Etcd3({
    hosts: endpoints,
    dialTimeout: 5_000,
    // Pages of thousands of objects exceed grpc's 4 MiB default; scanPrefix halves a page that is still too big.
    grpcOptions: { "grpc.max_receive_message_length": options.maxResponseBytes ?? MAX_RESPONSE_BYTES },
    // etcd3's default per-host circuit breaker opens after three recoverable errors and then
    // refuses every call for 5 s. An oversized page is such an error (retried by the global
    // policy, which stays), so the breaker would turn one split page into a failed scan. A
    // pass-through host policy keeps the client's retries without the breaker.
    faultHandling: { host: () => PASS_THROUGH_POLICY },
    ...(credentials ? { credentials } : {}),
  });
  return client;
}

/** Wraps a transport error as something a person can act on; the cause stays for --debug. */
export function etcdUnavailable(err: unknown, endpoints: string[]): UserError {
  if (err instanceof UserError) return err;
  const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
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

export async function countPrefix(client: Etcd3, prefix: string): Promise<number> {
  const key = Buffer.from(prefix);
  const response = await client.kv.range({ key, range_end: prefixEnd(key), count_only: true });
  return Number(response.count);
}

/**
 * Keys per range request. Large pages matter: etcd 3.4 walks its whole index from the
 * start key to the range end on every limited range, so small pages make a full scan
 * quadratic (100k keys: ~3x slower at 1000 per page than at 5000).
 */
export const DEFAULT_PAGE_SIZE = 5000;

function tooLarge(err: unknown): boolean {
  return err instanceof Error && /larger than max|RESOURCE_EXHAUSTED/i.test(err.message);
}

/**
 * Pages through every key under the prefix in key order, `pageSize` at a time, so memory
 * stays bounded at 100k keys; a page too big for one response is halved and retried. With
 * `consistent`, every page reads the revision of the first, so the whole scan is one
 * snapshot (rerun if etcd compacts it away mid-scan).
 */
export async function* scanPrefix(
  client: Etcd3,
  prefix: string,
  options: { pageSize?: number; consistent?: boolean; startAfter?: Buffer } = {},
): AsyncGenerator<StoredEntry[]> {
  let pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const rangeEnd = prefixEnd(Buffer.from(prefix));
  let start = options.startAfter ? Buffer.concat([options.startAfter, Buffer.from([0])]) : Buffer.from(prefix);
  let revision: string | undefined;
  for (;;) {
    let response;
    try {
      response = await client.kv.range({ key: start, range_end: rangeEnd, limit: pageSize, ...(revision ? { revision } : {}) });
    } catch (err) {
      if (tooLarge(err) && pageSize > 1) {
        pageSize = Math.max(1, Math.floor(pageSize / 2));
        continue;
      }
      throw err;
    }
    if (options.consistent && revision === undefined) revision = response.header.revision;
    const page = response.kvs.map((kv: IKeyValue) => ({ key: kv.key, value: kv.value, modRevision: kv.mod_revision }));
    if (page.length > 0) yield page;
    if (!response.more || page.length === 0) return;
    start = Buffer.concat([page[page.length - 1]!.key, Buffer.from([0])]);
  }
}

/**
 * Writes `value` only if the key's mod_revision is still `modRevision`, in one etcd
 * transaction: a write that raced ours wins and is never overwritten. False on conflict.
 */
export async function compareAndPut(client: Etcd3, key: Buffer, modRevision: string, value: Buffer): Promise<boolean> {
  const response = await client.kv.txn({
    compare: [{ key, target: "Mod", result: "Equal", mod_revision: modRevision }],
    success: [{ request_put: { key, value } }],
    failure: [],
  });
  return response.succeeded;
}
