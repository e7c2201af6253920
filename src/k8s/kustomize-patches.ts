/**
 * The patch files a kustomization names. A patch is part of an object (a Deployment with
 * only its replicas, say), not a whole one: judged as written, its pod has no
 * securityContext at all and every Pod Security check fails. A directory walk leaves
 * them out; the rendered overlay (`palisade scan -k DIR`) is what to judge.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { jsYaml, kubernetesYamlSchema } from "./js-yaml-lazy.js";
import { isRecord } from "./types.js";

/** The names kustomize reads a kustomization from, in its order. */
export const KUSTOMIZATION_FILE_NAMES: readonly string[] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/**
 * Files named by `patches[].path`, `patchesJson6902[].path` and `patchesStrategicMerge`
 * (where an entry is a path, not an inline patch), resolved against the kustomization's
 * directory. A kustomization that cannot be read names none: the scan goes on as before.
 */
export async function patchFilesOf(kustomizationFile: string): Promise<string[]> {
  let document: unknown;
  try {
    document = jsYaml().load(await readFile(kustomizationFile, "utf8"), { schema: kubernetesYamlSchema() });
  } catch {
    return [];
  }
  if (!isRecord(document)) return [];
  const paths: string[] = [];
  for (const field of ["patches", "patchesJson6902"]) {
    const list = document[field];
    if (Array.isArray(list)) for (const entry of list) if (isRecord(entry) && typeof entry.path === "string") paths.push(entry.path);
  }
  const strategic = document.patchesStrategicMerge;
  // An entry is a file's path, or a patch written inline (YAML, so several lines or a `key:`).
  if (Array.isArray(strategic)) for (const entry of strategic) if (typeof entry === "string" && !/[\n:]/.test(entry)) paths.push(entry);
  const directory = dirname(kustomizationFile);
  return paths.map((path) => resolve(directory, path));
}
