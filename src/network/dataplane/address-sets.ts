/**
 * Which addresses a rule's peer side matches, as sets a dataplane can hold. The model
 * answers per endpoint (`SetRule.matchesPeer`); a kernel matches by address. The address
 * space of one family is cut at every CIDR the policies name, so each external block is
 * matched or not as a whole, and the pods whose IPs are known are matched one by one: a
 * pod the rule does not match inside a block it does is an exception (ipset's `nomatch`).
 * Pods whose IPs are not known cannot be matched by address at all; the caller says so.
 */
import { cutAddressSpace, formatIp, joinedRanges, parseCidr, parseIpCached, type IpFamily, type IpRange } from "../cidr.js";
import type { Direction, Endpoint, ExternalEndpoint, PodEndpoint, SetRule, Tier } from "../model.js";
import type { PortSet } from "../ports.js";
import type { AddressEntry, AddressSet } from "./plan.js";

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** One peer by address: an external block, or a pod with its addresses of the family. */
interface AddressPeer {
  endpoint: Endpoint;
  ranges: readonly IpRange[];
  /** For a pod, each of its addresses as a host CIDR, formatted once: every rule's set may list it. */
  hostCidrs: readonly string[];
  pod: boolean;
}

/** Every peer a rule of `direction` may meet, for one family. */
export interface PeerUniverse {
  family: IpFamily;
  blocks: readonly AddressPeer[];
  pods: readonly AddressPeer[];
  /** The pods grouped by namespace (and its labels): a rule scoped to some namespaces looks at theirs only. */
  podsByNamespace: readonly (readonly AddressPeer[])[];
  /** Every pod address, in address order: the pods inside a block are found without a walk over all. */
  podAddresses: readonly PodAddress[];
}

interface PodAddress {
  peer: AddressPeer;
  value: bigint;
  cidr: string;
}

/** The family's address space cut at every CIDR the policies name for `direction`. */
function blocksOf(tiers: readonly Tier[], direction: Direction, family: IpFamily): IpRange[] {
  const ranges: IpRange[] = [];
  for (const tier of tiers) for (const policy of tier.policies) for (const cidr of policy.cidrs?.(direction) ?? []) {
    const range = parseCidr(cidr);
    if (range?.family === family) ranges.push(range);
  }
  const max = (1n << BigInt(BITS[family])) - 1n;
  const cut = cutAddressSpace(ranges).filter((r) => r.family === family);
  return cut.length > 0 ? cut : [{ family, first: 0n, last: max }];
}

function hostRange(family: IpFamily, value: bigint): IpRange {
  return { family, first: value, last: value };
}

/**
 * A pod as one family's rules see it: with that family's addresses only. A rule that reads
 * an address (Calico nets, ipVersion) must read the one the packet carries, not a
 * dual-stack pod's first.
 */
export function inFamily(pod: PodEndpoint, family: IpFamily): PodEndpoint {
  const ips = pod.ips.filter((ip) => parseIpCached(ip)?.family === family);
  return ips.length === pod.ips.length || ips.length === 0 ? pod : { ...pod, ips };
}

export function peerUniverse(tiers: readonly Tier[], direction: Direction, family: IpFamily, pods: readonly PodEndpoint[]): PeerUniverse {
  const blocks = blocksOf(tiers, direction, family).map((range): AddressPeer => {
    const endpoint: ExternalEndpoint = { kind: "external", ip: formatIp(family, range.first) };
    return { endpoint, ranges: [range], hostCidrs: [], pod: false };
  });
  const podPeers: AddressPeer[] = [];
  for (const pod of pods) {
    // A hostNetwork pod's address is its node's: the blocks stand for it, as the model has it.
    if (pod.hostNetwork) continue;
    const ranges = pod.ips.map((ip) => parseIpCached(ip)).filter((ip) => ip?.family === family).map((ip) => hostRange(family, ip!.value));
    if (ranges.length > 0) podPeers.push({ endpoint: inFamily(pod, family), ranges, hostCidrs: ranges.map((r) => `${formatIp(family, r.first)}/${BITS[family]}`), pod: true });
  }
  const podAddresses = podPeers
    .flatMap((peer) => peer.ranges.map((range, i): PodAddress => ({ peer, value: range.first, cidr: peer.hostCidrs[i]! })))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const byNamespace = new Map<string, AddressPeer[]>();
  for (const peer of podPeers) {
    const pod = peer.endpoint as PodEndpoint;
    const key = `${pod.namespace}\0${JSON.stringify(pod.namespaceLabels)}`;
    const list = byNamespace.get(key);
    if (list) list.push(peer);
    else byNamespace.set(key, [peer]);
  }
  return { family, blocks, pods: podPeers, podsByNamespace: [...byNamespace.values()], podAddresses };
}

/** The largest CIDRs that exactly cover `range`. */
export function rangeToCidrs(range: IpRange): string[] {
  const bits = BITS[range.family];
  const out: string[] = [];
  let first = range.first;
  while (first <= range.last) {
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const span = 1n << BigInt(next);
      if (first % span !== 0n || first + span - 1n > range.last) break;
      size = next;
    }
    out.push(`${formatIp(range.family, first)}/${bits - size}`);
    first += 1n << BigInt(size);
  }
  return out;
}

/** The peers a rule matches, grouped by the connections it covers towards each (named ports differ per destination). */
export interface MatchedGroup {
  connections: PortSet;
  peers: AddressSet;
}

/**
 * The address sets of one rule. `connectionsFor` gives what the rule covers for a matched
 * peer: the same for every peer on the ingress side (the destination is the endpoint
 * itself), per destination on the egress side when named ports resolve there.
 */
export function matchedGroups(rule: SetRule, universe: PeerUniverse, connectionsFor: (peer: Endpoint) => PortSet): MatchedGroup[] {
  const scope = rule.peerScope;
  const byConnections = new Map<string, { connections: PortSet; peers: AddressPeer[] }>();
  const add = (peer: AddressPeer): void => {
    const connections = connectionsFor(peer.endpoint);
    if (connections.isEmpty()) return;
    const key = connections.toString();
    const group = byConnections.get(key) ?? { connections, peers: [] };
    group.peers.push(peer);
    byConnections.set(key, group);
  };
  const blocksMayMatch = !scope || scope.anyPeer || scope.addresses;
  if (blocksMayMatch) for (const block of universe.blocks) if (rule.matchesPeer(block.endpoint)) add(block);
  for (const pods of universe.podsByNamespace) {
    const first = pods[0]!.endpoint as PodEndpoint;
    if (scope && !scope.anyPeer && !scope.podNamespaces?.(first.namespace, first.namespaceLabels)) continue;
    for (const pod of pods) if (rule.matchesPeer(pod.endpoint)) add(pod);
  }
  return [...byConnections.values()].map(({ connections, peers }) => ({ connections, peers: addressSet(universe, peers) }));
}

/** Blocks and pods as entries: blocks joined into CIDRs, pods inside them that are not in the set marked `except`. */
function addressSet(universe: PeerUniverse, peers: readonly AddressPeer[]): AddressSet {
  const inSet = new Set(peers);
  const blocks = joinedRanges(peers.filter((p) => !p.pod).flatMap((p) => [...p.ranges]));
  // Blocks are sorted and disjoint: a binary search finds the one that may hold an address.
  const covered = (value: bigint): boolean => {
    let low = 0;
    let high = blocks.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const block = blocks[mid]!;
      if (value < block.first) high = mid - 1;
      else if (value > block.last) low = mid + 1;
      else return true;
    }
    return false;
  };
  const entries: AddressEntry[] = blocks.flatMap((b) => rangeToCidrs(b).map((cidr) => ({ cidr })));
  const bits = BITS[universe.family];
  for (const peer of peers) {
    if (!peer.pod) continue;
    peer.ranges.forEach((range, i) => {
      if (!covered(range.first)) entries.push({ cidr: peer.hostCidrs[i]! });
    });
  }
  const addresses = universe.podAddresses;
  for (const block of blocks) {
    for (let i = firstAtOrAfter(addresses, block.first); i < addresses.length && addresses[i]!.value <= block.last; i++) {
      const address = addresses[i]!;
      if (!inSet.has(address.peer)) entries.push({ cidr: address.cidr, except: true });
    }
  }
  const max = (1n << BigInt(bits)) - 1n;
  const whole = blocks.length === 1 && blocks[0]!.first === 0n && blocks[0]!.last === max;
  return whole && entries.every((e) => !e.except) ? { any: true } : { entries };
}

/** The index of the first address not below `value`. */
function firstAtOrAfter(addresses: readonly PodAddress[], value: bigint): number {
  let low = 0;
  let high = addresses.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (addresses[mid]!.value < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
