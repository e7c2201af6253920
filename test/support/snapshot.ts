/** Snapshots made from objects in memory, for tests that feed a family or posture values no file would hold. */
import { emptySnapshot, type Snapshot } from "../../src/k8s/snapshot.js";
import type { K8sObject, LoadedObject } from "../../src/k8s/types.js";

const AT = { file: "f.yaml", line: 1, column: 1 };

/** An object as if loaded from line 1 of f.yaml: every field is located there. */
export function loadedObject(object: K8sObject): LoadedObject {
  return { object, source: { file: AT.file, documentIndex: 0, position: AT, locate: () => AT } };
}

export function snapshotOf(...objects: K8sObject[]): Snapshot {
  return { ...emptySnapshot(), objects: objects.map(loadedObject) };
}
