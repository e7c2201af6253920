import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EncryptionConfiguration } from "../encryption/config-types.js";
import type { EncryptionStatus } from "../encryption/rotation.js";
import type { RawKvs } from "./etcd-kv.js";
import type { FromStatusWorker, StatusWorkerData, ToStatusWorker } from "./etcd-status-protocol.js";

/**
 * `etcd status` decrypts every value it reads: at 100k Secrets that is as much CPU as
 * receiving them. In one thread each page's decrypting delays asking etcd for the next;
 * here a second thread decrypts and counts while this one receives the next page, and
 * pages cross as the response message itself with offsets, not an object per value.
 * Only configs without KMS use it: a KMS read waits on the plugin, not on the CPU.
 */
export interface StatusThread {
  /** Hands a page over (its message bytes may move to the other thread: do not read them afterwards); resolves when another may be sent. */
  add(page: RawKvs): Promise<void>;
  /** The status of every page added. */
  finish(): Promise<EncryptionStatus>;
  close(): Promise<void>;
}

/** The decrypting thread failed: a defect in Palisade, not a problem with etcd or the input. */
export class StatusThreadError extends Error {}

/** Pages handed over and not yet counted: enough to keep the thread busy, bounded in memory. */
const PAGES_IN_FLIGHT = 2;
/** Below this a message may live in Node's shared buffer pool, which must not move: copy it. */
const TRANSFER_MIN_BYTES = 64 * 1024;

/**
 * A status thread for `config`, or undefined when one would not help: the config has KMS
 * providers, the machine has one core, or the worker script is not built (running from
 * TypeScript sources, as unit tests do).
 */
export function startStatusThread(config: EncryptionConfiguration, prefix: string, workerUrl = new URL("./etcd-status-worker.js", import.meta.url)): StatusThread | undefined {
  if (config.resources.some((rule) => rule.providers.some((p) => p.type === "kms"))) return undefined;
  if (availableParallelism() < 2 || !existsSync(fileURLToPath(workerUrl))) return undefined;
  const workerData: StatusWorkerData = { config, prefix };
  const worker = new Worker(workerUrl, { workerData });
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: { resolve(): void; reject(err: Error): void } | undefined;
  let result: { resolve(status: EncryptionStatus): void; reject(err: Error): void } | undefined;
  const fail = (err: Error): void => {
    failure ??= new StatusThreadError(`the decrypting thread stopped: ${err.message}`);
    wake?.reject(failure);
    result?.reject(failure);
    wake = result = undefined;
  };
  worker.on("message", (message: FromStatusWorker) => {
    if (message.kind === "page-done") {
      inFlight--;
      wake?.resolve();
      wake = undefined;
    } else {
      result?.resolve(message.status);
      result = undefined;
    }
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
  const post = (message: ToStatusWorker, transfer: ArrayBuffer[] = []): void => worker.postMessage(message, transfer);
  return {
    async add(page) {
      if (failure) throw failure;
      const whole = page.message.buffer instanceof ArrayBuffer && page.message.buffer.byteLength >= TRANSFER_MIN_BYTES;
      const bytes = whole ? new Uint8Array(page.message.buffer, page.message.byteOffset, page.message.byteLength) : new Uint8Array(page.message);
      const offsets = page.offsets.slice();
      post({ kind: "page", bytes, offsets }, [bytes.buffer as ArrayBuffer, offsets.buffer]);
      inFlight++;
      if (inFlight >= PAGES_IN_FLIGHT) await new Promise<void>((resolve, reject) => (wake = { resolve, reject }));
    },
    finish() {
      if (failure) return Promise.reject(failure);
      return new Promise<EncryptionStatus>((resolve, reject) => {
        result = { resolve, reject };
        post({ kind: "finish" });
      });
    },
    async close() {
      failure ??= new StatusThreadError("closed");
      await worker.terminate();
    },
  };
}
