import {
  SECCOMP_ALLOW_ANY, SECCOMP_ALLOWED_PROFILES_ANNOTATION, SECCOMP_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_DEFAULT_PROFILE_ANNOTATION, SECCOMP_POD_ANNOTATION,
} from "../constants.js";
import { FieldPath, forbidden, type FieldError } from "../field-errors.js";
import type { Container, PodJson, SeccompProfileJson } from "../pod.js";

/**
 * Seccomp by annotation with the v1.19 field support (pkg/security/podsecuritypolicy/seccomp):
 * the policy speaks annotation profile names; a pod's `seccompProfile` field is read as the
 * annotation value it stands for.
 */
export interface SeccompStrategy {
  /** The pod annotation value to set, or "" for none. */
  generate(pod: PodJson): string;
  validatePod(pod: PodJson): FieldError[];
  validateContainer(pod: PodJson, container: Container): FieldError[];
}

/** `seccompProfile` field -> annotation value (podutil.SeccompAnnotationForField). */
export function seccompAnnotationForField(field: SeccompProfileJson): string {
  switch (field.type) {
    case "Unconfined":
      return "unconfined";
    case "RuntimeDefault":
      return "runtime/default";
    case "Localhost":
      return field.localhostProfile !== undefined ? `localhost/${field.localhostProfile}` : "";
    default:
      return "";
  }
}

function podProfile(pod: PodJson): string {
  const annotation = pod.metadata?.annotations?.[SECCOMP_POD_ANNOTATION] ?? "";
  if (annotation !== "") return annotation;
  const field = pod.spec.securityContext?.seccompProfile;
  return field ? seccompAnnotationForField(field) : "";
}

function containerProfile(pod: PodJson, container: Container): string {
  const own = container.securityContext?.seccompProfile;
  if (own) return seccompAnnotationForField(own);
  const annotations = pod.metadata?.annotations ?? {};
  const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + container.name;
  if (key in annotations) return annotations[key] ?? "";
  const podField = pod.spec.securityContext?.seccompProfile;
  if (podField) return seccompAnnotationForField(podField);
  return annotations[SECCOMP_POD_ANNOTATION] ?? "";
}

const RUNTIME_DEFAULT = "runtime/default";
const DOCKER_DEFAULT = "docker/default";

export function createSeccompStrategy(pspAnnotations: Readonly<Record<string, string>>): SeccompStrategy {
  const defaultProfile = pspAnnotations[SECCOMP_DEFAULT_PROFILE_ANNOTATION] ?? "";
  const allowedText = pspAnnotations[SECCOMP_ALLOWED_PROFILES_ANNOTATION];
  const allowed = new Set<string>();
  let allowAny = false;
  if (allowedText !== undefined) {
    for (const p of allowedText.split(",")) {
      if (p === SECCOMP_ALLOW_ANY) allowAny = true;
      else allowed.add(p);
    }
  }
  // Since seccomp's GA (v1.19) the API server turns a docker/default annotation into the
  // RuntimeDefault field and back into runtime/default, so the strategy takes either name for
  // the other (seccomp/strategy.go validateProfile: runtimeDefaultAllowed).
  const runtimeDefaultAllowed = allowed.has(RUNTIME_DEFAULT) || allowed.has(DOCKER_DEFAULT);
  const check = (path: FieldPath, profile: string): FieldError[] => {
    if (!allowAny && allowed.size === 0 && profile !== "") return [forbidden(path, "seccomp may not be set")];
    // Without an allowed list an unset profile (the runtime's default) is fine.
    if (allowed.size === 0 && profile === "") return [];
    if (allowAny || allowed.has(profile)) return [];
    if (runtimeDefaultAllowed && (profile === RUNTIME_DEFAULT || profile === DOCKER_DEFAULT)) return [];
    return [forbidden(path, `${profile} is not an allowed seccomp profile. Valid values are ${allowedText ?? ""}`)];
  };
  const annotationsPath = FieldPath.root("metadata", "annotations");
  return {
    generate(pod) {
      const current = podProfile(pod);
      return current !== "" ? current : defaultProfile;
    },
    validatePod: (pod) => check(annotationsPath.key(SECCOMP_POD_ANNOTATION), podProfile(pod)),
    validateContainer: (pod, c) => check(annotationsPath.key(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name), containerProfile(pod, c)),
  };
}
