/**
 * How Felix orders the policies of one tier (felix/calc/policy_sorter.go, PolKVLess): lower
 * order first; a policy without order counts as +Inf, so it runs after every ordered one;
 * equal orders (two unset ones included) are broken by comparing Felix's policy keys as
 * strings, byte by byte. What that key is depends on the Calico version:
 *
 * - v3.32 and later (projectcalico/calico#11232, which made a policy's identity its kind,
 *   namespace and name and dropped the `<tier>.` name prefix): "<name>/<namespace>/<kind>",
 *   the name as written; a Kubernetes NetworkPolicy is `knp.default.<name>` of kind
 *   KubernetesNetworkPolicy.
 * - v3.29 to v3.31 (tiers in Calico Open Source): the v1 key's name alone,
 *   "[<namespace>/][staged:]<tier>.<name>": the stored name carries its tier, and a name
 *   without one (only allowed in the default tier) is stored as `default.<name>`
 *   (libcalico-go names.TieredPolicyName; the update processors add namespace and
 *   `staged:`). A Kubernetes NetworkPolicy is "<namespace>/knp.default.<name>".
 * - before v3.29: the same key, but libcalico-go stored every Calico policy as
 *   `default.<name>` (clientv3 convertPolicyNameForStorage), a dot in the name included.
 *
 * So the namespace leads before v3.32 and the name after: at equal order, GlobalNetworkPolicy
 * `b` (key `default.b`) runs before NetworkPolicy `a` of namespace `prod` (`prod/default.a`)
 * before v3.32, since "d" < "p", and after it from v3.32 ("a/prod/..." < "b//...").
 * Objects read as crd.projectcalico.org/v1 already carry the stored name and are keyed by it.
 */
import type { EnforcedPolicy } from "../model.js";
import { formatCalicoVersion, isAtLeast, type CalicoVersion } from "./version.js";

/** The kind Felix's key carries for a Kubernetes NetworkPolicy, and the name prefix Calico gives it. */
export const KUBERNETES_POLICY_KEY_KIND = "KubernetesNetworkPolicy";
export const KUBERNETES_POLICY_NAME_PREFIX = "knp.default.";
const STAGED_PREFIX = "staged:";
const DEFAULT_TIER = "default";
/** Names Calico stores as they are: converted Kubernetes policies and OpenStack security groups. */
const FORMATTED_PREFIXES = [KUBERNETES_POLICY_NAME_PREFIX, "ossg."];

export type KeyScheme = "default-prefixed" | "tier-prefixed" | "kind-namespace-name";

/** A Calico policy as Felix's key sees it. */
export interface PolicyIdentity {
  global: boolean;
  staged: boolean;
  namespace?: string;
  name: string;
  tier: string;
  /** Read from crd.projectcalico.org/v1: the name is the one Calico stored, prefix included. */
  storedName?: boolean;
}

export interface PolicyOrdering {
  scheme: KeyScheme;
  /** Which Calico versions order this way, and by what, for output and help. */
  description: string;
  calicoKey(policy: PolicyIdentity): string;
  kubernetesKey(namespace: string | undefined, name: string): string;
  /** Why Calico of these versions rejects the policy's name, if it does. */
  nameProblem(policy: PolicyIdentity): string | undefined;
}

/** Felix's v3.32+ tie-break string for a policy key; global policies have an empty namespace. */
export function felixTieBreak(kind: string, namespace: string | undefined, name: string): string {
  return `${name}/${namespace ?? ""}/${kind}`;
}

/** The projectcalico.org/v3 kind Felix's key names a Calico policy by. */
export function calicoKeyKind(policy: { global: boolean; staged: boolean }): string {
  return `${policy.staged ? "Staged" : ""}${policy.global ? "Global" : ""}NetworkPolicy`;
}

const isFormatted = (name: string): boolean => FORMATTED_PREFIXES.some((prefix) => name.startsWith(prefix));

/** The pre-v3.32 key: the stored name, after the namespace and the staged marker. */
function v1Key(policy: PolicyIdentity, storedName: string): string {
  const name = `${policy.staged ? STAGED_PREFIX : ""}${storedName}`;
  return policy.namespace === undefined ? name : `${policy.namespace}/${name}`;
}

const BY_KIND_NAMESPACE_NAME: PolicyOrdering = {
  scheme: "kind-namespace-name",
  description: "Calico v3.32+: equal orders broken by \"<name>/<namespace>/<kind>\"",
  calicoKey: (policy) => felixTieBreak(calicoKeyKind(policy), policy.namespace, policy.name),
  kubernetesKey: (namespace, name) => felixTieBreak(KUBERNETES_POLICY_KEY_KIND, namespace, KUBERNETES_POLICY_NAME_PREFIX + name),
  nameProblem: () => undefined,
};

const BY_TIER_PREFIXED_NAME: PolicyOrdering = {
  scheme: "tier-prefixed",
  description: "Calico v3.29-v3.31: equal orders broken by \"[<namespace>/]<tier>.<name>\"",
  calicoKey: (policy) => v1Key(policy, policy.storedName || policy.name.includes(".") ? policy.name : `${DEFAULT_TIER}.${policy.name}`),
  kubernetesKey: (namespace, name) => `${namespace ?? ""}/${KUBERNETES_POLICY_NAME_PREFIX}${name}`,
  nameProblem(policy) {
    const { name, tier } = policy;
    if (isFormatted(name) || name.startsWith(`${tier}.`) || (tier === DEFAULT_TIER && !name.includes("."))) return undefined;
    return `name ${JSON.stringify(name)} is invalid in tier ${JSON.stringify(tier)} for Calico v3.29-v3.31: a policy outside the default tier must be named "${tier}.<name>", and a dotted name in the default tier must start with "default." (the prefix requirement went away in v3.32)`;
  },
};

const BY_DEFAULT_PREFIXED_NAME: PolicyOrdering = {
  scheme: "default-prefixed",
  description: "Calico before v3.29: equal orders broken by \"[<namespace>/]default.<name>\"",
  calicoKey: (policy) => v1Key(policy, policy.storedName || isFormatted(policy.name) ? policy.name : `${DEFAULT_TIER}.${policy.name}`),
  kubernetesKey: (namespace, name) => `${namespace ?? ""}/${KUBERNETES_POLICY_NAME_PREFIX}${name}`,
  nameProblem: () => undefined,
};

/** Today's Felix ordering, assumed when nothing says which Calico runs. */
export const LATEST_ORDERING = BY_KIND_NAMESPACE_NAME;

export function orderingFor(version: CalicoVersion | undefined): PolicyOrdering {
  if (version === undefined || isAtLeast(version, 3, 32)) return BY_KIND_NAMESPACE_NAME;
  return isAtLeast(version, 3, 29) ? BY_TIER_PREFIXED_NAME : BY_DEFAULT_PREFIXED_NAME;
}

/** The ordering's description with the version it was chosen for. */
export function describeOrdering(ordering: PolicyOrdering, version: CalicoVersion | undefined): string {
  return version === undefined ? ordering.description : `${ordering.description} (for ${formatCalicoVersion(version)})`;
}

/**
 * A Kubernetes NetworkPolicy as Calico places it in the default tier: same rules, ordered
 * by its Calico key. Other policies are returned as they are.
 */
export function asCalicoOrdered(policy: EnforcedPolicy, ordering: PolicyOrdering = LATEST_ORDERING): EnforcedPolicy {
  if (policy.kind !== "NetworkPolicy" || policy.tieBreak !== undefined) return policy;
  return { ...policy, tieBreak: ordering.kubernetesKey(policy.namespace, policy.name) };
}
