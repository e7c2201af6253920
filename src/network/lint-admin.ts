/**
 * AdminNetworkPolicies of equal priority. The network-policy-api asks for unique priorities:
 * when two policies of one priority both match a connection, an implementation may evaluate
 * them in either order, so which one decides is undefined.
 */
import type { Finding } from "../findings/types.js";
import type { LoadedObject } from "../k8s/types.js";
import { lintFinding } from "./lint-finding.js";
import { RULES } from "./lint-rules.js";
import type { EnforcedPolicy } from "./model.js";

export function lintAdminPriorityTies(policies: readonly { policy: EnforcedPolicy; where?: LoadedObject | undefined }[]): Finding[] {
  const byPriority = new Map<number, { policy: EnforcedPolicy; where?: LoadedObject | undefined }[]>();
  for (const entry of policies) {
    if (entry.policy.kind !== "AdminNetworkPolicy" || entry.policy.order === undefined) continue;
    const list = byPriority.get(entry.policy.order) ?? [];
    list.push(entry);
    byPriority.set(entry.policy.order, list);
  }
  const findings: Finding[] = [];
  for (const [priority, tied] of byPriority) {
    if (tied.length < 2) continue;
    for (const { policy, where } of tied) {
      const others = tied.filter((t) => t.policy !== policy).map((t) => t.policy.id);
      findings.push(
        lintFinding(RULES.anpPriorityTie, `${policy.id} has priority ${priority}, as ${others.join(", ")} ${others.length === 1 ? "has" : "have"}: where both match a connection, which decides is undefined`, where, ["spec", "priority"]),
      );
    }
  }
  return findings;
}
