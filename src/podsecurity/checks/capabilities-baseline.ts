import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, type PodView } from "../pod.js";

/** The container runtime's default set; compared case-sensitively, without a CAP_ prefix, as PSA does. */
const DEFAULT_CAPABILITIES = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
  "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);

function capabilitiesBaselineV1Dot0({ spec }: PodView): CheckResult {
  const badContainers: string[] = [];
  const badCaps: string[] = [];
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const add = c.container.securityContext?.capabilities?.add;
    if (!Array.isArray(add)) continue;
    let valid = true;
    // Indexed as written: a non-string entry is skipped, not counted out.
    add.forEach((cap: unknown, i: number) => {
      if (typeof cap === "string" && !DEFAULT_CAPABILITIES.has(cap)) {
        valid = false;
        badCaps.push(cap);
        fields.push([...c.path, "securityContext", "capabilities", "add", i]);
      }
    });
    if (!valid) badContainers.push(c.name);
  }
  if (badContainers.length === 0) return ALLOWED;
  return forbidden(
    "non-default capabilities",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} must not include ${joinQuote(sortedUnique(badCaps))} in securityContext.capabilities.add`,
    fields,
  );
}

export const capabilitiesBaseline: Check = {
  id: "capabilities_baseline",
  level: "baseline",
  title: "Adding capabilities beyond the default set must be disallowed",
  remediation: "Remove capabilities outside the runtime default set from securityContext.capabilities.add.",
  versions: [{ minimumMinor: 0, check: capabilitiesBaselineV1Dot0 }],
};
