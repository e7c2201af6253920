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
 * One patch a kustomization applies, where it is written: a file by `path`, or inline text
 * (`patch:`, or a `patchesStrategicMerge` entry written in place), with its `target` selector.
 */
export interface PatchEntry {
  /** Where the entry is in the kustomization: ["patches", 2, "path"], ["patchesStrategicMerge", 0]... */
  at: Array<string | number>;
  path?: string;
  text?: string;
  target?: Record<string, unknown>;
}

/** The patches of a kustomization, in its order: `patches`, `patchesJson6902`, then `patchesStrategicMerge`. */
export function patchEntriesOf(kustomization: Record<string, unknown>): PatchEntry[] {
  const entries: PatchEntry[] = [];
  for (const field of ["patches", "patchesJson6902"]) {
    const list = kustomization[field];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i) => {
      if (!isRecord(entry)) return;
      const target = isRecord(entry.target) ? { target: entry.target } : {};
      if (typeof entry.path === "string") entries.push({ at: [field, i, "path"], path: entry.path, ...target });
      else if (typeof entry.patch === "string") entries.push({ at: [field, i, "patch"], text: entry.patch, ...target });
    });
  }
  const strategic = kustomization.patchesStrategicMerge;
  if (Array.isArray(strategic)) {
    strategic.forEach((entry: unknown, i) => {
      if (typeof entry !== "string") return;
      // An entry is a file's path, or a patch written inline (YAML, so several lines or a `key:`).
      entries.push(/[\n:]/.test(entry) ? { at: ["patchesStrategicMerge", i], text: entry } : { at: ["patchesStrategicMerge", i], path: entry });
    });
  }
  return entries;
}

/**
 * Files named as patches, resolved against the kustomization's directory. A kustomization
 * that cannot be read names none: the scan goes on as before.
 */
export async function patchFilesOf(kustomizationFile: string): Promise<string[]> {
  let document: unknown;
  try {
    document = jsYaml().load(await readFile(kustomizationFile, "utf8"), { schema: kubernetesYamlSchema() });
  } catch {
    return [];
  }
  if (!isRecord(document)) return [];
  const directory = dirname(kustomizationFile);
  return patchEntriesOf(document).flatMap((entry) => (entry.path !== undefined ? [resolve(directory, entry.path)] : []));
}
