/**
 * The tiers Calico creates itself, which a policy may name without any Tier object in the
 * inputs, by Calico version. Each is created with a fixed order and default action
 * (libcalico-go clientv3 EnsureInitialized -> ensureTierExists) that the API server pins:
 *
 * - every version: `default` (order 1,000,000, Deny);
 * - v3.29 (tiers in Calico Open Source, projectcalico/calico#9085; AdminNetworkPolicy, #9206):
 *   `adminnetworkpolicy` (order 1,000, Pass);
 * - v3.30 (BaselineAdminNetworkPolicy, #9464): `baselineadminnetworkpolicy` (10,000,000, Pass);
 * - v3.32: ClusterNetworkPolicy (#10810) brings `kube-admin` (1,000, Pass) and `kube-baseline`
 *   (10,000,000, Pass), and AdminNetworkPolicy support and its two tiers go (#11144).
 */
import { isAtLeast, type CalicoVersion } from "./version.js";

export interface BuiltInTier {
  order: number;
  /** What the tier does with traffic its policies selected but did not decide. */
  defaultAction: "Deny" | "Pass";
}

export const DEFAULT_TIER = "default";
export const DEFAULT_TIER_ORDER = 1_000_000;

const DEFAULT: BuiltInTier = { order: DEFAULT_TIER_ORDER, defaultAction: "Deny" };
const ADMIN: BuiltInTier = { order: 1_000, defaultAction: "Pass" };
const BASELINE: BuiltInTier = { order: 10_000_000, defaultAction: "Pass" };

const BEFORE_V3_29: ReadonlyMap<string, BuiltInTier> = new Map([[DEFAULT_TIER, DEFAULT]]);
const V3_29: ReadonlyMap<string, BuiltInTier> = new Map([...BEFORE_V3_29, ["adminnetworkpolicy", ADMIN]]);
const V3_30_TO_V3_31: ReadonlyMap<string, BuiltInTier> = new Map([...V3_29, ["baselineadminnetworkpolicy", BASELINE]]);
const SINCE_V3_32: ReadonlyMap<string, BuiltInTier> = new Map([
  [DEFAULT_TIER, DEFAULT],
  ["kube-admin", ADMIN],
  ["kube-baseline", BASELINE],
]);

/** The built-in tiers of a Calico version; without one, of the latest (as the policy ordering assumes). */
export function builtInTiers(version: CalicoVersion | undefined): ReadonlyMap<string, BuiltInTier> {
  if (version === undefined || isAtLeast(version, 3, 32)) return SINCE_V3_32;
  if (isAtLeast(version, 3, 30)) return V3_30_TO_V3_31;
  return isAtLeast(version, 3, 29) ? V3_29 : BEFORE_V3_29;
}

/**
 * Where the Kubernetes (Baseline)AdminNetworkPolicy tiers of the shared model sit among
 * Calico's: at the orders Calico gave the tiers it put them in (v3.29-v3.31, see above).
 */
export const ADMIN_POLICY_TIER_ORDERS: Readonly<Record<string, number>> = {
  adminnetworkpolicy: ADMIN.order,
  [DEFAULT_TIER]: DEFAULT_TIER_ORDER,
  baselineadminnetworkpolicy: BASELINE.order,
};
