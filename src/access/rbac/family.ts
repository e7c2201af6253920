/**
 * The RBAC family of `palisade scan`: dangerous grants, broad and dangling bindings,
 * invalid RBAC objects and escalation paths. The scan always judges manifests together
 * with upstream's bootstrap policy, as they would live in a real cluster (a RoleBinding
 * to `edit` means upstream's edit); findings are only ever reported on manifest objects.
 */
import type { Snapshot } from "../../k8s/snapshot.js";
import { READS_EVERYTHING, READS_NOTHING, type ScanFamily, type ScanOptions } from "../../scan/family.js";
import { RbacAuthorizer } from "./authorizer.js";
import { bootstrapPolicyObjects } from "./bootstrap.js";
import { buildPolicy } from "./policy.js";
import { rbacFindings } from "./risks.js";
import { RBAC_RULES } from "./rules.js";

export function rbacAuthorizerFor(snapshot: Snapshot, options: { bootstrap: boolean; defaultNamespace?: string }): RbacAuthorizer {
  const bootstrap = options.bootstrap ? bootstrapPolicyObjects().map((object) => ({ object })) : [];
  const buildOptions: Parameters<typeof buildPolicy>[1] = { bootstrap };
  if (options.defaultNamespace) buildOptions.defaultNamespace = options.defaultNamespace;
  return new RbacAuthorizer(buildPolicy(snapshot.objects, buildOptions));
}

export const rbacFamily: ScanFamily = {
  id: "rbac",
  rules: RBAC_RULES,
  check(snapshot: Snapshot, options: ScanOptions) {
    const touchesRbac = snapshot.objects.some((o) => o.object.apiVersion?.startsWith("rbac.authorization.k8s.io/"));
    if (!touchesRbac) return [];
    const authorizerOptions: { bootstrap: boolean; defaultNamespace?: string } = { bootstrap: true };
    if (options.defaultNamespace) authorizerOptions.defaultNamespace = options.defaultNamespace;
    return rbacFindings(rbacAuthorizerFor(snapshot, authorizerOptions));
  },
  // With RBAC objects in the input, pods count too (their service accounts).
  reads: (input) => (input.mentions("rbac.authorization.k8s.io/") ? READS_EVERYTHING : READS_NOTHING),
};
