/**
 * Felix's policy-program table (felix/bpf/ut/pol_prog_test.go), driven through the same
 * rule matcher and the shared tier walk that compiled v3 policies use. The rules here are
 * already resolved (selectors appear as IP sets), so IP sets become membership tests.
 */
import { describe, expect, it } from "vitest";
import { parseCidr } from "../../../src/network/cidr.js";
import { evaluateSide } from "../../../src/network/evaluate.js";
import type { Tier } from "../../../src/network/model.js";
import { programCases, programPacket, workload, type ProgramCase, type ProgramEntity, type ProgramRule } from "./program-table.js";
import { enforcedPolicy, type CalicoPacket } from "../../../src/network/calico/enforced.js";
import { PROTOCOL_NUMBERS } from "../../../src/network/calico/numorstring.js";
import { parseNets, type EntityMatch, type NamedPortMembership, type ResolvedRule, type SideMembership } from "../../../src/network/calico/rule-match.js";

function protocolNumber(protocol: string | number): number {
  if (typeof protocol === "number") return protocol;
  const number = PROTOCOL_NUMBERS[protocol];
  if (number === undefined) throw new Error(`unknown protocol ${protocol}`);
  return number;
}

function ipSetMembership(members: readonly string[]): SideMembership {
  const { ranges, invalid } = parseNets(members);
  expect(invalid).toEqual([]);
  return (side) => side.ip !== undefined && ranges.some((r) => r.family === side.ip!.family && side.ip!.value >= r.first && side.ip!.value <= r.last);
}

function namedPortMembership(members: readonly string[]): NamedPortMembership {
  const entries = members.map((member) => {
    const match = /^([^,]+),(tcp|udp|sctp):(\d+)$/.exec(member);
    if (!match) throw new Error(`bad named-port member ${member}`);
    return { range: parseCidr(match[1] as string)!, protocol: protocolNumber((match[2] as string).toUpperCase()), port: Number(match[3]) };
  });
  return (side, protocol) =>
    entries.some((e) => side.ip !== undefined && e.range.family === side.ip.family && side.ip.value >= e.range.first && side.ip.value <= e.range.last && e.protocol === protocol && e.port === side.port);
}

function entity(program: ProgramEntity | undefined, ipSets: Record<string, string[]>): EntityMatch {
  const out: EntityMatch = {};
  if (!program) return out;
  const set = (name: string): string[] => {
    const members = ipSets[name];
    if (!members) throw new Error(`case names IP set ${name} without members`);
    return members;
  };
  if (program.nets) out.nets = parseNets(program.nets).ranges;
  if (program.notNets) out.notNets = parseNets(program.notNets).ranges;
  if (program.ports) out.ports = program.ports.map(([min, max]) => ({ min, max }));
  if (program.notPorts) out.notPorts = program.notPorts.map(([min, max]) => ({ min, max }));
  if (program.ipSets) out.selectors = program.ipSets.map((name) => ipSetMembership(set(name)));
  if (program.notIpSets) out.notSelectors = program.notIpSets.map((name) => ipSetMembership(set(name)));
  if (program.namedPortIpSets) out.namedPorts = program.namedPortIpSets.map((name) => namedPortMembership(set(name)));
  return out;
}

function resolve(rule: ProgramRule, ipSets: Record<string, string[]>): ResolvedRule {
  const out: ResolvedRule = { action: rule.action, source: entity(rule.source, ipSets), destination: entity(rule.destination, ipSets) };
  if (rule.protocol !== undefined) out.protocol = protocolNumber(rule.protocol);
  if (rule.notProtocol !== undefined) out.notProtocol = protocolNumber(rule.notProtocol);
  if (rule.icmp) out.icmp = rule.icmp;
  if (rule.notICMP) out.notICMP = rule.notICMP;
  return out;
}

function programTiers(testCase: ProgramCase): Tier[] {
  return testCase.tiers.map((tier, tierIndex) => ({
    name: tier.name,
    order: tierIndex,
    dropAtEndWhenSelected: tier.endAction !== "Pass",
    policies: tier.policies.map((policy, policyIndex) =>
      enforcedPolicy({
        id: `${tier.name}/${policy.name}`,
        kind: "FelixPolicy",
        name: policy.name,
        tier: tier.name,
        order: policyIndex,
        staged: false,
        directions: ["ingress"],
        selects: () => true,
        ingress: policy.rules.map((rule) => resolve(rule, testCase.ipSets ?? {})),
        egress: [],
      }),
    ),
  }));
}

/**
 * The program's verdict. These tables have no profiles, so a packet that no tier decides
 * is dropped here; in a cluster the namespace profile would allow it instead (README).
 */
export function programVerdict(tiers: readonly Tier[], packet: CalicoPacket): "allow" | "deny" {
  const decision = evaluateSide(tiers, "ingress", workload, packet);
  if (decision.reason === "no-policy") return "deny";
  return decision.allowed ? "allow" : "deny";
}

describe.skipIf(programCases.length === 0)("Felix policy program conformance (pol_prog_test.go)", () => {
  it("has the whole table: 61 cases, 349 packets", () => {
    expect(programCases.length).toBe(61);
    expect(programCases.reduce((n, c) => n + c.packets.length, 0)).toBe(349);
  });

  it.each(programCases.map((c) => [c.name, c] as const))("%s", (_name, testCase) => {
    const tiers = programTiers(testCase);
    const got = testCase.packets.map((packet) => ({ packet: JSON.stringify({ ...packet, expected: undefined }), verdict: programVerdict(tiers, programPacket(testCase, packet)) }));
    expect(got).toEqual(testCase.packets.map((packet) => ({ packet: JSON.stringify({ ...packet, expected: undefined }), verdict: packet.expected })));
  });
});
