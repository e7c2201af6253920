import { isRecord, type FieldPath } from "./types.js";

/** The container lists of a pod spec, in the order Kubernetes' admission code visits them. */
export const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** A container's probes, and the hooks under its `lifecycle`: the handlers that run commands or reach hosts. */
export const CONTAINER_PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
export const LIFECYCLE_HOOKS = ["postStart", "preStop"] as const;

export interface ContainerRef<C = Record<string, unknown>> {
  container: C;
  list: ContainerList;
  index: number;
  /** The container's name ("" when it has none). */
  name: string;
  /** Path from the pod (template) root: ["spec", list, index]. */
  path: FieldPath;
}

/**
 * Every container of a pod spec — init, regular, then ephemeral — as Pod Security,
 * PodSecurityPolicy and admission all visit them. The one place that knows the lists.
 */
export function visitContainers<C = Record<string, unknown>>(spec: object): ContainerRef<C>[] {
  const out: ContainerRef<C>[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = (spec as Record<string, unknown>)[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container: unknown, index) => {
      if (!isRecord(container)) return;
      out.push({ container: container as C, list, index, name: typeof container.name === "string" ? container.name : "", path: ["spec", list, index] });
    });
  }
  return out;
}
