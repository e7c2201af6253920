import type { Etcd3 } from "etcd3";
import { emptyOutcome, inspectValue, rotationAction, StatusAccumulator, type EncryptionStatus, type RotationOutcome, type StoredValueCodec } from "../encryption/rotation.js";
import { compareAndPut, scanPrefix, type StoredEntry } from "./etcd-client.js";

export interface ScanOptions {
  client: Etcd3;
  codec: StoredValueCodec;
  /** The apiserver's --etcd-prefix, `/registry` by default. */
  prefix: string;
  pageSize?: number;
  /** Values decrypted at once within a page (KMS v2 reads may wait on the plugin). */
  concurrency?: number;
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

/** Reads every value under the prefix as one etcd snapshot and counts how it is stored. */
export async function encryptionStatus(options: ScanOptions): Promise<EncryptionStatus> {
  const accumulator = new StatusAccumulator();
  for await (const page of scanPrefix(options.client, scanRoot(options.prefix), { pageSize: options.pageSize, consistent: true })) {
    const inspections = new Array<Awaited<ReturnType<typeof inspectValue>>>(page.length);
    await eachLimited(page.map((entry, index) => ({ entry, index })), options.concurrency ?? 16, async ({ entry, index }) => {
      const inspection = await inspectValue(options.codec, options.prefix, entry.key.toString("utf8"), entry.value);
      if (inspection) inspection.decrypted = undefined; // status never needs the objects; let them go
      inspections[index] = inspection;
    });
    // Fold in key order, so lists of Secret names come out sorted by key.
    for (const inspection of inspections) {
      if (inspection === undefined) accumulator.skip();
      else accumulator.add(inspection);
    }
  }
  return accumulator.result();
}

export interface RotateOptions extends ScanOptions {
  dryRun: boolean;
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
 * it again; nothing is ever deleted. Unreadable values are reported and left as they are.
 */
export async function rotateStoredValues(options: RotateOptions): Promise<RotationOutcome> {
  const outcome = emptyOutcome();
  const handle = async (entry: StoredEntry): Promise<void> => {
    const key = entry.key.toString("utf8");
    const inspection = await inspectValue(options.codec, options.prefix, key, entry.value);
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
        if (options.dryRun) {
          outcome.rewritten++;
          return;
        }
        const rewritten = await options.codec.write(key, inspection.location, inspection.decrypted!);
        await options.onBeforeWrite?.(key);
        if (await compareAndPut(options.client, entry.key, entry.modRevision, Buffer.from(rewritten.buffer, rewritten.byteOffset, rewritten.byteLength))) {
          outcome.rewritten++;
        } else {
          outcome.conflicts.push(key);
        }
      }
    }
  };
  for await (const page of scanPrefix(options.client, scanRoot(options.prefix), { pageSize: options.pageSize })) {
    await eachLimited(page, options.concurrency ?? 16, async (entry) => {
      await handle(entry);
      options.onProgress?.(outcome);
    });
  }
  outcome.conflicts.sort();
  outcome.undecryptable.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return outcome;
}
