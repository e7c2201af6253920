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
import { ListWatch, type WatchLogger } from "./list-watch.js";

export interface ClusterSync {
  /** True once every watched kind has been listed once. */
  ready(): boolean;
  stop(): void;
  watches: ListWatch[];
}

export interface ClusterSyncOptions {
  nodes: boolean;
  logger: WatchLogger;
  watchTimeoutSeconds?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

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
  return {
    watches,
    ready: () => watches.every((watch) => watch.synced),
    stop: () => watches.forEach((watch) => watch.stop()),
  };
}
