import { ALLOWED, compareGoStrings, forbidden, goQuote, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { annotationText, annotationsOf, containersOf, type PodView } from "../pod.js";

const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function allowedAnnotationValue(value: unknown): boolean {
  return value === "" || value === undefined || value === null || value === "runtime/default" || (typeof value === "string" && value.startsWith("localhost/"));
}

function allowedProfileType(type: unknown): boolean {
  return type === "RuntimeDefault" || type === "Localhost";
}

/** One rule for both the appArmorProfile fields and the beta annotations, as upstream. */
function appArmorProfileV1Dot0({ metadata, spec }: PodView): CheckResult {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const fields: FieldPath[] = [];
  const podProfile = spec.securityContext?.appArmorProfile;
  if (podProfile != null && !allowedProfileType(podProfile.type)) {
    badSetters.push("pod");
    badValues.push(String(podProfile.type ?? ""));
    fields.push(["spec", "securityContext", "appArmorProfile", "type"]);
  }
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.container.securityContext?.appArmorProfile;
    if (profile != null && !allowedProfileType(profile.type)) {
      badContainers.push(c.name);
      badValues.push(String(profile.type ?? ""));
      fields.push([...c.path, "securityContext", "appArmorProfile", "type"]);
    }
  }
  if (badContainers.length > 0) badSetters.push(`${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)}`);
  const valueList = sortedUnique(badValues);
  const annotations = annotationsOf(metadata);
  const badAnnotations: string[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(ANNOTATION_PREFIX) && !allowedAnnotationValue(value)) {
      badAnnotations.push(`${key}=${goQuote(annotationText(value))}`);
      fields.push(["metadata", "annotations", key]);
    }
  }
  if (badAnnotations.length > 0) {
    badAnnotations.sort(compareGoStrings);
    valueList.push(...badAnnotations);
    badSetters.push(pluralize("annotation", "annotations", badAnnotations.length));
  }
  if (badSetters.length === 0) return ALLOWED;
  return forbidden(
    pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", valueList.length),
    `${badSetters.join(" and ")} must not set AppArmor profile type to ${joinQuote(valueList)}`,
    fields,
  );
}

export const appArmorProfile: Check = {
  id: "appArmorProfile",
  level: "baseline",
  title: "Overriding or disabling the default AppArmor profile is restricted",
  remediation: "Use appArmorProfile.type RuntimeDefault or Localhost (or the runtime/default, localhost/* annotations); never Unconfined.",
  versions: [{ minimumMinor: 0, check: appArmorProfileV1Dot0 }],
};
