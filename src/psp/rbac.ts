import type { RbacAuthorizer } from "../access/rbac/authorizer.js";
import type { UserInfo } from "../access/rbac/types.js";
import type { MayUse } from "./admit.js";

/**
 * The PSP admission controller's RBAC question over Palisade's RBAC authorizer: may the
 * pod's service account, or else the requesting user, `use` the policy
 * (verb use, group policy, resource podsecuritypolicies, the policy's name, in the pod's
 * namespace)? Service accounts carry the groups the API server gives them.
 */
export function mayUseFromRbac(authorizer: RbacAuthorizer, userGroups: readonly string[] = ["system:authenticated"]): MayUse {
  const allowed = (who: UserInfo, policyName: string, namespace: string) =>
    authorizer.authorize(who, { kind: "resource", verb: "use", apiGroup: "policy", resource: "podsecuritypolicies", subresource: "", name: policyName, namespace }).allowed;
  return (policyName, user, serviceAccount, namespace) => {
    const ns = namespace ?? serviceAccount?.split(":")[2] ?? "";
    if (serviceAccount) {
      const saNamespace = serviceAccount.split(":")[2] ?? ns;
      const sa: UserInfo = { name: serviceAccount, groups: ["system:serviceaccounts", `system:serviceaccounts:${saNamespace}`, "system:authenticated"] };
      if (allowed(sa, policyName, ns)) return true;
    }
    return user !== undefined && allowed({ name: user, groups: userGroups }, policyName, ns);
  };
}
