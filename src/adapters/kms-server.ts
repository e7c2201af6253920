import { watch, type FSWatcher } from "node:fs";
import { chmod, lstat, readFile, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { basename, dirname } from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { UserError } from "../errors.js";
import {
  KMS_V2_SERVICE,
  kmsV2PackageDefinition,
  parseKmsEndpoint,
  type DecryptRequestMessage,
  type DecryptResponseMessage,
  type EncryptRequestMessage,
  type EncryptResponseMessage,
  type StatusResponseMessage,
} from "../encryption/kms-grpc-proto.js";
import { KeyringError, open, parseKeyring, seal, type Keyring } from "./kms-keyring.js";
import type { KmsMetrics } from "./kms-metrics.js";

export interface KmsPluginOptions {
  /** `unix:///path/to.sock` or `unix:///@abstract-name`, as in the EncryptionConfiguration. */
  endpoint: string;
  kekFile: string;
  logger: Logger;
  metrics?: KmsMetrics;
}

export interface KmsPlugin {
  /** The id of the KEK that encrypts now. */
  keyId(): string;
  /** Re-reads the kek file; on a bad file the previous keyring stays in force. */
  reload(reason: string): Promise<void>;
  /** Stops accepting calls, lets running ones finish (bounded), removes the socket. */
  close(): Promise<void>;
}

async function loadKeyring(file: string): Promise<Keyring> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read kek file ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, {
      hint: "pass --kek-file with a readable keyring file (one base64 32-byte key per line)",
    });
  }
  return parseKeyring(text, file);
}

/** Refuses to replace anything but a dead socket at the path, so a typo cannot delete a file. */
async function clearStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined) return;
  if (!stat.isSocket()) {
    throw new UserError(`${path} exists and is not a socket`, { hint: "choose another --socket path" });
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (alive) throw new UserError(`another process is serving on ${path}`, { hint: "stop it or choose another --socket path" });
  await unlink(path);
}

const STATUS_CODES: Record<KeyringError["kind"], grpc.status> = {
  "invalid-argument": grpc.status.INVALID_ARGUMENT,
  "not-found": grpc.status.NOT_FOUND,
  "failed-precondition": grpc.status.FAILED_PRECONDITION,
};

export async function startKmsPlugin(options: KmsPluginOptions): Promise<KmsPlugin> {
  const { logger, metrics } = options;
  const endpoint = parseKmsEndpoint(options.endpoint);
  if (endpoint === undefined) {
    throw new UserError(`socket ${JSON.stringify(options.endpoint)} is not a unix endpoint`, {
      hint: "use unix:///path/to/kms.sock (or unix:///@name for an abstract socket), as kube-apiserver expects",
    });
  }
  if (endpoint.path === undefined) {
    // grpc-js can neither bind nor dial Linux abstract sockets; kube-apiserver accepts both forms.
    throw new UserError(`abstract socket ${options.endpoint} is not supported by this plugin`, {
      hint: "use a filesystem socket such as unix:///var/run/palisade-kms.sock (mode 0600 protects it)",
    });
  }
  const socketPath = endpoint.path;
  let keyring = await loadKeyring(options.kekFile);
  metrics?.keys.set(keyring.keys.length);

  const observe = <Req, Res>(method: string, handle: (request: Req) => Res): grpc.handleUnaryCall<Req, Res> => {
    return (call, callback) => {
      const started = process.hrtime.bigint();
      const finish = (code: grpc.status): void => {
        metrics?.requests.inc({ method, code: grpc.status[code] });
        metrics?.duration.observe({ method }, Number(process.hrtime.bigint() - started) / 1e9);
      };
      try {
        const response = handle(call.request);
        finish(grpc.status.OK);
        callback(null, response);
      } catch (err) {
        const code = err instanceof KeyringError ? STATUS_CODES[err.kind] : grpc.status.INTERNAL;
        const message = err instanceof Error ? err.message : "internal error";
        // uid correlates with the apiserver's log; neither plaintext nor ciphertext is logged.
        logger.warn({ method, uid: (call.request as { uid?: string }).uid, code: grpc.status[code] }, message);
        finish(code);
        callback({ code, details: message });
      }
    };
  };

  const requireUid = (uid: string): void => {
    // The upstream mock plugin refuses calls without a uid; so does this one, to keep logs correlatable.
    if (uid === "") throw new KeyringError("invalid-argument", "uid is required");
  };

  const server = new grpc.Server();
  const service = grpc.loadPackageDefinition(kmsV2PackageDefinition()) as unknown as {
    v2: { KeyManagementService: { service: grpc.ServiceDefinition } };
  };
  server.addService(service.v2.KeyManagementService.service, {
    Status: observe<Record<string, never>, StatusResponseMessage>("Status", () => ({
      version: "v2",
      healthz: "ok",
      key_id: keyring.primary.id,
    })),
    Encrypt: observe<EncryptRequestMessage, EncryptResponseMessage>("Encrypt", (request) => {
      requireUid(request.uid);
      const sealed = seal(keyring, request.plaintext);
      return { ciphertext: sealed.ciphertext, key_id: sealed.keyId, annotations: sealed.annotations };
    }),
    Decrypt: observe<DecryptRequestMessage, DecryptResponseMessage>("Decrypt", (request) => {
      requireUid(request.uid);
      return { plaintext: open(keyring, request.ciphertext, request.key_id, request.annotations) };
    }),
  });

  await clearStaleSocket(socketPath);
  // The socket must never be reachable by other users, not even between bind and chmod.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    throw new UserError(`cannot listen on ${options.endpoint}: ${(err as Error).message}`, {
      hint: "check that the socket's directory exists and is writable",
    });
  } finally {
    process.umask(previousUmask);
  }
  await chmod(socketPath, 0o600);
  logger.info({ endpoint: options.endpoint, key_id: keyring.primary.id, keys: keyring.keys.length }, "kms plugin serving");

  let reloading: Promise<void> = Promise.resolve();
  const reload = (reason: string): Promise<void> => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadKeyring(options.kekFile);
        const rotated = next.primary.id !== keyring.primary.id;
        keyring = next;
        metrics?.keys.set(next.keys.length);
        metrics?.reloads.inc({ result: "ok" });
        logger.info({ reason, key_id: next.primary.id, keys: next.keys.length, rotated }, "keyring reloaded");
      } catch (err) {
        metrics?.reloads.inc({ result: "error" });
        const message = err instanceof UserError ? err.describe() : "unexpected error";
        logger.error({ reason, key_id: keyring.primary.id }, `keyring reload failed, keeping the previous keyring: ${message}`);
      }
    });
    return reloading;
  };

  // Watch the directory, not the file: editors and `mv` replace the file, which ends a file watch.
  let debounce: NodeJS.Timeout | undefined;
  const watcher: FSWatcher | undefined = (() => {
    try {
      return watch(dirname(options.kekFile), (_event, name) => {
        if (name !== null && name !== basename(options.kekFile)) return;
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload("kek file changed"), 100);
      });
    } catch {
      logger.warn("cannot watch the kek file's directory; reload with SIGHUP");
      return undefined;
    }
  })();

  let closed: Promise<void> | undefined;
  return {
    keyId: () => keyring.primary.id,
    reload,
    close() {
      closed ??= (async () => {
        watcher?.close();
        clearTimeout(debounce);
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 5_000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        await unlink(socketPath).catch(() => undefined);
        await reloading;
        logger.info("kms plugin stopped");
      })();
      return closed;
    },
  };
}

export { KMS_V2_SERVICE };
