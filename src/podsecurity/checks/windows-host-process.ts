import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, type PodView } from "../pod.js";

function windowsHostProcessV1Dot0({ spec }: PodView): CheckResult {
  const setters: string[] = [];
  const fields: FieldPath[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) {
    setters.push("pod");
    fields.push(["spec", "securityContext", "windowsOptions", "hostProcess"]);
  }
  const bad = containersOf(spec).filter((c) => c.container.securityContext?.windowsOptions?.hostProcess === true);
  if (bad.length > 0) {
    setters.push(`${pluralize("container", "containers", bad.length)} ${joinQuote(bad.map((c) => c.name))}`);
    fields.push(...bad.map((c) => [...c.path, "securityContext", "windowsOptions", "hostProcess"]));
  }
  if (setters.length === 0) return ALLOWED;
  return forbidden("hostProcess", `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true`, fields);
}

export const windowsHostProcess: Check = {
  id: "windowsHostProcess",
  level: "baseline",
  title: "Windows HostProcess containers are disallowed",
  remediation: "Remove securityContext.windowsOptions.hostProcess or set it to false.",
  versions: [{ minimumMinor: 0, check: windowsHostProcessV1Dot0 }],
};
