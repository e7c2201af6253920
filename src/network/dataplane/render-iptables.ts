/**
 * A dataplane plan as `ipset restore` and `iptables-restore --noflush` input, shaped like
 * Felix's: a chain hooked from FORWARD accepts established flows, sends a packet through
 * the egress chain of the workload it comes from and the ingress chain of the workload it
 * goes to, each a walk over tier chains, and accepts what both let through. Allow and Pass
 * set a mark bit and return from the tier chain, as Felix does, so that a Pass can hand
 * the packet to the next tier. This module knows iptables and nothing of Kubernetes.
 */
import { createHash } from "node:crypto";
import { printable } from "../../report/printable.js";
import { PORT_PROTOCOLS, MAX_PORT, MIN_PORT, type PortProtocol } from "../ports.js";
import type { AddressSet, DataplanePlan, EndpointPlan, PlanRule, SidePlan, TierPlan } from "./plan.js";
import { portlessMatches } from "./render-portless.js";

/** Mark bits Palisade owns: a tier allowed, a tier passed, and "not TCP, UDP or SCTP" (every port-less packet). */
export const MARKS = { allow: 0x10000, pass: 0x20000, portless: 0x40000 } as const;
const ALL_MARKS = MARKS.allow | MARKS.pass | MARKS.portless;
const DECIDED = MARKS.allow | MARKS.pass;

export const HOOK_CHAIN = "PAL-FORWARD";
export const CHAIN_PREFIX = "PAL-";
export const SET_PREFIX = "pal";

export interface RenderedRules {
  /** `ipset restore` input: every set the rules match on, created if missing and refilled. */
  ipset: string;
  /** `iptables-restore --noflush` (or ip6tables-restore) input for the filter table. */
  iptables: string;
  /** The chain FORWARD must jump to; the rules do not add the jump, so applying twice adds nothing. */
  hookChain: string;
  /** Every chain the rules declare: an earlier run's chain not among them is stale. */
  chains: string[];
  /** Every set the rules match on, likewise. */
  sets: string[];
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const setMark = (bits: number, mask: number): string => `-j MARK --set-xmark ${hex(bits)}/${hex(mask)}`;

function digest(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * iptables-restore reads a quoted comment up to the next quote and a line up to its end, and
 * a comment holds at most 256 bytes: controls are written as escapes, then quotes and
 * backslashes dropped.
 */
function comment(text: string): string {
  let clean = "";
  let bytes = 0;
  for (const char of printable(text).replace(/["\\]/g, "")) {
    bytes += Buffer.byteLength(char);
    if (bytes > 255) break;
    clean += char;
  }
  return `-m comment --comment "${clean}"`;
}

/** multiport takes at most 15 ports per rule, a range counting as two. */
function multiportGroups(ranges: readonly [number, number][]): string[] {
  const groups: string[] = [];
  let current: string[] = [];
  let used = 0;
  for (const [lo, hi] of ranges) {
    const cost = lo === hi ? 1 : 2;
    if (used + cost > 15) {
      groups.push(current.join(","));
      current = [];
      used = 0;
    }
    current.push(lo === hi ? `${lo}` : `${lo}:${hi}`);
    used += cost;
  }
  if (current.length > 0) groups.push(current.join(","));
  return groups;
}

function isEveryPort(ranges: readonly [number, number][]): boolean {
  return ranges.length === 1 && ranges[0]![0] === MIN_PORT && ranges[0]![1] === MAX_PORT;
}

/** The protocol and port matches a rule's connections need, one string per iptables rule. */
function connectionMatches(rule: PlanRule, family: 4 | 6): string[] {
  if (rule.connections.isAll()) return [""];
  const out: string[] = [];
  for (const protocol of PORT_PROTOCOLS) {
    const name = protocol.toLowerCase() as Lowercase<PortProtocol>;
    // Calico rules on source ports hold different destination ports from different source ports.
    for (const { sources, ports } of rule.connections.sourcePortGroups(protocol)) {
      const sourceMatches = sources ? multiportGroups(sources).map((group) => ` -m multiport --sports ${group}`) : [""];
      const destinationMatches = isEveryPort(ports) ? [""] : multiportGroups(ports).map((group) => ` -m multiport --dports ${group}`);
      for (const source of sourceMatches) for (const destination of destinationMatches) out.push(`-p ${name}${source}${destination}`);
    }
  }
  out.push(...portlessMatches(rule.connections, family, `-m mark --mark ${hex(MARKS.portless)}/${hex(MARKS.portless)}`));
  return out;
}

class SetRegistry {
  readonly lines: string[] = [];
  private readonly byContent = new Map<string, string>();

  constructor(readonly family: 4 | 6) {}

  names(): Iterable<string> {
    return this.byContent.values();
  }

  /** The name of a set holding `peers`, declared once per distinct content. */
  nameFor(peers: Exclude<AddressSet, { any: true }>): string {
    // hash:net holds no /0: the whole family is two halves.
    const entries = peers.entries.flatMap((e) => (e.cidr.endsWith("/0") ? (this.family === 4 ? ["0.0.0.0/1", "128.0.0.0/1"] : ["::/1", "8000::/1"]).map((cidr) => ({ ...e, cidr })) : [e]));
    const lines = entries.map((e) => `${e.cidr}${e.except ? " nomatch" : ""}`).sort();
    const key = lines.join("\n");
    const known = this.byContent.get(key);
    if (known) return known;
    const name = `${SET_PREFIX}${this.family}-${digest(key, 12)}`;
    this.byContent.set(key, name);
    const maxelem = Math.max(65536, lines.length);
    this.lines.push(`create ${name} hash:net family ${this.family === 4 ? "inet" : "inet6"} maxelem ${maxelem} -exist`, `flush ${name}`, ...lines.map((l) => `add ${name} ${l}`));
    return name;
  }
}

function peerMatches(rule: PlanRule, direction: "src" | "dst", sets: SetRegistry): string | undefined {
  if (rule.peers.any) return "";
  if (rule.peers.entries.length === 0) return undefined;
  return `-m set --match-set ${sets.nameFor(rule.peers)} ${direction}`;
}

function actionOf(rule: PlanRule): string {
  switch (rule.action) {
    case "Allow":
      return setMark(MARKS.allow, MARKS.allow);
    case "Pass":
      return setMark(MARKS.pass, MARKS.pass);
    case "Deny":
      return "-j DROP";
    case "Log":
      return `-j LOG --log-prefix "palisade: "`;
  }
}

function tierChain(chain: string, tier: TierPlan, direction: "src" | "dst", sets: SetRegistry): string[] {
  const lines: string[] = [];
  for (const rule of tier.rules) {
    const peer = peerMatches(rule, direction, sets);
    if (peer === undefined) continue;
    const action = actionOf(rule);
    for (const ports of connectionMatches(rule, sets.family)) lines.push(["-A", chain, peer, ports, comment(rule.origin), action].filter((p) => p !== "").join(" "));
    if (rule.action === "Allow" || rule.action === "Pass") lines.push(`-A ${chain} -m mark ! --mark 0x0/${hex(DECIDED)} -j RETURN`);
  }
  if (tier.dropAtEnd) lines.push(`-A ${chain} ${comment(`tier ${tier.name}: nothing decided for a selected endpoint`)} -j DROP`);
  return lines;
}

function sideChains(name: string, side: SidePlan, direction: "src" | "dst", sets: SetRegistry): { chains: string[]; lines: string[] } {
  const chains = [name];
  const lines: string[] = [];
  side.tiers.forEach((tier, k) => {
    const chain = `${name}-${k}`;
    chains.push(chain);
    lines.push(`-A ${name} ${setMark(0, DECIDED)}`, `-A ${name} ${comment(`tier ${tier.name}`)} -j ${chain}`, `-A ${name} -m mark --mark ${hex(MARKS.allow)}/${hex(MARKS.allow)} -j RETURN`);
    lines.push(...tierChain(chain, tier, direction, sets));
  });
  return { chains, lines };
}

/** Chain names are at most 28 characters: a digest of the interface stands for it. */
function endpointChains(endpoint: EndpointPlan): { from: string; to: string } {
  const id = digest(endpoint.interfaceName, 10);
  return { from: `PAL-FW-${id}`, to: `PAL-TW-${id}` };
}

export function renderIptables(plan: DataplanePlan): RenderedRules {
  const sets = new SetRegistry(plan.family);
  const chains = [HOOK_CHAIN, "PAL-FROM-WL", "PAL-TO-WL"];
  const body: string[] = [
    `-A ${HOOK_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A ${HOOK_CHAIN} -m conntrack --ctstate INVALID -j DROP`,
    `-A ${HOOK_CHAIN} ${setMark(MARKS.portless, ALL_MARKS)}`,
    ...PORT_PROTOCOLS.map((p) => `-A ${HOOK_CHAIN} -p ${p.toLowerCase()} ${setMark(0, MARKS.portless)}`),
    `-A ${HOOK_CHAIN} -j PAL-FROM-WL`,
    `-A ${HOOK_CHAIN} -j PAL-TO-WL`,
  ];
  const interfaces = plan.interfacePrefix !== undefined ? [`${plan.interfacePrefix}+`] : plan.endpoints.map((e) => e.interfaceName);
  for (const iface of interfaces) body.push(`-A ${HOOK_CHAIN} -i ${iface} -j ACCEPT`, `-A ${HOOK_CHAIN} -o ${iface} -j ACCEPT`);
  for (const endpoint of plan.endpoints) {
    const names = endpointChains(endpoint);
    body.push(`-A PAL-FROM-WL -i ${endpoint.interfaceName} ${comment(`${endpoint.pod} egress`)} -g ${names.from}`);
    body.push(`-A PAL-TO-WL -o ${endpoint.interfaceName} ${comment(`${endpoint.pod} ingress`)} -g ${names.to}`);
  }
  if (plan.interfacePrefix !== undefined) {
    body.push(`-A PAL-FROM-WL -i ${plan.interfacePrefix}+ ${comment("unknown workload interface")} -j DROP`);
    body.push(`-A PAL-TO-WL -o ${plan.interfacePrefix}+ ${comment("unknown workload interface")} -j DROP`);
  }
  for (const endpoint of plan.endpoints) {
    const names = endpointChains(endpoint);
    for (const [name, side, direction] of [[names.from, endpoint.egress, "dst"], [names.to, endpoint.ingress, "src"]] as const) {
      const rendered = sideChains(name, side, direction, sets);
      chains.push(...rendered.chains);
      body.push(...rendered.lines);
    }
  }
  const iptables = ["*filter", ...chains.map((c) => `:${c} - [0:0]`), ...body, "COMMIT", ""].join("\n");
  return { ipset: sets.lines.length > 0 ? sets.lines.join("\n") + "\n" : "", iptables, hookChain: HOOK_CHAIN, chains, sets: [...sets.names()] };
}
