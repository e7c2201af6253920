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
import { matchesLabelSelector, type LabelSelector } from "../../k8s/labels.js";
import type { K8sObject } from "../../k8s/types.js";
import { ADMIN_TIER, BASELINE_TIER } from "../adminnetworkpolicy/compile.js";
import { parseCidr, parseIpCached, rangeContains, type IpRange } from "../cidr.js";
import type { Direction, EnforcedPolicy, Endpoint, PodEndpoint, SetRule } from "../model.js";
import { evaluateRules } from "../networkpolicy/compile.js";
import { PortSet, type PortProtocol } from "../ports.js";
import { prunedClusterNetworkPolicy } from "./prune.js";
import { CNP_KIND } from "./schema.js";

export { validateClusterNetworkPolicy } from "./validate.js";

interface NamespacedPod {
  namespaceSelector?: LabelSelector;
  podSelector: LabelSelector;
}
interface Peer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  networks?: string[];
}
interface Port {
  number?: number;
  range?: { start: number; end: number };
}
interface Protocol {
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
interface Spec {
  tier: "Admin" | "Baseline";
  priority: number;
  subject: { namespaces?: LabelSelector; pods?: NamespacedPod };
  ingress?: Rule[];
  egress?: Rule[];
}

const PORT_PROTOCOLS: readonly [keyof Protocol & ("tcp" | "udp" | "sctp"), PortProtocol][] = [
  ["tcp", "TCP"],
  ["udp", "UDP"],
  ["sctp", "SCTP"],
];

/** NamespacedPod: an absent namespaceSelector is Go's zero LabelSelector, which selects every namespace. */
function namespacedPodMatcher(pods: NamespacedPod): (ep: PodEndpoint) => boolean {
  const namespaces = pods.namespaceSelector ?? {};
  return (ep) => matchesLabelSelector(namespaces, ep.namespaceLabels) && matchesLabelSelector(pods.podSelector, ep.labels);
}

function compilePeer(peer: Peer): (ep: Endpoint) => boolean {
  // Host-networked pods are in no namespaces or pods peer (the peers' doc comments).
  if (peer.namespaces) {
    const selector = peer.namespaces;
    return (ep) => ep.kind === "pod" && !ep.hostNetwork && matchesLabelSelector(selector, ep.namespaceLabels);
  }
  if (peer.pods) {
    const match = namespacedPodMatcher(peer.pods);
    return (ep) => ep.kind === "pod" && !ep.hostNetwork && match(ep);
  }
  const ranges = (peer.networks ?? []).map((cidr) => parseCidr(cidr) as IpRange);
  const coversAFamily = ranges.some((r) => r.first === 0n && r.last === (r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n));
  return (ep) => {
    const ips = ep.kind === "external" ? [ep.ip] : ep.ips;
    if (ips.length === 0) return coversAFamily;
    return ips.some((text) => {
      const ip = parseIpCached(text);
      return ip !== undefined && ranges.some((r) => rangeContains(r, ip));
    });
  };
}

function compileProtocols(protocols: Protocol[] | undefined): { connections(dst: Endpoint): PortSet; named: boolean } {
  // No protocols: "protocol-specific attributes will not be used to match traffic", so all of it.
  if (!protocols || protocols.length === 0) return { connections: () => PortSet.all, named: false };
  let fixed = PortSet.none;
  const named: string[] = [];
  for (const protocol of protocols) {
    if (protocol.destinationNamedPort !== undefined) named.push(protocol.destinationNamedPort);
    for (const [key, name] of PORT_PROTOCOLS) {
      const port = protocol[key]?.destinationPort;
      if (port?.number !== undefined) fixed = fixed.union(PortSet.range(name, port.number, port.number));
      else if (port?.range) fixed = fixed.union(PortSet.range(name, port.range.start, port.range.end));
    }
  }
  if (named.length === 0) return { connections: () => fixed, named: false };
  return {
    named: true,
    connections(dst) {
      if (dst.kind !== "pod") return fixed;
      let set = fixed;
      // A named port carries no protocol: the destination container port's own applies.
      for (const name of named) {
        const declared = dst.ports.find((p) => p.name === name);
        if (declared) set = set.union(PortSet.range(declared.protocol, declared.port, declared.port));
      }
      return set;
    },
  };
}

/** `written` must have passed validateClusterNetworkPolicy; what is compiled is the object as the API server stores it. */
export function compileClusterNetworkPolicy(written: K8sObject): EnforcedPolicy {
  const object = prunedClusterNetworkPolicy(written);
  const spec = object.spec as unknown as Spec;
  const name = object.metadata?.name ?? "";
  const subject = spec.subject;
  const selectsPod: (ep: PodEndpoint) => boolean = subject.namespaces
    ? (ep) => matchesLabelSelector(subject.namespaces!, ep.namespaceLabels)
    : namespacedPodMatcher(subject.pods!);
  const rules: Record<Direction, SetRule[]> = { ingress: [], egress: [] };
  const cidrs: Record<Direction, string[]> = { ingress: [], egress: [] };
  for (const direction of ["ingress", "egress"] as const) {
    (spec[direction] ?? []).forEach((rule, ruleIndex) => {
      const peers = (direction === "ingress" ? rule.from : rule.to) ?? [];
      const matchers = peers.map(compilePeer);
      for (const p of peers) cidrs[direction].push(...(p.networks ?? []));
      const protocols = compileProtocols(rule.protocols);
      rules[direction].push({
        // Accept is the model's Allow: it decides this side, and the other side still applies.
        action: rule.action === "Accept" ? "Allow" : rule.action,
        ruleIndex,
        description: `${direction} rule ${ruleIndex}${rule.name ? ` "${rule.name}"` : ""}: ${rule.action}`,
        matchesPeer: (peer) => matchers.some((m) => m(peer)),
        connections: protocols.connections,
        dependsOnDestination: protocols.named,
      });
    });
  }
  return {
    id: `${CNP_KIND}/${name}`,
    kind: CNP_KIND,
    name,
    tier: spec.tier === "Admin" ? ADMIN_TIER : BASELINE_TIER,
    order: spec.priority,
    staged: false,
    // "CNPs with no ingress rules do not affect ingress traffic", and likewise egress.
    directions: (["ingress", "egress"] as const).filter((d) => (spec[d] ?? []).length > 0),
    // "Host-networked pods are not included in subject selection."
    selects: (ep) => !ep.hostNetwork && selectsPod(ep),
    rules: (direction) => rules[direction],
    cidrs: (direction) => cidrs[direction],
    evaluate: (direction, packet) => evaluateRules(rules[direction], direction, packet),
  };
}
