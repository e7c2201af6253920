import type { RbacAuthorizer } from "../access/rbac/authorizer.js";
import { impersonatedUser } from "../access/rbac/subjects.js";
import type { UserInfo } from "../access/rbac/types.js";
import type { MayUse } from "./admit.js";

/**
 * The PSP admission controller's RBAC question over Palisade's RBAC authorizer: may the
 * pod's service account, or else the requesting user, `use` the policy
 * (verb use, group policy, resource podsecuritypolicies, the policy's name, in the pod's
 * namespace)? A service account carries the groups its token gives it, a requester that is
 * one (a controller's, for the pods it creates) too, and every user system:authenticated,
 * as the API server's user info has them (impersonatedUser); `userGroups`, when given, are
 * the requester's as authenticated.
 */
export function mayUseFromRbac(authorizer: RbacAuthorizer, userGroups?: readonly string[]): MayUse {
  const allowed = (who: UserInfo, policyName: string, namespace: string) =>
    authorizer.authorize(who, { kind: "resource", verb: "use", apiGroup: "policy", resource: "podsecuritypolicies", subresource: "", name: policyName, namespace }).allowed;
  return (policyName, user, serviceAccount, namespace) => {
    const ns = namespace ?? serviceAccount?.split(":")[2] ?? "";
    if (serviceAccount && allowed(impersonatedUser(serviceAccount), policyName, ns)) return true;
    if (user === undefined) return false;
    return allowed(userGroups ? { name: user, groups: [...userGroups] } : impersonatedUser(user), policyName, ns);
  };
}
