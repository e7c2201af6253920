/**
 * A container's requests against its limits, as the API server validates them
 * (ValidateResourceRequirements, pkg/apis/core/validation): a request above its limit is
 * refused; a resource that cannot be overcommitted (an extended resource such as
 * nvidia.com/gpu, or hugepages-*) needs a limit, and a request equal to it. The object is
 * refused before any admission plugin runs. Containers are read as the quota family reads
 * them (readPodResources: regular and init containers; ephemeral ones may hold no resources
 * at all); an unreadable quantity is that family's to report.
 */
import { readPodResources } from "../access/quota/pod-resources.js";
import { compareQuantities, formatQuantity } from "../k8s/quantity.js";
import { isOvercommitAllowed } from "../k8s/resource-names.js";
import { isRecord, type FieldPath, type K8sObject } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";

export interface RequirementError {
  path: FieldPath;
  message: string;
}

export function resourceRequirementErrors(object: K8sObject): RequirementError[] {
  const template = podTemplate(object);
  if (!template || !isRecord(template.pod.spec)) return [];
  const errors: RequirementError[] = [];
  for (const container of readPodResources(template.pod.spec, [...template.path, "spec"]).containers) {
    const who = `container ${JSON.stringify(container.name)}`;
    for (const [resource, request] of container.requests) {
      const limit = container.limits.get(resource);
      const path = [...container.path, "resources", "requests", resource];
      const shown = formatQuantity(request);
      if (limit === undefined) {
        if (!isOvercommitAllowed(resource)) errors.push({ path, message: `${who} requests ${shown} ${resource} with no limit: ${resource} cannot be overcommitted, so the API server wants a limit equal to the request, and refuses the object` });
      } else if (compareQuantities(request, limit) > 0) {
        errors.push({ path, message: `${who} requests ${shown} ${resource}, above its limit of ${formatQuantity(limit)}: the request must be less than or equal to the limit, and the API server refuses the object` });
      } else if (!isOvercommitAllowed(resource) && compareQuantities(request, limit) !== 0) {
        errors.push({ path, message: `${who} requests ${shown} ${resource} under its limit of ${formatQuantity(limit)}: ${resource} cannot be overcommitted, so the request must equal the limit, and the API server refuses the object` });
      }
    }
  }
  return errors;
}
