/**
 * The program table's tiers as the shared model's: its resolved rules (IP sets as membership
 * tests) in enforced Calico policies that select the program's workload.
 */
import { expect } from "vitest";
import { parseCidr } from "../../../src/network/cidr.js";
import type { Tier } from "../../../src/network/model.js";
import { enforcedPolicy } from "../../../src/network/calico/enforced.js";
import { PROTOCOL_NUMBERS } from "../../../src/network/calico/numorstring.js";
import { parseNets, type EntityMatch, type NamedPortMembership, type ResolvedRule, type SideMembership } from "../../../src/network/calico/rule-match.js";
import type { ProgramCase, ProgramEntity, ProgramRule } from "./program-table.js";

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

export function programTiers(testCase: ProgramCase): Tier[] {
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
