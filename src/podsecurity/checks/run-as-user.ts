import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, inUserNamespace, type PodView } from "../pod.js";

function runAsUserV1Dot23({ spec }: PodView): CheckResult {
  const badSetters: string[] = [];
  const fields: FieldPath[] = [];
  if (spec.securityContext?.runAsUser === 0) {
    badSetters.push("pod");
    fields.push(["spec", "securityContext", "runAsUser"]);
  }
  const bad = containersOf(spec).filter((c) => c.container.securityContext?.runAsUser === 0);
  if (bad.length > 0) {
    badSetters.push(`${pluralize("container", "containers", bad.length)} ${joinQuote(bad.map((c) => c.name))}`);
    fields.push(...bad.map((c) => [...c.path, "securityContext", "runAsUser"]));
  }
  if (badSetters.length === 0) return ALLOWED;
  return forbidden("runAsUser=0", `${badSetters.join(" and ")} must not set runAsUser=0`, fields);
}

function runAsUserV1Dot35(pod: PodView): CheckResult {
  return inUserNamespace(pod.spec) ? ALLOWED : runAsUserV1Dot23(pod);
}

export const runAsUser: Check = {
  id: "runAsUser",
  level: "restricted",
  title: "Containers must not set runAsUser to 0",
  remediation: "Set runAsUser to a non-zero UID or leave it unset.",
  versions: [
    { minimumMinor: 23, check: runAsUserV1Dot23 },
    { minimumMinor: 35, check: runAsUserV1Dot35 },
  ],
};
