/**
 * Felix's policy-program table (felix/bpf/ut/pol_prog_test.go) as typed data, shared by the
 * Felix-level and the v3-level suites.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PodEndpoint } from "../../../src/network/model.js";
import type { CalicoPacket } from "../../../src/network/calico/enforced.js";
import { conformancePath } from "../../support/conformance.js";

export interface ProgramEntity {
  nets?: string[];
  notNets?: string[];
  ports?: [number, number][];
  notPorts?: [number, number][];
  ipSets?: string[];
  notIpSets?: string[];
  namedPortIpSets?: string[];
}

export interface ProgramRule {
  action: "Allow" | "Deny" | "Pass" | "Log";
  protocol?: string | number;
  notProtocol?: string | number;
  icmp?: { type: number; code?: number };
  notICMP?: { type: number; code?: number };
  source?: ProgramEntity;
  destination?: ProgramEntity;
}

export interface ProgramPacket {
  protocol: string | number;
  srcIp: string;
  srcPort?: number;
  dstIp: string;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
  expected: "allow" | "deny";
}

export interface ProgramCase {
  name: string;
  ipVersion: 4 | 6;
  tiers: { name: string; endAction?: "Pass"; policies: { name: string; rules: ProgramRule[] }[] }[];
  ipSets?: Record<string, string[]>;
  packets: ProgramPacket[];
  excludedPackets?: number;
}

const dir = conformancePath("calico-policies");
export const programCases: ProgramCase[] = dir ? (JSON.parse(readFileSync(join(dir, "policy-program-cases.json"), "utf8")) as { cases: ProgramCase[] }).cases : [];

/** The workload the program is attached to; every policy of the table applies to it. */
export const workload: PodEndpoint = { kind: "pod", namespace: "test", name: "workload", labels: {}, namespaceLabels: {}, ips: [], ports: [] };

export function programPacket(testCase: ProgramCase, packet: ProgramPacket): CalicoPacket {
  const protocol = packet.protocol === "ICMP" && testCase.ipVersion === 6 ? "ICMPv6" : packet.protocol;
  const out: CalicoPacket = {
    src: { kind: "external", ip: packet.srcIp },
    dst: { kind: "external", ip: packet.dstIp },
    protocol: protocol as CalicoPacket["protocol"],
    srcIp: packet.srcIp,
    dstIp: packet.dstIp,
    icmp: { type: packet.icmpType ?? 0, code: packet.icmpCode ?? 0 },
  };
  if (packet.dstPort !== undefined) out.port = packet.dstPort;
  if (packet.srcPort !== undefined) out.srcPort = packet.srcPort;
  return out;
}

