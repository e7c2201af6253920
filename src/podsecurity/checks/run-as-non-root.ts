import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, inUserNamespace, type PodView } from "../pod.js";

function runAsNonRootV1Dot0({ spec }: PodView): CheckResult {
  const badSetters: string[] = [];
  const fields: FieldPath[] = [];
  let podRunAsNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue != null) {
    if (podValue !== true) {
      badSetters.push("pod");
      fields.push(["spec", "securityContext", "runAsNonRoot"]);
    } else podRunAsNonRoot = true;
  }
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  const implicitFields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const value = c.container.securityContext?.runAsNonRoot;
    if (value != null) {
      if (value !== true) {
        explicitlyBad.push(c.name);
        fields.push([...c.path, "securityContext", "runAsNonRoot"]);
      }
    } else if (!podRunAsNonRoot) {
      implicitlyBad.push(c.name);
      implicitFields.push([...c.path, "securityContext", "runAsNonRoot"]);
    }
  }
  if (explicitlyBad.length > 0) badSetters.push(`${pluralize("container", "containers", explicitlyBad.length)} ${joinQuote(explicitlyBad)}`);
  if (badSetters.length > 0) {
    return forbidden("runAsNonRoot != true", `${badSetters.join(" and ")} must not set securityContext.runAsNonRoot=false`, fields);
  }
  if (implicitlyBad.length > 0) {
    return forbidden(
      "runAsNonRoot != true",
      `pod or ${pluralize("container", "containers", implicitlyBad.length)} ${joinQuote(implicitlyBad)} must set securityContext.runAsNonRoot=true`,
      implicitFields,
    );
  }
  return ALLOWED;
}

/** KEP-127: from v1.35 a pod in a user namespace is root only inside it. */
function runAsNonRootV1Dot35(pod: PodView): CheckResult {
  return inUserNamespace(pod.spec) ? ALLOWED : runAsNonRootV1Dot0(pod);
}

export const runAsNonRoot: Check = {
  id: "runAsNonRoot",
  level: "restricted",
  title: "Containers must run as non-root users",
  remediation: "Set spec.securityContext.runAsNonRoot: true (and a non-zero runAsUser, or a numeric USER in the image).",
  versions: [
    { minimumMinor: 0, check: runAsNonRootV1Dot0 },
    { minimumMinor: 35, check: runAsNonRootV1Dot35 },
  ],
};
