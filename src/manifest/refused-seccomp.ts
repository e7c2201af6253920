/**
 * A pod's legacy seccomp annotations as the API server's validation judges them
 * (seccomp-annotations.ts):
 *
 * - each value on its own (ValidatePodSpecificAnnotations calls ValidateSeccompPodAnnotations
 *   for Pods and for every pod template, a StatefulSet's included), at upstream's path
 *   `metadata.annotations.<key>`;
 * - against the seccompProfile field beside it (validateSeccompAnnotationsAndFields, which
 *   ValidatePodCreate and ValidatePodTemplateSpec call; a StatefulSet's template is not held
 *   to it, so only the Pods it creates meet this refusal).
 *
 * A value of another type than text is the decoder's refusal (manifest/string-expected),
 * so it is not judged again here; a null value decodes as "", which is refused.
 */
import { visitContainers } from "../k8s/containers.js";
import { isRecord, type FieldPath } from "../k8s/types.js";
import { forbidden, invalid, type ApiFieldError } from "./api-field-errors.js";
import { mismatchDetail, SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION, seccompAnnotationErrors, seccompMismatch } from "./seccomp-annotations.js";

/** Where a pod sits: in the manifest (`at`: [] for a Pod, ["spec", "template"] for a Deployment), and as upstream names its parts. */
export interface PodPlace {
  at: FieldPath;
  /** "metadata.annotations" for a Pod, "spec.template.annotations" for a template. */
  annotationsApiPath: string;
  /** "spec" for a Pod, "spec.template.spec" for a template. */
  specApiPath: string;
}

const VALUE_TODO = "the value must be runtime/default, docker/default, unconfined or localhost/ and a relative path; better, remove the annotation and set securityContext.seccompProfile";
const MATCH_TODO = "make the annotation name the field's profile, or remove the annotation: it has done nothing since v1.27, the field is what counts";

function isSeccompKey(key: string): boolean {
  return key === SECCOMP_POD_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_ANNOTATION_PREFIX);
}

/** The annotation's value as the decoder gives it, or undefined when it is absent or not text. */
function annotationValue(annotations: Record<string, unknown>, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(annotations, key)) return undefined;
  const value = annotations[key];
  if (value === null) return "";
  return typeof value === "string" ? value : undefined;
}

/** `matchFields`: whether the kind's validation compares the annotations with the fields. */
export function seccompRefusals(metadata: unknown, spec: unknown, place: PodPlace, matchFields: boolean): ApiFieldError[] {
  const annotations = isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations : undefined;
  if (annotations === undefined) return [];
  const out: ApiFieldError[] = [];
  // Upstream judges the pod's key first, then the containers' in map order.
  const keys = Object.keys(annotations).filter(isSeccompKey).sort((a, b) => Number(b === SECCOMP_POD_ANNOTATION) - Number(a === SECCOMP_POD_ANNOTATION));
  for (const key of keys) {
    const value = annotationValue(annotations, key);
    if (value === undefined) continue;
    for (const error of seccompAnnotationErrors(value)) {
      out.push({ at: [...place.at, "metadata", "annotations", key], text: invalid(`${place.annotationsApiPath}.${key}`, error.value, error.detail), todo: VALUE_TODO });
    }
  }
  if (matchFields && keys.length > 0 && isRecord(spec)) out.push(...mismatches(annotations, spec, place));
  return out;
}

function mismatches(annotations: Record<string, unknown>, spec: Record<string, unknown>, place: PodPlace): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  const judge = (key: string, securityContext: unknown, at: FieldPath, apiPath: string) => {
    const profile = isRecord(securityContext) ? securityContext.seccompProfile : undefined;
    const value = annotationValue(annotations, key);
    if (!isRecord(profile) || value === undefined) return;
    const part = seccompMismatch(value, profile);
    if (part === undefined) return;
    out.push({ at: [...at, "securityContext", "seccompProfile", part], text: forbidden(`${apiPath}.securityContext.seccompProfile.${part}`, mismatchDetail(part)), todo: MATCH_TODO });
  };
  judge(SECCOMP_POD_ANNOTATION, spec.securityContext, [...place.at, "spec"], place.specApiPath);
  for (const c of visitContainers(spec)) {
    judge(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name, c.container.securityContext, [...place.at, ...c.path], `${place.specApiPath}.${c.list}[${c.index}]`);
  }
  return out;
}
