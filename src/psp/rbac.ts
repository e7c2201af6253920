import type { RbacAuthorizer } from "../access/rbac/authorizer.js";
import { impersonatedUser } from "../access/rbac/subjects.js";
import type { UserInfo } from "../access/rbac/types.js";
import type { MayUse } from "./admit.js";

/** The API groups whose `use` grant on podsecuritypolicies counts, in upstream's order. */
export const PSP_USE_API_GROUPS = ["policy", "extensions"] as const;

/**
 * The PSP admission controller's RBAC question over Palisade's RBAC authorizer: may the
 * pod's service account, or else the requesting user, `use` the policy
 * (verb use, resource podsecuritypolicies, the policy's name, in the pod's namespace, in
 * group policy or else group extensions)? A service account carries the groups its token gives it, a requester that is
 * one (a controller's, for the pods it creates) too, and every user system:authenticated,
 * as the API server's user info has them (impersonatedUser); `userGroups`, when given, are
 * the requester's as authenticated.
 */
export function mayUseFromRbac(authorizer: RbacAuthorizer, userGroups?: readonly string[]): MayUse {
  // Upstream's authorizedForPolicy asked twice, "policy" then "extensions" (kept to the end,
  // v1.24, for grants written when PSP lived in extensions/v1beta1): a Role with
  // `apiGroups: [extensions]` and verb `use` still let its subjects use the policy.
  const allowed = (who: UserInfo, policyName: string, namespace: string) =>
    PSP_USE_API_GROUPS.some((apiGroup) =>
      authorizer.authorize(who, { kind: "resource", verb: "use", apiGroup, resource: "podsecuritypolicies", subresource: "", name: policyName, namespace }).allowed);
  return (policyName, user, serviceAccount, namespace) => {
    const ns = namespace ?? serviceAccount?.split(":")[2] ?? "";
    if (serviceAccount && allowed(impersonatedUser(serviceAccount), policyName, ns)) return true;
    if (user === undefined) return false;
    return allowed(userGroups ? { name: user, groups: [...userGroups] } : impersonatedUser(user), policyName, ns);
  };
}
