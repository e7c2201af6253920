/**
 * Connectivity as sets: everything one endpoint may send to another, computed over port
 * intervals per protocol instead of packet by packet. It walks the tiers exactly as
 * `evaluate.ts` does, carrying the set of still-undecided connections: Allow moves its part
 * to the allowed set, Deny drops it, Pass sets it aside for the next tier, and a tier that
 * selected the endpoint drops what nobody decided when it drops at its end.
 */
import { orderTiers, policiesForNamespace } from "./evaluate.js";
import { endpointKey, type Direction, type EnforcedPolicy, type Endpoint, type PodEndpoint, type SetRule, type Tier } from "./model.js";
import { PortSet } from "./ports.js";

/** The policies of each tier that select `self` for `direction`, in evaluation order. */
export function selectingPolicies(tiers: readonly Tier[], direction: Direction, self: PodEndpoint): { tier: Tier; policies: EnforcedPolicy[] }[] {
  return orderTiers(tiers).map((ordered) => ({
    tier: ordered.tier,
    policies: policiesForNamespace(ordered, self.namespace).filter((p) => p.directions.includes(direction) && p.selects(self)),
  }));
}

/** Rules a policy exposes as sets; a policy without them cannot be used by the set engine. */
export function setRules(policy: EnforcedPolicy, direction: Direction): readonly SetRule[] {
  if (!policy.rules) throw new Error(`policy ${policy.id} does not expose its rules as sets; the matrix needs them`);
  return policy.rules(direction);
}

/** Whether a rule of a policy selecting `local` applies to it (see SetRule.appliesToLocal). */
export function appliesTo(rule: SetRule, local: PodEndpoint): boolean {
  return rule.appliesToLocal === undefined || rule.appliesToLocal(local);
}

/**
 * Connections one side allows, given the policies selecting `local` (from selectingPolicies)
 * and a predicate saying which of their rules match the peer; `source` and `destination`
 * are the two ends (one of them `local`), for rules that resolve named ports on them.
 */
export function sideConnections(
  selection: readonly { tier: Tier; policies: readonly EnforcedPolicy[] }[],
  direction: Direction,
  ruleMatches: (rule: SetRule) => boolean,
  ends: { source: Endpoint; destination: Endpoint },
  local: PodEndpoint,
): PortSet {
  let undecided = PortSet.all;
  let allowed = PortSet.none;
  for (const { tier, policies } of selection) {
    if (policies.length === 0) continue;
    let passed = PortSet.none;
    for (const policy of policies) {
      for (const rule of setRules(policy, direction)) {
        if (rule.action === "Log" || !appliesTo(rule, local) || !ruleMatches(rule)) continue;
        const matched = rule.connections(ends.destination, ends.source).intersect(undecided);
        if (matched.isEmpty()) continue;
        undecided = undecided.subtract(matched);
        if (rule.action === "Allow") allowed = allowed.union(matched);
        else if (rule.action === "Pass") passed = passed.union(matched);
      }
      if (undecided.isEmpty()) break;
    }
    undecided = tier.dropAtEndWhenSelected ? passed : undecided.union(passed);
    if (undecided.isEmpty()) break;
  }
  return allowed.union(undecided);
}

/** Everything `src` may open towards `dst`: its egress side intersected with dst's ingress side. */
export function connectionsBetween(tiers: readonly Tier[], src: Endpoint, dst: Endpoint): PortSet {
  if (src.kind === "pod" && dst.kind === "pod" && endpointKey(src) === endpointKey(dst)) return PortSet.all;
  const ends = { source: src, destination: dst };
  const egress = src.kind === "pod" ? sideConnections(selectingPolicies(tiers, "egress", src), "egress", (r) => r.matchesPeer(dst), ends, src) : PortSet.all;
  if (egress.isEmpty()) return egress;
  const ingress = dst.kind === "pod" ? sideConnections(selectingPolicies(tiers, "ingress", dst), "ingress", (r) => r.matchesPeer(src), ends, dst) : PortSet.all;
  return egress.intersect(ingress);
}
