import {
  emptyOutcome,
  inspectLocated,
  inspectValue,
  rotationAction,
  StatusAccumulator,
  type EncryptionStatus,
  type RotationOutcome,
  type StoredValueCodec,
  type ValueInspection,
} from "../encryption/rotation.js";
import { keyLocator } from "../encryption/rotation-keys.js";
import { formatGroupResource } from "../encryption/resources.js";
import { perKeyRefusal } from "./etcd-errors.js";
import { compareAndPutRequestBytes } from "./etcd-kv.js";
import { asKv, compareAndPut, scanPrefix, scanPrefixRaw, type EtcdClient, type StoredEntry } from "./etcd-client.js";
import type { StatusThread } from "./etcd-status-thread.js";

export interface ScanOptions {
  /** The lean client from `connectEtcd`, or an etcd3 client. */
  client: EtcdClient;
  codec: StoredValueCodec;
  /** The apiserver's --etcd-prefix, `/registry` by default. */
  prefix: string;
  pageSize?: number;
  /** Values decrypted at once within a page (KMS v2 reads may wait on the plugin). */
  concurrency?: number;
}

export interface StatusOptions extends ScanOptions {
  /** A decrypting thread (etcd-status-thread.ts); without one, values are read in this thread. */
  thread?: StatusThread;
}

/** Runs `work` over items with at most `limit` in flight, preserving nothing but completion. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

function scanRoot(prefix: string): string {
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/**
 * Reads every value under the prefix as one etcd snapshot and counts how it is stored.
 * Every value is decrypted (or read by identity) with the chain for its resource. With a
 * `thread`, that runs in the other thread; otherwise values whose chain needs no plugin
 * call are read synchronously, one after the other, with no promise per value, and KMS
 * reads run up to `concurrency` at a time.
 */
export async function encryptionStatus(options: StatusOptions): Promise<EncryptionStatus> {
  if (options.thread) return statusInThread(options, options.thread);
  const accumulator = new StatusAccumulator();
  const locate = keyLocator(options.prefix);
  const limit = options.concurrency ?? 16;
  for await (const page of scanPrefix(asKv(options.client), scanRoot(options.prefix), { pageSize: options.pageSize, consistent: true })) {
    const inspections = new Array<ValueInspection | undefined>(page.length);
    let pending: Array<Promise<void>> = [];
    for (let index = 0; index < page.length; index++) {
      const entry = page[index]!;
      const key = entry.key.toString("utf8");
      const location = locate(key);
      if (location === undefined) continue;
      // The raw key bytes are the AAD, as the apiserver wrote them.
      const inspection = inspectLocated(options.codec, key, location, entry.value, entry.key);
      if (inspection instanceof Promise) {
        pending.push(
          inspection.then((done) => {
            done.decrypted = undefined; // status never needs the objects; let them go
            inspections[index] = done;
          }),
        );
        if (pending.length >= limit) {
          await Promise.all(pending);
          pending = [];
        }
      } else {
        inspection.decrypted = undefined;
        inspections[index] = inspection;
      }
    }
    await Promise.all(pending);
    // Fold in key order, so lists of Secret names come out sorted by key.
    for (const inspection of inspections) {
      if (inspection === undefined) accumulator.skip();
      else accumulator.add(inspection);
    }
  }
  return accumulator.result();
}

/** `encryptionStatus` with the reading and counting done by `thread`, while this thread receives the next page. */
async function statusInThread(options: StatusOptions, thread: StatusThread): Promise<EncryptionStatus> {
  try {
    for await (const page of scanPrefixRaw(asKv(options.client), scanRoot(options.prefix), { pageSize: options.pageSize, consistent: true })) {
      await thread.add(page);
    }
    return await thread.finish();
  } finally {
    await thread.close();
  }
}

export interface RotateOptions extends ScanOptions {
  dryRun: boolean;
  /**
   * With dryRun: etcd's --max-request-bytes. Each value is then encrypted (in memory, nothing
   * written) and one whose write etcd would refuse as too large is counted in `failed`
   * instead of `rewritten`, so that a rotation's refusals are known before it runs.
   */
  maxRequestBytes?: number;
  /**
   * A value whose first provider is identity would be rewritten in plaintext: a deliberate
   * decryption (kube-apiserver allows it), or a config mistake that would undo encryption.
   * Refused (left as stored, counted in `plaintext`) unless allowed.
   */
  allowPlaintext?: boolean;
  /** Called after each value is handled; the CLI draws its progress bar from it. */
  onProgress?: (outcome: Readonly<RotationOutcome>) => void;
  /**
   * Called after a value is read and re-encrypted and just before its compare-and-put.
   * Tests race a writer here to prove a concurrent write is never overwritten.
   */
  onBeforeWrite?: (key: string) => Promise<void>;
}

/**
 * Rewrites every value not written by the first provider and key, each in its own etcd
 * transaction guarded by the value's mod_revision. Every step is atomic per key and
 * current values are skipped, so a rotation killed at any point is finished by running
 * it again; nothing is ever deleted. Unreadable values are reported and left as they are, and
 * so are values etcd refuses to store (`failed`, etcd-errors.ts).
 */
export async function rotateStoredValues(options: RotateOptions): Promise<RotationOutcome> {
  const outcome = emptyOutcome();
  outcome.plaintextRefused = options.allowPlaintext !== true;
  const handle = async (entry: StoredEntry): Promise<void> => {
    const key = entry.key.toString("utf8");
    const inspection = await inspectValue(options.codec, options.prefix, key, entry.value, entry.key);
    if (inspection === undefined) {
      outcome.skippedKeys++;
      return;
    }
    outcome.scanned++;
    switch (rotationAction(inspection)) {
      case "keep":
        outcome.current++;
        return;
      case "report":
        outcome.undecryptable.push({ key, error: inspection.error ?? "unreadable" });
        return;
      case "rewrite": {
        if (options.codec.writesPlaintext?.(inspection.location)) {
          const resource = formatGroupResource(inspection.location);
          outcome.plaintext[resource] = (outcome.plaintext[resource] ?? 0) + 1;
          if (!options.allowPlaintext && !options.dryRun) return;
        }
        if (options.dryRun && options.maxRequestBytes === undefined) {
          outcome.rewritten++;
          return;
        }
        // The raw key bytes are the AAD, as on read: the key as text is lossy for bytes that are not UTF-8.
        const rewritten = await options.codec.write(key, inspection.location, inspection.decrypted!, entry.key);
        if (options.dryRun) {
          const bytes = compareAndPutRequestBytes({ key: entry.key, modRevision: entry.modRevision, value: rewritten });
          if (bytes > options.maxRequestBytes!) outcome.failed.push({ key, error: `would be refused as too large: its write is ${bytes} bytes, over --max-request-bytes ${options.maxRequestBytes}` });
          else outcome.rewritten++;
          return;
        }
        await options.onBeforeWrite?.(key);
        let written: boolean;
        try {
          written = await compareAndPut(options.client, entry.key, entry.modRevision, Buffer.from(rewritten.buffer, rewritten.byteOffset, rewritten.byteLength));
        } catch (err) {
          // etcd refused this one write (e.g. the encrypted value is over --max-request-bytes):
          // the value stays as it was, the others are still rotated. Transport failures stop the run.
          const refusal = perKeyRefusal(err);
          if (refusal === undefined) throw err;
          outcome.failed.push({ key, error: refusal });
          return;
        }
        if (written) outcome.rewritten++;
        else outcome.conflicts.push(key);
      }
    }
  };
  for await (const page of scanPrefix(asKv(options.client), scanRoot(options.prefix), { pageSize: options.pageSize })) {
    await eachLimited(page, options.concurrency ?? 16, async (entry) => {
      await handle(entry);
      options.onProgress?.(outcome);
    });
  }
  outcome.conflicts.sort();
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  outcome.undecryptable.sort(byKey);
  outcome.failed.sort(byKey);
  return outcome;
}
