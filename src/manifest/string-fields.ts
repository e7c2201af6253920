/**
 * The fields of an object that the Kubernetes API declares as strings (or as maps and
 * lists of strings), where a YAML boolean, number or collection makes the API server
 * refuse the object. A built-in kind whose type is known (api-fields.generated.ts) is
 * walked field by field (field-check.ts): every text field, from volume and port names to
 * a CSI driver's attributes. Any other object (a kind the API served once, like an
 * extensions/v1beta1 Deployment, or a custom resource) is read where its type is certain
 * anyway: metadata, and the pod (template) of workloads.
 */
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { rootTypeOf } from "./api-schema.js";
import { checkFields, isText, type FieldCheck, type MisTypedField } from "./field-check.js";
import { checkTemplate } from "./template-check.js";

export type { MisTypedField } from "./field-check.js";

/**
 * Every text field holding another value, in document order for a known kind. `check`
 * is the object's field check when the caller has it already (one walk, not two).
 */
export function misTypedFields(object: K8sObject, check?: FieldCheck): MisTypedField[] {
  if (rootTypeOf(object)) return (check ?? checkFields(object)).notText;
  return certainFields(object);
}

// Only a field that is wrong gets a path of its own (every object of a scan passes here).
function stringMap(out: MisTypedField[], value: unknown, at: FieldPath): void {
  if (!isRecord(value)) return;
  for (const key in value) if (!isText(value[key])) out.push({ path: [...at, key], value: value[key] });
}

const NAME_FIELDS = ["name", "namespace", "generateName"];
const LABELS: FieldPath = ["metadata", "labels"];
const ANNOTATIONS: FieldPath = ["metadata", "annotations"];

/** Every object's metadata is an ObjectMeta, whatever its kind. */
function metadataFields(out: MisTypedField[], metadata: unknown): void {
  if (!isRecord(metadata)) return;
  for (const key of NAME_FIELDS) if (key in metadata && !isText(metadata[key])) out.push({ path: ["metadata", key], value: metadata[key] });
  stringMap(out, metadata.labels, LABELS);
  stringMap(out, metadata.annotations, ANNOTATIONS);
}

/** The fields whose type is certain without knowing the object's kind. */
function certainFields(object: K8sObject): MisTypedField[] {
  const out: MisTypedField[] = [];
  const template = podTemplate(object);
  // A Pod's metadata is its pod's, read with the pod below.
  if (!template || template.path.length > 0) metadataFields(out, object.metadata);
  if (!template) return out;
  // A controller whose template sits at spec.template selects its pods with spec.selector:
  // a LabelSelector, or a plain map for a ReplicationController (workloads.ts knows which kinds).
  const spec = isRecord(object.spec) ? object.spec : undefined;
  if (spec && template.path.length === 2 && isRecord(spec.selector)) {
    if (object.kind === "ReplicationController") stringMap(out, spec.selector, ["spec", "selector"]);
    else stringMap(out, spec.selector.matchLabels, ["spec", "selector", "matchLabels"]);
  }
  out.push(...checkTemplate(template).notText);
  return out;
}
