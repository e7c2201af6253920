/**
 * Evaluation of the policy model for one packet, the way Felix renders it: for each side
 * (the source's egress, the destination's ingress) walk the tiers in order; within a tier
 * the policies that select the endpoint for that direction, in order; the first Allow or
 * Deny decides, Pass skips to the next tier, Log and NoMatch go on. A tier whose policies
 * selected the endpoint but did not decide denies when it drops at its end; when no tier
 * decides, the endpoint's default profile allows.
 */
import { compareOrder, endpointKey, type Direction, type EnforcedPolicy, type Packet, type PodEndpoint, type Tier } from "./model.js";

/** Why one side of a connection was allowed or denied, for `explain`. */
export interface SideDecision {
  direction: Direction;
  allowed: boolean;
  /**
   * rule: a policy rule decided. end-of-tier: selected by the tier's policies, none decided.
   * no-policy: no tier decided (no policy selects the endpoint, or all passed/no drop at end).
   * external: the endpoint is not a pod, so no policy applies on this side.
   * self: a pod always reaches itself.
   */
  reason: "rule" | "end-of-tier" | "no-policy" | "external" | "self";
  tier?: string;
  policy?: string;
  ruleIndex?: number;
  ruleDescription?: string;
  /** Policies that passed the decision to a later tier, in the order met. */
  passedBy: string[];
  /** Policies that selected the endpoint for this direction, in evaluation order. */
  selectedBy: string[];
  /** For end-of-tier: the policies of the deciding tier that selected the endpoint. */
  selectedInTier?: string[];
}

export interface ConnectionDecision {
  allowed: boolean;
  egress: SideDecision;
  ingress: SideDecision;
}

interface OrderedTier {
  tier: Tier;
  policies: EnforcedPolicy[];
  /** Per namespace: the policies that may select its pods (global ones and its own), in order. */
  byNamespace: Map<string, EnforcedPolicy[]>;
}

const orderedCache = new WeakMap<readonly Tier[], OrderedTier[]>();

/** Tiers and their active (non-staged) policies in evaluation order; cached per tiers array. */
export function orderTiers(tiers: readonly Tier[]): OrderedTier[] {
  const cached = orderedCache.get(tiers);
  if (cached) return cached;
  const ordered = [...tiers].sort(compareOrder).map((tier) => ({
    tier,
    policies: tier.policies.filter((p) => !p.staged).sort(compareOrder),
    byNamespace: new Map<string, EnforcedPolicy[]>(),
  }));
  orderedCache.set(tiers, ordered);
  return ordered;
}

/** The active policies of a tier that may select pods of `namespace`, in evaluation order. */
export function policiesForNamespace(ordered: OrderedTier, namespace: string): EnforcedPolicy[] {
  let list = ordered.byNamespace.get(namespace);
  if (!list) {
    list = ordered.policies.filter((p) => p.namespace === undefined || p.namespace === namespace);
    ordered.byNamespace.set(namespace, list);
  }
  return list;
}

/** Decide one side: `endpoint` is the source for egress and the destination for ingress. */
export function evaluateSide(tiers: readonly Tier[], direction: Direction, endpoint: PodEndpoint, packet: Packet): SideDecision {
  const passedBy: string[] = [];
  const selectedBy: string[] = [];
  for (const ordered of orderTiers(tiers)) {
    const { tier } = ordered;
    const policies = policiesForNamespace(ordered, endpoint.namespace);
    const selectedInTier: string[] = [];
    let passed = false;
    for (const policy of policies) {
      if (!policy.directions.includes(direction) || !policy.selects(endpoint)) continue;
      selectedInTier.push(policy.id);
      selectedBy.push(policy.id);
      const verdict = policy.evaluate(direction, packet);
      if (verdict.action === "Allow" || verdict.action === "Deny") {
        const decision: SideDecision = { direction, allowed: verdict.action === "Allow", reason: "rule", tier: tier.name, policy: policy.id, passedBy, selectedBy };
        if (verdict.ruleIndex !== undefined) decision.ruleIndex = verdict.ruleIndex;
        if (verdict.ruleDescription !== undefined) decision.ruleDescription = verdict.ruleDescription;
        return decision;
      }
      if (verdict.action === "Pass") {
        passedBy.push(policy.id);
        passed = true;
        break;
      }
    }
    if (selectedInTier.length > 0 && !passed && tier.dropAtEndWhenSelected) {
      return { direction, allowed: false, reason: "end-of-tier", tier: tier.name, passedBy, selectedBy, selectedInTier };
    }
  }
  return { direction, allowed: true, reason: "no-policy", passedBy, selectedBy };
}

/**
 * A packet is delivered iff the source's egress and the destination's ingress both allow
 * it. External endpoints carry no policy; a pod always reaches itself.
 */
export function evaluateConnection(tiers: readonly Tier[], packet: Packet): ConnectionDecision {
  const { src, dst } = packet;
  if (src.kind === "pod" && dst.kind === "pod" && endpointKey(src) === endpointKey(dst)) {
    const self = (direction: Direction): SideDecision => ({ direction, allowed: true, reason: "self", passedBy: [], selectedBy: [] });
    return { allowed: true, egress: self("egress"), ingress: self("ingress") };
  }
  const external = (direction: Direction): SideDecision => ({ direction, allowed: true, reason: "external", passedBy: [], selectedBy: [] });
  const egress = src.kind === "pod" ? evaluateSide(tiers, "egress", src, packet) : external("egress");
  const ingress = dst.kind === "pod" ? evaluateSide(tiers, "ingress", dst, packet) : external("ingress");
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}
