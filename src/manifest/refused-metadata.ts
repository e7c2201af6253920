/**
 * An object's metadata as ValidateObjectMeta judges it (apimachinery's
 * ValidateObjectMetaAccessor, ValidateLabels and ValidateAnnotations), and a pod template's
 * labels and annotations as ValidatePodTemplateSpec and ValidatePodTemplateSpecForStatefulSet
 * judge them, under `<template>.labels`: upstream's path leaves out `metadata`.
 *
 * - a name, unless generateName stands in for it, in the form the kind's name function wants
 *   (api-name-formats.ts; kinds it does not list are not judged);
 * - label keys and annotation keys are qualified names (an annotation key's case does not
 *   matter: upstream lowers it first), label values at most 63 characters of the same form;
 * - all annotations together at most 256 KiB (TotalAnnotationSizeLimitB), keys and values.
 *
 * A value of another type than text is the decoder's refusal (manifest/string-expected), so
 * it is not judged again here.
 */
import { isRecord, type FieldPath } from "../k8s/types.js";
import { invalid, required, tooLong, type ApiFieldError } from "./api-field-errors.js";
import { isLabelValue, isQualifiedName, labelValueErrors, qualifiedNameErrors, type NameFormat } from "./api-name-formats.js";

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const NAME_TODO = "name it in the form the message gives";
const LABEL_TODO = "label keys are [prefix/]name (the name at most 63 characters of letters, digits, '-', '_' and '.', the prefix a DNS subdomain); values are empty or at most 63 such characters";
const ANNOTATION_TODO = "annotation keys are [prefix/]name, the name at most 63 characters of letters, digits, '-', '_' and '.', the prefix a DNS subdomain";

/** The object's own metadata; `nameFormat` is the kind's name function, when this rule knows it. */
export function objectMetaRefusals(metadata: unknown, nameFormat: NameFormat | undefined): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  const meta = isRecord(metadata) ? metadata : {};
  if (nameFormat !== undefined) nameRefusals(meta, nameFormat, out);
  labelsAndAnnotations(meta, ["metadata"], "metadata", out);
  return out;
}

/** A pod template's metadata at `at` in the manifest, named `apiPath` by upstream (`spec.template`). */
export function templateMetaRefusals(metadata: unknown, at: FieldPath, apiPath: string): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  if (isRecord(metadata)) labelsAndAnnotations(metadata, [...at, "metadata"], apiPath, out);
  return out;
}

function nameRefusals(meta: Record<string, unknown>, nameFormat: NameFormat, out: ApiFieldError[]): void {
  const name = meta.name;
  if (name === undefined || name === null || name === "") {
    // The API server makes a name from generateName before it validates the object.
    const generateName = meta.generateName;
    if (typeof generateName === "string" && generateName !== "") return;
    out.push({ at: ["metadata", "name"], text: required("metadata.name", "name or generateName is required"), todo: "give the object a metadata.name (kubectl apply needs a name, kubectl create takes generateName)" });
    return;
  }
  if (typeof name !== "string") return;
  for (const message of nameFormat(name)) out.push({ at: ["metadata", "name"], text: invalid("metadata.name", name, message), todo: NAME_TODO });
}

function labelsAndAnnotations(meta: Record<string, unknown>, at: FieldPath, apiPath: string, out: ApiFieldError[]): void {
  const labels = meta.labels;
  if (isRecord(labels)) {
    for (const key in labels) {
      const value = labels[key];
      // Paths and messages are built only for what is wrong: the scan reads every label.
      if (!isQualifiedName(key)) for (const message of qualifiedNameErrors(key)) out.push({ at: [...at, "labels", key], text: invalid(`${apiPath}.labels`, key, message), todo: LABEL_TODO });
      if (typeof value === "string" && !isLabelValue(value)) for (const message of labelValueErrors(value)) out.push({ at: [...at, "labels", key], text: invalid(`${apiPath}.labels`, value, message), todo: LABEL_TODO });
    }
  }
  const annotations = meta.annotations;
  if (!isRecord(annotations)) return;
  let size = 0;
  let sized = true;
  for (const key in annotations) {
    // A valid key stays valid lowered; only another is lowered and judged as upstream does.
    if (!isQualifiedName(key)) {
      const lowered = key.toLowerCase();
      if (!isQualifiedName(lowered)) for (const message of qualifiedNameErrors(lowered)) out.push({ at: [...at, "annotations", key], text: invalid(`${apiPath}.annotations`, key, message), todo: ANNOTATION_TODO });
    }
    const value = annotations[key];
    // A null value decodes as "", one of another type is the decoder's to refuse.
    if (typeof value === "string") size += value.length + key.length;
    else if (value !== null) sized = false;
  }
  // Characters are a lower bound of UTF-8 bytes: only a near miss is measured in bytes.
  if (sized && size > TOTAL_ANNOTATION_SIZE_LIMIT / 3 && annotationBytes(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT) {
    out.push({ at: [...at, "annotations"], text: tooLong(`${apiPath}.annotations`, TOTAL_ANNOTATION_SIZE_LIMIT), todo: "keep all annotations under 256 KiB together (a large kubectl.kubernetes.io/last-applied-configuration is a sign to use kubectl apply --server-side)" });
  }
}

function annotationBytes(annotations: Record<string, unknown>): number {
  let total = 0;
  for (const key in annotations) {
    const value = annotations[key];
    total += Buffer.byteLength(key, "utf8") + (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);
  }
  return total;
}
