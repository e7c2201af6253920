/**
 * Upstream's decision procedure without any index: walk every ClusterRoleBinding, then
 * every RoleBinding of the request namespace, resolve the role each time and test each
 * rule. Slow by design; it is the yardstick the indexed authorizer is tested against and
 * the floor the benchmark measures.
 */
import { ruleAllows } from "./matching.js";
import { firstApplyingSubject } from "./subjects.js";
import { SYSTEM_MASTERS, type Policy, type RequestAttributes, type RoleDef, type UserInfo } from "./types.js";

export function linearScanAllows(policy: Policy, user: UserInfo, request: RequestAttributes): boolean {
  if (user.groups.includes(SYSTEM_MASTERS)) return true;
  const findRole = (kind: string, name: string, namespace: string): RoleDef | undefined => {
    if (kind === "ClusterRole") return policy.clusterRoles.find((r) => r.name === name);
    if (kind === "Role" && namespace) return policy.roles.find((r) => r.namespace === namespace && r.name === name);
    return undefined;
  };
  for (const binding of policy.clusterRoleBindings) {
    if (firstApplyingSubject(user, binding.subjects, "") < 0) continue;
    const role = findRole(binding.roleRef.kind, binding.roleRef.name, "");
    if (role?.rules.some((r) => ruleAllows(request, r.rule))) return true;
  }
  const namespace = request.kind === "resource" ? request.namespace : "";
  if (!namespace) return false;
  for (const binding of policy.roleBindings) {
    if (binding.namespace !== namespace) continue;
    if (firstApplyingSubject(user, binding.subjects, namespace) < 0) continue;
    const role = findRole(binding.roleRef.kind, binding.roleRef.name, namespace);
    if (role?.rules.some((r) => ruleAllows(request, r.rule))) return true;
  }
  return false;
}
