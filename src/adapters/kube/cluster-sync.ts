/**
 * Feeds the webhook's ClusterState from the API server: Namespaces always (Pod Security
 * levels, tenants and guardrails are namespace labels), Nodes only when the tenancy policy
 * needs their labels (a pod naming its node). Upstream Pod Security Admission reads
 * namespaces from an informer for the same reason: a namespace created before the webhook,
 * or whose CREATE another replica admitted, must be judged by its real labels.
 * Nodes are kept as name and labels only: the rest of a Node is large and never read.
 */
import type { ClusterState } from "../../admission/cluster-state.js";
import type { K8sObject } from "../../k8s/types.js";
import type { ApiConnection } from "./connection.js";
import { getObject, ListWatch, type WatchLogger } from "./list-watch.js";

export interface ClusterSync {
  /** True once every watched kind has been listed once. */
  ready(): boolean;
  stop(): void;
  watches: ListWatch[];
  /**
   * Reads one namespace from the API server into the state, for a request in a namespace the
   * watch has not delivered yet (created a moment ago, its CREATE admitted by another
   * replica). Upstream Pod Security Admission falls back to a live GET the same way; without
   * it the pod would be refused as in a namespace that does not exist. Concurrent lookups of
   * one name share one GET; a failure is logged and leaves the state as it was.
   */
  lookupNamespace(name: string): Promise<void>;
}

export interface ClusterSyncOptions {
  nodes: boolean;
  logger: WatchLogger;
  watchTimeoutSeconds?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A lookup holds an admission request: it must end well within kube-apiserver's webhook timeout. */
const LOOKUP_TIMEOUT_MS = 3000;

const slim = (kind: "Namespace" | "Node", object: K8sObject): K8sObject =>
  kind === "Node" ? { apiVersion: "v1", kind, metadata: { name: object.metadata?.name ?? "", labels: object.metadata?.labels ?? {} } } : object;

export function syncClusterState(state: ClusterState, connection: ApiConnection, options: ClusterSyncOptions): ClusterSync {
  const kinds: Array<{ kind: "Namespace" | "Node"; path: string }> = [{ kind: "Namespace", path: "/api/v1/namespaces" }];
  if (options.nodes) kinds.push({ kind: "Node", path: "/api/v1/nodes" });
  const watches = kinds.map(({ kind, path }) =>
    new ListWatch({
      connection,
      path,
      kind,
      logger: options.logger,
      ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
      ...(options.initialBackoffMs !== undefined ? { initialBackoffMs: options.initialBackoffMs } : {}),
      ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
      onList: (items) => state.replaceAll(kind, items.map((item) => slim(kind, item))),
      onEvent: (type, object) => {
        if (type === "DELETED") state.forget(kind, "", object.metadata?.name ?? "");
        else state.remember(slim(kind, object));
      },
    }).start(),
  );
  const lookups = new Map<string, Promise<void>>();
  const lookupNamespace = (name: string): Promise<void> => {
    const pending = lookups.get(name);
    if (pending) return pending;
    const lookup = getObject(connection, `/api/v1/namespaces/${encodeURIComponent(name)}`, "Namespace", LOOKUP_TIMEOUT_MS)
      .then((namespace) => {
        // The watch may have delivered it meanwhile, newer than this read: keep the watch's.
        if (namespace && state.namespaceLabels(name) === undefined) state.remember(namespace);
      })
      .catch((err: unknown) => options.logger.warn({ namespace: name, err: err instanceof Error ? err.message : String(err) }, "cannot look up a namespace the watch has not delivered yet"))
      .finally(() => lookups.delete(name));
    lookups.set(name, lookup);
    return lookup;
  };
  return {
    watches,
    lookupNamespace,
    ready: () => watches.every((watch) => watch.synced),
    stop: () => watches.forEach((watch) => watch.stop()),
  };
}
