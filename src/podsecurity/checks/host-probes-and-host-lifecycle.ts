import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, type PodView } from "../pod.js";

type Handler = { httpGet?: { host?: unknown } | null; tcpSocket?: { host?: unknown } | null } | null | undefined;

function hostsOf(handler: Handler, at: FieldPath, fields: FieldPath[]): string[] {
  const hosts: string[] = [];
  if (handler == null || typeof handler !== "object") return hosts;
  for (const kind of ["httpGet", "tcpSocket"] as const) {
    const host = handler[kind]?.host;
    if (typeof host === "string" && host !== "") {
      hosts.push(host);
      fields.push([...at, kind, "host"]);
    }
  }
  return hosts;
}

function hostProbesAndHostLifecycleV1Dot34({ spec }: PodView): CheckResult {
  const badContainers = new Set<string>();
  const hosts: string[] = [];
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    const found: string[] = [];
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
      found.push(...hostsOf(c.container[probe] as Handler, [...c.path, probe], fields));
    }
    const lifecycle = c.container.lifecycle;
    if (lifecycle != null && typeof lifecycle === "object") {
      for (const hook of ["postStart", "preStop"] as const) {
        found.push(...hostsOf(lifecycle[hook] as Handler, [...c.path, "lifecycle", hook], fields));
      }
    }
    if (found.length > 0) {
      badContainers.add(c.name);
      hosts.push(...found);
    }
  }
  if (badContainers.size === 0) return ALLOWED;
  const names = sortedUnique(badContainers);
  const hostList = sortedUnique(hosts);
  return forbidden(
    "probe or lifecycle host",
    `${pluralize("container", "containers", names.length)} ${joinQuote(names)} ${pluralize("uses", "use", names.length)} ${pluralize("probe or lifecycle host", "probe or lifecycle hosts", hostList.length)} ${joinQuote(hostList)}`,
    fields,
  );
}

export const hostProbesAndHostLifecycle: Check = {
  id: "hostProbesAndHostLifecycle",
  level: "baseline",
  title: "Probes and lifecycle handlers must not target another host",
  remediation: "Remove the host field from httpGet/tcpSocket probes and lifecycle handlers (they then target the pod's own IP).",
  versions: [{ minimumMinor: 34, check: hostProbesAndHostLifecycleV1Dot34 }],
};
