import type { Command } from "commander";
import type { ClusterSource } from "../adapters/cluster.js";
import type { LoadOptions } from "../k8s/load.js";

/** How a command reads a live cluster: kubectl's own connection flags. */
export interface ClusterFlags {
  cluster?: boolean;
  context?: string;
  kubeconfig?: string;
}

export function clusterOptions(command: Command): Command {
  return command
    .option("--cluster", "read the live cluster of the current kubeconfig context, with kubectl (Secrets and ConfigMaps are never read)")
    .option("--context <name>", "the kubeconfig context of the cluster to read (implies --cluster)")
    .option("--kubeconfig <file>", "the kubeconfig file (implies --cluster; default: kubectl's, $KUBECONFIG or ~/.kube/config)");
}

/** Whether the flags ask for a live cluster: --cluster, or a connection flag that only makes sense for one. */
export function clusterRequested(flags: ClusterFlags): boolean {
  return flags.cluster === true || flags.context !== undefined || flags.kubeconfig !== undefined;
}

export function connectionOf(flags: ClusterFlags): Pick<ClusterSource, "context" | "kubeconfig"> {
  return { ...(flags.context ? { context: flags.context } : {}), ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}) };
}

/**
 * The live-cluster part of a command's load options: every namespace, only `resources`,
 * when the flags ask for a cluster; nothing otherwise. For commands whose -n and -A are
 * their question's, not the read's (scan's are the read's: see cli/scan.ts).
 */
export function liveInput(flags: ClusterFlags, resources: readonly string[]): Pick<LoadOptions, "cluster"> {
  return clusterRequested(flags) ? { cluster: { ...connectionOf(flags), allNamespaces: true, resources } } : {};
}
