/**
 * The compiled dataplane on a real Linux kernel: pods in network namespaces behind a
 * routed node (Calico's layout), a host outside the cluster, the rules applied with
 * ipset and iptables-restore in the node's namespace, and real TCP and UDP probes between
 * every pair of addresses, in both families, and ICMP echoes. Every probe's outcome must be the verdict
 * `netpol explain` gives for it (`evaluateConnection`): for chosen scenarios (NetworkPolicy,
 * AdminNetworkPolicy with Pass, a baseline, Calico tiers and orders) and for random
 * policies. Under CI a machine that cannot make namespaces fails the suite; elsewhere it
 * is skipped with the reason.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import type { Endpoint } from "../../../src/network/model.js";
import type { CalicoPacket } from "../../../src/network/calico/enforced.js";
import { compileDataplane } from "../../../src/network/dataplane/compile.js";
import type { RunningPod } from "../../../src/network/dataplane/pod-endpoints.js";
import { CHAIN_PREFIX, SET_PREFIX } from "../../../src/network/dataplane/render-iptables.js";
import { podsOn, tiersOf, type PodSpec } from "./kernel-pods.js";
import { createTopology, netnsUnavailable, type Probe, type Topology } from "../../support/netns/topology.js";
import { adminPolicies, networkPolicies, NAMESPACES } from "../arbitraries.js";

const unavailable = await netnsUnavailable();
if (unavailable && process.env.CI) throw new Error(`the dataplane kernel tests need network namespaces, iptables and ipset, and CI must run them: ${unavailable}`);
if (unavailable) console.warn(`skipping the dataplane kernel tests: ${unavailable}`);

/** Inside and outside the arbitraries' ipBlocks: 10.1.2.200 is in 10.1.0.0/16's except, 10.1.9.9 in it, 192.168.0.200 in 192.168.0.0/24. */
const OUTSIDE = ["10.1.2.200", "10.1.9.9", "192.168.0.200", "8.8.8.8", "2001:db8::10"];
const TCP = [80, 81, 8080, 9090];
const UDP = [53, 80];
const PORTS = [
  { name: "http", port: 80, protocol: "TCP" as const },
  { name: "dns", port: 53, protocol: "UDP" as const },
  { name: "metrics", port: 9090, protocol: "TCP" as const },
];


/**
 * Compiles, applies, probes every pair: the probes whose outcome differs from the model's
 * verdict, and how many were delivered and dropped. With `sourcePortBases`, every probe is
 * sent once from each base plus a count kept per sending address, so no two probes of one
 * address share a source port (a reused TCP 4-tuple could meet its own TIME_WAIT). With
 * `chosen`, only the probes it makes from the pods' addresses are sent.
 */
async function disagreements(topology: Topology, pods: RunningPod[], objects: K8sObject[], sourcePortBases?: readonly number[], chosen?: (addressOf: (pod: number, family: 4 | 6) => string) => Probe[]): Promise<{ wrong: string[]; delivered: number; dropped: number }> {
  const tiers = tiersOf(objects);
  const interfaceOf = new Map(pods.map((p, i) => [p, topology.pods[i]!.nodeInterface]));
  const compiled = compileDataplane(tiers, pods, { interfacePrefix: "pal", interfaceOf: (p) => interfaceOf.get(p)! });
  await topology.apply({
    ipset: compiled.ipv4.ipset + compiled.ipv6.ipset,
    iptables4: compiled.ipv4.iptables,
    iptables6: compiled.ipv6.iptables,
    hookChain: compiled.ipv4.hookChain,
    chainPrefix: CHAIN_PREFIX,
    setPrefix: SET_PREFIX,
  });
  const byIp = new Map<string, Endpoint>();
  for (const p of pods) for (const ip of p.endpoint.ips) byIp.set(ip, p.endpoint);
  const endpointOf = (ip: string): Endpoint => byIp.get(ip) ?? { kind: "external", ip };
  const addresses = [...byIp.keys(), ...OUTSIDE];
  const probes: Probe[] = chosen ? chosen((pod, family) => (family === 4 ? topology.pods[pod]!.ipv4 : topology.pods[pod]!.ipv6)) : [];
  for (const from of chosen ? [] : addresses) {
    for (const to of addresses) {
      if (from === to || from.includes(":") !== to.includes(":") || (!byIp.has(from) && !byIp.has(to)) || byIp.get(from) === byIp.get(to)) continue;
      for (const port of TCP) probes.push({ from, to, protocol: "TCP", port });
      for (const port of UDP) probes.push({ from, to, protocol: "UDP", port });
    }
  }
  if (sourcePortBases) {
    const sent = new Map<string, number>();
    const each = probes.splice(0);
    for (const probe of each) {
      const count = sent.get(probe.from) ?? 0;
      sent.set(probe.from, count + 1);
      for (const base of sourcePortBases) probes.push({ ...probe, sourcePort: base + count });
    }
  }
  const delivered = await topology.probe(probes, { timeoutMs: 400 });
  const wrong: string[] = [];
  probes.forEach((probe, i) => {
    // The addresses on the wire: a dual-stack pod's rules read the family the probe uses.
    const packet: CalicoPacket = { src: endpointOf(probe.from), dst: endpointOf(probe.to), protocol: probe.protocol, port: probe.port, srcIp: probe.from, dstIp: probe.to };
    if (probe.sourcePort !== undefined) packet.srcPort = probe.sourcePort;
    const model = evaluateConnection(tiers, packet).allowed;
    if (delivered[i] !== model) wrong.push(`${probe.from}${probe.sourcePort === undefined ? "" : `:${probe.sourcePort}`} -> ${probe.to} ${probe.port}/${probe.protocol}: kernel ${delivered[i] ? "delivered" : "dropped"}, model ${model ? "allows" : "denies"}`);
  });
  const count = delivered.filter(Boolean).length;
  return { wrong, delivered: count, dropped: delivered.length - count };
}

/** Compiles and applies `objects`, pings between every pair of addresses: the pings whose outcome differs from the model's verdict on an echo request. */
async function pingDisagreements(topology: Topology, pods: RunningPod[], objects: K8sObject[]): Promise<{ wrong: string[]; delivered: number; dropped: number }> {
  const tiers = tiersOf(objects);
  const interfaceOf = new Map(pods.map((p, i) => [p, topology.pods[i]!.nodeInterface]));
  const compiled = compileDataplane(tiers, pods, { interfacePrefix: "pal", interfaceOf: (p) => interfaceOf.get(p)! });
  await topology.apply({ ipset: compiled.ipv4.ipset + compiled.ipv6.ipset, iptables4: compiled.ipv4.iptables, iptables6: compiled.ipv6.iptables, hookChain: compiled.ipv4.hookChain, chainPrefix: CHAIN_PREFIX, setPrefix: SET_PREFIX });
  const byIp = new Map<string, Endpoint>();
  for (const p of pods) for (const ip of p.endpoint.ips) byIp.set(ip, p.endpoint);
  const endpointOf = (ip: string): Endpoint => byIp.get(ip) ?? { kind: "external", ip };
  const addresses = [...byIp.keys(), ...OUTSIDE];
  const pairs = addresses.flatMap((from) => addresses.filter((to) => from !== to && from.includes(":") === to.includes(":") && (byIp.has(from) || byIp.has(to)) && byIp.get(from) !== byIp.get(to)).map((to) => ({ from, to })));
  const replied = await topology.ping(pairs);
  const wrong: string[] = [];
  pairs.forEach((pair, i) => {
    const v6 = pair.from.includes(":");
    const echo = v6 ? { protocol: "ICMPv6" as const, icmp: { type: 128, code: 0 } } : { protocol: "ICMP" as const, icmp: { type: 8, code: 0 } };
    const packet: CalicoPacket = { src: endpointOf(pair.from), dst: endpointOf(pair.to), ...echo, srcIp: pair.from, dstIp: pair.to };
    const model = evaluateConnection(tiers, packet).allowed;
    if (replied[i] !== model) wrong.push(`${pair.from} -> ${pair.to} echo: kernel ${replied[i] ? "replied" : "dropped"}, model ${model ? "allows" : "denies"}`);
  });
  const count = replied.filter(Boolean).length;
  return { wrong, delivered: count, dropped: replied.length - count };
}

/** A scenario proves something only when the kernel both delivered and dropped. */
async function expectEnforced(topology: Topology, pods: RunningPod[], objects: K8sObject[], sourcePortBases?: readonly number[]): Promise<void> {
  const result = await disagreements(topology, pods, objects, sourcePortBases);
  expect(result.wrong).toEqual([]);
  expect(result.delivered).toBeGreaterThan(20);
  expect(result.dropped).toBeGreaterThan(20);
}

const np = (name: string, namespace: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });

describe.skipIf(unavailable !== undefined)("compiled dataplane on a real kernel", () => {
  let topology: Topology;
  beforeAll(async () => {
    topology = await createTopology({ pods: 4, outsideAddresses: OUTSIDE, tcpPorts: TCP, udpPorts: UDP });
  });
  afterAll(async () => {
    await topology?.destroy();
  });

  const SHOP: PodSpec[] = [
    { namespace: "a", labels: { app: "web" }, ports: [PORTS[0]!] },
    { namespace: "a", labels: { app: "db" }, ports: [PORTS[2]!] },
    { namespace: "b", labels: { app: "client" }, ports: [] },
    { namespace: "c", labels: { app: "dns" }, ports: [PORTS[1]!] },
  ];

  it("enforces NetworkPolicies: default deny, label and namespace peers, named ports, ipBlock with except, egress", async () => {
    const pods = podsOn(topology, SHOP);
    const policies = [
      np("deny-all", "a", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      np("web-from-anywhere", "a", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: "http" }] }] }),
      np("db-from-web", "a", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 9090 }] }] }),
      np("web-egress", "a", { podSelector: { matchLabels: { app: "web" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }, { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "c" } } }], ports: [{ port: 53, protocol: "UDP" }] }, { to: [{ ipBlock: { cidr: "10.1.0.0/16", except: ["10.1.2.0/24"] } }], ports: [{ port: 8080 }] }] }),
      np("dns-from-prod", "c", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: "prod" } } }, { ipBlock: { cidr: "192.168.0.0/24" } }] }] }),
    ];
    await expectEnforced(topology, pods, policies);
  });

  it("enforces AdminNetworkPolicy Deny, Allow and Pass before NetworkPolicy, and a baseline after it", async () => {
    const pods = podsOn(topology, SHOP);
    const policies: K8sObject[] = [
      { apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name: "guard" }, spec: { priority: 5, subject: { namespaces: {} }, ingress: [
        { name: "pass-prod", action: "Pass", from: [{ namespaces: { matchLabels: { env: "prod" } } }] },
        { name: "deny-dev-db", action: "Deny", from: [{ namespaces: { matchLabels: { env: "dev" } } }], ports: [{ portNumber: { protocol: "TCP", port: 9090 } }] },
        { name: "allow-dev", action: "Allow", from: [{ namespaces: { matchLabels: { env: "dev" } } }] },
      ] } },
      np("only-web", "a", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] }),
      { apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: { subject: { namespaces: {} }, ingress: [{ name: "deny-rest", action: "Deny", from: [{ namespaces: {} }] }], egress: [{ name: "no-udp-80", action: "Deny", to: [{ namespaces: {} }], ports: [{ portNumber: { protocol: "UDP", port: 80 } }] }] } },
    ];
    await expectEnforced(topology, pods, policies);
  });

  it("enforces Calico tiers, orders, Pass, Deny and the Kubernetes policies among them", async () => {
    const pods = podsOn(topology, SHOP);
    const calico = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string): K8sObject => ({ apiVersion: "projectcalico.org/v3", kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
    const policies: K8sObject[] = [
      calico("Tier", "security", { order: 100 }),
      calico("GlobalNetworkPolicy", "security.quarantine", { tier: "security", order: 10, selector: "app == 'client'", types: ["Egress"], egress: [{ action: "Deny", protocol: "TCP", destination: { ports: [8080, "80:81"] } }, { action: "Pass" }] }),
      calico("GlobalNetworkPolicy", "security.outside", { tier: "security", order: 20, selector: "all()", types: ["Ingress"], ingress: [{ action: "Deny", source: { nets: ["10.1.0.0/16"], notNets: ["10.1.9.0/24"] } }, { action: "Pass" }] }),
      calico("NetworkPolicy", "db-metrics", { order: 500, selector: "app == 'db'", types: ["Ingress"], ingress: [{ action: "Allow", protocol: "TCP", source: { selector: "app == 'web'" }, destination: { ports: ["metrics"] } }, { action: "Deny", protocol: "UDP" }] }, "a"),
      np("db-deny", "a", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"] }),
    ];
    await expectEnforced(topology, pods, policies);
  });

  it("enforces Calico's ICMP types and codes, notICMP, protocol numbers and egress source criteria, in both families", async () => {
    const pods = podsOn(topology, SHOP);
    const gnp = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec });
    const policies: K8sObject[] = [
      // db answers pings from web only (IPv4: by selector; IPv6: by web's address).
      gnp("db-ping", { selector: "app == 'db'", types: ["Ingress"], ingress: [
        { action: "Allow", protocol: "ICMP", icmp: { type: 8 }, source: { selector: "app == 'web'" } },
        // In IPv6 the peer is named by its address: a dual-stack pod is matched by the family's own.
        { action: "Allow", protocol: "ICMPv6", icmp: { type: 128, code: 0 }, source: { nets: [topology.pods[0]!.ipv6 + "/128"] } },
        { action: "Deny", protocol: "ICMP" },
        { action: "Deny", protocol: 58 },
        { action: "Allow" },
      ] }),
      // client: every ICMP message but echo requests; no ICMPv6 echo; the rest allowed.
      gnp("client-no-echo", { selector: "app == 'client'", types: ["Ingress"], ingress: [
        { action: "Allow", protocol: "ICMP", notICMP: { type: 8 } },
        { action: "Deny", protocol: "ICMP" },
        { action: "Deny", protocol: "ICMPv6", icmp: { type: 128, code: 0 } },
        { action: "Allow" },
      ] }),
      // Every pod's egress, with rules for db alone (a source selector, and source nets in IPv6): db pings nobody.
      gnp("db-no-ping-out", { selector: "all()", types: ["Egress"], egress: [
        { action: "Deny", protocol: "ICMP", source: { selector: "app == 'db'" } },
        { action: "Deny", protocol: "ICMPv6", source: { nets: [topology.pods[1]!.ipv6 + "/128"] } },
        { action: "Allow" },
      ] }),
      // web: an echo with the wrong code is not a ping; protocol 1 by number; ICMPv6 but type 129 allowed;
      // and no ICMPv6 to the outside.
      gnp("web-icmp", { selector: "app == 'web'", types: ["Ingress", "Egress"], ingress: [
        { action: "Allow", protocol: "ICMP", icmp: { type: 8, code: 5 } },
        { action: "Deny", protocol: 1 },
        { action: "Allow", protocol: "ICMPv6", notICMP: { type: 129 } },
        { action: "Deny", notProtocol: "TCP" },
        { action: "Allow" },
      ], egress: [
        { action: "Deny", protocol: "ICMPv6", destination: { nets: ["2001:db8::/32"] } },
        { action: "Allow" },
      ] }),
    ];
    const result = await pingDisagreements(topology, pods, policies);
    expect(result.wrong).toEqual([]);
    expect(result.delivered).toBeGreaterThan(10);
    expect(result.dropped).toBeGreaterThan(10);
  });

  it("enforces Calico's source ports and notPorts, with and without destination ports, and a rule's IP version taken from its CIDRs", async () => {
    const pods = podsOn(topology, SHOP);
    const gnp = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec });
    // Probes go from 20000+n and from 21000+n: below the kernel's ephemeral range, so no other probe's socket holds them.
    const policies: K8sObject[] = [
      // db: UDP only from 20000-20999; TCP 9090 only from outside that range; nothing else.
      gnp("db-sources", { selector: "app == 'db'", types: ["Ingress"], ingress: [
        { action: "Allow", protocol: "UDP", source: { ports: ["20000:20999"] } },
        { action: "Allow", protocol: "TCP", source: { notPorts: ["20000:20999"] }, destination: { ports: [9090] } },
        { action: "Deny" },
      ] }),
      // web sends no TCP from 21000-21999 and no UDP 53 from 20000-20999; the rest of its egress is allowed.
      gnp("web-out", { selector: "app == 'web'", types: ["Egress"], egress: [
        { action: "Deny", protocol: "TCP", source: { ports: ["21000:21999"] } },
        { action: "Deny", protocol: "UDP", source: { ports: ["20000:20999"] }, destination: { ports: [53] } },
        { action: "Allow" },
      ] }),
      // client: from 21000 up, one port of each protocol; from below, everything.
      gnp("client-in", { selector: "app == 'client'", types: ["Ingress"], ingress: [
        { action: "Allow", protocol: "TCP", source: { ports: ["1:20999"] } },
        { action: "Allow", protocol: "TCP", source: { ports: ["21000:65535"] }, destination: { ports: [80] } },
        { action: "Allow", protocol: "UDP", source: { notPorts: ["21000:65535"] } },
        { action: "Allow", protocol: "UDP", destination: { ports: [53] } },
        { action: "Deny" },
      ] }),
      // client opens TCP in IPv6 to 2001:db8::/32 only: IPv6 CIDRs make an IPv6 rule, so its IPv4 TCP is untouched.
      gnp("client-v6-out", { selector: "app == 'client'", types: ["Egress"], egress: [
        { action: "Deny", protocol: "TCP", destination: { notNets: ["2001:db8::/32"] } },
        { action: "Allow" },
      ] }),
    ];
    await expectEnforced(topology, pods, policies, [20000, 21000]);
  });

  it("enforces Calico's named source ports: the port of that name on the sending pod, in both families", async () => {
    // client and web declare different ports named src; db takes TCP only from the sender's own src port.
    const specs: PodSpec[] = [
      { namespace: "a", labels: { app: "web" }, ports: [{ name: "src", port: 20481, protocol: "TCP" }] },
      { namespace: "a", labels: { app: "db" }, ports: [] },
      { namespace: "b", labels: { app: "client" }, ports: [{ name: "src", port: 20480, protocol: "TCP" }, { name: "src", port: 20482, protocol: "UDP" }] },
      { namespace: "c", labels: { app: "dns" }, ports: [] },
    ];
    const objects: K8sObject[] = [
      { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "db-from-src" }, spec: { selector: "app == 'db'", types: ["Ingress"], ingress: [{ action: "Allow", protocol: "TCP", source: { ports: ["src"] } }, { action: "Deny" }] } },
    ];
    const result = await disagreements(topology, podsOn(topology, specs), objects, undefined, (addressOf) =>
      // Each (sender, source port) pair once per family and destination port, so no 4-tuple repeats.
      ([4, 6] as const).flatMap((family) =>
        [0, 2, 3].flatMap((sender) =>
          [20480, 20481, 20482].flatMap((sourcePort) => [80, 9090].map((port): Probe => ({ from: addressOf(sender, family), to: addressOf(1, family), protocol: "TCP", port, sourcePort }))),
        ),
      ),
    );
    expect(result.wrong).toEqual([]);
    // Allowed: client from 20480 and web from 20481 (2 ports x 2 families each); the UDP src port 20482 is no TCP port.
    expect(result.delivered).toBe(8);
    expect(result.dropped).toBe(28);
  });

  it("enforces Calico rules that name a Service: its endpoints at their slice ports, as a destination; their addresses, as a source", async () => {
    const pods = podsOn(topology, SHOP);
    const calico = (kind: string, name: string, namespace: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: "projectcalico.org/v3", kind, metadata: { name, namespace }, spec });
    const objects: K8sObject[] = [
      // db's endpoints: TCP 9090 (its port named metrics) and UDP 80, not the Service's own ports.
      { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "a" }, spec: { selector: { app: "db" }, ports: [{ name: "m", port: 9000, targetPort: "metrics" }, { name: "d", port: 53, protocol: "UDP", targetPort: 80 }] } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "a" }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] } },
      // Written endpoints: two outside addresses on TCP 81 (one not ready), and web in IPv6 only, on TCP 8080.
      { apiVersion: "v1", kind: "Service", metadata: { name: "partners", namespace: "b" }, spec: { ports: [{ name: "api", port: 443 }] } },
      { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "partners-v4", namespace: "b", labels: { "kubernetes.io/service-name": "partners" } }, addressType: "IPv4", ports: [{ name: "api", port: 81, protocol: "TCP" }], endpoints: [{ addresses: ["8.8.8.8"] }, { addresses: ["10.1.9.9"], conditions: { ready: false } }] } as K8sObject,
      { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "partners-v6", namespace: "b", labels: { "kubernetes.io/service-name": "partners" } }, addressType: "IPv6", ports: [{ name: "api", port: 8080, protocol: "TCP" }], endpoints: [{ addresses: [topology.pods[0]!.ipv6] }] } as K8sObject,
      calico("NetworkPolicy", "client-out", "b", { order: 10, selector: "app == 'client'", types: ["Egress"], egress: [
        { action: "Allow", destination: { services: { name: "db", namespace: "a" } } },
        { action: "Allow", destination: { services: { name: "partners" } } },
        { action: "Deny" },
      ] }),
      calico("NetworkPolicy", "db-in", "a", { order: 20, selector: "app == 'db'", types: ["Ingress"], ingress: [
        { action: "Allow", protocol: "TCP", source: { services: { name: "web" } }, destination: { ports: [9090, 80] } },
        { action: "Deny", source: { services: { name: "partners", namespace: "b" } } },
        { action: "Allow", protocol: "UDP" },
        { action: "Deny" },
      ] }),
    ];
    await expectEnforced(topology, pods, objects);
  });

  it("enforces random NetworkPolicies and admin policies as the model decides them", async () => {
    const spec = fc.record({
      namespace: fc.constantFrom(...NAMESPACES),
      labels: fc.dictionary(fc.constantFrom("app", "tier"), fc.constantFrom("x", "y", "z"), { maxKeys: 2 }),
      ports: fc.subarray(PORTS, { maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 4, maxLength: 4 }), networkPolicies, adminPolicies, async (specs, nps, admin) => {
        expect((await disagreements(topology, podsOn(topology, specs), [...nps, ...admin])).wrong).toEqual([]);
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});
