import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, isWindowsPod, stringList, type PodView } from "../pod.js";

function capabilitiesRestrictedV1Dot22({ spec }: PodView): CheckResult {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps: string[] = [];
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const caps = c.container.securityContext?.capabilities;
    if (caps == null) {
      missingDropAll.push(c.name);
      fields.push([...c.path, "securityContext", "capabilities", "drop"]);
      continue;
    }
    if (!stringList(caps.drop).includes("ALL")) {
      missingDropAll.push(c.name);
      fields.push([...c.path, "securityContext", "capabilities", "drop"]);
    }
    let added = false;
    stringList(caps.add).forEach((cap, i) => {
      if (cap !== "NET_BIND_SERVICE") {
        added = true;
        forbiddenCaps.push(cap);
        fields.push([...c.path, "securityContext", "capabilities", "add", i]);
      }
    });
    if (added) addingForbidden.push(c.name);
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${pluralize("container", "containers", missingDropAll.length)} ${joinQuote(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(`${pluralize("container", "containers", addingForbidden.length)} ${joinQuote(addingForbidden)} must not include ${joinQuote(sortedUnique(forbiddenCaps))} in securityContext.capabilities.add`);
  }
  return details.length === 0 ? ALLOWED : forbidden("unrestricted capabilities", details.join("; "), fields);
}

function capabilitiesRestrictedV1Dot25(pod: PodView): CheckResult {
  return isWindowsPod(pod.spec) ? ALLOWED : capabilitiesRestrictedV1Dot22(pod);
}

export const capabilitiesRestricted: Check = {
  id: "capabilities_restricted",
  level: "restricted",
  title: "Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE",
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container; add only NET_BIND_SERVICE if needed.',
  versions: [
    { minimumMinor: 22, check: capabilitiesRestrictedV1Dot22, overrides: ["capabilities_baseline"] },
    { minimumMinor: 25, check: capabilitiesRestrictedV1Dot25, overrides: ["capabilities_baseline"] },
  ],
};
