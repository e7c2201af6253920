import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, isWindowsPod, type PodView } from "../pod.js";
import { validSeccompType } from "./seccomp-profile-baseline.js";

function seccompProfileRestrictedV1Dot19({ spec }: PodView): CheckResult {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const fields: FieldPath[] = [];
  let podSeccompSet = false;
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile != null) {
    if (!validSeccompType(podProfile.type)) {
      badSetters.push("pod");
      badValues.push(String(podProfile.type ?? ""));
      fields.push(["spec", "securityContext", "seccompProfile", "type"]);
    } else podSeccompSet = true;
  }
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  const implicitFields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.container.securityContext?.seccompProfile;
    if (profile != null) {
      if (!validSeccompType(profile.type)) {
        explicitlyBad.push(c.name);
        badValues.push(String(profile.type ?? ""));
        fields.push([...c.path, "securityContext", "seccompProfile", "type"]);
      }
    } else if (!podSeccompSet) {
      implicitlyBad.push(c.name);
      implicitFields.push([...c.path, "securityContext", "seccompProfile"]);
    }
  }
  if (explicitlyBad.length > 0) badSetters.push(`${pluralize("container", "containers", explicitlyBad.length)} ${joinQuote(explicitlyBad)}`);
  if (badSetters.length > 0) {
    return forbidden(
      "seccompProfile",
      `${badSetters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(badValues))}`,
      fields,
    );
  }
  if (implicitlyBad.length > 0) {
    return forbidden(
      "seccompProfile",
      `pod or ${pluralize("container", "containers", implicitlyBad.length)} ${joinQuote(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      implicitFields,
    );
  }
  return ALLOWED;
}

function seccompProfileRestrictedV1Dot25(pod: PodView): CheckResult {
  return isWindowsPod(pod.spec) ? ALLOWED : seccompProfileRestrictedV1Dot19(pod);
}

export const seccompProfileRestricted: Check = {
  id: "seccompProfile_restricted",
  level: "restricted",
  title: "Seccomp profile must be explicitly set to RuntimeDefault or Localhost",
  remediation: "Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile) for the pod or every container.",
  versions: [
    { minimumMinor: 19, check: seccompProfileRestrictedV1Dot19, overrides: ["seccompProfile_baseline"] },
    { minimumMinor: 25, check: seccompProfileRestrictedV1Dot25, overrides: ["seccompProfile_baseline"] },
  ],
};
