/**
 * The API server's defaulting that changes what admission sees. Applied to a view of the
 * pod, copy-on-write, so scanning never mutates loaded objects.
 *
 * - A volume with no source becomes `emptyDir: {}` (SetDefaults_Volume).
 * - With hostNetwork, a container port's hostPort defaults to its containerPort
 *   (defaultHostNetworkPorts, for containers and init containers). Since Kubernetes 1.28
 *   only a Pod gets it (SetDefaults_Pod), not a workload's template: a template as the API
 *   server hands it to admission has no such hostPort, while the pods made from it do.
 */
import type { PodView } from "../podsecurity/pod.js";
import { ALL_VOLUME_SOURCES } from "../podsecurity/volumes.js";

export function defaultPodForAdmission(pod: PodView, as: "pod" | "template" = "pod"): PodView {
  const spec = pod.spec;
  let volumes = spec.volumes;
  if (Array.isArray(volumes) && volumes.some(isSourceless)) {
    volumes = volumes.map((v: unknown) => (isSourceless(v) ? { ...(v as object), emptyDir: {} } : v));
  }
  let containers = spec.containers;
  let initContainers = spec.initContainers;
  if (spec.hostNetwork === true && as === "pod") {
    containers = defaultHostNetworkPorts(containers);
    initContainers = defaultHostNetworkPorts(initContainers);
  }
  if (volumes === spec.volumes && containers === spec.containers && initContainers === spec.initContainers) return pod;
  return { metadata: pod.metadata, spec: { ...spec, volumes, containers, initContainers } };
}

function isSourceless(volume: unknown): boolean {
  if (typeof volume !== "object" || volume === null) return false;
  const v = volume as Record<string, unknown>;
  return !ALL_VOLUME_SOURCES.some((source) => v[source] != null);
}

function defaultHostNetworkPorts(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  let changed = false;
  const out = list.map((c: unknown) => {
    const ports = (c as { ports?: unknown } | null)?.ports;
    if (!Array.isArray(ports) || !ports.some(needsHostPort)) return c;
    changed = true;
    return { ...(c as object), ports: ports.map((p: unknown) => (needsHostPort(p) ? { ...(p as object), hostPort: (p as { containerPort: number }).containerPort } : p)) };
  });
  return changed ? out : list;
}

function needsHostPort(port: unknown): boolean {
  if (typeof port !== "object" || port === null) return false;
  const p = port as { hostPort?: unknown; containerPort?: unknown };
  return (p.hostPort === undefined || p.hostPort === null || p.hostPort === 0) && typeof p.containerPort === "number";
}
