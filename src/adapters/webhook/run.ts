/**
 * `palisade serve` at run time: one process, or a primary with one HTTP worker per
 * configured core (node:cluster, all sharing the listening socket). The primary hands
 * workers the TLS material when it generated it (never through the environment), relays
 * what each worker learns of the cluster to the others, and aggregates /metrics.
 */
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { Logger } from "pino";
import type { AdmissionRequest } from "../../admission/review.js";
import type { ClusterState } from "../../admission/cluster-state.js";
import type { K8sObject } from "../../k8s/types.js";
import type { WebhookEngine } from "./handler.js";
import { WebhookMetrics } from "./metrics.js";
import { ListenError, startServer, type RunningServer, type TlsFiles, type TlsMaterial } from "./server.js";

export interface RunOptions {
  workers: number;
  address: string;
  port: number;
  maxBodyBytes: number;
  requestTimeoutSeconds: number;
  logger: Logger;
  /** Built in every serving process from the same configuration. */
  buildEngine(hooks: { onObserve: (request: AdmissionRequest) => void; podsFor?: (namespace: string) => Promise<K8sObject[]> }): Promise<WebhookEngine & { cluster: ClusterState; ready?: () => boolean }>;
  /** Files (re-read on change) or generated material. */
  tls: TlsFiles | TlsMaterial;
  /** Host names kube-apiserver dials, checked against each reloaded certificate. */
  serverNames?: readonly string[];
}

type Message =
  | { type: "palisade:pods"; id: number; namespace: string }
  | { type: "palisade:pods-query"; id: number; namespace: string }
  | { type: "palisade:pods-answer"; id: number; pods: K8sObject[] }
  | { type: "palisade:pods-reply"; id: number; pods: K8sObject[] } | { type: "palisade:hello" } | { type: "palisade:listening" } | { type: "palisade:listen-failed"; code: string } | { type: "palisade:observe"; request: AdmissionRequest } | { type: "palisade:metrics"; id: number } | { type: "palisade:metrics-reply"; id: number; contentType: string; body: string } | { type: "palisade:tls"; tls: TlsFiles | TlsMaterial; known: AdmissionRequest[] } | { type: "palisade:shutdown" };

/**
 * A message to the primary. Once the primary has gone (shut down or killed) the channel is
 * closed: a callback-less send would then fail with EPIPE and crash the worker, so the
 * message is dropped (the worker is about to exit anyway).
 */
function toPrimary(message: Message): void {
  if (!process.connected || !process.send) return;
  process.send(message, undefined, undefined, () => undefined);
}

/** A message to a worker that may have died meanwhile (its exit is handled on "exit"). */
function toWorker(worker: Worker, message: Message): void {
  if (worker.isConnected()) worker.send(message, undefined, () => undefined);
}

function isMessage(value: unknown): value is Message {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string" && (value as { type: string }).type.startsWith("palisade:");
}

/**
 * Resolves once the server listens: in a primary, once every worker listens. A socket that
 * cannot be had rejects with a ListenError, in a primary after every worker has been
 * stopped, so the whole process tree ends rather than staying alive serving nothing.
 */
export async function runWebhook(options: RunOptions): Promise<RunningServer | undefined> {
  if (options.workers <= 1) {
    const running = await serveHere(options, options.tls, false);
    exitOnSignal(running, options.logger);
    return running;
  }
  if (cluster.isPrimary) {
    await runPrimary(options);
    return undefined;
  }
  return runWorker(options);
}

interface WorkerHooks {
  metricsText?: () => Promise<{ contentType: string; body: string }>;
  podsFor?: (namespace: string) => Promise<K8sObject[]>;
  /** Called once the engine exists, before the server listens. */
  onEngine?: (engine: { cluster: ClusterState }) => void;
}

async function serveHere(options: RunOptions, tls: TlsFiles | TlsMaterial, inCluster: boolean, extra: WorkerHooks = {}): Promise<RunningServer> {
  const metrics = new WebhookMetrics();
  if (inCluster) {
    // Constructing an AggregatorRegistry installs the worker side of prom-client's IPC protocol.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  }
  const engine = await options.buildEngine({
    // Pods stay in the worker that saw them (sending each one would cost an IPC message per
    // admission); Namespaces and Nodes, rare and needed by every worker, are shared.
    // A Pod deletion is relayed too, so that no worker reports a pod another saw deleted.
    onObserve: (request) => {
      if (inCluster && (request.resource.resource !== "pods" || request.operation === "DELETE")) toPrimary({ type: "palisade:observe", request } satisfies Message);
    },
    ...(extra.podsFor ? { podsFor: extra.podsFor } : {}),
  });
  extra.onEngine?.(engine);
  const running = await startServer({
    engine,
    logger: options.logger,
    metrics,
    maxBodyBytes: options.maxBodyBytes,
    address: options.address,
    port: options.port,
    tls,
    requestTimeoutSeconds: options.requestTimeoutSeconds,
    ...(options.serverNames ? { serverNames: options.serverNames } : {}),
    // /readyz fails until the engine knows the cluster (src/adapters/webhook/until-synced.ts).
    ...(engine.ready ? { ready: engine.ready } : {}),
    ...(extra.metricsText ? { metricsText: extra.metricsText } : {}),
  });
  options.logger.info({ port: running.port, pid: process.pid, worker: inCluster }, "palisade webhook listening");
  return running;
}

/**
 * SIGTERM (the kubelet stopping the pod) or SIGINT: answer what is in flight, then exit 0.
 * Without this the default action killed the process mid-request, and kube-apiserver saw a
 * reset connection: a call failure, which failurePolicy Fail turns into a refused request.
 * A second signal takes the default action (exit at once).
 */
function exitOnSignal(running: RunningServer, logger: Logger): () => void {
  let stopping = false;
  const stop = (signal: string) => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    if (stopping) return;
    stopping = true;
    logger.info({ signal, pid: process.pid }, "shutting down: finishing requests in flight");
    void running.shutdown().then(() => {
      logger.info({ pid: process.pid }, "webhook server stopped");
      process.exit(0);
    });
  };
  const onTerm = () => stop("SIGTERM");
  const onInt = () => stop("SIGINT");
  process.once("SIGTERM", onTerm);
  process.once("SIGINT", onInt);
  return () => stop("palisade:shutdown");
}

function runPrimary(options: RunOptions): Promise<void> {
  const aggregator = new AggregatorRegistry();
  // Start-up: resolved when every first worker listens; a worker that cannot listen, or dies
  // before it does, fails the start (a restart would fail the same way, forever).
  let started!: () => void;
  let failed!: (err: Error) => void;
  const starting = new Promise<void>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  let startingUp = true;
  const listening = new Set<Worker>();
  const failStart = (err: Error) => {
    if (!startingUp) return;
    startingUp = false;
    stop();
    failed(err);
  };
  // What workers learn of Namespaces and Nodes, latest per object: a worker that starts
  // later (or replaces one that died) is taught all of it before it serves.
  const shared = new Map<string, AdmissionRequest>();
  // A namespace's pods are only needed when its enforce level changes: the primary then asks
  // every other worker for the pods it has seen there and hands the union to the asker.
  let nextQuery = 0;
  const queries = new Map<number, { asker: Worker; id: number; waiting: Set<Worker>; pods: K8sObject[] }>();
  const answer = (query: number, from: Worker, pods: readonly K8sObject[]) => {
    const pending = queries.get(query);
    if (!pending || !pending.waiting.delete(from)) return;
    pending.pods.push(...pods);
    if (pending.waiting.size > 0) return;
    queries.delete(query);
    toWorker(pending.asker, { type: "palisade:pods-reply", id: pending.id, pods: pending.pods });
  };
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (message: unknown) => {
      if (!isMessage(message)) return;
      // Workers ask once their listener is in place: a message sent on "online" could arrive before it.
      if (message.type === "palisade:hello") toWorker(worker, { type: "palisade:tls", tls: options.tls, known: [...shared.values()] });
      else if (message.type === "palisade:listening") {
        listening.add(worker);
        if (startingUp && listening.size >= options.workers) {
          startingUp = false;
          started();
        }
      } else if (message.type === "palisade:listen-failed") failStart(new ListenError(message.code, options.address, options.port));
      else if (message.type === "palisade:observe") {
        const key = sharedKey(message.request);
        if (key !== undefined) {
          if (message.request.operation === "DELETE") shared.delete(key);
          else shared.set(key, message.request);
        }
        for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker) toWorker(other, message);
      } else if (message.type === "palisade:pods") {
        const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w !== worker && w.isConnected());
        const query = nextQuery++;
        queries.set(query, { asker: worker, id: message.id, waiting: new Set(others), pods: [] });
        for (const other of others) toWorker(other, { type: "palisade:pods-query", id: query, namespace: message.namespace });
        if (others.length === 0) answer(query, worker, []);
      } else if (message.type === "palisade:pods-answer") {
        answer(message.id, worker, message.pods);
      } else if (message.type === "palisade:metrics") {
        aggregator.clusterMetrics().then(
          (body) => toWorker(worker, { type: "palisade:metrics-reply", id: message.id, contentType: aggregator.contentType, body }),
          (err: unknown) => toWorker(worker, { type: "palisade:metrics-reply", id: message.id, contentType: "text/plain", body: `# metrics aggregation failed: ${err instanceof Error ? err.message : String(err)}\n` }),
        );
      }
    });
  };
  for (let i = 0; i < options.workers; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    // A worker that died owes no more answers: its queries go on with what the others saw.
    for (const [query, pending] of queries) if (pending.waiting.has(worker)) answer(query, worker, []);
    if (stopping) return;
    if (startingUp && !listening.has(worker)) {
      failStart(new Error(`a webhook worker exited while starting (code ${code ?? signal}); its error is above`));
      return;
    }
    options.logger.error({ pid: worker.process.pid, code, signal }, "webhook worker exited; starting another");
    fork();
  });
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
  };
  // A signal: every worker finishes its requests in flight and exits (runWorker), then so does
  // the primary. worker.kill() would not wait: the worker is killed as soon as it lets go of
  // the listening socket, its open requests with it. A worker still busy long after its own
  // grace period is killed.
  const drain = (signal: string) => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal, pid: process.pid }, "shutting down: workers finish requests in flight");
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) toWorker(worker, { type: "palisade:shutdown" });
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
    }, options.requestTimeoutSeconds * 1000 + 10_000).unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  const onTerm = () => drain("SIGTERM");
  const onInt = () => drain("SIGINT");
  process.once("SIGTERM", onTerm);
  process.once("SIGINT", onInt);
  return starting;
}

/** Namespaces and Nodes are remembered for late workers; Pod deletions are only relayed. */
function sharedKey(request: AdmissionRequest): string | undefined {
  const { resource } = request.resource;
  if (request.dryRun || (resource !== "namespaces" && resource !== "nodes")) return undefined;
  return `${resource}/${request.name || request.object?.metadata?.name || ""}`;
}

function runWorker(options: RunOptions): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let nextId = 0;
    let engineCluster: ClusterState | undefined;
    // Until the engine exists, what others learn waits here, and this worker has seen no pods.
    const early: AdmissionRequest[] = [];
    const pending = new Map<number, (reply: { contentType: string; body: string }) => void>();
    const pendingPods = new Map<number, (pods: K8sObject[]) => void>();
    const podsFor = (namespace: string) =>
      new Promise<K8sObject[]>((done) => {
        const id = nextId++;
        pendingPods.set(id, done);
        toPrimary({ type: "palisade:pods", id, namespace } satisfies Message);
      });
    const metricsText = () =>
      new Promise<{ contentType: string; body: string }>((done) => {
        const id = nextId++;
        pending.set(id, done);
        toPrimary({ type: "palisade:metrics", id } satisfies Message);
      });
    let shutdown: (() => void) | undefined;
    process.on("message", (message: unknown) => {
      if (!isMessage(message)) return;
      if (message.type === "palisade:shutdown") {
        // Before the server listens there is nothing to finish.
        if (shutdown) shutdown();
        else process.exit(0);
      } else if (message.type === "palisade:metrics-reply") {
        pending.get(message.id)?.({ contentType: message.contentType, body: message.body });
        pending.delete(message.id);
      } else if (message.type === "palisade:pods-reply") {
        pendingPods.get(message.id)?.(message.pods);
        pendingPods.delete(message.id);
      } else if (message.type === "palisade:pods-query") {
        toPrimary({ type: "palisade:pods-answer", id: message.id, pods: engineCluster ? [...engineCluster.podsInNamespace(message.namespace)] : [] } satisfies Message);
      } else if (message.type === "palisade:observe") {
        if (engineCluster) engineCluster.observe(message.request);
        else early.push(message.request);
      } else if (message.type === "palisade:tls") {
        early.unshift(...message.known);
        serveHere(options, message.tls, true, {
          metricsText,
          podsFor,
          onEngine: (engine) => {
            for (const request of early.splice(0)) engine.cluster.observe(request);
            engineCluster = engine.cluster;
          },
        }).then(
          (running) => {
            // Ctrl-C signals the whole process group: the worker drains as when the primary asks.
            shutdown = exitOnSignal(running, options.logger);
            toPrimary({ type: "palisade:listening" } satisfies Message);
            resolve(running);
          },
          (err: unknown) => {
            // The primary reports it once for every worker, and stops them all.
            if (err instanceof ListenError) toPrimary({ type: "palisade:listen-failed", code: err.code } satisfies Message);
            else reject(err);
          },
        );
      }
    });
    // Node's cluster module exits a worker whose primary disconnects (the test checks it).
    toPrimary({ type: "palisade:hello" } satisfies Message);
  });
}
