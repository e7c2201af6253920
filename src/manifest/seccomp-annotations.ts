/**
 * The legacy seccomp annotations (seccomp.security.alpha.kubernetes.io/pod and
 * container.seccomp.security.alpha.kubernetes.io/NAME) as the API server reads them, next
 * to the securityContext.seccompProfile fields that replaced them in v1.19:
 *
 * - ValidateSeccompProfile (pkg/apis/core/validation) refuses any value but runtime/default,
 *   docker/default, unconfined and localhost/ followed by a relative path without `..`;
 * - validateSeccompAnnotationsAndFieldsMatch refuses an annotation that names another
 *   profile than the field beside it (the pod annotation against the pod's field, a
 *   container's annotation against that container's field), for Pods on create and for
 *   every pod template ValidatePodTemplateSpec validates, in every release since v1.19;
 * - from v1.19 to v1.26 the API server copied an annotation into a Pod's missing field
 *   (SeccompFieldForAnnotation, called by the pod strategy's applySeccompVersionSkew); since
 *   v1.27 an annotation does nothing but must still agree with the field when both are set.
 *
 * Shared by the scan's manifest/fails-validation and by `palisade fix`, which must not write
 * a field that disagrees with an annotation the manifest keeps.
 */
import { SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION } from "../podsecurity/checks/seccomp-profile-baseline.js";

export { SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION };

const LOCALHOST_PREFIX = "localhost/";

/** A seccompProfile field's value, as a fix writes it. */
export interface SeccompField {
  type: "RuntimeDefault" | "Localhost" | "Unconfined";
  localhostProfile?: string;
}

/** One of ValidateSeccompProfile's refusals: the value it shows and its detail. */
export interface AnnotationValueError {
  value: string;
  detail: string;
}

/**
 * Why the API server refuses an annotation's value (ValidateSeccompProfile), or none. A
 * localhost path is judged as validateLocalDescendingPath judges it on a Linux API server:
 * not absolute, no `..` element (and the error shows the path, not the whole value).
 */
export function seccompAnnotationErrors(value: string): AnnotationValueError[] {
  if (value === "runtime/default" || value === "docker/default" || value === "unconfined") return [];
  if (!value.startsWith(LOCALHOST_PREFIX)) return [{ value, detail: "must be a valid seccomp profile" }];
  const path = value.slice(LOCALHOST_PREFIX.length);
  const errors: AnnotationValueError[] = [];
  if (path.startsWith("/")) errors.push({ value: path, detail: "must be a relative path" });
  if (path.split("/").includes("..")) errors.push({ value: path, detail: "must not contain '..'" });
  return errors;
}

/**
 * The field an annotation stands for, as the API server derived it from v1.19 to v1.26
 * (SeccompFieldForAnnotation), or undefined for a value it refuses and for `localhost/`
 * naming no profile, which it derived nothing from.
 */
export function seccompFieldForAnnotation(value: string): SeccompField | undefined {
  if (seccompAnnotationErrors(value).length > 0) return undefined;
  if (value === "unconfined") return { type: "Unconfined" };
  if (value === "runtime/default" || value === "docker/default") return { type: "RuntimeDefault" };
  const profile = value.slice(LOCALHOST_PREFIX.length);
  return profile === "" ? undefined : { type: "Localhost", localhostProfile: profile };
}

/**
 * The part of a seccompProfile field that disagrees with the annotation beside it, as
 * validateSeccompAnnotationsAndFieldsMatch finds it ("type" or "localhostProfile"), or
 * undefined when they agree. A field of no known type is left to the field's own validation.
 */
export function seccompMismatch(annotation: string, field: { type?: unknown; localhostProfile?: unknown }): "type" | "localhostProfile" | undefined {
  // A profile that is not text never decodes (manifest/string-expected): nothing to compare.
  const profile = field.localhostProfile;
  if (profile !== undefined && profile !== null && typeof profile !== "string") return undefined;
  switch (field.type) {
    case "Unconfined":
      return annotation === "unconfined" ? undefined : "type";
    case "RuntimeDefault":
      return annotation === "runtime/default" || annotation === "docker/default" ? undefined : "type";
    case "Localhost":
      if (!annotation.startsWith(LOCALHOST_PREFIX)) return "type";
      return profile === annotation.slice(LOCALHOST_PREFIX.length) ? undefined : "localhostProfile";
    default:
      return undefined;
  }
}

/** The upstream detail of a mismatch at `part`. */
export function mismatchDetail(part: "type" | "localhostProfile"): string {
  return part === "type" ? "seccomp type in annotation and field must match" : "seccomp profile in annotation and field must match";
}
