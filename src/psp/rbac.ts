import type { RbacAuthorizer } from "../access/rbac/authorizer.js";
import type { UserInfo } from "../access/rbac/types.js";
import type { MayUse } from "./admit.js";

const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/** The groups the API server gives a service account's token: every account's, its namespace's, every authenticated user's. */
function serviceAccountGroups(name: string): string[] {
  return ["system:serviceaccounts", `system:serviceaccounts:${name.split(":")[2] ?? ""}`, "system:authenticated"];
}

/**
 * The PSP admission controller's RBAC question over Palisade's RBAC authorizer: may the
 * pod's service account, or else the requesting user, `use` the policy
 * (verb use, group policy, resource podsecuritypolicies, the policy's name, in the pod's
 * namespace)? Service accounts carry the groups the API server gives them, a requester that
 * is one (a controller's, for the pods it creates) too; `userGroups`, when given, are the
 * requester's as authenticated.
 */
export function mayUseFromRbac(authorizer: RbacAuthorizer, userGroups?: readonly string[]): MayUse {
  const allowed = (who: UserInfo, policyName: string, namespace: string) =>
    authorizer.authorize(who, { kind: "resource", verb: "use", apiGroup: "policy", resource: "podsecuritypolicies", subresource: "", name: policyName, namespace }).allowed;
  return (policyName, user, serviceAccount, namespace) => {
    const ns = namespace ?? serviceAccount?.split(":")[2] ?? "";
    if (serviceAccount && allowed({ name: serviceAccount, groups: serviceAccountGroups(serviceAccount) }, policyName, ns)) return true;
    if (user === undefined) return false;
    const groups = userGroups ?? (user.startsWith(SERVICE_ACCOUNT_PREFIX) ? serviceAccountGroups(user) : ["system:authenticated"]);
    return allowed({ name: user, groups }, policyName, ns);
  };
}
