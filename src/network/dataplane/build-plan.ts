/**
 * The policy model rendered as a dataplane plan for one node and one address family: for
 * each workload interface, its egress and ingress sides as the tiers that select it, each
 * rule with the addresses it matches and the connections it covers. The walk is the one
 * `connectivity.ts` makes (first decision wins within a tier, Pass goes on to the next
 * tier, a tier that selected the endpoint drops what it left undecided, and no deciding
 * tier allows), so the rendered rules decide every packet as `netpol explain` does.
 */
import { appliesTo, selectingPolicies, setRules } from "../connectivity.js";
import type { IpFamily } from "../cidr.js";
import { endpointKey, type Direction, type Endpoint, type PodEndpoint, type SetRule, type Tier } from "../model.js";
import { inFamily, matchedGroups, peerUniverse, type MatchedGroup, type PeerUniverse } from "./address-sets.js";
import type { DataplanePlan, EndpointPlan, PlanRule, SidePlan, TierPlan } from "./plan.js";

/** A pod that runs on the node, and the host side of its veth. */
export interface LocalEndpoint {
  endpoint: PodEndpoint;
  interfaceName: string;
}

export interface PlanInput {
  tiers: readonly Tier[];
  /** Every pod whose address may be a peer (the whole cluster's, local ones included). */
  pods: readonly PodEndpoint[];
  /** The pods on this node, which get chains of their own. */
  local: readonly LocalEndpoint[];
  family: IpFamily;
  interfacePrefix?: string;
}

export interface PlanOutcome {
  plan: DataplanePlan;
  /** Pods some rule matches as peers whose addresses are unknown: no set can hold them. */
  unaddressedPeers: PodEndpoint[];
}

export function buildPlan(input: PlanInput): PlanOutcome {
  const universes: Record<Direction, PeerUniverse> = {
    ingress: peerUniverse(input.tiers, "ingress", input.family, input.pods),
    egress: peerUniverse(input.tiers, "egress", input.family, input.pods),
  };
  const unaddressed = new Map<string, PodEndpoint>();
  // A pod with addresses of the other family only is single-stack, not unknown.
  const withoutAddresses = input.pods.filter((pod) => !pod.hostNetwork && pod.ips.length === 0);
  const noteUnaddressed = (rule: SetRule): void => {
    for (const pod of withoutAddresses) {
      if (!unaddressed.has(endpointKey(pod)) && rule.matchesPeer(pod)) unaddressed.set(endpointKey(pod), pod);
    }
  };
  // Rules are shared by every endpoint a policy selects: their sets are worked out once.
  const cache = new WeakMap<SetRule, MatchedGroup[]>();
  const groupsOf = (rule: SetRule, direction: Direction, self: PodEndpoint): MatchedGroup[] => {
    // Named ports resolve on the destination (the endpoint itself on the ingress side, each
    // peer on the egress side) and named source ports on the source (each peer on the
    // ingress side, the endpoint itself on the egress side).
    const perSelf = direction === "ingress" ? rule.dependsOnDestination : rule.dependsOnSource;
    const cached = perSelf ? undefined : cache.get(rule);
    if (cached) return cached;
    const connectionsFor = (peer: Endpoint) => (direction === "ingress" ? rule.connections(self, peer) : rule.connections(peer, self));
    const groups = matchedGroups(rule, universes[direction], connectionsFor);
    if (!perSelf) {
      cache.set(rule, groups);
      noteUnaddressed(rule);
    }
    return groups;
  };
  const side = (self: PodEndpoint, direction: Direction): SidePlan => {
    const tiers: TierPlan[] = [];
    for (const { tier, policies } of selectingPolicies(input.tiers, direction, self)) {
      if (policies.length === 0) continue;
      const rules: PlanRule[] = [];
      for (const policy of policies) {
        for (const rule of setRules(policy, direction)) {
          if (!appliesTo(rule, self)) continue;
          const origin = `${policy.id} ${rule.description ?? `${direction} rule ${rule.ruleIndex}`}`;
          for (const group of groupsOf(rule, direction, self)) rules.push({ action: rule.action, peers: group.peers, connections: group.connections, origin });
        }
      }
      tiers.push({ name: tier.name, dropAtEnd: tier.dropAtEndWhenSelected, rules });
    }
    return { tiers };
  };
  const endpoints: EndpointPlan[] = input.local
    .filter((l) => !l.endpoint.hostNetwork)
    .map((l) => {
      const self = inFamily(l.endpoint, input.family);
      return { interfaceName: l.interfaceName, pod: endpointKey(l.endpoint), egress: side(self, "egress"), ingress: side(self, "ingress") };
    });
  const plan: DataplanePlan = input.interfacePrefix === undefined ? { family: input.family, endpoints } : { family: input.family, endpoints, interfacePrefix: input.interfacePrefix };
  return { plan, unaddressedPeers: [...unaddressed.values()] };
}
