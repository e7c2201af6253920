/**
 * Felix's policy-program table again, through the set engine (`netpol matrix`, the dataplane
 * compiler) instead of the packet matcher: each policy's rules as SetRules, the tier walk as
 * set algebra, and each packet looked up in the connections that result, ICMP types and
 * protocol numbers and source ports included. Cases with named ports, which the set engine
 * resolves on pods rather than IP sets, are counted, not judged.
 */
import { describe, expect, it } from "vitest";
import { selectingPolicies, sideConnections } from "../../../src/network/connectivity.js";
import type { Endpoint, PodEndpoint, Tier } from "../../../src/network/model.js";
import { enforcedPolicy } from "../../../src/network/calico/enforced.js";
import { programCases, programPacket, type ProgramCase, type ProgramPacket } from "./program-table.js";
import { programTiers } from "./program-tiers.js";

/** These tables have no profiles: what no tier decides is dropped, as a last tier that denies all would. */
const denyTheRest: Tier = {
  name: "no-profile",
  order: Number.MAX_SAFE_INTEGER,
  dropAtEndWhenSelected: true,
  policies: [
    enforcedPolicy({ id: "no-profile", kind: "FelixPolicy", name: "no-profile", tier: "no-profile", order: 0, staged: false, directions: ["ingress"], selects: () => true, ingress: [{ action: "Deny", source: {}, destination: {} }], egress: [] }),
  ],
};

function setVerdict(tiers: readonly Tier[], testCase: ProgramCase, packet: ProgramPacket): "allow" | "deny" {
  const wire = programPacket(testCase, packet);
  const src: Endpoint = { kind: "external", ip: packet.srcIp };
  const dst: PodEndpoint = { kind: "pod", namespace: "test", name: "workload", labels: {}, namespaceLabels: {}, ips: [packet.dstIp], ports: [] };
  const allowed = sideConnections(selectingPolicies([...tiers, denyTheRest], "ingress", dst), "ingress", (rule) => rule.matchesPeer(src), { source: src, destination: dst }, dst);
  const held = allowed.has(wire.protocol, packet.dstPort, { family: testCase.ipVersion, icmp: { type: packet.icmpType ?? 0, code: packet.icmpCode ?? 0 } }, packet.srcPort);
  return held ? "allow" : "deny";
}

function outsideTheUniverse(testCase: ProgramCase): boolean {
  return testCase.tiers.some((t) => t.policies.some((p) => p.rules.some((r) => r.destination?.namedPortIpSets || r.source?.namedPortIpSets)));
}

describe.skipIf(programCases.length === 0)("Felix policy program conformance through the set engine", () => {
  const judged = programCases.filter((c) => !outsideTheUniverse(c));

  it("judges most of the table, every ICMP-type, protocol-number and source-port case among them", () => {
    expect(judged.length).toBeGreaterThan(50);
    expect(judged.filter((c) => c.tiers.some((t) => t.policies.some((p) => p.rules.some((r) => r.source?.ports || r.source?.notPorts)))).length).toBeGreaterThan(3);
    const icmpCases = judged.filter((c) => JSON.stringify(c.tiers).includes("ICMP\"") || /"(icmp|notICMP)"/.test(JSON.stringify(c.tiers)));
    expect(icmpCases.length).toBeGreaterThan(3);
  });

  it.each(judged.map((c) => [c.name, c] as const))("%s", (_name, testCase) => {
    const tiers = programTiers(testCase);
    const got = testCase.packets.map((packet) => ({ packet: JSON.stringify({ ...packet, expected: undefined }), verdict: setVerdict(tiers, testCase, packet) }));
    expect(got).toEqual(testCase.packets.map((packet) => ({ packet: JSON.stringify({ ...packet, expected: undefined }), verdict: packet.expected })));
  });
});
