import type { ContainerRef } from "../k8s/containers.js";
import { isRecord, type FieldPath } from "../k8s/types.js";
import {
  SECCOMP_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_POD_ANNOTATION,
  seccompAnnotationErrors,
  seccompFieldForAnnotation,
  seccompMismatch,
  type SeccompField,
} from "../manifest/seccomp-annotations.js";
import { annotationsOf, annotationText, type PodView } from "../podsecurity/pod.js";
import type { Edit } from "./edits.js";

/**
 * The pod-level seccompProfile `palisade fix` adds for seccompProfile_restricted, made to
 * agree with the legacy seccomp annotations the manifest carries
 * (manifest/seccomp-annotations.ts):
 *
 * - The pod annotation must name the pod field's profile, or the API server refuses the Pod
 *   or template. A profile the level allows is carried into the field, as the API server
 *   itself did from v1.19 to v1.26 (runtime/default and docker/default give RuntimeDefault,
 *   localhost/P gives Localhost P): the author's choice is kept. `unconfined` is removed, and
 *   the change reported as an override of a value the manifest wrote.
 * - A container's annotation is compared only with that container's own field, but a
 *   container without one runs the pod's profile once the fix adds it: since v1.27 the
 *   annotation does nothing, and before that the API server copied it into the container's
 *   field, where `unconfined` undid the fix. So one that disagrees with the pod's profile is
 *   carried into the container's field, or removed (an override) when it is `unconfined`.
 * - A value the API server refuses anyway, or `localhost/` naming no profile, leaves the
 *   check to a person: no field could agree with it.
 */

export interface SeccompEdit {
  edit: Edit;
  description: string;
}

export type SeccompFix = { edits: SeccompEdit[] } | { refused: string };

const POD_FIELD: FieldPath = ["spec", "securityContext", "seccompProfile"];

function annotationPath(key: string): FieldPath {
  return ["metadata", "annotations", key];
}

function describeField(field: SeccompField): string {
  return field.type === "Localhost" ? `Localhost ${field.localhostProfile ?? ""}` : field.type;
}

/** Why no field can agree with the annotation's value. */
function unusable(key: string, value: string): string {
  if (seccompAnnotationErrors(value).length > 0) return `the annotation ${key} is ${JSON.stringify(value)}, which the API server refuses (manifest/fails-validation); correct or remove it first`;
  return `the annotation ${key} is ${JSON.stringify(value)}, which names no localhost profile, so no seccompProfile field can agree with it; name the profile or remove the annotation`;
}

/** The edits that give the pod a seccompProfile every annotation it keeps agrees with. */
export function podSeccompFix(pod: PodView, containers: readonly ContainerRef[]): SeccompFix {
  const annotations = annotationsOf(pod.metadata);
  const valueOf = (key: string) => (Object.prototype.hasOwnProperty.call(annotations, key) ? annotationText(annotations[key]) : undefined);
  const edits: SeccompEdit[] = [];
  let podField: SeccompField = { type: "RuntimeDefault" };
  let fieldDescription = "pod: seccompProfile: RuntimeDefault";
  const podValue = valueOf(SECCOMP_POD_ANNOTATION);
  if (podValue !== undefined) {
    const named = seccompFieldForAnnotation(podValue);
    if (named === undefined) return { refused: unusable(SECCOMP_POD_ANNOTATION, podValue) };
    if (named.type === "Unconfined") {
      edits.push({ edit: { op: "remove", path: annotationPath(SECCOMP_POD_ANNOTATION) }, description: `pod: remove annotation ${SECCOMP_POD_ANNOTATION}: unconfined — the API server refuses it beside the seccompProfile the level needs` });
    } else {
      podField = named;
      fieldDescription = `pod: seccompProfile: ${describeField(named)}, the profile its annotation ${SECCOMP_POD_ANNOTATION} names`;
    }
  }
  edits.unshift({ edit: { op: "set", path: POD_FIELD, value: podField }, description: fieldDescription });

  for (const { container, name, path } of containers) {
    const own = isRecord(container.securityContext) ? container.securityContext.seccompProfile : undefined;
    if (own !== undefined && own !== null) continue;
    const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + name;
    const value = valueOf(key);
    if (value === undefined || seccompMismatch(value, podField) === undefined) continue;
    const named = seccompFieldForAnnotation(value);
    if (named === undefined) return { refused: unusable(key, value) };
    if (named.type === "Unconfined") {
      edits.push({ edit: { op: "remove", path: annotationPath(key) }, description: `container ${name}: remove annotation ${key}: unconfined — the container now runs the pod's seccompProfile` });
    } else {
      edits.push({ edit: { op: "set", path: [...path, "securityContext", "seccompProfile"], value: named }, description: `container ${name}: seccompProfile: ${describeField(named)}, the profile its annotation ${key} names` });
    }
  }
  return { edits };
}
