/**
 * `netpol explain`: the verdict for one connection and, for each side, what decided it —
 * the tier, policy and rule, the end-of-tier drop, or that no policy selects the pod.
 */
import { connectionsBetween } from "./connectivity.js";
import { evaluateConnection, type SideDecision } from "./evaluate.js";
import { HOST_NETWORK_NOTE } from "./host-network.js";
import type { Endpoint, Packet, Protocol, Tier } from "./model.js";
import { endpointKey } from "./model.js";
import { PortSet, type PortProtocol } from "./ports.js";
import { MAX_SOURCE_PORT, MIN_SOURCE_PORT } from "./source-bands.js";

export interface ExplainedSide {
  direction: "egress" | "ingress";
  endpoint: string;
  allowed: boolean;
  reason: SideDecision["reason"];
  tier?: string;
  policy?: string;
  ruleIndex?: number;
  rule?: string;
  passedBy: string[];
  selectedBy: string[];
  /** Equal-priority policies that would decide otherwise: the verdict depends on their undefined order. */
  tiedWith?: { policy: string; action: "Allow" | "Deny" | "Pass" }[];
  /** One sentence a person can read. */
  summary: string;
  /**
   * Where what decided is written, `file:line:column`: the deciding rule; for an end-of-tier
   * drop, each policy of the tier that selected the endpoint. Set when the caller can locate policies.
   */
  at?: string[];
}

/** Where a policy (or one of its rules) is written, as `file:line:column`; undefined when unknown. */
export type PolicyLocator = (policyId: string, rule?: { direction: "ingress" | "egress"; index: number }) => string | undefined;

export interface Explanation {
  from: string;
  to: string;
  protocol: Protocol;
  port?: number;
  /** The ICMP (or ICMPv6) message asked about. */
  icmp?: { type: number; code: number };
  /** The source port asked about; without it, rules that match source ports do not match. */
  sourcePort?: number;
  /**
   * Asked without a source port: the source ports from which the verdict is the other one
   * (Calico rules on source ports), as inclusive ranges. Absent when every source port
   * gets the verdict given.
   */
  otherwiseFromSourcePorts?: [number, number][];
  allowed: boolean;
  /** Set when a side's verdict rests on AdminNetworkPolicies of equal priority (see ExplainedSide.tiedWith). */
  dependsOnTie?: true;
  egress: ExplainedSide;
  ingress: ExplainedSide;
}

export function describeEndpoint(ep: Endpoint): string {
  return ep.kind === "pod" ? `${endpointKey(ep)}${ep.workload ? `[${ep.workload.split("/")[0]}]` : ""}` : ep.ip;
}

function summarize(side: SideDecision, who: string, peer: Endpoint): string {
  const tie = side.tiedWith && side.tiedWith.length > 0 ? `; the verdict depends on a priority tie: ${side.tiedWith.map((t) => `${t.policy} has the same priority and would ${t.action === "Pass" ? "pass" : t.action.toLowerCase()}`).join(", ")}, and equal priorities run in an undefined order` : "";
  // A selector never matches a hostNetwork peer, which is the likely surprise behind a denial;
  // and traffic between a pod and its own node is always allowed, whatever the policies say.
  const hostPeer = !side.allowed && peer.kind === "pod" && peer.hostNetwork ? ` (${endpointKey(peer)} uses hostNetwork: selectors never match it, only an ipBlock of its node's address does; between a pod and the node it runs on traffic is always allowed, so this holds for pods on other nodes)` : "";
  return decisionText(side, who) + hostPeer + tie;
}

function decisionText(side: SideDecision, who: string): string {
  const what = side.direction === "egress" ? "egress from" : "ingress to";
  const passed = side.passedBy.length > 0 ? ` (passed on by ${side.passedBy.join(", ")})` : "";
  switch (side.reason) {
    case "self":
      return `a pod always reaches itself`;
    case "host-network":
      return `allowed: ${who} uses hostNetwork; ${HOST_NETWORK_NOTE}, so no policy applies to ${side.direction} ${side.direction === "egress" ? "from" : "to"} it`;
    case "external":
      return `${who} is outside the cluster: no policy applies to ${what} it`;
    case "rule":
      return `${side.allowed ? "allowed" : "denied"} by ${side.policy} ${side.ruleDescription ?? `rule ${side.ruleIndex ?? "?"}`} (tier ${side.tier})${passed}`;
    case "end-of-tier": {
      const inTier = side.selectedInTier ?? side.selectedBy;
      return `denied: ${inTier.join(", ")} select${inTier.length === 1 ? "s" : ""} ${who} for ${side.direction} and no rule allows this connection (tier ${side.tier} drops at its end)${passed}`;
    }
    case "no-policy":
      return side.selectedBy.length === 0
        ? `allowed: no policy selects ${who} for ${side.direction}`
        : `allowed: no policy decided (${side.selectedBy.join(", ")} matched no rule and their tiers do not drop)${passed}`;
  }
}

function locationsOf(side: SideDecision, locate: PolicyLocator | undefined): string[] {
  if (!locate) return [];
  if (side.reason === "rule" && side.policy !== undefined) {
    const at = locate(side.policy, side.ruleIndex === undefined ? undefined : { direction: side.direction, index: side.ruleIndex });
    return at === undefined ? [] : [at];
  }
  if (side.reason === "end-of-tier") return (side.selectedInTier ?? side.selectedBy).map((id) => locate(id)).filter((at): at is string => at !== undefined);
  return [];
}

function explainSide(side: SideDecision, endpoint: Endpoint, peer: Endpoint, locate?: PolicyLocator): ExplainedSide {
  const who = describeEndpoint(endpoint);
  const out: ExplainedSide = {
    direction: side.direction,
    endpoint: who,
    allowed: side.allowed,
    reason: side.reason,
    passedBy: side.passedBy,
    selectedBy: side.selectedBy,
    summary: summarize(side, who, peer),
  };
  if (side.tiedWith) out.tiedWith = side.tiedWith;
  if (side.tier !== undefined) out.tier = side.tier;
  if (side.policy !== undefined) out.policy = side.policy;
  if (side.ruleIndex !== undefined) out.ruleIndex = side.ruleIndex;
  if (side.ruleDescription !== undefined) out.rule = side.ruleDescription;
  const at = locationsOf(side, locate);
  if (at.length > 0) out.at = at;
  return out;
}

/** What else tells the connection apart: the ICMP message, or the source port (which only Calico rules read). */
export interface ConnectionDetails {
  icmp?: { type: number; code: number };
  sourcePort?: number;
}

export function explainConnection(tiers: readonly Tier[], src: Endpoint, dst: Endpoint, protocol: Protocol, port?: number, locate?: PolicyLocator, details: ConnectionDetails = {}): Explanation {
  const { icmp, sourcePort } = details;
  const packet: Packet = port === undefined ? { src, dst, protocol } : { src, dst, protocol, port };
  if (icmp) packet.icmp = icmp;
  if (sourcePort !== undefined) packet.srcPort = sourcePort;
  const decision = evaluateConnection(tiers, packet);
  const out: Explanation = {
    from: describeEndpoint(src),
    to: describeEndpoint(dst),
    protocol,
    allowed: decision.allowed,
    egress: explainSide(decision.egress, src, dst, locate),
    ingress: explainSide(decision.ingress, dst, src, locate),
  };
  if (port !== undefined) out.port = port;
  if (icmp) out.icmp = icmp;
  if (sourcePort !== undefined) out.sourcePort = sourcePort;
  if (out.egress.tiedWith || out.ingress.tiedWith) out.dependsOnTie = true;
  if (sourcePort === undefined && port !== undefined && (protocol === "TCP" || protocol === "UDP" || protocol === "SCTP")) {
    const otherwise = sourcePortsDeciding(connectionsBetween(tiers, src, dst), protocol, port, !decision.allowed);
    if (otherwise.length > 0) out.otherwiseFromSourcePorts = otherwise;
  }
  return out;
}

/** The source ports from which `port` is allowed (or, with `allowed` false, denied), as the set engine holds them. */
function sourcePortsDeciding(set: PortSet, protocol: PortProtocol, port: number, allowed: boolean): [number, number][] {
  let holding = PortSet.none;
  for (const group of set.sourcePortGroups(protocol)) {
    if (!group.ports.some(([lo, hi]) => port >= lo && port <= hi)) continue;
    for (const [lo, hi] of group.sources ?? [[MIN_SOURCE_PORT, MAX_SOURCE_PORT]]) holding = holding.union(PortSet.fromSourcePorts(protocol, lo, hi));
  }
  const wanted = allowed ? holding : PortSet.protocol(protocol).subtract(holding);
  if (wanted.isEmpty()) return [];
  return wanted.sourcePortGroups(protocol).flatMap((group) => group.sources ?? [[MIN_SOURCE_PORT, MAX_SOURCE_PORT]]);
}

export function renderExplanation(e: Explanation): string {
  const target = e.port !== undefined ? `${e.port}/${e.protocol}${e.sourcePort !== undefined ? ` from source port ${e.sourcePort}` : ""}` : e.icmp ? `${e.protocol} type ${e.icmp.type} code ${e.icmp.code}` : typeof e.protocol === "number" ? `protocol ${e.protocol}` : e.protocol;
  return [
    `${e.from} -> ${e.to} on ${target}: ${e.allowed ? "ALLOWED" : "DENIED"}${e.dependsOnTie ? " (depends on a priority tie: undefined)" : ""}`,
    `  egress  ${e.egress.allowed ? "allow" : "deny "}  ${e.egress.summary}${where(e.egress)}`,
    `  ingress ${e.ingress.allowed ? "allow" : "deny "}  ${e.ingress.summary}${where(e.ingress)}`,
    ...(e.otherwiseFromSourcePorts ? [`  from source port${e.otherwiseFromSourcePorts.length === 1 && e.otherwiseFromSourcePorts[0]![0] === e.otherwiseFromSourcePorts[0]![1] ? "" : "s"} ${e.otherwiseFromSourcePorts.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(", ")}: ${e.allowed ? "DENIED" : "ALLOWED"} (Calico rules on source ports; --source-port asks about one)`] : []),
    "",
  ].join("\n");
}

function where(side: ExplainedSide): string {
  return side.at && side.at.length > 0 ? `\n           at ${side.at.join(", ")}` : "";
}
