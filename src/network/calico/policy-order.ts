/**
 * How Felix orders the policies of one tier (felix/calc/policy_sorter.go, PolKVLess, Calico
 * v3.31 and later, where a policy is identified by kind, namespace and name): lower order
 * first; a policy without order counts as +Inf, so it runs after every ordered one; equal
 * orders (two unset ones included) are broken by comparing the strings
 * "<name>/<namespace>/<kind>" byte by byte.
 *
 * The name leads, so a Kubernetes NetworkPolicy, which Calico names `knp.default.<name>`
 * at order 1000 in the default tier, sorts among Calico's order-1000 policies by that
 * prefixed name: a Calico policy `b` runs before the Kubernetes policy `a`
 * ("b" < "knp.default.a") and a Calico policy `l` after it. The separator matters too: it
 * sorts after '-' and '.', so `a-b` and `a.b` run before `a`.
 */
import type { EnforcedPolicy } from "../model.js";

/** The kind Felix's key carries for a Kubernetes NetworkPolicy, and the name prefix Calico gives it. */
export const KUBERNETES_POLICY_KEY_KIND = "KubernetesNetworkPolicy";
export const KUBERNETES_POLICY_NAME_PREFIX = "knp.default.";

/** Felix's tie-break string for a policy key; global policies have an empty namespace. */
export function felixTieBreak(kind: string, namespace: string | undefined, name: string): string {
  return `${name}/${namespace ?? ""}/${kind}`;
}

/** The projectcalico.org/v3 kind Felix's key names a Calico policy by. */
export function calicoKeyKind(policy: { global: boolean; staged: boolean }): string {
  return `${policy.staged ? "Staged" : ""}${policy.global ? "Global" : ""}NetworkPolicy`;
}

/**
 * A Kubernetes NetworkPolicy as Calico places it in the default tier: same rules, ordered
 * by its Calico name. Other policies are returned as they are.
 */
export function asCalicoOrdered(policy: EnforcedPolicy): EnforcedPolicy {
  if (policy.kind !== "NetworkPolicy" || policy.tieBreak !== undefined) return policy;
  return { ...policy, tieBreak: felixTieBreak(KUBERNETES_POLICY_KEY_KIND, policy.namespace, KUBERNETES_POLICY_NAME_PREFIX + policy.name) };
}
