import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, inUserNamespace, type PodView } from "../pod.js";

/** The strict rule: procMount unset or "Default". Shared by the baseline and restricted checks. */
export function procMountStrict({ spec }: PodView): CheckResult {
  const bad: string[] = [];
  const types: string[] = [];
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const procMount = c.container.securityContext?.procMount;
    if (procMount == null || procMount === "Default") continue;
    bad.push(c.name);
    types.push(String(procMount));
    fields.push([...c.path, "securityContext", "procMount"]);
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    "procMount",
    `${pluralize("container", "containers", bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ${joinQuote(sortedUnique(types))}`,
    fields,
  );
}

/** From v1.35 a pod in a user namespace may unmask /proc: its /proc is its own. */
function procMountV1Dot35(pod: PodView): CheckResult {
  return inUserNamespace(pod.spec) ? ALLOWED : procMountStrict(pod);
}

export const procMount: Check = {
  id: "procMount",
  level: "baseline",
  title: "The default /proc masks must be kept",
  remediation: "Remove securityContext.procMount or set it to Default (or run the pod with hostUsers: false).",
  versions: [
    { minimumMinor: 0, check: procMountStrict },
    { minimumMinor: 35, check: procMountV1Dot35 },
  ],
};
