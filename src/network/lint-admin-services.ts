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
import { PORT_PROTOCOLS } from "./ports.js";
import { adminPortProtocol, type AdminPort } from "./adminnetworkpolicy/compile.js";
import { PROTOCOL_FIELDS, type Protocol } from "./clusternetworkpolicy/compile.js";
import type { ServiceView } from "./services.js";

interface WrittenPort {
  port: NetworkPolicyPort;
  path: FieldPath;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A named port matches its name in every protocol. */
function namedPort(name: string, path: FieldPath): WrittenPort[] {
  return PORT_PROTOCOLS.map((protocol) => ({ port: { protocol, port: name }, path }));
}

/** v1alpha1 `ports` (a validated policy's: each entry one of portNumber, portRange, namedPort). */
function adminPorts(rule: Record<string, unknown>, rulePath: FieldPath): WrittenPort[] {
  return ((rule.ports ?? []) as AdminPort[]).flatMap((entry, j): WrittenPort[] => {
    const path: FieldPath = [...rulePath, "ports", j];
    if (entry.portNumber) return [{ port: { protocol: adminPortProtocol(entry.portNumber), port: entry.portNumber.port }, path: [...path, "portNumber", "port"] }];
    if (entry.portRange) return [{ port: { protocol: adminPortProtocol(entry.portRange), port: entry.portRange.start, endPort: entry.portRange.end }, path: [...path, "portRange"] }];
    return entry.namedPort !== undefined ? namedPort(entry.namedPort, [...path, "namedPort"]) : [];
  });
}

/** v1alpha2 `protocols` (a validated policy's): tcp/udp/sctp destinationPort, a number or a range, or destinationNamedPort. */
function clusterProtocols(rule: Record<string, unknown>, rulePath: FieldPath): WrittenPort[] {
  return ((rule.protocols ?? []) as Protocol[]).flatMap((entry, j): WrittenPort[] => {
    const path: FieldPath = [...rulePath, "protocols", j];
    if (entry.destinationNamedPort !== undefined) return namedPort(entry.destinationNamedPort, [...path, "destinationNamedPort"]);
    return PROTOCOL_FIELDS.flatMap(([key, protocol]): WrittenPort[] => {
      const port = entry[key]?.destinationPort;
      if (port?.number !== undefined) return [{ port: { protocol, port: port.number }, path: [...path, key, "destinationPort", "number"] }];
      return port?.range ? [{ port: { protocol, port: port.range.start, endPort: port.range.end }, path: [...path, key, "destinationPort", "range"] }] : [];
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
