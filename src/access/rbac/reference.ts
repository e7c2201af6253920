/**
 * Upstream's decision procedure without any index of ours: walk every ClusterRoleBinding,
 * then the RoleBindings of the request namespace (listers index those by namespace, and
 * get roles by name, so this does too), resolve the role each time and test each rule.
 * It is the yardstick the indexed authorizer is tested against and the floor the
 * benchmark measures.
 */
import { ruleAllows } from "./matching.js";
import { firstApplyingSubject } from "./subjects.js";
import { SYSTEM_MASTERS, type BindingDef, type Policy, type RequestAttributes, type RoleDef, type UserInfo } from "./types.js";

export type Decide = (user: UserInfo, request: RequestAttributes) => boolean;

export function linearScanAuthorizer(policy: Policy): Decide {
  const clusterRoles = new Map(policy.clusterRoles.map((r) => [r.name, r]));
  const roles = new Map(policy.roles.map((r) => [`${r.namespace}/${r.name}`, r]));
  const roleBindings = new Map<string, BindingDef[]>();
  for (const b of policy.roleBindings) roleBindings.set(b.namespace ?? "", [...(roleBindings.get(b.namespace ?? "") ?? []), b]);
  const findRole = (kind: string, name: string, namespace: string): RoleDef | undefined => {
    if (kind === "ClusterRole") return clusterRoles.get(name);
    if (kind === "Role" && namespace) return roles.get(`${namespace}/${name}`);
    return undefined;
  };
  return (user, request) => {
    if (user.groups.includes(SYSTEM_MASTERS)) return true;
    for (const binding of policy.clusterRoleBindings) {
      if (firstApplyingSubject(user, binding.subjects, "") < 0) continue;
      const role = findRole(binding.roleRef.kind, binding.roleRef.name, "");
      if (role?.rules.some((r) => ruleAllows(request, r.rule))) return true;
    }
    const namespace = request.kind === "resource" ? request.namespace : "";
    if (!namespace) return false;
    for (const binding of roleBindings.get(namespace) ?? []) {
      if (firstApplyingSubject(user, binding.subjects, namespace) < 0) continue;
      const role = findRole(binding.roleRef.kind, binding.roleRef.name, namespace);
      if (role?.rules.some((r) => ruleAllows(request, r.rule))) return true;
    }
    return false;
  };
}

export function linearScanAllows(policy: Policy, user: UserInfo, request: RequestAttributes): boolean {
  return linearScanAuthorizer(policy)(user, request);
}
