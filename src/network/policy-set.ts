/**
 * From loaded objects to the model's tiers, the way a Kubernetes cluster layers them:
 * AdminNetworkPolicy and Admin-tier ClusterNetworkPolicy first (by priority, Pass goes on),
 * then NetworkPolicy (one tier that drops at its end for selected pods), then
 * BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicy. Objects are
 * validated as the API server would; a refused object is reported, never half-applied.
 */
import { apiGroupOf } from "../k8s/snapshot.js";
import type { FieldPath, K8sObject } from "../k8s/types.js";
import { compileAdminNetworkPolicy, compileBaselineAdminNetworkPolicy, validateAdminNetworkPolicy, ADMIN_TIER, BASELINE_TIER, ANP_GROUP } from "./adminnetworkpolicy/compile.js";
import { compileClusterNetworkPolicy, validateClusterNetworkPolicy } from "./clusternetworkpolicy/compile.js";
import { CNP_KIND } from "./clusternetworkpolicy/schema.js";
import type { EnforcedPolicy, Tier } from "./model.js";
import { compileNetworkPolicy, KUBERNETES_TIER, NETWORK_POLICY_ORDER } from "./networkpolicy/compile.js";
import { NETWORK_POLICY_GROUP, type NetworkPolicyObject } from "./networkpolicy/types.js";
import { validateNetworkPolicy } from "./networkpolicy/validate.js";
import { unenforcedLookAlike } from "./unenforced.js";

/** An object and a way to say where one of its fields is, e.g. a LoadedObject. */
export interface PolicySource<Where = unknown> {
  object: K8sObject;
  where?: Where;
}

export interface RefusedPolicy<Where = unknown> {
  object: K8sObject;
  where?: Where;
  path: FieldPath;
  message: string;
}

export interface PolicySet<Where = unknown> {
  tiers: Tier[];
  /** Every compiled policy with the object it came from. */
  policies: { policy: EnforcedPolicy; object: K8sObject; where?: Where }[];
  refused: RefusedPolicy<Where>[];
  /** Objects meant as policies that no API server would take as one (a removed version, a kind typo): nothing enforces them. */
  unenforced: RefusedPolicy<Where>[];
}

type PolicyKind = "np" | "anp" | "banp" | "cnp";

/**
 * The versions the API server serves each kind in: NetworkPolicy only as networking.k8s.io/v1
 * (that group never served another version of it), the network-policy-api's (Baseline)AdminNetworkPolicy
 * as v1alpha1 and its ClusterNetworkPolicy as v1alpha2.
 * Any other version is refused by the API server, so it is refused here, not enforced.
 */
const SERVED: Readonly<Record<PolicyKind, { kind: string; group: string; version: string }>> = {
  np: { kind: "NetworkPolicy", group: NETWORK_POLICY_GROUP, version: "v1" },
  anp: { kind: "AdminNetworkPolicy", group: ANP_GROUP, version: "v1alpha1" },
  banp: { kind: "BaselineAdminNetworkPolicy", group: ANP_GROUP, version: "v1alpha1" },
  cnp: { kind: "ClusterNetworkPolicy", group: ANP_GROUP, version: "v1alpha2" },
};

/** Which policy kind an object is by kind and group, whatever its version. */
function policyKindOf(object: K8sObject): PolicyKind | undefined {
  const group = apiGroupOf(object.apiVersion);
  return (Object.keys(SERVED) as PolicyKind[]).find((k) => SERVED[k].kind === object.kind && SERVED[k].group === group);
}

function isServed(object: K8sObject, kind: PolicyKind): boolean {
  return object.apiVersion === `${SERVED[kind].group}/${SERVED[kind].version}`;
}

export function isNetworkPolicy(object: K8sObject): boolean {
  return policyKindOf(object) === "np" && isServed(object, "np");
}

export function isAdminNetworkPolicy(object: K8sObject): boolean {
  return policyKindOf(object) === "anp" && isServed(object, "anp");
}

export function isBaselineAdminNetworkPolicy(object: K8sObject): boolean {
  return policyKindOf(object) === "banp" && isServed(object, "banp");
}

/** Objects buildPolicySet reads: the policy kinds in any version (an unserved one is refused), and look-alikes it reports. */
export function isPolicyObject(object: K8sObject): boolean {
  return policyKindOf(object) !== undefined || unenforcedLookAlike(object) !== undefined;
}

/**
 * Tiers in the order a cluster applies them; empty tiers are harmless. ClusterNetworkPolicies
 * join the ANP tier (tier Admin) or the BANP one (tier Baseline) by priority, and in both
 * tiers equal priorities run in an undefined order.
 */
export function kubernetesTiers(admin: EnforcedPolicy[], networkPolicies: EnforcedPolicy[], baseline: EnforcedPolicy[]): Tier[] {
  return [
    { name: ADMIN_TIER, order: 0, dropAtEndWhenSelected: false, tiesUnordered: true, policies: admin },
    { name: KUBERNETES_TIER, order: NETWORK_POLICY_ORDER, dropAtEndWhenSelected: true, policies: networkPolicies },
    // The BANP is one object, so only ClusterNetworkPolicies can tie there.
    { name: BASELINE_TIER, order: NETWORK_POLICY_ORDER * 1000, dropAtEndWhenSelected: false, tiesUnordered: baseline.some((p) => p.kind === CNP_KIND), policies: baseline },
  ];
}

/** Validate and compile every policy object among `sources`; other kinds are ignored. */
export function buildPolicySet<Where>(sources: readonly PolicySource<Where>[]): PolicySet<Where> {
  const admin: EnforcedPolicy[] = [];
  const networkPolicies: EnforcedPolicy[] = [];
  const baseline: EnforcedPolicy[] = [];
  const result: PolicySet<Where> = { tiers: [], policies: [], refused: [], unenforced: [] };
  const seen = new Map<string, K8sObject>();
  const refuse = (source: PolicySource<Where>, path: FieldPath, message: string): void => {
    const refused: RefusedPolicy<Where> = { object: source.object, path, message };
    if (source.where !== undefined) refused.where = source.where;
    result.refused.push(refused);
  };
  for (const source of sources) {
    const { object } = source;
    const kind = policyKindOf(object);
    if (kind === undefined) {
      const lookAlike = unenforcedLookAlike(object);
      if (lookAlike) result.unenforced.push({ ...lookAlike, object, ...(source.where !== undefined ? { where: source.where } : {}) });
      continue;
    }
    if (!isServed(object, kind)) {
      const { group, version, kind: name } = SERVED[kind];
      refuse(source, ["apiVersion"], `Invalid value: ${JSON.stringify(object.apiVersion)}: the API server serves ${name} only as ${group}/${version}, so it refuses this object and enforces nothing of it`);
      continue;
    }
    const problems = kind === "np" ? validateNetworkPolicy(object) : kind === "cnp" ? validateClusterNetworkPolicy(object) : validateAdminNetworkPolicy(object, kind === "banp");
    if (problems.length > 0) {
      for (const p of problems) refuse(source, p.path, p.message);
      continue;
    }
    const namespace = kind === "np" ? (object.metadata?.namespace ?? "default") : "";
    const key = `${object.kind}/${namespace}/${object.metadata?.name ?? ""}`;
    if (seen.has(key)) {
      refuse(source, ["metadata", "name"], `Duplicate value: two ${object.kind}s named ${namespace ? `${namespace}/` : ""}${object.metadata?.name ?? ""}; the API server keeps one object per name`);
      continue;
    }
    seen.set(key, object);
    const policy =
      kind === "np"
        ? compileNetworkPolicy(object as NetworkPolicyObject)
        : kind === "anp"
          ? compileAdminNetworkPolicy(object)
          : kind === "cnp"
            ? compileClusterNetworkPolicy(object)
            : compileBaselineAdminNetworkPolicy(object);
    (kind === "np" ? networkPolicies : policy.tier === ADMIN_TIER ? admin : baseline).push(policy);
    const entry: PolicySet<Where>["policies"][number] = { policy, object };
    if (source.where !== undefined) entry.where = source.where;
    result.policies.push(entry);
  }
  result.tiers = kubernetesTiers(admin, networkPolicies, baseline);
  return result;
}
