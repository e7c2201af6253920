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


/** A value Go's JSON decoder would not put in a string (null leaves the string empty, and is accepted). */
function isText(value: unknown): boolean {
  return value === null || typeof value === "string";
}

// Paths are built only for a field that is wrong (every object of a scan passes here):
// helpers take the path in up to three shared pieces and join them only then.
type Pieces = readonly [FieldPath, FieldPath?, FieldPath?];

function join(pieces: Pieces, last: string | number): FieldPath {
  return [...pieces[0], ...(pieces[1] ?? []), ...(pieces[2] ?? []), last];
}

function field(out: MisTypedField[], record: Record<string, unknown>, key: string, a: FieldPath, b?: FieldPath, c?: FieldPath): void {
  if (key in record && !isText(record[key])) out.push({ path: join([a, b, c], key), value: record[key] });
}

function stringMap(out: MisTypedField[], value: unknown, a: FieldPath, b?: FieldPath, c?: FieldPath): void {
  if (!isRecord(value)) return;
  for (const key in value) if (!isText(value[key])) out.push({ path: join([a, b, c], key), value: value[key] });
}

function stringList(out: MisTypedField[], value: unknown, a: FieldPath, b?: FieldPath, c?: FieldPath): void {
  if (!Array.isArray(value)) return;
  for (let index = 0; index < value.length; index++) if (!isText(value[index])) out.push({ path: join([a, b, c], index), value: value[index] });
}

const METADATA: FieldPath = ["metadata"];
const LABELS: FieldPath = ["metadata", "labels"];
const ANNOTATIONS: FieldPath = ["metadata", "annotations"];
const COMMAND: FieldPath = ["command"];
const ARGS: FieldPath = ["args"];
const NAME_FIELDS = ["name", "namespace", "generateName"];
const CONTAINER_FIELDS = ["name", "image", "workingDir"];
const ENV_FIELDS = ["name", "value"];

function metadataFields(out: MisTypedField[], metadata: unknown, at: FieldPath, namesToo: boolean): void {
  if (!isRecord(metadata)) return;
  if (namesToo) for (const key of NAME_FIELDS) field(out, metadata, key, at, METADATA);
  stringMap(out, metadata.labels, at, LABELS);
  stringMap(out, metadata.annotations, at, ANNOTATIONS);
}

export function misTypedFields(object: K8sObject): MisTypedField[] {
  const out: MisTypedField[] = [];
  metadataFields(out, object.metadata, [], true);
  const group = apiGroupOf(object.apiVersion);
  const spec = isRecord(object.spec) ? object.spec : undefined;
  if (group === "" && (object.kind === "ConfigMap" || object.kind === "Secret")) {
    stringMap(out, (object as Record<string, unknown>).data, ["data"]);
    if (object.kind === "Secret") stringMap(out, (object as Record<string, unknown>).stringData, ["stringData"]);
    if (object.kind === "ConfigMap") stringMap(out, (object as Record<string, unknown>).binaryData, ["binaryData"]);
  }
  if (spec && group === "" && object.kind === "Service") stringMap(out, spec.selector, ["spec", "selector"]);
  const template = podTemplate(object);
  if (!template) return out;
  // A controller whose template sits at spec.template selects its pods with spec.selector:
  // a LabelSelector, or a plain map for a ReplicationController (workloads.ts knows which kinds).
  if (spec && template.path.length === 2 && isRecord(spec.selector)) {
    if (object.kind === "ReplicationController") stringMap(out, spec.selector, ["spec", "selector"]);
    else stringMap(out, spec.selector.matchLabels, ["spec", "selector", "matchLabels"]);
  }
  // A Pod's own metadata was read above; a template's is the template's.
  if (template.path.length > 0) metadataFields(out, template.pod.metadata, template.path, false);
  for (const { container, path } of visitContainers(template.pod.spec)) {
    for (const key of CONTAINER_FIELDS) field(out, container, key, template.path, path);
    stringList(out, container.command, template.path, path, COMMAND);
    stringList(out, container.args, template.path, path, ARGS);
    const env = container.env;
    if (!Array.isArray(env)) continue;
    for (let index = 0; index < env.length; index++) {
      const entry: unknown = env[index];
      if (!isRecord(entry) || (isText(entry.name) && isText(entry.value))) continue;
      for (const key of ENV_FIELDS) field(out, entry, key, template.path, path, ["env", index]);
    }
  }
  return out;
}
