/**
 * The set engine and the packet matcher agree on Calico's protocol criteria: random rules
 * over protocol, notProtocol, icmp, notICMP, destination ports and source ports (ports and
 * notPorts), in tiers with Pass, and random packets of both families (ICMP of either
 * number, protocol numbers, ports, source ports). Every packet's verdict from the set of
 * allowed connections must equal the matcher's.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { selectingPolicies, sideConnections } from "../../../src/network/connectivity.js";
import { evaluateSide } from "../../../src/network/evaluate.js";
import type { PodEndpoint, Tier } from "../../../src/network/model.js";
import { enforcedPolicy, type CalicoPacket } from "../../../src/network/calico/enforced.js";
import type { PortRange, ResolvedRule } from "../../../src/network/calico/rule-match.js";

const PROTOCOLS = [1, 6, 17, 47, 58, 132, 50] as const;
const TYPES = [0, 3, 8, 128] as const;
const PORTS = [80, 443, 8080] as const;
const SOURCE_PORTS = [0, 53, 80, 1024, 40000, 65535] as const;
const sourceRanges = fc.constantFrom<PortRange[][]>([{ min: 53, max: 53 }], [{ min: 0, max: 80 }], [{ min: 1024, max: 65535 }], [{ min: 53, max: 53 }, { min: 40000, max: 50000 }]);

const icmpMatch = fc.record({ type: fc.constantFrom(...TYPES), code: fc.option(fc.constantFrom(0, 1), { nil: undefined }) }).map(({ type, code }) => (code === undefined ? { type } : { type, code }));

const rule: fc.Arbitrary<ResolvedRule> = fc
  .record({
    action: fc.constantFrom("Allow", "Deny", "Pass" as const),
    protocol: fc.option(fc.constantFrom(...PROTOCOLS), { nil: undefined }),
    notProtocol: fc.option(fc.constantFrom(...PROTOCOLS), { nil: undefined }),
    icmp: fc.option(icmpMatch, { nil: undefined }),
    notICMP: fc.option(icmpMatch, { nil: undefined }),
    ports: fc.option(fc.constantFrom(80, 400).map((min) => [{ min, max: min === 80 ? 80 : 9000 }]), { nil: undefined }),
    sourcePorts: fc.option(sourceRanges, { nil: undefined }),
    sourceNotPorts: fc.option(sourceRanges, { nil: undefined }),
  })
  .map(({ action, protocol, notProtocol, icmp, notICMP, ports, sourcePorts, sourceNotPorts }) => {
    const out: ResolvedRule = { action, source: {}, destination: {} };
    // Calico takes ports only with a protocol that has them, and ICMP criteria only without one.
    const ported = protocol === 6 || protocol === 17 || protocol === 132;
    if (protocol !== undefined) out.protocol = protocol;
    if (notProtocol !== undefined) out.notProtocol = notProtocol;
    if (icmp && !ported) out.icmp = icmp;
    if (notICMP && !ported) out.notICMP = notICMP;
    if (ports && ported) out.destination = { ports };
    if (ported && sourcePorts) out.source = { ...out.source, ports: sourcePorts };
    if (ported && sourceNotPorts) out.source = { ...out.source, notPorts: sourceNotPorts };
    return out;
  });

function tier(name: string, order: number, rules: ResolvedRule[]): Tier {
  return {
    name,
    order,
    dropAtEndWhenSelected: true,
    policies: [enforcedPolicy({ id: name, kind: "FelixPolicy", name, tier: name, order: 0, staged: false, directions: ["ingress"], selects: () => true, ingress: rules, egress: [] })],
  };
}

const packet = fc.record({
  family: fc.constantFrom(4, 6 as const),
  protocol: fc.constantFrom(...PROTOCOLS),
  port: fc.constantFrom(...PORTS),
  type: fc.constantFrom(...TYPES),
  code: fc.constantFrom(0, 1, 2),
  sourcePort: fc.constantFrom(...SOURCE_PORTS),
});

describe("Calico protocol criteria: set engine against packet matcher", () => {
  it("gives every packet the same verdict", () => {
    fc.assert(
      fc.property(fc.array(fc.array(rule, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), fc.array(packet, { minLength: 1, maxLength: 12 }), (tierRules, packets) => {
        // A last tier that denies the rest, so a packet no tier decides is dropped by both engines.
        const tiers = [...tierRules.map((rules, i) => tier(`t${i}`, i, rules)), tier("rest", 99, [{ action: "Deny", source: {}, destination: {} }])];
        for (const p of packets) {
          const [srcIp, dstIp] = p.family === 4 ? ["10.0.0.1", "10.0.0.2"] : ["fd00::1", "fd00::2"];
          const dst: PodEndpoint = { kind: "pod", namespace: "n", name: "w", labels: {}, namespaceLabels: {}, ips: [dstIp], ports: [] };
          const wire: CalicoPacket = { src: { kind: "external", ip: srcIp }, dst, protocol: p.protocol, srcIp, dstIp, icmp: { type: p.type, code: p.code } };
          const hasPorts = p.protocol === 6 || p.protocol === 17 || p.protocol === 132;
          if (hasPorts) {
            wire.port = p.port;
            wire.srcPort = p.sourcePort;
          }
          const byPacket = evaluateSide(tiers, "ingress", dst, wire).allowed;
          const allowed = sideConnections(selectingPolicies(tiers, "ingress", dst), "ingress", (r) => r.matchesPeer(wire.src), { source: wire.src, destination: dst }, dst);
          const bySet = allowed.has(p.protocol, hasPorts ? p.port : undefined, { family: p.family, icmp: { type: p.type, code: p.code } }, p.sourcePort);
          expect(bySet, JSON.stringify({ p, tierRules })).toBe(byPacket);
        }
      }),
      { numRuns: 400 },
    );
  });
});
