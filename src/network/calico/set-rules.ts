/**
 * Calico rules as the model's SetRules, so `netpol matrix` can compute Calico policies with
 * set algebra like Kubernetes ones. The matrix's universe is TCP, UDP and SCTP ports
 * 1..65535 plus every port-less packet, by protocol number and, for ICMP, by type and code
 * (portless.ts), and on TCP, UDP and SCTP by source port (source-bands.ts). Within that
 * universe the translation is exact. An egress rule's source criteria read the sending pod
 * (SetRule.appliesToLocal), and named source ports resolve on the sending pod's declared
 * ports (SetRule.dependsOnSource).
 */
import { formatIp, parseIpCached, type IpRange } from "../cidr.js";
import type { Direction, Endpoint, SetRule } from "../model.js";
import { PORT_PROTOCOLS, PortSet, protocolNumber, setProtocolOf } from "../ports.js";
import { entityAddressMatches, type EndpointPortSet, type EntityMatch, type IcmpMatch, type ResolvedRule, type WireSide } from "./rule-match.js";

const PORT_PROTOCOL_SET = PORT_PROTOCOLS.reduce((set, p) => set.union(PortSet.protocol(p)), PortSet.none);
/** Messages of ICMP in IPv4 and ICMPv6 in IPv6: what ICMP criteria can match. */
const ICMP_MESSAGES = PortSet.icmp("ICMP").union(PortSet.icmp("ICMPv6"));

function icmpMessages(match: IcmpMatch): PortSet {
  return PortSet.icmp("ICMP", match.type, match.code).union(PortSet.icmp("ICMPv6", match.type, match.code));
}

export function sideOf(endpoint: Endpoint): WireSide {
  const text = endpoint.kind === "external" ? endpoint.ip : endpoint.ips[0];
  const ip = text !== undefined ? parseIpCached(text) : undefined;
  return ip ? { endpoint, ip } : { endpoint };
}

function protocolSet(rule: ResolvedRule): PortSet {
  let set = rule.protocol !== undefined ? PortSet.protocol(rule.protocol) : PortSet.all;
  if (rule.notProtocol !== undefined) set = set.subtract(PortSet.protocol(rule.notProtocol));
  // ICMP criteria only match ICMP messages of the packet's own family (rule-match.ts).
  if (rule.icmp) set = set.intersect(icmpMessages(rule.icmp));
  if (rule.notICMP) set = set.intersect(ICMP_MESSAGES.subtract(icmpMessages(rule.notICMP)));
  // A rule of one IP version that covers port-less packets only holds that family's: the
  // set carries the family exactly (see familyOfPeer).
  if (rule.ipVersion !== undefined && set.intersect(PORT_PROTOCOL_SET).isEmpty()) set = set.intersect(PortSet.familyPortless(rule.ipVersion));
  return set;
}

/**
 * The IP family a rule's peer must have, read from its first address: a rule of one IP
 * version that covers ports, whose family the set cannot carry (ports have none). A
 * dual-stack pod is judged by its first address there; a port-less rule needs no such
 * reading, as protocolSet holds its family.
 */
function familyOfPeer(rule: ResolvedRule): 4 | 6 | undefined {
  return rule.ipVersion !== undefined && !protocolSet(rule).intersect(PORT_PROTOCOL_SET).isEmpty() ? rule.ipVersion : undefined;
}

function sourceRangesSet(ranges: readonly { min: number; max: number }[]): PortSet {
  return ranges.reduce((set, { min, max }) => PORT_PROTOCOLS.reduce((s, p) => s.union(PortSet.fromSourcePorts(p, min, max)), set), PortSet.none);
}

/**
 * Source ports of `source` that the entity's named-port memberships admit, as Felix's
 * (IP, protocol, port) sets hold them; none for an unknown source or one outside the cluster.
 */
function namedSourceSet(members: EntityMatch["namedPorts"], source: Endpoint | undefined): PortSet {
  if (!members || members.length === 0 || source?.kind !== "pod") return PortSet.none;
  let set = PortSet.none;
  const side = sideOf(source);
  for (const port of source.ports) {
    const protocol = setProtocolOf(port.protocol);
    if (protocol === "OTHER") continue;
    if (members.some((member) => member({ ...side, port: port.port }, protocolNumber(port.protocol)))) set = set.union(PortSet.fromSourcePorts(protocol, port.port, port.port));
  }
  return set;
}

/** What a rule's source ports and notPorts (numbers and names) leave of every connection from `source`; port-less packets never match them. */
function sourcePortCriteria(entity: EntityMatch, source: Endpoint | undefined): PortSet {
  let set = PortSet.all;
  if ((entity.ports?.length ?? 0) > 0 || (entity.namedPorts?.length ?? 0) > 0) set = set.intersect(sourceRangesSet(entity.ports ?? []).union(namedSourceSet(entity.namedPorts, source)));
  if ((entity.notPorts?.length ?? 0) > 0 || (entity.notNamedPorts?.length ?? 0) > 0) {
    set = set.intersect(PORT_PROTOCOL_SET).subtract(sourceRangesSet(entity.notPorts ?? []).union(namedSourceSet(entity.notNamedPorts, source)));
  }
  return set;
}

function rangesSet(ranges: readonly { min: number; max: number }[]): PortSet {
  let set = PortSet.none;
  for (const { min, max } of ranges) {
    if (max < 1) continue; // port 0 lies outside the matrix's 1..65535
    for (const p of PORT_PROTOCOLS) set = set.union(PortSet.range(p, Math.max(min, 1), max));
  }
  return set;
}

/** Ports of `destination` that the entity's named-port memberships admit. */
function namedSet(members: EntityMatch["namedPorts"], destination: Endpoint): PortSet {
  if (!members || members.length === 0 || destination.kind !== "pod") return PortSet.none;
  let set = PortSet.none;
  const side = sideOf(destination);
  for (const port of destination.ports) {
    const protocol = protocolNumber(port.protocol);
    if (members.some((member) => member({ ...side, port: port.port }, protocol))) set = set.union(PortSet.range(port.protocol, port.port, port.port));
  }
  return set;
}

/** The ports at which `destination` is in a Service's (IP, protocol, port) set. */
function endpointPortSet(members: EndpointPortSet, destination: Endpoint): PortSet {
  return members.portsAt(sideOf(destination)).reduce((set, { protocol, port }) => set.union(PortSet.range(protocol, port, port)), PortSet.none);
}

/** What the entity's ports/notPorts (or Service endpoint ports) leave of `protocols`; packets without ports never match port criteria. */
function portCriteria(entity: EntityMatch, protocols: PortSet, destination: Endpoint): PortSet {
  let set = protocols;
  if (entity.endpointPorts) set = set.intersect(endpointPortSet(entity.endpointPorts, destination));
  if ((entity.ports?.length ?? 0) > 0 || (entity.namedPorts?.length ?? 0) > 0) {
    set = set.intersect(rangesSet(entity.ports ?? []).union(namedSet(entity.namedPorts, destination)));
  }
  if ((entity.notPorts?.length ?? 0) > 0 || (entity.notNamedPorts?.length ?? 0) > 0) {
    set = set.intersect(PORT_PROTOCOL_SET).subtract(rangesSet(entity.notPorts ?? []).union(namedSet(entity.notNamedPorts, destination)));
  }
  return set;
}

function hasAddressCriteria(entity: EntityMatch): boolean {
  return Boolean(entity.nets?.length || entity.notNets?.length || entity.selectors?.length || entity.notSelectors?.length || entity.endpointPorts);
}

/** Ports that resolve on the endpoint at that side: named ports, or a Service's endpoint ports. */
function hasNamedPorts(entity: EntityMatch): boolean {
  return Boolean(entity.namedPorts?.length || entity.notNamedPorts?.length || entity.endpointPorts);
}

function familyMatches(ipVersion: 4 | 6 | undefined, side: WireSide): boolean {
  return ipVersion === undefined || side.ip === undefined || side.ip.family === ipVersion;
}

/** The SetRules of one direction's resolved rules. */
export function toSetRules(direction: Direction, rules: readonly ResolvedRule[]): SetRule[] {
  return rules.map((rule, ruleIndex) => {
    const peerEntity = direction === "ingress" ? rule.source : rule.destination;
    const namedSource = hasNamedPorts(rule.source);
    // Without named source ports the source never changes what the rule covers: worked out once.
    const fixedProtocols = namedSource ? undefined : protocolSet(rule).intersect(sourcePortCriteria(rule.source, undefined));
    const named = hasNamedPorts(rule.destination);
    const peerFamily = familyOfPeer(rule);
    const setRule: SetRule = {
      action: rule.action,
      ruleIndex,
      matchesPeer: (peer) => {
        if (rule.neverMatches) return false;
        const side = sideOf(peer);
        return familyMatches(peerFamily, side) && entityAddressMatches(peerEntity, side);
      },
      connections: (destination, source) => {
        if (direction === "ingress" && !entityAddressMatches(rule.destination, sideOf(destination))) return PortSet.none;
        return portCriteria(rule.destination, fixedProtocols ?? protocolSet(rule).intersect(sourcePortCriteria(rule.source, source)), destination);
      },
      dependsOnDestination: named || (direction === "ingress" && hasAddressCriteria(rule.destination)),
    };
    if (namedSource) setRule.dependsOnSource = true;
    // An egress rule's source is the pod sending: the rule applies to the pods it matches.
    if (direction === "egress" && hasAddressCriteria(rule.source)) setRule.appliesToLocal = (local) => entityAddressMatches(rule.source, sideOf(local));
    if (rule.description !== undefined) setRule.description = rule.description;
    return setRule;
  });
}

/** `first/prefix` of an aligned range (ranges here come from CIDRs). */
export function rangeToCidr(range: IpRange): string {
  const size = range.last - range.first + 1n;
  let hostBits = 0;
  while (1n << BigInt(hostBits) < size) hostBits++;
  return `${formatIp(range.family, range.first)}/${(range.family === 4 ? 32 : 128) - hostBits}`;
}

function entityCidrs(entity: EntityMatch): string[] {
  return [...(entity.nets ?? []), ...(entity.notNets ?? [])].map(rangeToCidr);
}

/** CIDRs that cut the external address space for one direction: the peer side's nets and notNets. */
export function peerCidrs(direction: Direction, rules: readonly ResolvedRule[]): string[] {
  return rules.flatMap((rule) => entityCidrs(direction === "ingress" ? rule.source : rule.destination));
}

/** CIDRs the local side of the rules names: an ingress rule's destination, an egress rule's source. */
export function localCidrs(ingress: readonly ResolvedRule[], egress: readonly ResolvedRule[]): string[] {
  return [...ingress.flatMap((rule) => entityCidrs(rule.destination)), ...egress.flatMap((rule) => entityCidrs(rule.source))];
}
