import { parentPort, workerData } from "node:worker_threads";
import type { EncryptionConfiguration } from "../encryption/config-types.js";
import { keyLocator } from "../encryption/rotation-keys.js";
import { inspectLocated, StatusAccumulator } from "../encryption/rotation.js";
import { codecForConfiguration } from "./etcd-codec.js";
import type { FromStatusWorker, StatusWorkerData, ToStatusWorker } from "./etcd-status-protocol.js";

/**
 * The thread that reads and counts `etcd status` pages (see etcd-status-thread.ts for
 * why). It builds its own provider chains from the same EncryptionConfiguration; only the
 * finished status, which names Secrets but never holds their data, goes back.
 */
const { config, prefix } = workerData as StatusWorkerData;
const codec = codecForConfiguration(config as EncryptionConfiguration, {});
const locate = keyLocator(prefix);
const accumulator = new StatusAccumulator();
const port = parentPort!;
const send = (message: FromStatusWorker): void => port.postMessage(message);

port.on("message", (message: ToStatusWorker) => {
  if (message.kind === "finish") return send({ kind: "status", status: accumulator.result() });
  const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
  const { offsets } = message;
  for (let at = 0; at < offsets.length; at += 4) {
    const key = bytes.toString("utf8", offsets[at], offsets[at + 1]);
    const location = locate(key);
    if (location === undefined) {
      accumulator.skip();
      continue;
    }
    const inspection = inspectLocated(codec, key, location, bytes.subarray(offsets[at + 2], offsets[at + 3]), bytes.subarray(offsets[at], offsets[at + 1]));
    if (inspection instanceof Promise) throw new Error("a provider chain without KMS answered asynchronously");
    inspection.decrypted = undefined;
    accumulator.add(inspection);
  }
  send({ kind: "page-done" });
});
