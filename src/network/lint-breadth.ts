/**
 * How broad a NetworkPolicy rule's peers are, for overly-broad-allow. Three degrees differ in
 * what they open: any address at all (no peers, or an ipBlock of the whole address space),
 * every pod of the cluster (namespaceSelector {}: no address outside the cluster matches it),
 * and anything narrower, which is not reported.
 */
import type { Severity } from "../findings/types.js";
import { parseCidr } from "./cidr.js";
import type { Direction } from "./model.js";
import type { NetworkPolicyPeer, NetworkPolicyPort } from "./networkpolicy/types.js";

function isEmptySelector(selector: { matchLabels?: unknown; matchExpressions?: unknown[] | null }): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

function isWholeAddressSpace(peer: NetworkPolicyPeer): boolean {
  if (!peer.ipBlock) return false;
  const range = parseCidr(peer.ipBlock.cidr);
  return range !== undefined && range.first === 0n && (peer.ipBlock.except ?? []).length === 0 && (range.family === 4 ? range.last === 0xffffffffn : range.last === (1n << 128n) - 1n);
}

function isEveryPod(peer: NetworkPolicyPeer): boolean {
  return !peer.ipBlock && !!peer.namespaceSelector && isEmptySelector(peer.namespaceSelector) && (!peer.podSelector || isEmptySelector(peer.podSelector));
}

/**
 * Port 53 over UDP and TCP and nothing else: a pod resolving names, through whichever
 * resolver it is given (charts and guides allow it to any destination).
 */
function onlyDns(ports: readonly NetworkPolicyPort[]): boolean {
  return ports.length > 0 && ports.every((p) => p.port === 53 && (p.endPort === undefined || p.endPort === null || p.endPort === 53) && ((p.protocol ?? "TCP") === "UDP" || (p.protocol ?? "TCP") === "TCP"));
}

export interface Breadth {
  severity: Severity;
  /** What the rule allows, after "<policy> <direction> rule <i> ". */
  message: string;
}

/** The finding a rule's breadth deserves, or undefined when its peers are narrow. */
export function ruleBreadth(direction: Direction, peers: readonly NetworkPolicyPeer[], ports: readonly NetworkPolicyPort[]): Breadth | undefined {
  const anyAddress = peers.length === 0 || peers.some(isWholeAddressSpace);
  const everyPod = !anyAddress && peers.some(isEveryPod);
  if (!anyAddress && !everyPod) return undefined;
  const peer = anyAddress ? (direction === "ingress" ? "any source" : "any destination") : `any pod in the cluster (namespaceSelector {}; no address outside it)`;
  if (direction === "egress" && onlyDns(ports)) return { severity: "info", message: `allows only DNS (port 53) to ${peer}` };
  const allPorts = ports.length === 0;
  return { severity: anyAddress && allPorts ? "medium" : "low", message: `allows ${peer}${allPorts ? " on every port" : ""}` };
}
