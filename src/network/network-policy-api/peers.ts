/**
 * Which endpoints a subject or a peer of the network-policy-api's policies matches: the
 * same in v1alpha1 (AdminNetworkPolicy) and v1alpha2 (ClusterNetworkPolicy). Host-networked
 * pods are in no namespaces or pods peer (the peers' doc comments), and `networks` peers
 * match any address, the pod network's included (both versions' docs: Allow or Accept, or
 * Deny, towards 0.0.0.0/0 allows or denies all IPv4 pod-to-pod traffic as well).
 */
import { matchesLabelSelector, type LabelSelector } from "../../k8s/labels.js";
import { parseCidr, parseIpCached, RangeIndex, type IpRange } from "../cidr.js";
import type { Endpoint, PodEndpoint } from "../model.js";

export interface NamespacedPod {
  /** Required in v1alpha1 (validation ensures it), optional in v1alpha2. */
  namespaceSelector?: LabelSelector;
  podSelector: LabelSelector;
}
export interface Subject {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}
/** The peer fields both API versions share; nodes and domainNames peers never match (see compilePeer). */
export interface Peer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  networks?: string[];
}

export type PeerMatcher = (ep: Endpoint) => boolean;

/** An absent namespaceSelector is Go's zero LabelSelector, which selects every namespace. */
function namespacedPodMatcher(pods: NamespacedPod): (ep: PodEndpoint) => boolean {
  const namespaces = pods.namespaceSelector ?? {};
  return (ep) => matchesLabelSelector(namespaces, ep.namespaceLabels) && matchesLabelSelector(pods.podSelector, ep.labels);
}

/** The pods a validated subject selects (host networking aside, which the caller excludes). */
export function subjectMatcher(subject: Subject): (ep: PodEndpoint) => boolean {
  const namespaces = subject.namespaces;
  return namespaces ? (ep) => matchesLabelSelector(namespaces, ep.namespaceLabels) : namespacedPodMatcher(subject.pods!);
}

/** A validated peer; one of nodes (no Node objects in the model) or domainNames (refused by validation) matches nothing. */
export function compilePeer(peer: Peer): PeerMatcher {
  if (peer.namespaces) {
    const selector = peer.namespaces;
    return (ep) => ep.kind === "pod" && !ep.hostNetwork && matchesLabelSelector(selector, ep.namespaceLabels);
  }
  if (peer.pods) {
    const match = namespacedPodMatcher(peer.pods);
    return (ep) => ep.kind === "pod" && !ep.hostNetwork && match(ep);
  }
  if (peer.networks) return networksMatcher(peer.networks);
  return () => false;
}

function networksMatcher(cidrs: string[]): PeerMatcher {
  const ranges = cidrs.map((cidr) => parseCidr(cidr) as IpRange);
  // A pod whose addresses the manifests do not give is surely inside only a whole address family.
  const coversAFamily = ranges.some((r) => r.first === 0n && r.last === (r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n));
  const index = new RangeIndex(ranges);
  return (ep) => {
    // Unlike ipBlock, networks match cluster-internal addresses too: pod IPs as well as nodes'.
    const ips = ep.kind === "external" ? [ep.ip] : ep.ips;
    if (ips.length === 0) return coversAFamily;
    return ips.some((text) => {
      const ip = parseIpCached(text);
      return ip !== undefined && index.has(ip);
    });
  };
}
