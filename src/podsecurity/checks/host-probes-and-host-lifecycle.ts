import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type Check, type CheckResult } from "../check.js";
import { CONTAINER_PROBES, LIFECYCLE_HOOKS } from "../../k8s/containers.js";
import type { FieldPath } from "../../k8s/types.js";
import { containersOf, type PodView } from "../pod.js";

type Handler = { httpGet?: { host?: unknown } | null; tcpSocket?: { host?: unknown } | null } | null | undefined;

const HANDLER_KINDS = ["httpGet", "tcpSocket"] as const;

function hostOf(handler: Handler, kind: (typeof HANDLER_KINDS)[number]): string | undefined {
  const host = handler?.[kind]?.host;
  return typeof host === "string" && host !== "" ? host : undefined;
}

function hasHost(handler: Handler): boolean {
  return handler != null && typeof handler === "object" && (hostOf(handler, "httpGet") !== undefined || hostOf(handler, "tcpSocket") !== undefined);
}

/** The hosts a handler names, and their fields; only called for a handler that names one. */
function collectHosts(handler: Handler, at: FieldPath, hosts: string[], fields: FieldPath[]): void {
  for (const kind of HANDLER_KINDS) {
    const host = hostOf(handler, kind);
    if (host === undefined) continue;
    hosts.push(host);
    fields.push([...at, kind, "host"]);
  }
}

function hostProbesAndHostLifecycleV1Dot34({ spec }: PodView): CheckResult {
  // Nearly every pod passes: nothing is allocated until a host is found.
  let badContainers: string[] | undefined;
  const hosts: string[] = [];
  const fields: FieldPath[] = [];
  for (const c of containersOf(spec)) {
    let found = false;
    for (const probe of CONTAINER_PROBES) {
      const handler = c.container[probe] as Handler;
      if (!hasHost(handler)) continue;
      found = true;
      collectHosts(handler, [...c.path, probe], hosts, fields);
    }
    const lifecycle = c.container.lifecycle;
    if (lifecycle != null && typeof lifecycle === "object") {
      for (const hook of LIFECYCLE_HOOKS) {
        const handler = lifecycle[hook] as Handler;
        if (!hasHost(handler)) continue;
        found = true;
        collectHosts(handler, [...c.path, "lifecycle", hook], hosts, fields);
      }
    }
    if (found) (badContainers ??= []).push(c.name);
  }
  if (badContainers === undefined) return ALLOWED;
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
