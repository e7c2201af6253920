/**
 * A container's requests against its limits, as the API server validates them
 * (ValidateResourceRequirements, pkg/apis/core/validation): a request above its limit is
 * refused; a resource that cannot be overcommitted (an extended resource such as
 * nvidia.com/gpu, or hugepages-*) needs a limit, and a request equal to it. The object is
 * refused before any admission plugin runs. Ephemeral containers may hold no resources at
 * all and are left to that rule; an unreadable quantity is manifest/wrong-type's or the
 * quota family's to report.
 */
import { podTemplate } from "../k8s/workloads.js";
import { visitContainers } from "../k8s/containers.js";
import { compareQuantities, formatQuantity, tryParseQuantity, type Quantity } from "../k8s/quantity.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";

export interface RequirementError {
  path: FieldPath;
  message: string;
}

/** Native resources (no domain, or a kubernetes.io one) may be overcommitted, hugepages excepted. */
function overcommitAllowed(resource: string): boolean {
  const native = !resource.includes("/") || resource.includes("kubernetes.io/");
  return native && !resource.startsWith("hugepages-");
}

function quantities(value: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (!isRecord(value)) return out;
  for (const [name, raw] of Object.entries(value)) {
    const quantity = typeof raw === "string" ? tryParseQuantity(raw.trim()) : typeof raw === "number" && Number.isFinite(raw) ? tryParseQuantity(String(raw)) : undefined;
    if (quantity) out.set(name, quantity);
  }
  return out;
}

export function resourceRequirementErrors(object: K8sObject): RequirementError[] {
  const template = podTemplate(object);
  if (!template || !isRecord(template.pod.spec)) return [];
  const errors: RequirementError[] = [];
  for (const ref of visitContainers(template.pod.spec)) {
    if (ref.list === "ephemeralContainers" || !isRecord(ref.container.resources)) continue;
    const requests = quantities(ref.container.resources.requests);
    if (requests.size === 0) continue;
    const limits = quantities(ref.container.resources.limits);
    const at = [...template.path, ...ref.path, "resources"];
    const who = `container ${JSON.stringify(ref.name)}`;
    for (const [resource, request] of requests) {
      const limit = limits.get(resource);
      const shown = formatQuantity(request);
      if (limit === undefined) {
        if (!overcommitAllowed(resource)) errors.push({ path: [...at, "requests", resource], message: `${who} requests ${shown} ${resource} with no limit: ${resource} cannot be overcommitted, so the API server wants a limit equal to the request, and refuses the object` });
      } else if (compareQuantities(request, limit) > 0) {
        errors.push({ path: [...at, "requests", resource], message: `${who} requests ${shown} ${resource}, above its limit of ${formatQuantity(limit)}: the request must be less than or equal to the limit, and the API server refuses the object` });
      } else if (!overcommitAllowed(resource) && compareQuantities(request, limit) !== 0) {
        errors.push({ path: [...at, "requests", resource], message: `${who} requests ${shown} ${resource} under its limit of ${formatQuantity(limit)}: ${resource} cannot be overcommitted, so the request must equal the limit, and the API server refuses the object` });
      }
    }
  }
  return errors;
}
