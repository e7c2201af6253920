/**
 * The dataplane plan on Calico rules that read source ports, by number and by name: every
 * packet between pods and outside addresses, from source ports that are and are not the
 * pods' named ports, must be decided by the plan (read as the rendered rules act) as
 * `evaluateConnection` decides it. Named source ports resolve on the sending pod: a peer
 * on the ingress side, the endpoint itself on the egress side.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import type { Endpoint, PodEndpoint } from "../../../src/network/model.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import { withCalico } from "../../../src/network/calico/tiers.js";
import { buildPlan } from "../../../src/network/dataplane/build-plan.js";
import { planAllows } from "./plan-interpreter.js";

const gnp = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec });
const pod = (name: string, app: string, ip: string, ports: PodEndpoint["ports"]): PodEndpoint => ({ kind: "pod", namespace: "shop", name, labels: { app }, namespaceLabels: { "kubernetes.io/metadata.name": "shop" }, ips: [ip], ports });

const cluster: PodEndpoint[] = [
  pod("dns", "dns", "10.0.0.1", [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns", port: 53, protocol: "TCP" }]),
  pod("web", "web", "10.0.0.2", [{ name: "http", port: 8080, protocol: "TCP" }]),
  pod("api", "api", "10.0.0.3", [{ name: "http", port: 80, protocol: "TCP" }]),
  pod("db", "db", "10.0.0.4", []),
];
const OUTSIDE = ["192.0.2.1", "10.9.9.9"];
const PROBES = [
  { protocol: "TCP" as const, port: 80 },
  { protocol: "TCP" as const, port: 5432 },
  { protocol: "UDP" as const, port: 53 },
  { protocol: "UDP" as const, port: 9999 },
];
const SOURCE_PORTS = [53, 80, 1023, 8080, 40000];

const policies: K8sObject[] = [
  // Answers from the resolver's DNS port reach everyone; db takes TCP 5432 from web's and api's http ports only.
  gnp("dns-answers", { order: 10, selector: "all()", types: ["Ingress"], ingress: [
    { action: "Allow", protocol: "UDP", source: { selector: "app == 'dns'", ports: ["dns"] } },
    { action: "Pass", protocol: "TCP", source: { notPorts: ["http", "1:1023"] } },
  ] }),
  gnp("db-in", { order: 20, selector: "app == 'db'", types: ["Ingress"], ingress: [
    { action: "Allow", protocol: "TCP", source: { ports: ["http"] }, destination: { ports: [5432] } },
    { action: "Deny" },
  ] }),
  // web and api send TCP from their http port only to db, and nothing else from it; the rest of egress is open.
  gnp("http-out", { order: 30, selector: "has(app)", types: ["Egress"], egress: [
    { action: "Allow", protocol: "TCP", source: { ports: ["http"] }, destination: { selector: "app == 'db'" } },
    { action: "Deny", protocol: "TCP", source: { ports: ["http"] } },
    { action: "Allow" },
  ] }),
];

describe("the dataplane plan with Calico source ports", () => {
  it("decides every packet, from every source port, as the model does", () => {
    const sources = policies.map((object) => ({ object }));
    const set = withCalico(buildPolicySet(sources), sources);
    expect(set.refused).toEqual([]);
    const { plan } = buildPlan({ tiers: set.tiers, pods: cluster, local: cluster.map((endpoint) => ({ endpoint, interfaceName: `pal${endpoint.name}` })), family: 4 });
    const byIp = new Map(cluster.map((p) => [p.ips[0]!, p]));
    const endpointOf = (ip: string): Endpoint => byIp.get(ip) ?? { kind: "external", ip };
    const interfaceOf = (ip: string) => (byIp.has(ip) ? `pal${byIp.get(ip)!.name}` : undefined);
    const addresses = [...byIp.keys(), ...OUTSIDE];
    const verdicts = new Set<boolean>();
    for (const src of addresses) {
      for (const dst of addresses) {
        if (src === dst || (!byIp.has(src) && !byIp.has(dst))) continue;
        for (const { protocol, port } of PROBES) {
          for (const srcPort of SOURCE_PORTS) {
            const model = evaluateConnection(set.tiers, { src: endpointOf(src), dst: endpointOf(dst), protocol, port, srcPort }).allowed;
            verdicts.add(model);
            expect(planAllows(plan, interfaceOf, src, dst, protocol, port, srcPort), `${src}:${srcPort} -> ${dst} ${port}/${protocol}`).toBe(model);
          }
        }
      }
    }
    expect([...verdicts].sort()).toEqual([false, true]);
  });
});
