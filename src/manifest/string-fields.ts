/**
 * The fields of an object that the Kubernetes API declares as strings (or as maps and
 * lists of strings), where a YAML boolean, number or collection makes the API server
 * refuse the object. Only fields whose type is certain for the object's kind are read:
 * metadata everywhere, the pod (template) of workloads, ConfigMap and Secret data, and
 * the label selectors of workloads and Services.
 */
import { visitContainers } from "../k8s/containers.js";
import { apiGroupOf } from "../k8s/snapshot.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";

export interface MisTypedField {
  path: FieldPath;
  value: unknown;
}

/** Kinds whose spec.selector is a LabelSelector (matchLabels: map of strings). */
const SELECTOR_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"]);

/** A value Go's JSON decoder would not put in a string (null leaves the string empty, and is accepted). */
function isText(value: unknown): boolean {
  return value === null || typeof value === "string";
}

function field(out: MisTypedField[], record: Record<string, unknown>, key: string, path: FieldPath): void {
  if (key in record && !isText(record[key])) out.push({ path: [...path, key], value: record[key] });
}

function stringMap(out: MisTypedField[], value: unknown, path: FieldPath): void {
  if (!isRecord(value)) return;
  for (const [key, entry] of Object.entries(value)) if (!isText(entry)) out.push({ path: [...path, key], value: entry });
}

function stringList(out: MisTypedField[], value: unknown, path: FieldPath): void {
  if (!Array.isArray(value)) return;
  value.forEach((entry: unknown, index) => {
    if (!isText(entry)) out.push({ path: [...path, index], value: entry });
  });
}

function metadataFields(out: MisTypedField[], metadata: unknown, path: FieldPath, namesToo: boolean): void {
  if (!isRecord(metadata)) return;
  if (namesToo) for (const key of ["name", "namespace", "generateName"]) field(out, metadata, key, path);
  stringMap(out, metadata.labels, [...path, "labels"]);
  stringMap(out, metadata.annotations, [...path, "annotations"]);
}

export function misTypedFields(object: K8sObject): MisTypedField[] {
  const out: MisTypedField[] = [];
  metadataFields(out, object.metadata, ["metadata"], true);
  const group = apiGroupOf(object.apiVersion);
  const spec = isRecord(object.spec) ? object.spec : undefined;
  if (group === "" && (object.kind === "ConfigMap" || object.kind === "Secret")) {
    stringMap(out, (object as Record<string, unknown>).data, ["data"]);
    if (object.kind === "Secret") stringMap(out, (object as Record<string, unknown>).stringData, ["stringData"]);
    if (object.kind === "ConfigMap") stringMap(out, (object as Record<string, unknown>).binaryData, ["binaryData"]);
  }
  if (spec && group === "" && object.kind === "Service") stringMap(out, spec.selector, ["spec", "selector"]);
  if (spec && SELECTOR_KINDS.has(object.kind ?? "") && isRecord(spec.selector)) stringMap(out, spec.selector.matchLabels, ["spec", "selector", "matchLabels"]);
  const template = podTemplate(object);
  if (template) {
    // A Pod's own metadata was read above; a template's is the template's.
    if (template.path.length > 0) metadataFields(out, template.pod.metadata, [...template.path, "metadata"], false);
    for (const { container, path } of visitContainers(template.pod.spec)) {
      const at = [...template.path, ...path];
      for (const key of ["name", "image", "workingDir"]) field(out, container, key, at);
      stringList(out, container.command, [...at, "command"]);
      stringList(out, container.args, [...at, "args"]);
      if (Array.isArray(container.env)) {
        container.env.forEach((env: unknown, index) => {
          if (!isRecord(env)) return;
          for (const key of ["name", "value"]) field(out, env, key, [...at, "env", index]);
        });
      }
    }
  }
  return out;
}
