/**
 * The Service lint (lint-services.ts) for the network-policy-api's kinds: AdminNetworkPolicy
 * and BaselineAdminNetworkPolicy ports, ClusterNetworkPolicy protocols, and their egress
 * `networks`. A connection to a Service is judged after the node's proxy has translated it,
 * so a Service's port forwarded elsewhere, or one Service address, matches none of it.
 */
import type { Finding } from "../findings/types.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { lintServiceRule } from "./lint-services.js";
import type { EnforcedPolicy, PodEndpoint } from "./model.js";
import type { NetworkPolicyPort } from "./networkpolicy/types.js";
import { PORT_PROTOCOLS, type PortProtocol } from "./ports.js";
import type { ServiceView } from "./services.js";

interface WrittenPort {
  port: NetworkPolicyPort;
  path: FieldPath;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const protocolOf = (value: unknown): PortProtocol => (value === "UDP" || value === "SCTP" ? value : "TCP");

/** A named port matches its name in every protocol. */
function namedPort(name: string, path: FieldPath): WrittenPort[] {
  return PORT_PROTOCOLS.map((protocol) => ({ port: { protocol, port: name }, path }));
}

/** v1alpha1 `ports`: portNumber, portRange, namedPort. */
function adminPorts(rule: Record<string, unknown>, rulePath: FieldPath): WrittenPort[] {
  return list(rule.ports).flatMap((entry, j): WrittenPort[] => {
    if (!isRecord(entry)) return [];
    const path: FieldPath = [...rulePath, "ports", j];
    if (isRecord(entry.portNumber) && typeof entry.portNumber.port === "number") return [{ port: { protocol: protocolOf(entry.portNumber.protocol), port: entry.portNumber.port }, path: [...path, "portNumber", "port"] }];
    if (isRecord(entry.portRange) && typeof entry.portRange.start === "number" && typeof entry.portRange.end === "number") {
      return [{ port: { protocol: protocolOf(entry.portRange.protocol), port: entry.portRange.start, endPort: entry.portRange.end }, path: [...path, "portRange"] }];
    }
    return typeof entry.namedPort === "string" ? namedPort(entry.namedPort, [...path, "namedPort"]) : [];
  });
}

/** v1alpha2 `protocols`: tcp/udp/sctp destinationPort (number or range), destinationNamedPort. */
function clusterProtocols(rule: Record<string, unknown>, rulePath: FieldPath): WrittenPort[] {
  return list(rule.protocols).flatMap((entry, j): WrittenPort[] => {
    if (!isRecord(entry)) return [];
    const path: FieldPath = [...rulePath, "protocols", j];
    if (typeof entry.destinationNamedPort === "string") return namedPort(entry.destinationNamedPort, [...path, "destinationNamedPort"]);
    return PORT_PROTOCOLS.flatMap((protocol): WrittenPort[] => {
      const key = protocol.toLowerCase();
      const spec = entry[key];
      const port = isRecord(spec) && isRecord(spec.destinationPort) ? spec.destinationPort : undefined;
      if (!port) return [];
      if (typeof port.number === "number") return [{ port: { protocol, port: port.number }, path: [...path, key, "destinationPort", "number"] }];
      const range = isRecord(port.range) ? port.range : undefined;
      return range && typeof range.start === "number" && typeof range.end === "number" ? [{ port: { protocol, port: range.start, endPort: range.end }, path: [...path, key, "destinationPort", "range"] }] : [];
    });
  });
}

export function lintAdminServiceRules(policy: EnforcedPolicy, object: K8sObject, where: LoadedObject | undefined, selected: readonly PodEndpoint[], pods: readonly PodEndpoint[], services: readonly ServiceView[]): Finding[] {
  if (services.length === 0 || !isRecord(object.spec)) return [];
  const spec = object.spec;
  const findings: Finding[] = [];
  for (const direction of ["ingress", "egress"] as const) {
    const setRules = policy.rules?.(direction) ?? [];
    list(spec[direction]).forEach((rule, index) => {
      if (!isRecord(rule)) return;
      const rulePath: FieldPath = ["spec", direction, index];
      const written = object.kind === "ClusterNetworkPolicy" ? clusterProtocols(rule, rulePath) : adminPorts(rule, rulePath);
      const peers = list(direction === "ingress" ? rule.from : rule.to);
      // Only peers that pick pods say which Service a port means: `networks` alone may mean port 80 anywhere.
      const picksPods = peers.some((peer) => isRecord(peer) && (peer.pods !== undefined || peer.namespaces !== undefined));
      const matcher = setRules[index];
      const destinations = direction === "ingress" ? selected : picksPods && matcher ? pods.filter((p) => matcher.matchesPeer(p)) : [];
      const addresses =
        direction === "egress"
          ? peers.flatMap((peer, j) => (isRecord(peer) ? list(peer.networks).flatMap((cidr, k) => (typeof cidr === "string" ? [{ cidr, label: `peer ${j} network ${k}`, noun: "network", path: [...rulePath, "to", j, "networks", k] }] : [])) : []))
          : [];
      const input = { policyId: policy.id, direction, index, ports: written.map((w) => w.port), portPath: (j: number): FieldPath => written[j]?.path ?? rulePath, addresses, destinations, where };
      for (const f of lintServiceRule(input, services)) findings.push(f);
    });
  }
  return findings;
}
