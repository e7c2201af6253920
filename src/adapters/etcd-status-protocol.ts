/** Messages between `etcd status` and its decrypting thread (etcd-status-thread.ts, etcd-status-worker.ts). */
import type { EncryptionStatus } from "../encryption/rotation.js";

export interface StatusWorkerData {
  /** The EncryptionConfiguration, without KMS providers (their reads stay in the main thread). */
  config: unknown;
  /** The apiserver's --etcd-prefix, normalised. */
  prefix: string;
}

export type ToStatusWorker =
  /** One page: the response message (handed over, not copied) and, per entry, key start, key end, value start, value end. */
  | { kind: "page"; bytes: Uint8Array; offsets: Uint32Array }
  /** Every page is sent: answer with the status. */
  | { kind: "finish" };

export type FromStatusWorker =
  /** A page is counted: the main thread may send another. */
  | { kind: "page-done" }
  | { kind: "status"; status: EncryptionStatus };
