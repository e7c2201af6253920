/**
 * `palisade scan --cluster --save DIR`: what a live scan read, written as YAML that
 * Kubernetes reads back as written (k8s/yaml-out.ts), one file per namespace and kind, so
 * that findings point at lines a reviewer can open, and the snapshot can be scanned,
 * compared (`posture --baseline`) or committed later. Secrets and ConfigMaps are never
 * read, so never written.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { kubernetesYaml } from "../k8s/yaml-out.js";
import { isRecord } from "../k8s/types.js";

/** Refuses a directory that holds anything: files left from another read would be scanned as this cluster's. */
export function checkSaveDirectory(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw new UserError(`--save ${dir}: ${code === "ENOTDIR" ? "not a directory" : (err as Error).message}`, { hint: "name a new or empty directory" });
  }
  if (entries.length > 0) throw new UserError(`--save ${dir}: the directory is not empty`, { hint: "name a new or empty directory, so that nothing but this read is scanned" });
}

/** A file-name part from a name the API server gave: what a path may not hold becomes `_`. */
function safe(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "_" : cleaned;
}

/**
 * Writes the items of a live read (the JSON List readCluster gives) under `dir`:
 * `NAMESPACE/KIND.GROUP.yaml`, cluster-scoped objects under `_cluster/`, each object a
 * document, in the order read. Returns the files written, in path order.
 */
export function saveClusterList(dir: string, listText: string): string[] {
  const list = JSON.parse(listText) as { items?: unknown[] };
  const byFile = new Map<string, unknown[]>();
  for (const item of list.items ?? []) {
    if (!isRecord(item)) continue;
    const metadata = isRecord(item.metadata) ? item.metadata : {};
    const kind = typeof item.kind === "string" ? item.kind.toLowerCase() : "unknown";
    const apiVersion = typeof item.apiVersion === "string" ? item.apiVersion : "";
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const folder = typeof metadata.namespace === "string" && metadata.namespace !== "" ? safe(metadata.namespace) : "_cluster";
    const file = join(dir, folder, `${safe(group ? `${kind}.${group}` : kind)}.yaml`);
    const documents = byFile.get(file) ?? [];
    documents.push(item);
    byFile.set(file, documents);
  }
  const files = [...byFile.keys()].sort();
  // Readable by the user alone: workloads carry what their authors put in them (env values,
  // annotations), and a snapshot should not be easier to read than the cluster.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const file of files) {
    mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
    writeFileSync(file, (byFile.get(file) as unknown[]).map((object) => kubernetesYaml(object, { lineWidth: 0 })).join("---\n"), { mode: 0o600 });
  }
  return files;
}
