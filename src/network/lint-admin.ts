/**
 * AdminNetworkPolicies, or ClusterNetworkPolicies of one tier, of equal priority. The
 * network-policy-api asks for unique priorities: when two policies of one priority both match
 * a connection, an implementation may evaluate them in either order, so which one decides is
 * undefined. An AdminNetworkPolicy and an Admin ClusterNetworkPolicy share the admin tier
 * (compile.ts of each), so they tie with each other too.
 */
import type { Finding } from "../findings/types.js";
import type { LoadedObject } from "../k8s/types.js";
import { lintFinding } from "./lint-finding.js";
import { RULES } from "./lint-rules.js";
import type { EnforcedPolicy } from "./model.js";

/** The kinds whose priorities must be unique within their tier. */
const PRIORITISED_KINDS = new Set(["AdminNetworkPolicy", "ClusterNetworkPolicy"]);

export function lintAdminPriorityTies(policies: readonly { policy: EnforcedPolicy; where?: LoadedObject | undefined }[]): Finding[] {
  const byPriority = new Map<string, { policy: EnforcedPolicy; where?: LoadedObject | undefined }[]>();
  for (const entry of policies) {
    if (!PRIORITISED_KINDS.has(entry.policy.kind) || entry.policy.order === undefined) continue;
    const key = `${entry.policy.tier}/${entry.policy.order}`;
    const list = byPriority.get(key) ?? [];
    list.push(entry);
    byPriority.set(key, list);
  }
  const findings: Finding[] = [];
  for (const tied of byPriority.values()) {
    if (tied.length < 2) continue;
    const priority = tied[0]?.policy.order;
    for (const { policy, where } of tied) {
      const others = tied.filter((t) => t.policy !== policy).map((t) => t.policy.id);
      findings.push(
        lintFinding(RULES.anpPriorityTie, `${policy.id} has priority ${priority}, as ${others.join(", ")} ${others.length === 1 ? "has" : "have"}: where both match a connection, which decides is undefined`, where, ["spec", "priority"]),
      );
    }
  }
  return findings;
}
