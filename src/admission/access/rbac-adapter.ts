/**
 * RBAC (src/access/rbac) as the SubjectAccessReview webhook's authorizer: the review's user
 * and attributes mapped onto the RBAC authorizer's request, its decision passed back.
 */
import type { RbacAuthorizer } from "../../access/rbac/authorizer.js";
import type { RequestAttributes } from "../../access/rbac/types.js";
import type { AccessAuthorizer, SubjectAccessRequest } from "./subject-access-review.js";

export function rbacAccessAuthorizer(rbac: RbacAuthorizer): AccessAuthorizer {
  return {
    authorize(request: SubjectAccessRequest) {
      const attributes: RequestAttributes = request.resource
        ? { kind: "resource", verb: request.resource.verb, apiGroup: request.resource.group, resource: request.resource.resource, subresource: request.resource.subresource, name: request.resource.name, namespace: request.resource.namespace }
        : { kind: "nonResource", verb: request.nonResource?.verb ?? "", path: request.nonResource?.path ?? "" };
      const decision = rbac.authorize({ name: request.user, groups: request.groups }, attributes);
      return { allowed: decision.allowed, reason: decision.reason };
    },
  };
}
