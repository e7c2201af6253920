import { watch, type FSWatcher } from "node:fs";
import { chmod, lstat, readFile, stat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { basename, dirname } from "node:path";
import type { Logger } from "pino";
import { UserError } from "../errors.js";
import { GrpcError, GrpcStatus, statusName } from "../encryption/grpc-h2-status.js";
import { parseKmsEndpoint } from "../encryption/kms-endpoint.js";
import {
  decodeDecryptRequest,
  decodeEncryptRequest,
  decodeStatusRequest,
  encodeDecryptResponse,
  encodeEncryptResponse,
  encodeStatusResponse,
  KMS_V2_SERVICE,
  ProtobufDecodeError,
} from "../encryption/kms-v2-messages.js";
import { GrpcH2Server, type UnaryMethod } from "./grpc-h2-server.js";
import { KeyringError, open, parseKeyring, seal, type Keyring } from "./kms-keyring.js";
import type { KmsMetrics } from "./kms-metrics.js";

export interface KmsPluginOptions {
  /** `unix:///path/to.sock`, as in the EncryptionConfiguration (`unix:///@abstract-name` is refused: see startKmsPlugin). */
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

/** sun_path holds 108 bytes on Linux (104 elsewhere), the terminating NUL included. */
const SOCKET_PATH_MAX = process.platform === "linux" ? 107 : 103;

/**
 * Before binding: a path longer than sun_path would be bound silently truncated (the plugin
 * would serve where kube-apiserver never dials, and leave that socket behind), and a missing
 * directory would surface as a bare errno.
 */
async function checkSocketPath(endpoint: string, path: string): Promise<void> {
  const bytes = Buffer.byteLength(path);
  if (bytes > SOCKET_PATH_MAX) {
    throw new UserError(`--socket ${endpoint}: the socket path is ${bytes} bytes long; a unix socket path holds at most ${SOCKET_PATH_MAX}`, {
      hint: "choose a shorter path, such as unix:///var/run/palisade-kms.sock (kube-apiserver's endpoint must name the same path)",
    });
  }
  const directory = dirname(path);
  const found = await stat(directory).catch((err: NodeJS.ErrnoException) => err);
  if (found instanceof Error) {
    const missing = found.code === "ENOENT" || found.code === "ENOTDIR";
    throw new UserError(`--socket ${endpoint}: directory ${directory} ${missing ? "does not exist" : `cannot be read (${found.code ?? "error"})`}`, {
      hint: missing ? `create it first (mkdir -p -m 0700 ${directory}) or choose another --socket path` : "choose a --socket path in a directory this user may use",
    });
  }
  if (!found.isDirectory()) {
    throw new UserError(`--socket ${endpoint}: ${directory} is not a directory`, { hint: "choose another --socket path" });
  }
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

const STATUS_CODES: Record<KeyringError["kind"], number> = {
  "invalid-argument": GrpcStatus.INVALID_ARGUMENT,
  "not-found": GrpcStatus.NOT_FOUND,
  "failed-precondition": GrpcStatus.FAILED_PRECONDITION,
};

/**
 * Records one call. The labelled children are looked up once per (method, code) and kept:
 * prom-client hashes the label object on every inc/observe otherwise, on the hot path.
 */
type Child = { count: { inc(): void }; time: { observe(v: number): void } };
const children = new WeakMap<KmsMetrics, Map<string, Child[]>>();
function observeCall(metrics: KmsMetrics, method: string, code: number, seconds: number): void {
  let byMethod = children.get(metrics);
  if (byMethod === undefined) children.set(metrics, (byMethod = new Map()));
  let byCode = byMethod.get(method);
  if (byCode === undefined) byMethod.set(method, (byCode = []));
  const child = (byCode[code] ??= { count: metrics.requests.labels({ method, code: statusName(code) }), time: metrics.duration.labels({ method }) });
  child.count.inc();
  child.time.observe(seconds);
}

/** How long close() lets calls in flight finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5_000;

export async function startKmsPlugin(options: KmsPluginOptions): Promise<KmsPlugin> {
  const { logger, metrics } = options;
  const endpoint = parseKmsEndpoint(options.endpoint);
  if (endpoint === undefined) {
    throw new UserError(`socket ${JSON.stringify(options.endpoint)} is not a unix endpoint`, {
      hint: "use unix:///path/to/kms.sock, the form kube-apiserver's kms endpoint takes",
    });
  }
  if (endpoint.path === undefined) {
    // An abstract socket has no file mode: any process in the network namespace could ask
    // this plugin to decrypt. kube-apiserver accepts both forms; this plugin serves only the safe one.
    throw new UserError(`abstract socket ${options.endpoint} is not supported by this plugin`, {
      hint: "use a filesystem socket such as unix:///var/run/palisade-kms.sock (mode 0600 protects it)",
    });
  }
  const socketPath = endpoint.path;
  let keyring = await loadKeyring(options.kekFile);
  metrics?.keys.set(keyring.keys.length);

  /** Decode, run, encode; every failure becomes the gRPC status grpc-go would send for it. */
  const method = <Req extends { uid?: string }>(name: string, decode: (bytes: Buffer) => Req, handle: (request: Req) => Uint8Array): UnaryMethod => {
    return (bytes) => {
      let request: Req;
      try {
        request = decode(bytes);
      } catch (err) {
        const message = err instanceof ProtobufDecodeError ? `cannot unmarshal the request: ${err.message}` : "cannot unmarshal the request";
        logger.warn({ method: name, code: "INTERNAL" }, message);
        throw new GrpcError(GrpcStatus.INTERNAL, message);
      }
      try {
        return handle(request);
      } catch (err) {
        const code = err instanceof KeyringError ? STATUS_CODES[err.kind] : GrpcStatus.INTERNAL;
        const message = err instanceof Error ? err.message : "internal error";
        // uid correlates with the apiserver's log (a UUID there; capped, since a client picks it);
        // neither plaintext nor ciphertext is logged.
        const uid = request.uid !== undefined && request.uid.length > 128 ? `${request.uid.slice(0, 128)}...` : request.uid;
        logger.warn({ method: name, uid, code: statusName(code) }, message);
        throw new GrpcError(code, message);
      }
    };
  };

  const requireUid = (uid: string): void => {
    // The upstream mock plugin refuses calls without a uid; so does this one, to keep logs correlatable.
    if (uid === "") throw new KeyringError("invalid-argument", "uid is required");
  };

  const server = new GrpcH2Server({
    service: KMS_V2_SERVICE,
    methods: {
      Status: method("Status", decodeStatusRequest, () => encodeStatusResponse({ version: "v2", healthz: "ok", key_id: keyring.primary.id })),
      Encrypt: method("Encrypt", decodeEncryptRequest, (request) => {
        requireUid(request.uid);
        const sealed = seal(keyring, request.plaintext);
        return encodeEncryptResponse({ ciphertext: sealed.ciphertext, key_id: sealed.keyId, annotations: sealed.annotations });
      }),
      Decrypt: method("Decrypt", decodeDecryptRequest, (request) => {
        requireUid(request.uid);
        return encodeDecryptResponse({ plaintext: open(keyring, request.ciphertext, request.key_id, request.annotations) });
      }),
    },
    onCallEnd({ method: name, code, message, seconds, handled }) {
      // Unknown paths share one label, so a client cannot grow the metric's label set.
      const label = name ?? "unknown";
      if (metrics) observeCall(metrics, label, code, seconds);
      // Faults the methods did not see (bad headers, oversized or truncated messages, deadlines, resets).
      if (!handled && code !== GrpcStatus.OK) logger.warn({ method: label, code: statusName(code) }, message);
    },
  });

  await checkSocketPath(options.endpoint, socketPath);
  await clearStaleSocket(socketPath);
  // The socket must never be reachable by other users, not even between bind and chmod.
  const previousUmask = process.umask(0o177);
  try {
    await server.listen(socketPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`--socket ${options.endpoint}: cannot listen: ${code === "EACCES" ? `permission denied to create a socket in ${dirname(socketPath)}` : (err as Error).message}`, {
      hint: "choose a --socket path in a directory this user may write to",
    });
  } finally {
    process.umask(previousUmask);
  }
  try {
    await chmod(socketPath, 0o600);
  } catch (err) {
    // Not where we bound it (nothing should make this happen after checkSocketPath): serve nothing, leave nothing.
    await server.close(0);
    await unlink(socketPath).catch(() => undefined);
    throw new UserError(`--socket ${options.endpoint}: the socket could not be restricted to mode 0600 (${(err as NodeJS.ErrnoException).code ?? "error"})`, { hint: "choose another --socket path" });
  }
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
        await server.close(SHUTDOWN_GRACE_MS);
        await unlink(socketPath).catch(() => undefined);
        await reloading;
        logger.info("kms plugin stopped");
      })();
      return closed;
    },
  };
}

export { KMS_V2_SERVICE };
