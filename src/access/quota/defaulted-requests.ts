/**
 * A pod the LimitRanger's defaults make invalid. Admission mutates before the API server
 * validates the object, and validation wants every request at most its limit: a default
 * limit below a request the container states (or a default request above a default limit
 * from another LimitRange) gets the pod refused there, before any LimitRange min/max or
 * quota is consulted.
 */
import { compareQuantities, formatQuantity } from "../../k8s/quantity.js";
import type { FieldPath } from "../../k8s/types.js";
import { containerDefaults, type LimitRangeSpec } from "./limitrange.js";
import type { PodResources } from "./pod-resources.js";

export interface DefaultedRequestAboveLimit {
  containerPath: FieldPath;
  message: string;
  /** The LimitRange whose default made the pair invalid. */
  limitRange: string;
}

/** The first range (in admission order) that defaults `resource` in the given list. */
function supplier(ranges: readonly LimitRangeSpec[], resource: string, list: "requests" | "limits"): string | undefined {
  return ranges.find((r) => containerDefaults(r)[list].has(resource))?.name;
}

/**
 * Requests above limits after defaulting where a LimitRange supplied one side. `before` is
 * the pod as the API server defaulted it, `after` the same pod with the ranges' defaults.
 * A request above a limit the manifest states itself is not the LimitRange's doing: the
 * manifest family reports it (manifest/request-above-limit).
 */
export function defaultedRequestsAboveLimits(before: PodResources, after: PodResources, ranges: readonly LimitRangeSpec[]): DefaultedRequestAboveLimit[] {
  const found: DefaultedRequestAboveLimit[] = [];
  after.containers.forEach((c, i) => {
    const original = before.containers[i];
    if (!original) return;
    for (const [resource, request] of c.requests) {
      const limit = c.limits.get(resource);
      if (!limit || compareQuantities(request, limit) <= 0) continue;
      const limitDefaulted = !original.limits.has(resource);
      const requestDefaulted = !original.requests.has(resource);
      if (!limitDefaulted && !requestDefaulted) continue;
      const range = (limitDefaulted ? supplier(ranges, resource, "limits") : undefined) ?? supplier(ranges, resource, "requests") ?? "";
      const which = limitDefaulted ? `its default ${resource} limit of ${formatQuantity(limit)}` : `its default ${resource} request of ${formatQuantity(request)}`;
      found.push({
        containerPath: c.path,
        limitRange: range,
        message: `container ${c.name}: request ${formatQuantity(request)} must be less than or equal to ${resource} limit of ${formatQuantity(limit)}, and LimitRange ${range} gave the container ${which}; the API server refuses the pod when it validates it`,
      });
    }
  });
  return found;
}
