import type { Labels } from "./labels.js";
import type { LoadedObject, LoadProblem, LoadStats } from "./types.js";

/**
 * The cluster as data: every loaded object with its source, plus what could not be
 * loaded. Built by `loadSnapshot` (src/k8s/load.ts) from files, directories, stdin or a
 * kustomization; every family reads it, none writes it.
 */
export interface Snapshot {
  objects: LoadedObject[];
  problems: LoadProblem[];
  stats: LoadStats;
  /** The resource types a live read listed (those the cluster serves of what was asked for); undefined without one. */
  listedResources?: string[];
}

export function emptySnapshot(): Snapshot {
  return { objects: [], problems: [], stats: { files: 0, documents: 0, objects: 0, skippedNonKubernetes: 0, skippedFiles: 0 } };
}

/** Objects of a kind, optionally of one API group ("" for the core group). */
export function objectsOfKind(snapshot: Snapshot, kind: string, group?: string): LoadedObject[] {
  return snapshot.objects.filter((o) => o.object.kind === kind && (group === undefined || apiGroupOf(o.object.apiVersion) === group));
}

export function apiGroupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return "";
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * Labels of every Namespace object in the snapshot, with `kubernetes.io/metadata.name`
 * set as the API server sets it, so selectors on it work from manifests.
 */
export function namespaceLabels(snapshot: Snapshot): Map<string, Labels> {
  return namespaceLabelsOf(snapshot.objects);
}

/** The label the API server puts on every namespace, its name, which no one can change or remove. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * The labels of a namespace the input has no Namespace object for: only the one the API
 * server puts on every namespace, `kubernetes.io/metadata.name`.
 */
export function automaticNamespaceLabels(name: string): Labels {
  return { [NAMESPACE_NAME_LABEL]: name };
}

/** namespaceLabels over any list of loaded objects (a later Namespace of the same name wins). */
export function namespaceLabelsOf(objects: readonly LoadedObject[]): Map<string, Labels> {
  const result = new Map<string, Labels>();
  for (const [name, { object }] of namespaceObjectsOf(objects)) {
    result.set(name, { ...(object.metadata?.labels ?? {}), ...automaticNamespaceLabels(name) });
  }
  return result;
}

/** The core Namespace objects among `objects`, by name (a later Namespace of the same name wins). */
export function namespaceObjectsOf(objects: readonly LoadedObject[]): Map<string, LoadedObject> {
  const result = new Map<string, LoadedObject>();
  for (const loaded of objects) {
    const { object } = loaded;
    if (object.kind !== "Namespace" || apiGroupOf(object.apiVersion) !== "") continue;
    const name = object.metadata?.name;
    if (name) result.set(name, loaded);
  }
  return result;
}
