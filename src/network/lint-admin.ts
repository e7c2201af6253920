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
import type { EnforcedPolicy, PodEndpoint } from "./model.js";

/** The kinds whose priorities must be unique within their tier. */
const PRIORITISED_KINDS = new Set(["AdminNetworkPolicy", "ClusterNetworkPolicy"]);

/**
 * Whether some workload of the input is one both policies select for a direction both have
 * rules for: only there can they both decide one side of a connection. The pods are the
 * input's; a namespace or pod added later may still be selected by both.
 */
function shareASide(a: EnforcedPolicy, b: EnforcedPolicy, pods: readonly PodEndpoint[]): boolean {
  if (!a.directions.some((d) => b.directions.includes(d))) return false;
  return pods.some((pod) => a.selects(pod) && b.selects(pod));
}

/**
 * `pods`: the input's workloads, or undefined when it holds none. A tie whose policies select
 * no workload of the input in common is reported low: the network-policy-api's conformance
 * tests apply such policies both, as expected, until a namespace or pod both select appears.
 */
export function lintAdminPriorityTies(policies: readonly { policy: EnforcedPolicy; where?: LoadedObject | undefined }[], pods?: readonly PodEndpoint[]): Finding[] {
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
      const others = tied.filter((t) => t.policy !== policy);
      const names = others.map((t) => t.policy.id).join(", ");
      const has = others.length === 1 ? "has" : "have";
      const apart = pods !== undefined && pods.length > 0 && !others.some((t) => shareASide(policy, t.policy, pods));
      const message = apart
        ? `${policy.id} has priority ${priority}, as ${names} ${has}: no workload of the input is selected by both for one direction, but a namespace or pod both select would make which decides undefined`
        : `${policy.id} has priority ${priority}, as ${names} ${has}: where both match a connection, which decides is undefined`;
      findings.push(lintFinding(RULES.anpPriorityTie, message, where, ["spec", "priority"], apart ? { severity: "low" } : {}));
    }
  }
  return findings;
}
