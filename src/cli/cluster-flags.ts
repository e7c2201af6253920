import type { Command } from "commander";
import type { ClusterSource } from "../adapters/cluster.js";
import { UserError } from "../errors.js";
import type { LoadOptions } from "../k8s/load.js";
import { printable } from "../report/printable.js";

/** How a command reads a live cluster: kubectl's own connection flags. */
export interface ClusterFlags {
  cluster?: boolean;
  context?: string;
  kubeconfig?: string;
  save?: string;
}

export function clusterOptions(command: Command): Command {
  return command
    .option("--cluster", "read the live cluster of the current kubeconfig context, with kubectl (Secrets and ConfigMaps are never read)")
    .option("--context <name>", "the kubeconfig context of the cluster to read (implies --cluster)")
    .option("--kubeconfig <file>", "the kubeconfig file (implies --cluster; default: kubectl's, $KUBECONFIG or ~/.kube/config)")
    .option("--save <dir>", "with --cluster: write what was read to DIR (new or empty) as YAML, one file per namespace and kind, and point findings at its lines");
}

/** Whether the flags ask for a live cluster: --cluster, or a connection flag that only makes sense for one. */
export function clusterRequested(flags: ClusterFlags): boolean {
  return flags.cluster === true || flags.context !== undefined || flags.kubeconfig !== undefined;
}

/**
 * kubectl's -A means "every namespace", and files (stdin, -k) are read in every namespace
 * already: -A beside them is that habit, not a request to read the current kubeconfig's
 * cluster too, which a command whose -A implies --cluster would do without a word. So it
 * is refused there unless the cluster is asked for by name (--cluster, --context,
 * --kubeconfig, or `alsoLive`: a flag of the command's own that implies it, scan's
 * --kubelets). -A alone still means every namespace of the live cluster.
 */
export function refuseAllNamespacesBesideFiles(flags: ClusterFlags & { allNamespaces?: boolean }, hasFiles: boolean, alsoLive = false): void {
  if (!flags.allNamespaces || !hasFiles || alsoLive || clusterRequested(flags)) return;
  throw new UserError("-A reads every namespace of the live cluster (the current kubeconfig context's), and files were given", {
    hint: "files are scanned in every namespace already; drop -A, or add --cluster to scan the cluster as well",
  });
}

export function connectionOf(flags: ClusterFlags): Pick<ClusterSource, "context" | "kubeconfig"> {
  return { ...(flags.context ? { context: flags.context } : {}), ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}) };
}

/**
 * The live-cluster part of a command's load options: every namespace, only `resources`,
 * when the flags ask for a cluster, and --save's; nothing otherwise. For commands whose -n
 * and -A are their question's, not the read's (scan's are the read's: see cli/scan.ts).
 */
export async function liveInput(flags: ClusterFlags, resources: readonly string[], read: { keepControlled?: boolean } = {}): Promise<Pick<LoadOptions, "cluster" | "saveClusterTo" | "onSaved">> {
  const live = clusterRequested(flags);
  return live ? { cluster: { ...connectionOf(flags), allNamespaces: true, resources, ...read }, ...(await saveInput(flags, live)) } : await saveInput(flags, live);
}

/**
 * --save's part of the load options, checked before the cluster is read (which can take a
 * while): it needs a live cluster, and a new or empty directory.
 */
export async function saveInput(flags: ClusterFlags, live: boolean): Promise<Pick<LoadOptions, "saveClusterTo" | "onSaved">> {
  const dir = flags.save;
  if (dir === undefined) return {};
  if (!live) throw new UserError("--save writes what a live cluster read gave: it needs --cluster", { hint: "add --cluster (or --context, --kubeconfig), e.g. palisade scan --cluster -A --save snapshot/" });
  // The YAML writer is loaded only here.
  (await import("../adapters/cluster-save.js")).checkSaveDirectory(dir);
  return {
    saveClusterTo: dir,
    // `from` names the kubeconfig's context, whose name is the kubeconfig's to choose.
    onSaved: (files, from) => process.stderr.write(`saved what ${printable(from)} holds (Secrets and ConfigMaps are never read) to ${files.length} file${files.length === 1 ? "" : "s"} in ${printable(dir)}\n`),
  };
}
