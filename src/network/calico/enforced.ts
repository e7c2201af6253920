/**
 * A Calico policy as the shared model's EnforcedPolicy: rules of each direction in order,
 * the first Allow, Deny or Pass decides, Log records and goes on, and no match leaves the
 * decision to the tier (its end-of-tier action).
 *
 * Calico matches on more of the packet than the shared Packet carries, so it also reads
 * these optional fields when a caller sets them (see CalicoPacket): `srcIp` / `dstIp` (the
 * addresses on the wire; otherwise a pod's first IP, or an external endpoint's IP). It is
 * also the only reader of Packet's `srcPort` (for `source.ports`).
 */
import { parseIp, type IpFamily } from "../cidr.js";
import type { Direction, EnforcedPolicy, Endpoint, Packet, RuleVerdict, SetRule } from "../model.js";
import { icmpFamily } from "../portless.js";
import { protocolNumber } from "../ports.js";
import { ruleMatches, type ResolvedRule, type WirePacket, type WireSide } from "./rule-match.js";
import { localCidrs, peerCidrs, toSetRules } from "./set-rules.js";

export interface CalicoPacket extends Packet {
  srcIp?: string;
  dstIp?: string;
}

function endpointAddress(endpoint: Endpoint, family: IpFamily | undefined): string | undefined {
  if (endpoint.kind === "external") return endpoint.ip;
  const parsed = endpoint.ips.map((ip) => ({ ip, parsed: parseIp(ip) }));
  return (parsed.find((p) => family === undefined || p.parsed?.family === family) ?? parsed[0])?.ip;
}

/**
 * One packet is evaluated by every policy of every tier, so its wire form is cached; the
 * fields it was built from are kept with it, so a caller that reuses and changes a packet
 * object never gets a stale answer.
 */
const wireCache = new WeakMap<Packet, { wire: WirePacket; from: unknown[] }>();

function fieldsOf(packet: CalicoPacket): unknown[] {
  return [packet.src, packet.dst, packet.protocol, packet.port, packet.srcPort, packet.srcIp, packet.dstIp, packet.icmp?.type, packet.icmp?.code];
}

/** The packet as Felix sees it: protocol number, addresses, ports, ICMP type/code. */
export function toWirePacket(packet: Packet): WirePacket {
  const calico = packet as CalicoPacket;
  const from = fieldsOf(calico);
  const cached = wireCache.get(packet);
  if (cached && cached.from.every((value, i) => value === from[i])) return cached.wire;
  const explicitSrc = calico.srcIp !== undefined ? parseIp(calico.srcIp) : undefined;
  const explicitDst = calico.dstIp !== undefined ? parseIp(calico.dstIp) : undefined;
  // Without addresses given, a dual-stack pod's are chosen in the family the protocol implies: ICMPv6 is IPv6.
  const hint = explicitSrc?.family ?? explicitDst?.family ?? icmpFamily(protocolNumber(packet.protocol));
  const srcText = calico.srcIp ?? endpointAddress(packet.src, hint);
  const src = explicitSrc ?? (srcText !== undefined ? parseIp(srcText) : undefined);
  const dstText = calico.dstIp ?? endpointAddress(packet.dst, src?.family ?? hint);
  const dst = explicitDst ?? (dstText !== undefined ? parseIp(dstText) : undefined);
  const side = (ip: WireSide["ip"], port: number | undefined, endpoint: Endpoint): WireSide => {
    const out: WireSide = { endpoint };
    if (ip) out.ip = ip;
    if (port !== undefined) out.port = port;
    return out;
  };
  const wire: WirePacket = {
    protocol: protocolNumber(packet.protocol),
    src: side(src, calico.srcPort, packet.src),
    dst: side(dst, packet.port, packet.dst),
    icmpType: packet.icmp?.type ?? 0,
    icmpCode: packet.icmp?.code ?? 0,
  };
  const family = src?.family ?? dst?.family;
  if (family !== undefined) wire.family = family;
  wireCache.set(packet, { wire, from });
  return wire;
}

/** The first deciding rule of `rules` for `packet`, or NoMatch. Log never decides. */
export function evaluateRules(rules: readonly ResolvedRule[], packet: WirePacket): RuleVerdict {
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index] as ResolvedRule;
    if (rule.action === "Log" || !ruleMatches(rule, packet)) continue;
    const verdict: RuleVerdict = { action: rule.action, ruleIndex: index };
    if (rule.description !== undefined) verdict.ruleDescription = rule.description;
    return verdict;
  }
  return { action: "NoMatch" };
}

/** What a compiled Calico policy is made of: the model's identity fields plus its resolved rules. */
export interface CalicoPolicyParts extends Pick<EnforcedPolicy, "id" | "kind" | "namespace" | "name" | "tieBreak" | "tier" | "order" | "staged" | "directions" | "selects"> {
  ingress: readonly ResolvedRule[];
  egress: readonly ResolvedRule[];
  /** More CIDRs that tell external peers apart (the nets of network sets selectors can match). */
  extraCidrs?: readonly string[];
  /** Addresses of Services' EndpointSlices a rule of that direction names, as one-address CIDRs. */
  serviceCidrs?: Readonly<Partial<Record<Direction, readonly string[]>>>;
}

export function enforcedPolicy(parts: CalicoPolicyParts): EnforcedPolicy {
  const setRules: Partial<Record<Direction, SetRule[]>> = {};
  const policy: EnforcedPolicy = {
    id: parts.id,
    kind: parts.kind,
    name: parts.name,
    tier: parts.tier,
    order: parts.order,
    staged: parts.staged,
    directions: parts.directions,
    selects: parts.selects,
    evaluate: (direction, packet) => evaluateRules(direction === "ingress" ? parts.ingress : parts.egress, toWirePacket(packet)),
    // Set forms for the matrix are built on first use: explain never pays for them.
    rules: (direction) => (setRules[direction] ??= toSetRules(direction, direction === "ingress" ? parts.ingress : parts.egress)),
    cidrs: (direction) => [...peerCidrs(direction, direction === "ingress" ? parts.ingress : parts.egress), ...(parts.extraCidrs ?? []), ...(parts.serviceCidrs?.[direction] ?? [])],
    localCidrs: () => localCidrs(parts.ingress, parts.egress),
  };
  if (parts.namespace !== undefined) policy.namespace = parts.namespace;
  if (parts.tieBreak !== undefined) policy.tieBreak = parts.tieBreak;
  return policy;
}
