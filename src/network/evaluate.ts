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
   * host-network: the pod uses hostNetwork, which no policy governs (its traffic is the node's).
   */
  reason: "rule" | "end-of-tier" | "no-policy" | "external" | "self" | "host-network";
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
  /**
   * Policies of the deciding policy's order, in a tier whose equal orders run in any order,
   * that would decide this packet otherwise (with their action): the verdict rests on the tie.
   */
  tiedWith?: { policy: string; action: "Allow" | "Deny" | "Pass" }[];
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
  // A Pass that a tie decided leaves every later verdict resting on that tie.
  const tiedPasses: NonNullable<SideDecision["tiedWith"]> = [];
  const withTies = (decision: SideDecision): SideDecision => {
    if (tiedPasses.length > 0) decision.tiedWith = [...tiedPasses, ...(decision.tiedWith ?? [])];
    return decision;
  };
  for (const ordered of orderTiers(tiers)) {
    const { tier } = ordered;
    const policies = policiesForNamespace(ordered, endpoint.namespace);
    const selectedInTier: string[] = [];
    let passed = false;
    for (const [index, policy] of policies.entries()) {
      if (!policy.directions.includes(direction) || !policy.selects(endpoint)) continue;
      selectedInTier.push(policy.id);
      selectedBy.push(policy.id);
      const verdict = policy.evaluate(direction, packet);
      if (verdict.action === "Allow" || verdict.action === "Deny") {
        const decision: SideDecision = { direction, allowed: verdict.action === "Allow", reason: "rule", tier: tier.name, policy: policy.id, passedBy, selectedBy };
        if (verdict.ruleIndex !== undefined) decision.ruleIndex = verdict.ruleIndex;
        if (verdict.ruleDescription !== undefined) decision.ruleDescription = verdict.ruleDescription;
        const tied = tier.tiesUnordered ? tiedVerdicts(policies.slice(index + 1), policy, verdict.action, direction, endpoint, packet) : [];
        if (tied.length > 0) decision.tiedWith = tied;
        return withTies(decision);
      }
      if (verdict.action === "Pass") {
        const tied = tier.tiesUnordered ? tiedVerdicts(policies.slice(index + 1), policy, verdict.action, direction, endpoint, packet) : [];
        if (tied.length > 0) tiedPasses.push(...tied);
        passedBy.push(policy.id);
        passed = true;
        break;
      }
    }
    if (selectedInTier.length > 0 && !passed && tier.dropAtEndWhenSelected) {
      return withTies({ direction, allowed: false, reason: "end-of-tier", tier: tier.name, passedBy, selectedBy, selectedInTier });
    }
  }
  return withTies({ direction, allowed: true, reason: "no-policy", passedBy, selectedBy });
}

/**
 * The policies after `decider` of the same order that select the endpoint and would decide
 * the packet with another action: run first, as an implementation may run them, they would
 * change the verdict. (Equal-order policies before `decider` matched nothing, or it would
 * not decide.)
 */
function tiedVerdicts(
  later: readonly EnforcedPolicy[],
  decider: EnforcedPolicy,
  action: "Allow" | "Deny" | "Pass",
  direction: Direction,
  endpoint: PodEndpoint,
  packet: Packet,
): { policy: string; action: "Allow" | "Deny" | "Pass" }[] {
  const out: { policy: string; action: "Allow" | "Deny" | "Pass" }[] = [];
  for (const other of later) {
    if (other.order !== decider.order) break;
    if (!other.directions.includes(direction) || !other.selects(endpoint)) continue;
    const verdict = other.evaluate(direction, packet).action;
    if ((verdict === "Allow" || verdict === "Deny" || verdict === "Pass") && verdict !== action) out.push({ policy: other.id, action: verdict });
  }
  return out;
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
  // No policy selects a hostNetwork pod (see host-network.ts): say so rather than "no policy".
  const onHost = (direction: Direction): SideDecision => ({ direction, allowed: true, reason: "host-network", passedBy: [], selectedBy: [] });
  const side = (direction: Direction, ep: typeof src): SideDecision =>
    ep.kind !== "pod" ? external(direction) : ep.hostNetwork ? onHost(direction) : evaluateSide(tiers, direction, ep, packet);
  const egress = side("egress", src);
  const ingress = side("ingress", dst);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}
