/**
 * Connections to a Service on a real kernel: the node translates a Service's addresses and
 * ports to its backend's as kube-proxy does (a DNAT in PREROUTING, before the compiled
 * policy chains in FORWARD), and every probe to a Service address must get the verdict
 * `netpol explain --to svc/NAME` gives for it, in both families, from a pod and from
 * outside (kube-proxy's masquerade of outside clients left out, as with
 * externalTrafficPolicy: Local). Under CI a machine that cannot make namespaces fails the
 * suite; elsewhere it is skipped with the reason.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { K8sObject, LoadedObject } from "../../../src/k8s/types.js";
import type { Endpoints } from "../../../src/network/endpoints.js";
import { explainThroughService } from "../../../src/network/service-explain.js";
import { readServices, routeThroughService, type ServiceRoute } from "../../../src/network/services.js";
import type { Endpoint, PodEndpoint } from "../../../src/network/model.js";
import { compileDataplane } from "../../../src/network/dataplane/compile.js";
import type { RunningPod } from "../../../src/network/dataplane/pod-endpoints.js";
import { CHAIN_PREFIX, SET_PREFIX } from "../../../src/network/dataplane/render-iptables.js";
import { NS_LABELS, podsOn, tiersOf, type PodSpec } from "./kernel-pods.js";
import { createTopology, netnsUnavailable, type Probe, type Topology } from "../../support/netns/topology.js";
import { networkPolicies } from "../arbitraries.js";

const unavailable = await netnsUnavailable();
if (unavailable && process.env.CI) throw new Error(`the Service kernel tests need network namespaces, iptables and ipset, and CI must run them: ${unavailable}`);
if (unavailable) console.warn(`skipping the Service kernel tests: ${unavailable}`);

const OUTSIDE = ["192.168.0.200", "8.8.8.8", "2001:db8::10"];
/** The chain kube-proxy's translation lives in here, jumped to from nat PREROUTING. */
const NAT_CHAIN = "SVC-NAT";

const service = (name: string, namespace: string, selector: Record<string, string>, ips: [string, string], ports: Record<string, unknown>[]): K8sObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: { selector, clusterIP: ips[0], clusterIPs: ips, ipFamilies: ["IPv4", "IPv6"], ports },
});

/** api forwards 80 to its named port http (8080) and 81 to 9090; dns forwards UDP 53 to its port named dns (5353). */
const SERVICES: K8sObject[] = [
  service("api", "a", { svc: "api" }, ["10.96.0.10", "fd96::10"], [{ name: "http", port: 80, targetPort: "http" }, { name: "metrics", port: 81, targetPort: 9090 }]),
  service("dns", "c", { svc: "dns" }, ["10.96.0.53", "fd96::53"], [{ port: 53, protocol: "UDP", targetPort: "dns" }]),
];


/** kube-proxy's translation of a Service address and port to its one backend, as the arguments of `iptables -t nat -A`. */
function natRule(address: string, route: ServiceRoute): string[] {
  const family6 = address.includes(":");
  const backend = route.backends[0]!;
  const ip = (backend.endpoint as PodEndpoint).ips.find((a) => a.includes(":") === family6)!;
  const protocol = String(route.servicePort!.protocol).toLowerCase();
  return ["-A", NAT_CHAIN, "-d", address, "-p", protocol, "-m", protocol, "--dport", String(route.servicePort!.port), "-j", "DNAT", "--to-destination", `${family6 ? `[${ip}]` : ip}:${String(backend.port)}`];
}

/**
 * Applies the policies and the translation, probes every Service address and port from every
 * pod and outside address of its family: the probes whose outcome differs from the verdict
 * explained through the Service, and how many were delivered and dropped.
 */
async function disagreements(topology: Topology, pods: RunningPod[], policies: K8sObject[]): Promise<{ wrong: string[]; delivered: number; dropped: number }> {
  const tiers = tiersOf(policies);
  const interfaceOf = new Map(pods.map((p, i) => [p, topology.pods[i]!.nodeInterface]));
  const compiled = compileDataplane(tiers, pods, { interfacePrefix: "pal", interfaceOf: (p) => interfaceOf.get(p)! });
  await topology.apply({ ipset: compiled.ipv4.ipset + compiled.ipv6.ipset, iptables4: compiled.ipv4.iptables, iptables6: compiled.ipv6.iptables, hookChain: compiled.ipv4.hookChain, chainPrefix: CHAIN_PREFIX, setPrefix: SET_PREFIX });
  const endpoints: Endpoints = { workloads: pods.map((p) => ({ endpoint: p.endpoint, source: undefined as unknown as LoadedObject, podNames: [], folded: [] })), namespaces: new Map(Object.entries(NS_LABELS)) };
  const objects = SERVICES.map((object) => ({ object }) as LoadedObject);
  const routes = readServices(objects).flatMap((view) =>
    view.ports.flatMap((port) => view.addresses.map((address) => ({ address, route: routeThroughService(view, port.protocol, port.port, endpoints, objects) }))),
  );
  for (const { route } of routes) expect(route.backends).toHaveLength(1);
  for (const tool of ["iptables", "ip6tables"]) await topology.execInNode([tool, "-t", "nat", "-F", NAT_CHAIN]);
  for (const { address, route } of routes) await topology.execInNode([address.includes(":") ? "ip6tables" : "iptables", "-t", "nat", ...natRule(address, route)]);
  const byIp = new Map<string, Endpoint>();
  for (const p of pods) for (const ip of p.endpoint.ips) byIp.set(ip, p.endpoint);
  const clients = [...byIp.keys(), ...OUTSIDE];
  const asked: { probe: Probe; route: ServiceRoute; source: Endpoint }[] = [];
  for (const { address, route } of routes) {
    for (const from of clients) {
      if (from.includes(":") !== address.includes(":")) continue;
      const source = byIp.get(from) ?? { kind: "external", ip: from };
      // A backend's own connection to its Service comes back to it masqueraded (hairpin): not a policy question.
      if (source === route.backends[0]!.endpoint) continue;
      asked.push({ probe: { from, to: address, protocol: route.servicePort!.protocol as "TCP" | "UDP", port: route.servicePort!.port }, route, source });
    }
  }
  const delivered = await topology.probe(asked.map((a) => a.probe), { timeoutMs: 400 });
  const wrong: string[] = [];
  asked.forEach(({ probe, route, source }, i) => {
    const explained = explainThroughService(tiers, source, route, { protocol: probe.protocol, port: probe.port, address: probe.to });
    const model = explained.allowedTo === 1;
    if (delivered[i] !== model) wrong.push(`${probe.from} -> ${probe.to} ${probe.port}/${probe.protocol} (${explained.backends[0]!.endpoint} on ${explained.backends[0]!.port}): kernel ${delivered[i] ? "delivered" : "dropped"}, model ${model ? "allows" : "denies"}`);
  });
  const count = delivered.filter(Boolean).length;
  return { wrong, delivered: count, dropped: delivered.length - count };
}

const np = (name: string, namespace: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });

describe.skipIf(unavailable !== undefined)("Services on a real kernel", () => {
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ pods: 4, outsideAddresses: OUTSIDE, tcpPorts: [8080, 9090], udpPorts: [5353] });
    for (const tool of ["iptables", "ip6tables"]) {
      await topology.execInNode([tool, "-t", "nat", "-N", NAT_CHAIN]);
      await topology.execInNode([tool, "-t", "nat", "-A", "PREROUTING", "-j", NAT_CHAIN]);
    }
  });
  afterAll(async () => {
    await topology?.destroy();
  });

  const SHOP: PodSpec[] = [
    { namespace: "a", labels: { app: "client" }, ports: [] },
    { namespace: "a", labels: { app: "api", svc: "api" }, ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
    { namespace: "c", labels: { app: "dns", svc: "dns" }, ports: [{ name: "dns", port: 5353, protocol: "UDP" }] },
    { namespace: "b", labels: { app: "batch" }, ports: [] },
  ];

  it("judges the translated connection: the target port, not the Service's, on both sides", async () => {
    const policies = [
      // The Service's port 80 is not what arrives: this rule lets nothing through the Service.
      np("api-in", "a", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "client" } } }], ports: [{ port: "http" }] }, { from: [{ podSelector: {} }], ports: [{ port: 80 }] }, { from: [{ ipBlock: { cidr: "192.168.0.0/24" } }], ports: [{ port: 9090 }] }] }),
      // client sends to 8080 only (what its connections to port 80 become) and to DNS.
      np("client-out", "a", { podSelector: { matchLabels: { app: "client" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 8080 }] }, { to: [{ namespaceSelector: {} }], ports: [{ port: 5353, protocol: "UDP" }] }] }),
      np("dns-in", "c", { podSelector: { matchLabels: { app: "dns" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: "prod" } } }], ports: [{ port: "dns", protocol: "UDP" }] }] }),
    ];
    const result = await disagreements(topology, podsOn(topology, SHOP), policies);
    expect(result.wrong).toEqual([]);
    expect(result.delivered).toBeGreaterThan(3);
    expect(result.dropped).toBeGreaterThan(3);
  });

  it("agrees with the kernel for random NetworkPolicies", async () => {
    const labels = fc.dictionary(fc.constantFrom("app", "tier"), fc.constantFrom("x", "y", "z"), { maxKeys: 2 });
    await fc.assert(
      fc.asyncProperty(fc.tuple(labels, labels, labels, labels), networkPolicies, async (random, nps) => {
        const specs = SHOP.map((spec, i) => ({ ...spec, labels: { ...random[i], ...(spec.labels.svc ? { svc: spec.labels.svc } : {}) } }));
        expect((await disagreements(topology, podsOn(topology, specs), nps)).wrong).toEqual([]);
      }),
      { numRuns: 6 },
    );
  }, 300_000);
});
