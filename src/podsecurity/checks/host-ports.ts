import { ALLOWED, forbidden, joinQuote, pluralize, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, type PodView } from "../pod.js";

function hostPortsV1Dot0({ spec }: PodView): CheckResult {
  const badContainers: string[] = [];
  const ports = new Set<string>();
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    let valid = true;
    const list = Array.isArray(c.container.ports) ? (c.container.ports as unknown[]) : [];
    list.forEach((p, i) => {
      const hostPort = (p as { hostPort?: unknown } | null)?.hostPort;
      if (typeof hostPort === "number" && hostPort !== 0) {
        valid = false;
        ports.add(String(hostPort));
        fields.push([...c.path, "ports", i, "hostPort"]);
      }
    });
    if (!valid) badContainers.push(c.name);
  }
  if (badContainers.length === 0) return ALLOWED;
  // Go's sets.String lists its members in lexical (not numeric) order.
  const sortedPorts = [...ports].sort();
  return forbidden(
    "hostPort",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} ${pluralize("uses", "use", badContainers.length)} ${pluralize("hostPort", "hostPorts", sortedPorts.length)} ${sortedPorts.join(", ")}`,
    fields,
  );
}

export const hostPorts: Check = {
  id: "hostPorts",
  level: "baseline",
  title: "HostPorts should be disallowed",
  remediation: "Remove hostPort from container ports; expose the workload through a Service instead.",
  versions: [{ minimumMinor: 0, check: hostPortsV1Dot0 }],
};
