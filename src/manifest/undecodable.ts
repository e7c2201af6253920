import { checkFields, type WrongType } from "./field-check.js";
import { rootTypeOf } from "./api-schema.js";
import { formatFieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { checkTemplate } from "./template-check.js";

/**
 * Fields the API server cannot decode (manifest/wrong-type): such an object is refused
 * before any admission controller or policy sees it, so judging or defaulting its pod
 * would describe a pod that can never exist. The object's own type decides; a workload
 * whose kind has no known schema (a CRD) is held to the Pod type for its pod template.
 */
export function undecodableFields(object: K8sObject): WrongType[] {
  if (rootTypeOf(object)) return checkFields(object).wrongTypes;
  const template = podTemplate(object);
  return template ? checkTemplate(template).wrongTypes : [];
}

function typeOf(value: unknown): string {
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

/** What is wrong, in words; the value itself is not printed (it may be a Secret's). */
export function describeUndecodable(wrong: WrongType): string {
  return `${formatFieldPath(wrong.path)} is ${typeOf(wrong.value)} where Kubernetes expects ${wrong.expected}: the API server refuses this object when decoding it, before any admission`;
}

export const UNDECODABLE_HINT = "write the field as the type it expects (`kubectl explain` shows it); the object was left unchanged and not judged";
