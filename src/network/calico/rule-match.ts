/**
 * Felix's rule match, on resolved rules: every criterion a rule names must hold (they are
 * ANDed), and the values inside one criterion are alternatives (ORed). Selectors arrive
 * here already resolved to membership tests (Felix's IP sets), so this module knows
 * neither Kubernetes nor v3 objects, and the conformance tables of Felix's policy program
 * can drive it directly.
 */
import { parseCidr, parseIp, rangeIndexOf, type IpFamily, type IpRange } from "../cidr.js";
import type { Endpoint } from "../model.js";
import { icmpFamily } from "../portless.js";
import { protocolNumber, type PortProtocol } from "../ports.js";

/** One side (source or destination) of a packet on the wire. */
export interface WireSide {
  /** The address on the wire; undefined when the manifests do not say (a pod without a known IP). */
  ip?: { family: IpFamily; value: bigint };
  port?: number;
  /** The endpoint the address belongs to, when known: lets selectors match by labels. */
  endpoint?: Endpoint;
}

export interface WirePacket {
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  protocol: number;
  family?: IpFamily;
  src: WireSide;
  dst: WireSide;
  /** ICMP type and code; a packet built without them carries 0 and 0, as upstream's tests do. */
  icmpType: number;
  icmpCode: number;
}

/** Felix's IP-set membership, for selectors: does this side belong to the set? */
export type SideMembership = (side: WireSide) => boolean;

/** Felix's named-port IP set: does (address, protocol, port) of this side belong to it? */
export type NamedPortMembership = (side: WireSide, protocol: number) => boolean;

/** One (protocol, port) of an endpoint in an (IP, protocol, port) set. */
export interface EndpointPort {
  protocol: PortProtocol;
  port: number;
}

/**
 * Felix's (IP, protocol, port) set of a Service's endpoints (`destination.services`): the
 * ports at which this side is in it; none when the side is not one of the endpoints.
 */
export interface EndpointPortSet {
  portsAt(side: WireSide): EndpointPort[];
}

export interface PortRange {
  min: number;
  max: number;
}

export interface EntityMatch {
  nets?: IpRange[];
  notNets?: IpRange[];
  ports?: PortRange[];
  notPorts?: PortRange[];
  /** Named ports in `ports`: alternatives to the numeric ranges. */
  namedPorts?: NamedPortMembership[];
  /** Named ports in `notPorts`. */
  notNamedPorts?: NamedPortMembership[];
  /** Every membership must hold (Felix ANDs a rule's IP sets). */
  selectors?: SideMembership[];
  /** None may hold. */
  notSelectors?: SideMembership[];
  /** The side's address, protocol and port must be in the set; it replaces ports (Calico's validator forbids both). */
  endpointPorts?: EndpointPortSet;
}

export interface IcmpMatch {
  type: number;
  code?: number;
}

export type RuleAction = "Allow" | "Deny" | "Pass" | "Log";

export interface ResolvedRule {
  action: RuleAction;
  /** The one IP family the rule is programmed in: its own, or what its protocol or CIDRs imply (compile.ts). */
  ipVersion?: IpFamily;
  /** Programmed in neither family: its protocol implies one IP version and its CIDRs the other. */
  neverMatches?: true;
  protocol?: number;
  notProtocol?: number;
  icmp?: IcmpMatch;
  notICMP?: IcmpMatch;
  source: EntityMatch;
  destination: EntityMatch;
  /** For explain: e.g. `ingress[2]`. */
  description?: string;
}

const ICMP_PROTOCOLS = new Set([1, 58]);

function inAny(ranges: readonly IpRange[], ip: WireSide["ip"]): boolean {
  return ip !== undefined && rangeIndexOf(ranges).has(ip);
}

function portIn(ranges: readonly PortRange[], port: number): boolean {
  return ranges.some((range) => port >= range.min && port <= range.max);
}

/** Ports and named ports are alternatives; a packet without ports never matches port criteria. */
function portsMatch(entity: EntityMatch, side: WireSide, protocol: number): boolean {
  if (entity.endpointPorts) {
    const port = side.port;
    if (port === undefined || !entity.endpointPorts.portsAt(side).some((p) => p.port === port && protocolNumber(p.protocol) === protocol)) return false;
  }
  const ranges = entity.ports ?? [];
  const named = entity.namedPorts ?? [];
  if (ranges.length > 0 || named.length > 0) {
    if (side.port === undefined) return false;
    if (!portIn(ranges, side.port) && !named.some((member) => member(side, protocol))) return false;
  }
  const notRanges = entity.notPorts ?? [];
  const notNamed = entity.notNamedPorts ?? [];
  if (notRanges.length > 0 || notNamed.length > 0) {
    if (side.port === undefined) return false;
    if (portIn(notRanges, side.port) || notNamed.some((member) => member(side, protocol))) return false;
  }
  return true;
}

/** The address criteria of an entity (nets, notNets, selectors, notSelectors), ports aside. */
export function entityAddressMatches(entity: EntityMatch, side: WireSide): boolean {
  if (entity.nets && entity.nets.length > 0 && !inAny(entity.nets, side.ip)) return false;
  if (entity.notNets && entity.notNets.length > 0 && inAny(entity.notNets, side.ip)) return false;
  if (entity.selectors && !entity.selectors.every((member) => member(side))) return false;
  if (entity.notSelectors && entity.notSelectors.some((member) => member(side))) return false;
  if (entity.endpointPorts && entity.endpointPorts.portsAt(side).length === 0) return false;
  return true;
}

function entityMatches(entity: EntityMatch, side: WireSide, protocol: number): boolean {
  return entityAddressMatches(entity, side) && portsMatch(entity, side, protocol);
}

function carriesIcmpTypes(packet: WirePacket): boolean {
  if (!ICMP_PROTOCOLS.has(packet.protocol)) return false;
  return packet.family === undefined || icmpFamily(packet.protocol) === packet.family;
}

function icmpMatches(match: IcmpMatch, packet: WirePacket): boolean {
  return packet.icmpType === match.type && (match.code === undefined || packet.icmpCode === match.code);
}

/** Whether `rule` matches `packet` (the action is the caller's business). */
export function ruleMatches(rule: ResolvedRule, packet: WirePacket): boolean {
  if (rule.neverMatches) return false;
  if (rule.ipVersion !== undefined && packet.family !== undefined && rule.ipVersion !== packet.family) return false;
  if (rule.protocol !== undefined && packet.protocol !== rule.protocol) return false;
  if (rule.notProtocol !== undefined && packet.protocol === rule.notProtocol) return false;
  // ICMP criteria only ever match ICMP packets, whatever protocol the rule names, and only
  // the family's own ICMP: the kernel reads ICMP types in IPv4 and ICMPv6 types in IPv6.
  if ((rule.icmp || rule.notICMP) && !carriesIcmpTypes(packet)) return false;
  if (rule.icmp && !icmpMatches(rule.icmp, packet)) return false;
  if (rule.notICMP && icmpMatches(rule.notICMP, packet)) return false;
  return entityMatches(rule.source, packet.src, packet.protocol) && entityMatches(rule.destination, packet.dst, packet.protocol);
}

/** Parse CIDRs for a rule; an address without a mask is a host route, as Calico accepts. */
export function parseNets(nets: readonly string[]): { ranges: IpRange[]; invalid: string[] } {
  const ranges: IpRange[] = [];
  const invalid: string[] = [];
  for (const net of nets) {
    const range = parseNet(net);
    if (range) ranges.push(range);
    else invalid.push(net);
  }
  return { ranges, invalid };
}

export function parseNet(net: string): IpRange | undefined {
  if (net.includes("/")) return parseCidr(net);
  const ip = parseIp(net);
  return ip ? { family: ip.family, first: ip.value, last: ip.value } : undefined;
}

export { parseIp };
