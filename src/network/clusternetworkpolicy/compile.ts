/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) compiled into the shared model's
 * tiers, where it takes the places of AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * (spec.tier in clusternetworkpolicy_types.go): an Admin policy runs before NetworkPolicy,
 * a Baseline one after it; within a tier lower priority first, rules in order, first match
 * wins. Accept and Deny decide; Pass leaves the tier, so an Admin Pass hands over to
 * NetworkPolicy and a Baseline Pass to what follows (the default allow). Policies of equal
 * priority run in an undefined order (the Priority field's doc), which the tiers mark with
 * tiesUnordered so explain reports a verdict that rests on such a tie.
 *
 * `networks` peers match any address, pods' included ("if you Accept or Deny traffic to
 * 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic as well"); a pod whose
 * IPs the manifests do not give matches only a network covering a whole address family.
 * Nodes and domainNames peers never get here: validate.ts refuses them.
 */
import type { K8sObject } from "../../k8s/types.js";
import { ADMIN_TIER, BASELINE_TIER } from "../adminnetworkpolicy/compile.js";
import type { EnforcedPolicy } from "../model.js";
import { EVERY_CONNECTION, ruleConnections, type RuleConnections } from "../network-policy-api/connections.js";
import type { Peer } from "../network-policy-api/peers.js";
import { compileTieredPolicy, type ApiSpec } from "../network-policy-api/tiered-policy.js";
import { PortSet, type PortProtocol } from "../ports.js";
import { prunedClusterNetworkPolicy } from "./prune.js";
import { CNP_KIND } from "./schema.js";

export { validateClusterNetworkPolicy } from "./validate.js";

interface Port {
  number?: number;
  range?: { start: number; end: number };
}
/** A `protocols` entry as written (validated: exactly one of the four). */
export interface Protocol {
  tcp?: { destinationPort: Port };
  udp?: { destinationPort: Port };
  sctp?: { destinationPort: Port };
  destinationNamedPort?: string;
}
interface Rule {
  name?: string;
  action: "Accept" | "Deny" | "Pass";
  from?: Peer[];
  to?: Peer[];
  protocols?: Protocol[];
}
interface Spec extends ApiSpec<Rule> {
  tier: "Admin" | "Baseline";
  priority: number;
}

/** Each protocol's field in a `protocols` entry. */
export const PROTOCOL_FIELDS: readonly [keyof Protocol & ("tcp" | "udp" | "sctp"), PortProtocol][] = [
  ["tcp", "TCP"],
  ["udp", "UDP"],
  ["sctp", "SCTP"],
];

function compileProtocols(protocols: Protocol[] | undefined): RuleConnections {
  if (!protocols || protocols.length === 0) return EVERY_CONNECTION;
  let fixed = PortSet.none;
  const named: string[] = [];
  for (const protocol of protocols) {
    if (protocol.destinationNamedPort !== undefined) named.push(protocol.destinationNamedPort);
    for (const [key, name] of PROTOCOL_FIELDS) {
      const port = protocol[key]?.destinationPort;
      if (port?.number !== undefined) fixed = fixed.union(PortSet.range(name, port.number, port.number));
      else if (port?.range) fixed = fixed.union(PortSet.range(name, port.range.start, port.range.end));
    }
  }
  return ruleConnections(fixed, named);
}

/** `written` must have passed validateClusterNetworkPolicy; what is compiled is the object as the API server stores it. */
export function compileClusterNetworkPolicy(written: K8sObject): EnforcedPolicy {
  const object = prunedClusterNetworkPolicy(written);
  const spec = object.spec as unknown as Spec;
  return compileTieredPolicy<Rule>({
    kind: CNP_KIND,
    name: object.metadata?.name ?? "",
    tier: spec.tier === "Admin" ? ADMIN_TIER : BASELINE_TIER,
    order: spec.priority,
    spec,
    connectionsOf: (rule) => compileProtocols(rule.protocols),
    // Accept is the model's Allow: it decides this side, and the other side still applies.
    modelAction: (action) => (action === "Accept" ? "Allow" : action),
  });
}
