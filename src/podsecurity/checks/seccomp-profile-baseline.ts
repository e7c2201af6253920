import { ALLOWED, forbidden, goQuote, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { annotationText, annotationsOf, containersOf, type PodView } from "../pod.js";

export const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

export function validSeccompType(type: unknown): boolean {
  return type === "RuntimeDefault" || type === "Localhost";
}

function validSeccompAnnotationValue(value: unknown): boolean {
  return value === "runtime/default" || value === "docker/default" || (typeof value === "string" && value.startsWith("localhost/"));
}

/** Before v1.19 seccomp was set by annotations only. */
function seccompProfileBaselineV1Dot0({ metadata, spec }: PodView): CheckResult {
  const annotations = annotationsOf(metadata);
  const bad: string[] = [];
  const fields: FieldPath[] = [];
  const consider = (key: string) => {
    if (!Object.prototype.hasOwnProperty.call(annotations, key)) return;
    // A key with no value (`key:`) is there, with the empty value the API server decodes it to.
    const value = annotationText(annotations[key]);
    if (!validSeccompAnnotationValue(value)) {
      bad.push(`${key}=${goQuote(value)}`);
      fields.push(["metadata", "annotations", key]);
    }
  };
  consider(SECCOMP_POD_ANNOTATION);
  for (const c of containersOf(spec)) consider(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name);
  if (bad.length === 0) return ALLOWED;
  const list = sortedUnique(bad);
  return forbidden("seccompProfile", `forbidden ${pluralize("annotation", "annotations", list.length)} ${list.join(", ")}`, fields);
}

function seccompProfileBaselineV1Dot19({ spec }: PodView): CheckResult {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const fields: FieldPath[] = [];
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile != null && !validSeccompType(podProfile.type)) {
    badSetters.push("pod");
    badValues.push(String(podProfile.type ?? ""));
    fields.push(["spec", "securityContext", "seccompProfile", "type"]);
  }
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.container.securityContext?.seccompProfile;
    if (profile != null && !validSeccompType(profile.type)) {
      badContainers.push(c.name);
      badValues.push(String(profile.type ?? ""));
      fields.push([...c.path, "securityContext", "seccompProfile", "type"]);
    }
  }
  if (badContainers.length > 0) badSetters.push(`${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)}`);
  if (badSetters.length === 0) return ALLOWED;
  return forbidden(
    "seccompProfile",
    `${badSetters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(badValues))}`,
    fields,
  );
}

export const seccompProfileBaseline: Check = {
  id: "seccompProfile_baseline",
  level: "baseline",
  title: "Seccomp profile must not be explicitly set to Unconfined",
  remediation: "Set seccompProfile.type to RuntimeDefault or Localhost, or leave it unset.",
  versions: [
    { minimumMinor: 0, check: seccompProfileBaselineV1Dot0 },
    { minimumMinor: 19, check: seccompProfileBaselineV1Dot19 },
  ],
};
