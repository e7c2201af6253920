/**
 * The Felix policy-program table again, this time written as projectcalico.org/v3 objects
 * and compiled by compileCalico: each tier becomes a Tier, each policy a
 * GlobalNetworkPolicy selecting the workload, each IP set a labelled GlobalNetworkSet that
 * a selector picks (notIpSets become notSelector). Cases Calico's validator would refuse at
 * v3 (ports without a TCP/UDP/SCTP protocol, named ports given as Felix IP sets) are
 * counted and left to the Felix-level suite.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateSide } from "../../../src/network/evaluate.js";
import type { PodEndpoint } from "../../../src/network/model.js";
import { compileCalico } from "../../../src/network/calico/tiers.js";
import { programCases, programPacket, type ProgramCase, type ProgramEntity, type ProgramRule } from "./program-table.js";

const WORKLOAD_LABELS = { app: "workload" };

function ipSetLabel(name: string): string {
  return `ipset.test/${name}`;
}

function entity(program: ProgramEntity | undefined): Record<string, unknown> | "untranslatable" {
  if (!program) return {};
  if (program.namedPortIpSets) return "untranslatable";
  if ((program.ipSets?.length ?? 0) > 1 || (program.notIpSets?.length ?? 0) > 1) return "untranslatable";
  const out: Record<string, unknown> = {};
  if (program.nets) out.nets = program.nets;
  if (program.notNets) out.notNets = program.notNets;
  const portText = ([min, max]: [number, number]): number | string => (min === max ? min : `${min}:${max}`);
  if (program.ports) out.ports = program.ports.map(portText);
  if (program.notPorts) out.notPorts = program.notPorts.map(portText);
  if (program.ipSets?.[0]) out.selector = `has(${ipSetLabel(program.ipSets[0])})`;
  if (program.notIpSets?.[0]) out.notSelector = `has(${ipSetLabel(program.notIpSets[0])})`;
  return out;
}

function v3Rule(rule: ProgramRule): Record<string, unknown> | "untranslatable" {
  const source = entity(rule.source);
  const destination = entity(rule.destination);
  if (source === "untranslatable" || destination === "untranslatable") return "untranslatable";
  const out: Record<string, unknown> = { action: rule.action, source, destination };
  if (rule.protocol !== undefined) out.protocol = rule.protocol;
  if (rule.notProtocol !== undefined) out.notProtocol = rule.notProtocol;
  if (rule.notICMP) out.notICMP = rule.notICMP;
  if (rule.icmp) {
    // v3 requires protocol ICMP with icmp; ICMP criteria never match other protocols anyway.
    out.icmp = rule.icmp;
    out.protocol ??= "ICMP";
  }
  const hasPorts = [rule.source, rule.destination].some((e) => e?.ports || e?.notPorts);
  if (hasPorts && !["TCP", "UDP", "SCTP", 6, 17, 132].includes(rule.protocol as string | number)) return "untranslatable";
  return out;
}

function v3Objects(testCase: ProgramCase): K8sObject[] | undefined {
  const objects: K8sObject[] = [];
  for (const [name, members] of Object.entries(testCase.ipSets ?? {})) {
    objects.push({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: `set-${name.toLowerCase()}`, labels: { [ipSetLabel(name)]: "" } }, spec: { nets: members } });
  }
  for (const [tierIndex, tier] of testCase.tiers.entries()) {
    const tierName = `tier-${tierIndex}`;
    objects.push({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: tierName }, spec: { order: tierIndex + 1, defaultAction: tier.endAction ?? "Deny" } });
    for (const [policyIndex, policy] of tier.policies.entries()) {
      const ingress = policy.rules.map(v3Rule);
      if (ingress.includes("untranslatable")) return undefined;
      objects.push({
        apiVersion: "projectcalico.org/v3",
        kind: "GlobalNetworkPolicy",
        metadata: { name: `${tierName}.policy-${policyIndex}` },
        spec: { tier: tierName, order: policyIndex, selector: "app == 'workload'", types: ["Ingress"], ingress },
      });
    }
  }
  return objects;
}

const translated = programCases.map((testCase) => ({ testCase, objects: v3Objects(testCase) }));
const runnable = translated.filter((t): t is { testCase: ProgramCase; objects: K8sObject[] } => t.objects !== undefined);

describe.skipIf(programCases.length === 0)("Felix policy program table as projectcalico.org/v3 objects", () => {
  it("translates most of the table into valid v3 (the rest needs Felix-internal forms)", () => {
    const packets = runnable.reduce((n, t) => n + t.testCase.packets.length, 0);
    // Recorded so that a regression in translation shows up as a count change.
    expect({ cases: runnable.length, packets }).toEqual({ cases: 56, packets: 312 });
  });

  it.each(runnable.map((t) => [t.testCase.name, t] as const))("%s", (_name, { testCase, objects }) => {
    const compiled = compileCalico(objects.map((object) => ({ object })));
    expect(compiled.refused).toEqual([]);
    const got = testCase.packets.map((packet) => {
      const wire = programPacket(testCase, packet);
      const workload: PodEndpoint = { kind: "pod", namespace: "test", name: "workload", labels: WORKLOAD_LABELS, namespaceLabels: {}, ips: [packet.dstIp], ports: [] };
      wire.dst = workload;
      const decision = evaluateSide(compiled.tiers, "ingress", workload, wire);
      // No profile in Felix's table: what no tier decides is dropped there.
      return decision.reason === "no-policy" ? "deny" : decision.allowed ? "allow" : "deny";
    });
    expect(got).toEqual(testCase.packets.map((p) => p.expected));
  });
});
