/**
 * The policy model, Felix-style: endpoints, packets, tiers and enforced policies. It knows
 * nothing of Kubernetes objects (NetworkPolicy, AdminNetworkPolicy and Calico policies are
 * compiled into it elsewhere) and nothing of any dataplane. `evaluate.ts` walks it.
 */

import type { IpRange } from "./cidr.js";
import type { PortSet } from "./ports.js";

/** A protocol by name, or by IANA number for Calico's numeric protocols. */
export type Protocol = "TCP" | "UDP" | "SCTP" | "ICMP" | "ICMPv6" | number;

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface PodEndpoint {
  kind: "pod";
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Labels of the pod's namespace, including kubernetes.io/metadata.name. */
  namespaceLabels: Record<string, string>;
  serviceAccount?: string;
  /** Known pod IPs (v4 and/or v6); empty when the manifests do not say. */
  ips: string[];
  /** hostNetwork pods share the node's IP; NetworkPolicy does not reliably apply to them. */
  hostNetwork?: boolean;
  /** Declared container ports, used to resolve named ports on the destination. */
  ports: ContainerPort[];
  /** `Kind/name` of the workload this pod represents, when it came from a workload. */
  workload?: string;
}

/** Anything outside the cluster's pods, known only by its IP. */
export interface ExternalEndpoint {
  kind: "external";
  ip: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface Packet {
  src: Endpoint;
  dst: Endpoint;
  protocol: Protocol;
  /** Destination port; absent for port-less protocols (ICMP). */
  port?: number;
  icmp?: { type?: number; code?: number };
  /** Source port, which only Calico rules read; absent, a rule matching source ports does not match. */
  srcPort?: number;
}

export type Direction = "ingress" | "egress";

/**
 * One rule of a policy as a set: which peers it matches and which connections it covers.
 * Policies that expose their rules this way can be evaluated for all ports at once
 * (`connectivity.ts`) instead of packet by packet; `evaluate` must agree with them.
 */
export interface SetRule {
  action: "Allow" | "Deny" | "Pass" | "Log";
  /** The rule's peer side matches `peer`: the source for ingress rules, the destination for egress rules. */
  matchesPeer(peer: Endpoint): boolean;
  /**
   * Connections the rule covers from `source` towards `destination`: named destination
   * ports resolve on the destination pod, a Calico rule's named source ports on the source.
   */
  connections(destination: Endpoint, source: Endpoint): PortSet;
  /**
   * Where the peer can be (optional, for speed): pods only in namespaces for which
   * `podNamespaces` holds (absent: no pod matches unless `anyPeer`), addresses when
   * `addresses`. Without it every peer is tried. It must never exclude a peer that
   * `matchesPeer` accepts.
   */
  peerScope?: PeerScope;
  /** True when `connections` depends on which destination pod it is given (named ports). */
  dependsOnDestination?: boolean;
  /** True when `connections` depends on which source pod it is given (a Calico rule's named source ports). */
  dependsOnSource?: boolean;
  /**
   * Whether the rule applies to `local`, the endpoint the policy selected, for rules that
   * also read it on the other side of the peer (a Calico egress rule's source criteria).
   * Absent: the rule applies to every endpoint its policy selects.
   */
  appliesToLocal?(local: PodEndpoint): boolean;
  ruleIndex: number;
  description?: string;
}

export interface PeerScope {
  anyPeer?: boolean;
  podNamespaces?: (namespace: string, namespaceLabels: Record<string, string>) => boolean;
  /** External addresses (and hostNetwork pods, by IP) may match. */
  addresses?: boolean;
  /** When set with `addresses`: only addresses inside these ranges may match. */
  addressRanges?: IpRange[];
}

/**
 * What one policy says about one packet in one direction. `NoMatch` means no rule of the
 * policy matched; whether that denies is the tier's business (dropAtEndWhenSelected).
 */
export interface RuleVerdict {
  action: "Allow" | "Deny" | "Pass" | "Log" | "NoMatch";
  ruleIndex?: number;
  ruleDescription?: string;
}

export interface EnforcedPolicy {
  /** Unique across all tiers, e.g. `NetworkPolicy/ns/name`. */
  id: string;
  kind: string;
  /** Set for namespaced policies, which select only pods of this namespace (engines index on it). */
  namespace?: string;
  name: string;
  tier: string;
  /** Lower runs first; undefined runs after every ordered policy (then by tieBreak, or name). */
  order: number | undefined;
  /** What equal orders are broken by when it is not the name (Calico's Felix sorts by a key of kind, namespace and name). */
  tieBreak?: string;
  /** Staged policies are evaluated for reporting but never decide. */
  staged: boolean;
  directions: Direction[];
  selects(ep: PodEndpoint): boolean;
  /** Only called when `selects` holds for the endpoint whose side is `direction`. */
  evaluate(direction: Direction, packet: Packet): RuleVerdict;
  /** The policy's rules of one direction, in order, as sets (optional; see SetRule). */
  rules?(direction: Direction): readonly SetRule[];
  /** CIDRs the rules of one direction name (cidr and except), to cut external space into blocks. */
  cidrs?(direction: Direction): readonly string[];
  /**
   * CIDRs the rules match the selected endpoint's own address against (a Calico ingress
   * rule's destination nets, an egress rule's source nets): pods the policy selects differ
   * by which of them hold their IPs.
   */
  localCidrs?(): readonly string[];
}

export interface Tier {
  name: string;
  /** Lower runs first; undefined runs last. */
  order: number | undefined;
  /** A selected endpoint that no policy of this tier decided for is denied (Calico's end-of-tier drop). */
  dropAtEndWhenSelected: boolean;
  /**
   * Policies of equal order may run in any order (AdminNetworkPolicy priorities): a verdict
   * that another equal-order policy would give differently depends on that tie.
   */
  tiesUnordered?: boolean;
  policies: EnforcedPolicy[];
}

/** The whole model: tiers and the endpoints they apply to. */
export interface PolicyModel {
  tiers: Tier[];
  endpoints: PodEndpoint[];
}

/** Stable identity of a pod endpoint: `namespace/name`. */
export function endpointKey(ep: Endpoint): string {
  return ep.kind === "pod" ? `${ep.namespace}/${ep.name}` : ep.ip;
}

/** Sort order used everywhere: lower order first, undefined last, then by tieBreak (or name). */
export function compareOrder(a: { order: number | undefined; name: string; tieBreak?: string }, b: { order: number | undefined; name: string; tieBreak?: string }): number {
  if (a.order !== b.order) {
    if (a.order === undefined) return 1;
    if (b.order === undefined) return -1;
    return a.order - b.order;
  }
  const keyA = a.tieBreak ?? a.name;
  const keyB = b.tieBreak ?? b.name;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}
