import { readFile } from "node:fs/promises";
import { Etcd3, type IKeyValue } from "etcd3";
import { UserError } from "../errors.js";

/** How to reach etcd, as kube-apiserver's --etcd-servers / --etcd-cafile / --etcd-certfile / --etcd-keyfile. */
export interface EtcdConnectionOptions {
  endpoints: string[];
  cacert?: string;
  cert?: string;
  key?: string;
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
  const client = new Etcd3({ hosts: endpoints, dialTimeout: 5_000, ...(credentials ? { credentials } : {}) });
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
 * Pages through every key under the prefix in key order, `pageSize` at a time, so memory
 * stays flat at 100k keys. With `consistent`, every page reads the revision of the first,
 * so the whole scan is one snapshot (rerun if etcd compacts it away mid-scan).
 */
export async function* scanPrefix(
  client: Etcd3,
  prefix: string,
  options: { pageSize?: number; consistent?: boolean; startAfter?: Buffer } = {},
): AsyncGenerator<StoredEntry[]> {
  const pageSize = options.pageSize ?? 1000;
  const rangeEnd = prefixEnd(Buffer.from(prefix));
  let start = options.startAfter ? Buffer.concat([options.startAfter, Buffer.from([0])]) : Buffer.from(prefix);
  let revision: string | undefined;
  for (;;) {
    const response = await client.kv.range({ key: start, range_end: rangeEnd, limit: pageSize, ...(revision ? { revision } : {}) });
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
