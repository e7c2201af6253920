import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import { containersOf, type PodView } from "../pod.js";

function privilegedV1Dot0({ spec }: PodView): CheckResult {
  const bad = containersOf(spec).filter((c) => c.container.securityContext?.privileged === true);
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    "privileged",
    `${pluralize("container", "containers", bad.length)} ${joinQuote(bad.map((c) => c.name))} must not set securityContext.privileged=true`,
    bad.map((c) => [...c.path, "securityContext", "privileged"]),
  );
}

export const privileged: Check = {
  id: "privileged",
  level: "baseline",
  title: "Privileged containers are disallowed",
  remediation: "Remove securityContext.privileged or set it to false.",
  versions: [{ minimumMinor: 0, check: privilegedV1Dot0 }],
};
