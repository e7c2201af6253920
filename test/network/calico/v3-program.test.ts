/**
 * The Felix policy-program table again, this time written as projectcalico.org/v3 objects
 * and compiled by compileCalico: each tier becomes a Tier, each policy a
 * GlobalNetworkPolicy selecting the workload, each IP set a labelled GlobalNetworkSet that
 * a selector picks (notIpSets become notSelector).
 *
 * Three rewrites keep the table valid v3 without changing any verdict:
 * - v3 requires a port protocol when a rule names ports. A Felix rule with ports and no
 *   protocol becomes one rule per port protocol (TCP, UDP, SCTP) with the same action:
 *   port criteria never match a packet without ports, so the packets it matched are exactly
 *   those the split rules match.
 * - A named-port IP set member `cidr,proto:port` becomes a pod at that address declaring a
 *   container port named after the set; packets from or to that address come from or go to
 *   that pod.
 * - v3 wants rule nets strictly masked (the validator's `net` tag); Felix reads a CIDR with
 *   host bits set (`ffe2::1/16`) as its network, so the network is written instead.
 *
 * Felix's table also matches port 0, which the v3 validator refuses in a rule (ports are
 * 1..65535): a case that names it has no v3 form and is left out.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateSide } from "../../../src/network/evaluate.js";
import type { ContainerPort, Endpoint, PodEndpoint } from "../../../src/network/model.js";
import { formatIp, parseCidr } from "../../../src/network/cidr.js";
import { compileCalico } from "../../../src/network/calico/tiers.js";
import { programCases, programPacket, type ProgramCase, type ProgramEntity, type ProgramRule } from "./program-table.js";

const WORKLOAD_LABELS = { app: "workload" };
const PORT_PROTOCOLS = ["TCP", "UDP", "SCTP"];

function ipSetLabel(name: string): string {
  return `ipset.test/${name}`;
}

function portName(set: string): string {
  return `port-${set.toLowerCase()}`;
}

/** A CIDR as its network: `ffe2::1/16` becomes `ffe2::/16`. */
function masked(cidr: string): string {
  const range = parseCidr(cidr);
  return range ? `${formatIp(range.family, range.first)}/${cidr.split("/")[1]}` : cidr;
}

function entity(program: ProgramEntity | undefined): Record<string, unknown> | "untranslatable" {
  if (!program) return {};
  if ((program.ipSets?.length ?? 0) > 1 || (program.notIpSets?.length ?? 0) > 1) return "untranslatable";
  const out: Record<string, unknown> = {};
  if (program.nets) out.nets = program.nets.map(masked);
  if (program.notNets) out.notNets = program.notNets.map(masked);
  if ([...(program.ports ?? []), ...(program.notPorts ?? [])].some(([min]) => min < 1)) return "untranslatable";
  const portText = ([min, max]: [number, number]): number | string => (min === max ? min : `${min}:${max}`);
  const ports = [...(program.ports ?? []).map(portText), ...(program.namedPortIpSets ?? []).map(portName)];
  if (ports.length > 0) out.ports = ports;
  if (program.notPorts) out.notPorts = program.notPorts.map(portText);
  if (program.ipSets?.[0]) out.selector = `has(${ipSetLabel(program.ipSets[0])})`;
  if (program.notIpSets?.[0]) out.notSelector = `has(${ipSetLabel(program.notIpSets[0])})`;
  return out;
}

function v3Rules(rule: ProgramRule): Record<string, unknown>[] | "untranslatable" {
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
  const hasPorts = [source, destination].some((e) => e.ports || e.notPorts);
  if (!hasPorts || out.protocol !== undefined) return [out];
  return PORT_PROTOCOLS.filter((p) => p !== rule.notProtocol).map((protocol) => ({ ...out, protocol }));
}

function v3Objects(testCase: ProgramCase): K8sObject[] | undefined {
  const objects: K8sObject[] = [];
  for (const [name, members] of Object.entries(testCase.ipSets ?? {})) {
    if (members.some((m) => m.includes(","))) continue; // named-port sets become pods
    objects.push({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: `set-${name.toLowerCase()}`, labels: { [ipSetLabel(name)]: "" } }, spec: { nets: members } });
  }
  for (const [tierIndex, tier] of testCase.tiers.entries()) {
    const tierName = `tier-${tierIndex}`;
    objects.push({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: tierName }, spec: { order: tierIndex + 1, defaultAction: tier.endAction ?? "Deny" } });
    for (const [policyIndex, policy] of tier.policies.entries()) {
      const ingress = policy.rules.map(v3Rules);
      if (ingress.includes("untranslatable")) return undefined;
      objects.push({
        apiVersion: "projectcalico.org/v3",
        kind: "GlobalNetworkPolicy",
        metadata: { name: `${tierName}.policy-${policyIndex}` },
        spec: { tier: tierName, order: policyIndex, selector: "app == 'workload'", types: ["Ingress"], ingress: ingress.flat() },
      });
    }
  }
  return objects;
}

/** Container ports an address declares, from the case's named-port sets. */
function declaredPorts(testCase: ProgramCase, ip: string): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const [name, members] of Object.entries(testCase.ipSets ?? {})) {
    for (const member of members) {
      const match = /^([^/,]+)\/\d+,(tcp|udp|sctp):(\d+)$/.exec(member);
      if (match && match[1] === ip) ports.push({ name: portName(name), port: Number(match[3]), protocol: (match[2] as string).toUpperCase() as ContainerPort["protocol"] });
    }
  }
  return ports;
}

function endpointAt(testCase: ProgramCase, ip: string, labels: Record<string, string> | undefined): Endpoint {
  const ports = declaredPorts(testCase, ip);
  if (!labels && ports.length === 0) return { kind: "external", ip };
  return { kind: "pod", namespace: "test", name: `pod-${ip}`, labels: labels ?? {}, namespaceLabels: {}, ips: [ip], ports };
}

const translated = programCases.map((testCase) => ({ testCase, objects: v3Objects(testCase) }));
const runnable = translated.filter((t): t is { testCase: ProgramCase; objects: K8sObject[] } => t.objects !== undefined);

describe.skipIf(programCases.length === 0)("Felix policy program table as projectcalico.org/v3 objects", () => {
  it("translates the table into valid v3, all but the one case that matches port 0", () => {
    const packets = runnable.reduce((n, t) => n + t.testCase.packets.length, 0);
    expect({ cases: runnable.length, packets }).toEqual({ cases: 60, packets: 345 });
  });

  it.each(runnable.map((t) => [t.testCase.name, t] as const))("%s", (_name, { testCase, objects }) => {
    const compiled = compileCalico(objects.map((object) => ({ object })));
    expect(compiled.refused).toEqual([]);
    const got = testCase.packets.map((packet) => {
      const wire = programPacket(testCase, packet);
      const workload = endpointAt(testCase, packet.dstIp, WORKLOAD_LABELS) as PodEndpoint;
      wire.src = endpointAt(testCase, packet.srcIp, undefined);
      wire.dst = workload;
      const decision = evaluateSide(compiled.tiers, "ingress", workload, wire);
      // No profile in Felix's table: what no tier decides is dropped there.
      return decision.reason === "no-policy" ? "deny" : decision.allowed ? "allow" : "deny";
    });
    expect(got).toEqual(testCase.packets.map((p) => p.expected));
  });
});
