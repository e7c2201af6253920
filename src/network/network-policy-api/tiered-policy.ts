/**
 * A validated policy of the network-policy-api compiled into the model: rules in order per
 * direction, first match wins (evaluateRules), only the directions it has rules for ("no
 * ingress rules do not affect ingress traffic"), host-networked pods never selected ("not
 * included in subject selection"). What differs between the kinds (kind, tier, order, how
 * ports are written, the action's name) is the caller's.
 */
import type { Direction, EnforcedPolicy, SetRule } from "../model.js";
import { evaluateRules } from "../networkpolicy/compile.js";
import type { RuleConnections } from "./connections.js";
import { compilePeer, subjectMatcher, type Peer, type Subject } from "./peers.js";

export interface ApiRule {
  name?: string;
  action: string;
  from?: Peer[];
  to?: Peer[];
}
export interface ApiSpec<R extends ApiRule> {
  subject: Subject;
  ingress?: R[];
  egress?: R[];
}

export interface TieredPolicy<R extends ApiRule> {
  kind: string;
  name: string;
  tier: string;
  order: number | undefined;
  spec: ApiSpec<R>;
  /** The connections a rule covers, from its ports (v1alpha1) or protocols (v1alpha2). */
  connectionsOf(rule: R): RuleConnections;
  /** The model's action for the API's. */
  modelAction(action: R["action"]): SetRule["action"];
}

export function compileTieredPolicy<R extends ApiRule>(policy: TieredPolicy<R>): EnforcedPolicy {
  const { kind, name, spec } = policy;
  const selectsPod = subjectMatcher(spec.subject);
  const rules: Record<Direction, SetRule[]> = { ingress: [], egress: [] };
  const cidrs: Record<Direction, string[]> = { ingress: [], egress: [] };
  for (const direction of ["ingress", "egress"] as const) {
    (spec[direction] ?? []).forEach((rule, ruleIndex) => {
      const peers = (direction === "ingress" ? rule.from : rule.to) ?? [];
      const matchers = peers.map(compilePeer);
      for (const p of peers) cidrs[direction].push(...(p.networks ?? []));
      const connections = policy.connectionsOf(rule);
      rules[direction].push({
        action: policy.modelAction(rule.action),
        ruleIndex,
        // The API's own action name, which may not be the model's.
        description: `${direction} rule ${ruleIndex}${rule.name ? ` "${rule.name}"` : ""}: ${rule.action}`,
        matchesPeer: (peer) => matchers.some((m) => m(peer)),
        connections: connections.connections,
        dependsOnDestination: connections.named,
      });
    });
  }
  return {
    id: `${kind}/${name}`,
    kind,
    name,
    tier: policy.tier,
    order: policy.order,
    staged: false,
    directions: (["ingress", "egress"] as const).filter((d) => (spec[d] ?? []).length > 0),
    selects: (ep) => !ep.hostNetwork && selectsPod(ep),
    rules: (direction) => rules[direction],
    cidrs: (direction) => cidrs[direction],
    evaluate: (direction, packet) => evaluateRules(rules[direction], direction, packet),
  };
}
