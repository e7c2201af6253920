/**
 * Labels the API server refuses: a value YAML reads as no string (`team: yes` is true to
 * kubectl, `ver: 1.10` the number 1.1) or labels written as a list. The object would never
 * exist; the network model reads it without the label, so a policy written for the label
 * meant (`team: "true"`) matches nothing. Said where it is written, so that is explained.
 */
import { isRecord, objectRef, describeRef, formatFieldPath, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { apiGroupOf } from "../k8s/snapshot.js";
import { podTemplate } from "../k8s/workloads.js";
import type { SourcePosition } from "../findings/types.js";

export interface RefusedLabel {
  position: SourcePosition;
  /** `Namespace/b metadata.labels.team is true, not a string: the API server refuses the object; quote the value`. */
  message: string;
}

/** The labels of Namespaces and of workloads' pods (their templates') that the API server refuses. */
export function refusedLabels(objects: readonly LoadedObject[]): RefusedLabel[] {
  const out: RefusedLabel[] = [];
  for (const loaded of objects) {
    const { object } = loaded;
    const at: FieldPath[] = [];
    if (object.kind === "Namespace" && apiGroupOf(object.apiVersion) === "") at.push(["metadata", "labels"]);
    const template = podTemplate(object);
    if (template) at.push([...template.path, "metadata", "labels"]);
    for (const path of at) out.push(...refusedAt(loaded, path));
  }
  return out;
}

function refusedAt(loaded: LoadedObject, path: FieldPath): RefusedLabel[] {
  let labels: unknown = loaded.object;
  for (const key of path) labels = isRecord(labels) ? labels[key as string] : undefined;
  if (labels === undefined || labels === null) return [];
  const who = describeRef(objectRef(loaded.object));
  if (!isRecord(labels)) return [{ position: loaded.source.locate(path), message: `${who} ${formatFieldPath(path)} is not a mapping of label names to values: the API server refuses the object` }];
  return Object.entries(labels)
    .filter(([, value]) => typeof value !== "string")
    .map(([key, value]) => ({ position: loaded.source.locate([...path, key]), message: `${who} ${formatFieldPath([...path, key])} is ${JSON.stringify(value) ?? String(value)}, not a string: the API server refuses the object; quote the value` }));
}
