/**
 * A pod's resources as admission sees them: API defaulting (a limit without a request
 * makes the request), LimitRange defaults, and the pod totals upstream's resource helpers
 * compute — regular containers and restartable (sidecar) init containers add up, a
 * classic init container counts on top of the sidecars started before it, the larger of
 * the two wins, and pod overhead is added.
 */
import { isRecord, type FieldPath } from "../../k8s/types.js";
import { addInto, maxInto, readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";

export interface ContainerResources {
  name: string;
  init: boolean;
  /** restartPolicy: Always on an init container: a sidecar that runs for the pod's lifetime. */
  sidecar: boolean;
  requests: ResourceList;
  limits: ResourceList;
  /** Path of the container from the pod spec's owner object, for positions. */
  path: FieldPath;
}

export interface PodResources {
  containers: ContainerResources[];
  overhead: ResourceList;
  /** spec.resources (pod-level resources), when set. */
  podLevel: { requests: ResourceList; limits: ResourceList };
  problems: QuantityProblem[];
}

/** Reads containers and init containers, applying the API server's request-from-limit default. */
export function readPodResources(spec: Record<string, unknown>, specPath: FieldPath): PodResources {
  const problems: QuantityProblem[] = [];
  const containers: ContainerResources[] = [];
  for (const [field, init] of [
    ["containers", false],
    ["initContainers", true],
  ] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container: unknown, index) => {
      if (!isRecord(container)) return;
      const path = [...specPath, field, index];
      const resources = isRecord(container.resources) ? container.resources : {};
      const requests = readResourceList(resources.requests, [...path, "resources", "requests"], problems);
      const limits = readResourceList(resources.limits, [...path, "resources", "limits"], problems);
      // SetDefaults_Pod: a resource with a limit and no request is requested at its limit.
      for (const [name, q] of limits) if (!requests.has(name)) requests.set(name, q);
      containers.push({
        name: typeof container.name === "string" ? container.name : `#${index}`,
        init,
        sidecar: init && container.restartPolicy === "Always",
        requests,
        limits,
        path,
      });
    });
  }
  const overhead = readResourceList(spec.overhead, [...specPath, "overhead"], problems);
  const podLevelRaw = isRecord(spec.resources) ? spec.resources : {};
  const podLevel = {
    requests: readResourceList(podLevelRaw.requests, [...specPath, "resources", "requests"], problems),
    limits: readResourceList(podLevelRaw.limits, [...specPath, "resources", "limits"], problems),
  };
  for (const [name, q] of podLevel.limits) if (!podLevel.requests.has(name)) podLevel.requests.set(name, q);
  return { containers, overhead, podLevel, problems };
}

/** Default requests and limits a LimitRange (or several, in order) fills into containers that lack them. */
export interface ContainerDefaults {
  requests: ResourceList;
  limits: ResourceList;
}

/** LimitRanger's mutation: only missing entries are filled, limits and requests independently. */
export function applyContainerDefaults(pod: PodResources, defaults: ContainerDefaults): PodResources {
  return {
    ...pod,
    containers: pod.containers.map((c) => {
      const limits = new Map(c.limits);
      const requests = new Map(c.requests);
      for (const [name, q] of defaults.limits) if (!limits.has(name)) limits.set(name, q);
      for (const [name, q] of defaults.requests) if (!requests.has(name)) requests.set(name, q);
      return { ...c, limits, requests };
    }),
  };
}

type Pick = (c: ContainerResources) => ResourceList;

/** Containers plus sidecars, against the largest init-container moment (upstream's aggregate). */
function aggregate(pod: PodResources, pick: Pick): ResourceList {
  const total: ResourceList = new Map();
  for (const c of pod.containers) if (!c.init) addInto(total, pick(c));
  const sidecarsSoFar: ResourceList = new Map();
  const initPeak: ResourceList = new Map();
  for (const c of pod.containers) {
    if (!c.init) continue;
    let moment: ResourceList;
    if (c.sidecar) {
      addInto(total, pick(c));
      addInto(sidecarsSoFar, pick(c));
      moment = sidecarsSoFar;
    } else {
      moment = new Map();
      addInto(moment, pick(c));
      addInto(moment, sidecarsSoFar);
    }
    maxInto(initPeak, moment);
  }
  maxInto(total, initPeak);
  return total;
}

/** Pod-level resources replace the container aggregate for the resources they name (cpu, memory). */
function withPodLevel(aggregateList: ResourceList, podLevel: ResourceList): ResourceList {
  for (const name of ["cpu", "memory"]) {
    const q = podLevel.get(name);
    if (q) aggregateList.set(name, q);
  }
  return aggregateList;
}

export function podRequests(pod: PodResources, options: { excludeOverhead?: boolean } = {}): ResourceList {
  const requests = withPodLevel(aggregate(pod, (c) => c.requests), pod.podLevel.requests);
  if (!options.excludeOverhead) addInto(requests, pod.overhead);
  return requests;
}

export function podLimits(pod: PodResources, options: { excludeOverhead?: boolean } = {}): ResourceList {
  const limits = withPodLevel(aggregate(pod, (c) => c.limits), pod.podLevel.limits);
  if (!options.excludeOverhead) {
    // Overhead is added only to limits that exist: an unlimited resource stays unlimited.
    for (const [name, q] of pod.overhead) if (limits.has(name)) addInto(limits, new Map([[name, q]]));
  }
  return limits;
}

/** QoS BestEffort: no container, init container or pod-level entry requests or limits a non-zero cpu or memory. */
export function isBestEffort(pod: PodResources): boolean {
  const lists = [...pod.containers.flatMap((c) => [c.requests, c.limits]), pod.podLevel.requests, pod.podLevel.limits];
  return !lists.some((l) => (l.get("cpu")?.nanos ?? 0n) > 0n || (l.get("memory")?.nanos ?? 0n) > 0n);
}
