import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, isWindowsPod, type PodView } from "../pod.js";

function capabilitiesRestrictedV1Dot22({ spec }: PodView): CheckResult {
  // Lists are made only for what fails: most pods that pass allocate nothing here.
  let missingDropAll: string[] | undefined;
  let addingForbidden: string[] | undefined;
  let forbiddenCaps: string[] | undefined;
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const caps = c.container.securityContext?.capabilities;
    if (caps == null || !(Array.isArray(caps.drop) && caps.drop.includes("ALL"))) {
      (missingDropAll ??= []).push(c.name);
      fields.push([...c.path, "securityContext", "capabilities", "drop"]);
      if (caps == null) continue;
    }
    if (!Array.isArray(caps.add)) continue;
    let added = false;
    caps.add.forEach((cap: unknown, i: number) => {
      if (typeof cap === "string" && cap !== "NET_BIND_SERVICE") {
        added = true;
        (forbiddenCaps ??= []).push(cap);
        fields.push([...c.path, "securityContext", "capabilities", "add", i]);
      }
    });
    if (added) (addingForbidden ??= []).push(c.name);
  }
  if (missingDropAll === undefined && addingForbidden === undefined) return ALLOWED;
  const details: string[] = [];
  if (missingDropAll !== undefined) {
    details.push(`${pluralize("container", "containers", missingDropAll.length)} ${joinQuote(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden !== undefined) {
    details.push(`${pluralize("container", "containers", addingForbidden.length)} ${joinQuote(addingForbidden)} must not include ${joinQuote(sortedUnique(forbiddenCaps ?? []))} in securityContext.capabilities.add`);
  }
  return forbidden("unrestricted capabilities", details.join("; "), fields);
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
