/**
 * A validated NetworkPolicy compiled into the model: selection in its namespace, rules as
 * sets (peers, connections) for the matrix, and per-packet evaluation for `explain`.
 * NetworkPolicy rules only allow; a selected endpoint that no rule allows is dropped by the
 * tier (see tiers.ts).
 *
 * Peers follow upstream np-guard/Kubernetes semantics: selectors match pods only, ipBlock
 * matches addresses outside the pod network only; hostNetwork pods are node traffic, never
 * selected and never matched by selectors, and an ipBlock matches them by their IPs.
 */
import { matchesLabelSelector, type LabelSelector } from "../../k8s/labels.js";
import { parseCidr, parseIpCached, RangeIndex, rangeContains, rangeWithout, type IpRange } from "../cidr.js";
import type { Direction, EnforcedPolicy, Endpoint, Packet, PeerScope, PodEndpoint, RuleVerdict, SetRule } from "../model.js";
import { PortSet, type PortProtocol } from "../ports.js";
import { effectivePolicyTypes, type NetworkPolicyObject, type NetworkPolicyPeer, type NetworkPolicyPort } from "./types.js";

export const KUBERNETES_TIER = "default";
/** Calico gives every Kubernetes NetworkPolicy order 1000 in the default tier. */
export const NETWORK_POLICY_ORDER = 1000;

type PeerMatcher = (peer: Endpoint) => boolean;

function endpointIps(ep: Endpoint): string[] {
  return ep.kind === "external" ? [ep.ip] : ep.hostNetwork ? ep.ips : [];
}

/** Selectors see pods on the pod network only. */
function isSelectablePod(ep: Endpoint): ep is PodEndpoint {
  return ep.kind === "pod" && !ep.hostNetwork;
}

/** Where a rule's peers can be: see PeerScope. Empty or absent peers match everything. */
export function peerScopeOf(peers: NetworkPolicyPeer[] | null | undefined, policyNamespace: string): PeerScope {
  if (!peers || peers.length === 0) return { anyPeer: true };
  const namespaceTests: ((name: string, labels: Record<string, string>) => boolean)[] = [];
  let addresses = false;
  const addressRanges: IpRange[] = [];
  for (const peer of peers) {
    if (peer.ipBlock) {
      addresses = true;
      addressRanges.push(parseCidr(peer.ipBlock.cidr) as IpRange);
    }
    else if (peer.namespaceSelector) {
      const selector = peer.namespaceSelector;
      namespaceTests.push((_, labels) => matchesLabelSelector(selector, labels));
    } else namespaceTests.push((name) => name === policyNamespace);
  }
  const scope: PeerScope = { addresses };
  if (addresses) scope.addressRanges = addressRanges;
  if (namespaceTests.length > 0) scope.podNamespaces = (name, labels) => namespaceTests.some((t) => t(name, labels));
  return scope;
}

export function compilePeer(peer: NetworkPolicyPeer, policyNamespace: string): PeerMatcher {
  if (peer.ipBlock) {
    const cidr = parseCidr(peer.ipBlock.cidr) as IpRange;
    const except = (peer.ipBlock.except ?? []).map((c) => parseCidr(c) as IpRange);
    return (ep) =>
      endpointIps(ep).some((text) => {
        const ip = parseIpCached(text);
        return ip !== undefined && rangeContains(cidr, ip) && !except.some((e) => rangeContains(e, ip));
      });
  }
  const podSelector: LabelSelector = peer.podSelector ?? {};
  if (peer.namespaceSelector) {
    const namespaceSelector = peer.namespaceSelector;
    return (ep) => isSelectablePod(ep) && matchesLabelSelector(namespaceSelector, ep.namespaceLabels) && matchesLabelSelector(podSelector, ep.labels);
  }
  return (ep) => isSelectablePod(ep) && ep.namespace === policyNamespace && matchesLabelSelector(podSelector, ep.labels);
}

/**
 * A rule's peers as one matcher. Its ipBlocks are joined into one index: a rule listing
 * thousands of them is asked about every block they cut, and one test per ipBlock made
 * that quadratic. An empty or absent list matches every peer, pods and addresses alike.
 */
export function compilePeers(peers: readonly NetworkPolicyPeer[], policyNamespace: string): PeerMatcher {
  if (peers.length === 0) return () => true;
  const selectors = peers.filter((p) => !p.ipBlock).map((p) => compilePeer(p, policyNamespace));
  const blocks = peers.flatMap((p) => (p.ipBlock ? rangeWithout(parseCidr(p.ipBlock.cidr) as IpRange, (p.ipBlock.except ?? []).map((c) => parseCidr(c) as IpRange)) : []));
  const addresses = new RangeIndex(blocks);
  const hasBlocks = peers.some((p) => p.ipBlock);
  return (ep) =>
    (hasBlocks &&
      endpointIps(ep).some((text) => {
        const ip = parseIpCached(text);
        return ip !== undefined && addresses.has(ip);
      })) ||
    selectors.some((m) => m(ep));
}

/** Connections of a rule's `ports` towards a destination; named ports resolve on the destination pod. */
export function compilePorts(ports: NetworkPolicyPort[] | null | undefined): { connections(destination: Endpoint): PortSet; named: boolean } {
  if (!ports || ports.length === 0) return { connections: () => PortSet.all, named: false };
  let fixed = PortSet.none;
  const namedPorts: { name: string; protocol: PortProtocol }[] = [];
  for (const port of ports) {
    const protocol = (port.protocol ?? "TCP") as PortProtocol;
    if (port.port === undefined || port.port === null) fixed = fixed.union(PortSet.protocol(protocol));
    else if (typeof port.port === "number") fixed = fixed.union(PortSet.range(protocol, port.port, port.endPort ?? port.port));
    else namedPorts.push({ name: port.port, protocol });
  }
  if (namedPorts.length === 0) return { connections: () => fixed, named: false };
  const cache = new WeakMap<PodEndpoint, PortSet>();
  return {
    named: true,
    connections(destination) {
      if (destination.kind !== "pod") return fixed;
      const cached = cache.get(destination);
      if (cached) return cached;
      let set = fixed;
      for (const { name, protocol } of namedPorts) {
        // The first container port with this name; it counts only with the rule's protocol.
        const declared = destination.ports.find((p) => p.name === name);
        if (declared && declared.protocol === protocol) set = set.union(PortSet.range(protocol, declared.port, declared.port));
      }
      cache.set(destination, set);
      return set;
    },
  };
}

/**
 * Peers a rule's description names before it counts the rest: a rule may list thousands of
 * ipBlocks (a partner list), and each explanation and diff cause quotes the description.
 */
const PEERS_NAMED = 8;

function describePeers(peers: NetworkPolicyPeer[] | null | undefined): string {
  if (!peers || peers.length === 0) return "any peer";
  const rest = peers.length - PEERS_NAMED;
  const named = peers
    .slice(0, rest > 0 ? PEERS_NAMED : peers.length)
    .map((p) => {
      if (p.ipBlock) return `ipBlock ${p.ipBlock.cidr}${p.ipBlock.except?.length ? ` except ${p.ipBlock.except.join(",")}` : ""}`;
      const parts: string[] = [];
      if (p.namespaceSelector) parts.push(`namespaceSelector ${JSON.stringify(p.namespaceSelector)}`);
      if (p.podSelector) parts.push(`podSelector ${JSON.stringify(p.podSelector)}`);
      return parts.join(" and ");
    })
    .join(" or ");
  return rest > 0 ? `${named} or ${rest} more peer${rest === 1 ? "" : "s"}` : named;
}

function describePorts(ports: NetworkPolicyPort[] | null | undefined): string {
  if (!ports || ports.length === 0) return "all ports";
  return ports
    .map((p) => `${p.port ?? "all"}${p.endPort ? `-${p.endPort}` : ""}/${p.protocol ?? "TCP"}`)
    .join(",");
}

/** Compile a NetworkPolicy that `validateNetworkPolicy` accepted. */
export function compileNetworkPolicy(object: NetworkPolicyObject): EnforcedPolicy {
  const namespace = object.metadata?.namespace ?? "default";
  const name = object.metadata?.name ?? "";
  const spec = object.spec ?? {};
  const podSelector: LabelSelector = spec.podSelector ?? {};
  const directions: Direction[] = effectivePolicyTypes(spec).map((t) => (t === "Ingress" ? "ingress" : "egress"));
  const rulesByDirection: Record<Direction, SetRule[]> = { ingress: [], egress: [] };
  const cidrsByDirection: Record<Direction, string[]> = { ingress: [], egress: [] };
  for (const direction of directions) {
    const rules = direction === "ingress" ? (spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    rules.forEach((rule, ruleIndex) => {
      const matchesPeer = compilePeers(rule.peers ?? [], namespace);
      for (const p of rule.peers ?? []) if (p.ipBlock) cidrsByDirection[direction].push(p.ipBlock.cidr, ...(p.ipBlock.except ?? []));
      const ports = compilePorts(rule.ports);
      rulesByDirection[direction].push({
        action: "Allow",
        ruleIndex,
        description: `${direction} rule ${ruleIndex}: ${direction === "ingress" ? "from" : "to"} ${describePeers(rule.peers)} on ${describePorts(rule.ports)}`,
        matchesPeer,
        connections: ports.connections,
        peerScope: peerScopeOf(rule.peers, namespace),
        dependsOnDestination: ports.named,
      });
    });
  }
  return {
    id: `NetworkPolicy/${namespace}/${name}`,
    kind: "NetworkPolicy",
    namespace,
    name,
    tier: KUBERNETES_TIER,
    order: NETWORK_POLICY_ORDER,
    staged: false,
    directions,
    selects: (ep) => ep.namespace === namespace && !ep.hostNetwork && matchesLabelSelector(podSelector, ep.labels),
    rules: (direction) => rulesByDirection[direction],
    cidrs: (direction) => cidrsByDirection[direction],
    evaluate: (direction, packet) => evaluateRules(rulesByDirection[direction], direction, packet),
  };
}

/** First rule, in order, whose peer matches and whose connections hold the packet decides. */
export function evaluateRules(rules: readonly SetRule[], direction: Direction, packet: Packet): RuleVerdict {
  const peer = direction === "ingress" ? packet.src : packet.dst;
  for (const rule of rules) {
    if (rule.action === "Log") continue;
    if (!rule.matchesPeer(peer) || !rule.connections(packet.dst, packet.src).has(packet.protocol, packet.port)) continue;
    const verdict: RuleVerdict = { action: rule.action, ruleIndex: rule.ruleIndex };
    if (rule.description !== undefined) verdict.ruleDescription = rule.description;
    return verdict;
  }
  return { action: "NoMatch" };
}
