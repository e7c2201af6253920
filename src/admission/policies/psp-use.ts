import type { RbacAuthorizer } from "../../access/rbac/authorizer.js";
import { mayUseFromRbac } from "../../psp/rbac.js";
import type { AdmissionPolicy } from "../policy.js";
import { isPodSecurityPolicyAdmission, podSecurityPolicyPolicy } from "./pod-security-policy.js";

/**
 * Rebuild the PodSecurityPolicy admission policy so it asks RBAC, per request, which policies
 * the requesting user (with its groups) or the pod's service account may `use`.
 */
export function withPodSecurityPolicyUse(policies: readonly AdmissionPolicy[], rbac: RbacAuthorizer): AdmissionPolicy[] {
  return policies.map((p) =>
    isPodSecurityPolicyAdmission(p) ? podSecurityPolicyPolicy(p.podSecurityPolicies, p.mode, (user) => mayUseFromRbac(rbac, user.groups)) : p,
  );
}
