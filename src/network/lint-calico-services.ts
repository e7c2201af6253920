/**
 * The Service lint (lint-services.ts) for Calico rules: a destination port that is a
 * Service's port forwarded elsewhere, and an egress destination net that is one Service
 * address. Felix judges a connection after the node's proxy has translated it, as every
 * plugin does, so such a rule matches none of the Service's traffic.
 */
import type { Finding } from "../findings/types.js";
import type { FieldPath, K8sObject, LoadedObject } from "../k8s/types.js";
import { decodePolicy, type DecodedRule } from "./calico/decode.js";
import { protocolNumber } from "./calico/numorstring.js";
import { rangeToCidr } from "./calico/set-rules.js";
import { lintServiceRule } from "./lint-services.js";
import type { EnforcedPolicy, PodEndpoint } from "./model.js";
import type { NetworkPolicyPort } from "./networkpolicy/types.js";
import { setProtocolOf, type PortProtocol } from "./ports.js";
import type { ServiceView } from "./services.js";

export interface CalicoLintPolicy {
  policy: EnforcedPolicy;
  object: K8sObject;
  where?: LoadedObject | undefined;
}

/** The rule's protocol as a port protocol (Calico's validator gives ports only with one). */
function portProtocol(rule: DecodedRule): PortProtocol | undefined {
  const number = rule.protocol ? protocolNumber(rule.protocol) : undefined;
  const protocol = number === undefined ? "OTHER" : setProtocolOf(number);
  return protocol === "OTHER" ? undefined : protocol;
}

/** The destination ports in NetworkPolicy's shape: a range, a single port, or a name. */
function portsOf(rule: DecodedRule, protocol: PortProtocol): NetworkPolicyPort[] {
  return rule.destination.ports.map((port) => (port.kind === "named" ? { protocol, port: port.name } : port.min === port.max ? { protocol, port: port.min } : { protocol, port: port.min, endPort: port.max }));
}

function hasDestinationSelector(rule: DecodedRule): boolean {
  const d = rule.destination;
  return d.selector !== undefined || d.namespaceSelector !== undefined || d.serviceAccounts !== undefined;
}

export function lintCalicoServiceRules(policies: readonly CalicoLintPolicy[], pods: readonly PodEndpoint[], services: readonly ServiceView[]): Finding[] {
  if (services.length === 0) return [];
  const findings: Finding[] = [];
  for (const { policy, object, where } of policies) {
    const decoded = decodePolicy(object).policy;
    if (!decoded) continue;
    const selected = pods.filter((p) => policy.selects(p));
    for (const direction of decoded.types) {
      const setRules = policy.rules?.(direction) ?? [];
      (direction === "ingress" ? decoded.ingress : decoded.egress).forEach((rule, index) => {
        const protocol = portProtocol(rule);
        const rulePath: FieldPath = ["spec", direction, index, "destination"];
        // Only pods the rule's destination picks say which Service a port means; every destination may mean port 80 anywhere.
        const picks = setRules[index];
        const destinations = direction === "ingress" ? selected : hasDestinationSelector(rule) && picks ? pods.filter((p) => picks.matchesPeer(p)) : [];
        const addresses = direction === "egress" ? rule.destination.nets.map((net, j) => ({ cidr: rangeToCidr(net), label: `destination net ${j}`, noun: "destination net", path: [...rulePath, "nets", j] })) : [];
        const input = { policyId: policy.id, direction, index, ports: protocol ? portsOf(rule, protocol) : [], portPath: (j: number): FieldPath => [...rulePath, "ports", j], addresses, destinations, where };
        for (const f of lintServiceRule(input, services)) findings.push(f);
      });
    }
  }
  return findings;
}
