/**
 * A reading of a dataplane plan packet by packet, as the rendered iptables rules act on it
 * (hash:net's most specific entry decides membership, `nomatch` excludes), so the plan
 * can be held against the model's own evaluation without a kernel; the kernel tests hold
 * the rendered rules against the same model.
 */
import { parseCidr, parseIp } from "../../../src/network/cidr.js";
import type { Protocol } from "../../../src/network/model.js";
import type { AddressSet, DataplanePlan, SidePlan } from "../../../src/network/dataplane/plan.js";

export function isMember(set: AddressSet, ipText: string): boolean {
  if (set.any) return true;
  const ip = parseIp(ipText)!;
  let best: { size: bigint; except: boolean } | undefined;
  for (const entry of set.entries) {
    const range = parseCidr(entry.cidr)!;
    if (range.family !== ip.family || ip.value < range.first || ip.value > range.last) continue;
    const size = range.last - range.first;
    if (!best || size < best.size) best = { size, except: entry.except === true };
  }
  return best !== undefined && !best.except;
}

/** Whether one side lets a packet through: its peer is the other end's address; `sourcePort` is the port it comes from. */
export function sideAllows(side: SidePlan, peerIp: string, protocol: Protocol, port: number | undefined, sourcePort?: number): boolean {
  for (const tier of side.tiers) {
    let passed = false;
    for (const rule of tier.rules) {
      if (rule.action === "Log" || !isMember(rule.peers, peerIp) || !rule.connections.has(protocol, port, undefined, sourcePort)) continue;
      if (rule.action === "Allow") return true;
      if (rule.action === "Deny") return false;
      passed = true;
      break;
    }
    if (!passed && tier.dropAtEnd) return false;
  }
  return true;
}

/** A packet between two addresses, each a local endpoint's (by `ipOf`) or not. */
export function planAllows(plan: DataplanePlan, interfaceOfIp: (ip: string) => string | undefined, src: string, dst: string, protocol: Protocol, port?: number, sourcePort?: number): boolean {
  const from = plan.endpoints.find((e) => e.interfaceName === interfaceOfIp(src));
  const to = plan.endpoints.find((e) => e.interfaceName === interfaceOfIp(dst));
  if (from && !sideAllows(from.egress, dst, protocol, port, sourcePort)) return false;
  if (to && !sideAllows(to.ingress, src, protocol, port, sourcePort)) return false;
  return true;
}
