import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import { containersOf, isWindowsPod, type PodView } from "../pod.js";

function allowPrivilegeEscalationV1Dot8({ spec }: PodView): CheckResult {
  const bad = containersOf(spec).filter((c) => c.container.securityContext?.allowPrivilegeEscalation !== false);
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    "allowPrivilegeEscalation != false",
    `${pluralize("container", "containers", bad.length)} ${joinQuote(bad.map((c) => c.name))} must set securityContext.allowPrivilegeEscalation=false`,
    bad.map((c) => [...c.path, "securityContext", "allowPrivilegeEscalation"]),
  );
}

function allowPrivilegeEscalationV1Dot25(pod: PodView): CheckResult {
  return isWindowsPod(pod.spec) ? ALLOWED : allowPrivilegeEscalationV1Dot8(pod);
}

export const allowPrivilegeEscalation: Check = {
  id: "allowPrivilegeEscalation",
  level: "restricted",
  title: "Privilege escalation (e.g. via set-user-ID or set-group-ID file mode) must be disallowed",
  remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
  versions: [
    { minimumMinor: 8, check: allowPrivilegeEscalationV1Dot8 },
    { minimumMinor: 25, check: allowPrivilegeEscalationV1Dot25 },
  ],
};
