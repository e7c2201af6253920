/**
 * The dataplane plan decides every packet as the model does: random pods with addresses,
 * random NetworkPolicies, AdminNetworkPolicies and a BaselineAdminNetworkPolicy, and
 * packets between pods and from and to outside addresses, each judged by the plan (read
 * as the rendered rules act) and by `evaluateConnection`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import type { Endpoint, PodEndpoint } from "../../../src/network/model.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import { buildPlan } from "../../../src/network/dataplane/build-plan.js";
import { adminPolicies, networkPolicies, pods, PROBES as NETWORK_PROBES } from "../arbitraries.js";
import { planAllows } from "./plan-interpreter.js";

/** Addresses inside and outside the arbitraries' ipBlocks (10.0.0.0/8, 10.1.0.0/16 except 10.1.2.0/24, 192.168.0.0/24). */
const POD_IPS = ["10.1.2.5", "10.1.3.7", "10.2.0.1", "192.168.0.9", "172.16.0.3", "10.77.0.10", "100.64.0.1"];
const OUTSIDE = ["10.1.2.200", "10.1.9.9", "10.3.3.3", "8.8.8.8", "192.168.0.200"];
// UDP 80 as well: the dataplane writes a rule per protocol, so a port of one must not open it in another.
const PROBES = [...NETWORK_PROBES, { protocol: "UDP" as const, port: 80 }];

function tiersOf(objects: K8sObject[]) {
  const set = buildPolicySet(objects.map((object) => ({ object })));
  expect(set.refused).toEqual([]);
  return set.tiers;
}

const addressed: fc.Arbitrary<PodEndpoint[]> = pods.map((list) => list.map((p, i) => ({ ...p, ips: [POD_IPS[i % POD_IPS.length]!] })));

function agree(cluster: PodEndpoint[], objects: K8sObject[]): void {
  const tiers = tiersOf(objects);
  const local = cluster.map((endpoint) => ({ endpoint, interfaceName: `pal${endpoint.name}` }));
  const { plan } = buildPlan({ tiers, pods: cluster, local, family: 4 });
  const byIp = new Map(cluster.map((p) => [p.ips[0]!, p]));
  const endpointOf = (ip: string): Endpoint => byIp.get(ip) ?? { kind: "external", ip };
  const interfaceOf = (ip: string) => (byIp.has(ip) ? `pal${byIp.get(ip)!.name}` : undefined);
  const addresses = [...byIp.keys(), ...OUTSIDE];
  for (const src of addresses) {
    for (const dst of addresses) {
      if (src === dst || (!byIp.has(src) && !byIp.has(dst))) continue;
      for (const probe of PROBES) {
        const model = evaluateConnection(tiers, { src: endpointOf(src), dst: endpointOf(dst), protocol: probe.protocol, ...(probe.port === undefined ? {} : { port: probe.port }) }).allowed;
        const rendered = planAllows(plan, interfaceOf, src, dst, probe.protocol, probe.port);
        if (rendered !== model) expect({ src, dst, ...probe, rendered }).toEqual({ src, dst, ...probe, rendered: model });
      }
    }
  }
}

describe("dataplane plan against the model", () => {
  it("agrees on every packet for random NetworkPolicies", () => {
    fc.assert(fc.property(addressed, networkPolicies, (cluster, nps) => agree(cluster, nps)), { numRuns: 150 });
  });

  it("agrees on every packet with AdminNetworkPolicies (Pass included) and a baseline", () => {
    fc.assert(fc.property(addressed, networkPolicies, adminPolicies, (cluster, nps, admin) => agree(cluster, [...nps, ...admin])), { numRuns: 150 });
  });
});
