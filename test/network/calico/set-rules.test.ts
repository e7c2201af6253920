/**
 * The set form of Calico policies (for `netpol matrix`) must agree with packet-by-packet
 * evaluation (for `netpol explain`) on every connection the matrix's universe can hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { connectionsBetween } from "../../../src/network/connectivity.js";
import { computeMatrix } from "../../../src/network/matrix.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import type { Endpoint, PodEndpoint, Protocol } from "../../../src/network/model.js";
import { compileCalico } from "../../../src/network/calico/tiers.js";
import { compile, external, packet, pod } from "./fixtures.js";

const v3 = "projectcalico.org/v3";
const app = fc.constantFrom("web", "api", "db");
const selector = fc.oneof(
  app.map((a) => `app == '${a}'`),
  app.map((a) => `app != '${a}'`),
  fc.constant("all()"),
  fc.constant("has(app)"),
  fc.constant("tier in {'front', 'back'}"),
);
const ports = fc.array(fc.oneof(fc.constantFrom(80, 443, 5432, "8000:8100", "http", "metrics"), fc.integer({ min: 1, max: 65535 })), { minLength: 1, maxLength: 3 });
const sourcePorts = fc.array(fc.constantFrom(53, "1:1023", "1024:65535", 40000, "http", "metrics", "dns"), { minLength: 1, maxLength: 2 });
const nets = fc.array(fc.constantFrom("10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "0.0.0.0/0", "10.1.2.3/32"), { minLength: 1, maxLength: 2 });

/** Services of `serviceObjects`: one by selector, one by written EndpointSlices, and one the input lacks. */
const SERVICES = [
  { name: "api", namespace: "shop" },
  { name: "legacy", namespace: "shop" },
  { name: "ghost", namespace: "ops" },
];

const peerEntity = fc.record(
  {
    selector,
    notSelector: selector,
    namespaceSelector: fc.constantFrom("all()", "team == 'x'", "global()"),
    nets,
    notNets: nets,
  },
  { requiredKeys: [] },
);

const rule = fc
  .record(
    {
      action: fc.constantFrom("Allow", "Deny", "Pass", "Log"),
      protocol: fc.constantFrom("TCP", "UDP", "SCTP", undefined),
      notProtocol: fc.constantFrom("TCP", "UDP", undefined),
      peer: peerEntity,
      destinationPorts: fc.option(ports, { nil: undefined }),
      destinationNotPorts: fc.option(ports, { nil: undefined }),
      // Rarer than the other criteria, so rules with them still match something often.
      sourcePorts: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: sourcePorts, weight: 1 }),
      sourceNotPorts: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: sourcePorts, weight: 1 }),
      local: fc.option(fc.record({ selector, nets }, { requiredKeys: [] }), { nil: undefined }),
      // A Service in place of the peer's other criteria (Calico allows nothing beside it there).
      service: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.constantFrom(...SERVICES), weight: 1 }),
    },
    { requiredKeys: ["action", "peer"] },
  )
  .map((r) => ({ ...r, protocol: r.destinationPorts || r.destinationNotPorts || r.sourcePorts || r.sourceNotPorts ? (r.protocol ?? "TCP") : r.protocol }));

type GenRule = typeof rule extends fc.Arbitrary<infer T> ? T : never;

function v3Rule(r: GenRule, direction: "ingress" | "egress"): Record<string, unknown> {
  const out: Record<string, unknown> = { action: r.action };
  if (r.protocol) out.protocol = r.protocol;
  if (r.notProtocol && r.notProtocol !== r.protocol) out.notProtocol = r.notProtocol;
  const destination: Record<string, unknown> = {};
  if (r.destinationPorts) destination.ports = r.destinationPorts;
  if (r.destinationNotPorts) destination.notPorts = r.destinationNotPorts;
  const source: Record<string, unknown> = {};
  if (r.sourcePorts) source.ports = r.sourcePorts;
  if (r.sourceNotPorts) source.notPorts = r.sourceNotPorts;
  const peer = r.service ? { services: r.service } : r.peer;
  // A destination Service's ports are its endpoints' ports: Calico allows no others beside it.
  if (r.service && direction === "egress") {
    delete destination.ports;
    delete destination.notPorts;
  }
  if (direction === "ingress") {
    out.source = { ...peer, ...source };
    if (r.local) Object.assign(destination, r.local);
  } else {
    Object.assign(destination, peer);
    // An egress rule's source is the sending pod.
    out.source = { ...r.local, ...source };
  }
  out.destination = destination;
  return out;
}

const policy = fc.record({
  global: fc.boolean(),
  tier: fc.constantFrom("default", "security"),
  order: fc.option(fc.constantFrom(1, 5, 100, 2000), { nil: undefined }),
  selector,
  ingress: fc.array(rule, { maxLength: 3 }),
  egress: fc.array(rule, { maxLength: 3 }),
});

/**
 * api selects the pods of tier back (the api pod) on a named port (http: TCP 80 there) and a
 * numeric one (UDP 9090); legacy has no selector: its slice lists db and an outside address
 * that is not ready, which Felix's sets hold all the same, on TCP 5432 and 80.
 */
const serviceObjects: K8sObject[] = [
  { apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "shop" }, spec: { selector: { tier: "back" }, ports: [{ name: "web", port: 443, targetPort: "http" }, { name: "stats", port: 9000, protocol: "UDP", targetPort: 9090 }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "legacy", namespace: "shop" }, spec: { ports: [{ port: 5432 }] } },
  {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "legacy-1", namespace: "shop", labels: { "kubernetes.io/service-name": "legacy" } },
    addressType: "IPv4",
    ports: [{ port: 5432, protocol: "TCP" }, { port: 80, protocol: "TCP" }],
    endpoints: [{ addresses: ["10.2.0.1"] }, { addresses: ["192.0.2.10"], conditions: { ready: false } }],
  } as K8sObject,
];

function objectsOf(policies: (typeof policy extends fc.Arbitrary<infer T> ? T : never)[], securityDefault: "Deny" | "Pass"): K8sObject[] {
  const out: K8sObject[] = [
    { apiVersion: v3, kind: "Tier", metadata: { name: "security" }, spec: { order: 100, defaultAction: securityDefault } },
    { apiVersion: v3, kind: "GlobalNetworkSet", metadata: { name: "partners", labels: { app: "web" } }, spec: { nets: ["192.0.2.0/25"] } },
    ...serviceObjects,
  ];
  policies.forEach((p, i) => {
    const spec: Record<string, unknown> = {
      tier: p.tier,
      selector: p.selector,
      types: ["Ingress", "Egress"],
      ingress: p.ingress.map((r) => v3Rule(r, "ingress")),
      egress: p.egress.map((r) => v3Rule(r, "egress")),
    };
    if (p.order !== undefined) spec.order = p.order;
    const name = p.tier === "default" ? `p${i}` : `security.p${i}`;
    out.push({ apiVersion: v3, kind: p.global ? "GlobalNetworkPolicy" : "NetworkPolicy", metadata: p.global ? { name } : { name, namespace: "shop" }, spec });
  });
  return out;
}

const endpoints: Endpoint[] = [
  pod("shop", "web", { app: "web", tier: "front" }, { ips: ["10.1.2.3"], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
  pod("shop", "api", { app: "api", tier: "back" }, { ips: ["10.1.9.9"], ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "UDP" }] }),
  pod("ops", "db", { app: "db" }, { ips: ["10.2.0.1"], namespaceLabels: { team: "x" }, ports: [{ name: "metrics", port: 9090, protocol: "TCP" }] }),
  external("192.0.2.10"),
  external("8.8.8.8"),
];
const probes: Array<[Protocol, number | undefined]> = [
  ["TCP", 80],
  ["TCP", 443],
  ["TCP", 8080],
  ["TCP", 8050],
  ["UDP", 9090],
  ["TCP", 9090],
  ["SCTP", 5432],
  ["UDP", 1],
  ["ICMP", undefined],
];

/**
 * For the matrix: pods alike in all but one thing a rule's local side can tell apart. web-2
 * is web with another address; cache shares web's namespace and ports with other labels.
 */
const matrixPods: PodEndpoint[] = [
  ...endpoints.filter((e): e is PodEndpoint => e.kind === "pod"),
  pod("shop", "web-2", { app: "web", tier: "front" }, { ips: ["10.3.0.7"], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
  pod("shop", "cache", { app: "cache", tier: "front" }, { ips: ["10.1.2.9"], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
];

describe("Calico set rules agree with packet evaluation", () => {
  it("in the matrix, whose classes and shared tables must not merge pods a rule's local side tells apart", () => {
    fc.assert(
      fc.property(fc.array(policy, { maxLength: 4 }), fc.constantFrom("Deny" as const, "Pass" as const), (policies, securityDefault) => {
        const compiled = compileCalico(objectsOf(policies, securityDefault).map((object) => ({ object })));
        expect(compiled.refused).toEqual([]);
        const matrix = computeMatrix(compiled.tiers, matrixPods);
        matrixPods.forEach((src, i) =>
          matrixPods.forEach((dst, j) => {
            if (i !== j) expect(matrix.podToPod(i, j).toString(), `${src.name} -> ${dst.name}`).toBe(connectionsBetween(compiled.tiers, src, dst).toString());
          }),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("for every pair of endpoints and probe connection", () => {
    fc.assert(
      fc.property(fc.array(policy, { maxLength: 4 }), fc.constantFrom("Deny" as const, "Pass" as const), (policies, securityDefault) => {
        const compiled = compileCalico(objectsOf(policies, securityDefault).map((object) => ({ object })));
        expect(compiled.refused).toEqual([]);
        for (const src of endpoints) {
          for (const dst of endpoints) {
            if (src === dst || (src.kind === "external" && dst.kind === "external")) continue;
            const set = connectionsBetween(compiled.tiers, src, dst);
            for (const [protocol, port] of probes) {
              // A port-less packet has no source port; a ported one is probed from two.
              // 80, 8080 and 9090 are pods' named ports (http, metrics), 53 a DNS source port.
              for (const srcPort of port === undefined ? [undefined] : [53, 80, 8080, 9090, 40000]) {
                const probe = packet(src, dst, protocol, port);
                if (srcPort !== undefined) probe.srcPort = srcPort;
                const byPacket = evaluateConnection(compiled.tiers, probe).allowed;
                expect(set.has(protocol, port, undefined, srcPort), `${JSON.stringify(src)} -> ${JSON.stringify(dst)} ${protocol}/${port} from ${srcPort}`).toBe(byPacket);
              }
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("keeps apart in the matrix the pods that named source ports tell apart", () => {
    const gnp = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: v3, kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec: { selector: "all()", ...spec } });
    const pods: PodEndpoint[] = [
      pod("shop", "web", { app: "web" }, { ips: ["10.1.2.3"], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
      pod("shop", "api", { app: "api" }, { ips: ["10.1.9.9"], ports: [{ name: "http", port: 80, protocol: "TCP" }] }),
      pod("shop", "front", { app: "web" }, { ips: ["10.1.2.4"], ports: [] }),
      pod("ops", "db", { app: "db" }, { ips: ["10.2.0.1"], ports: [] }),
    ];
    const scenarios = {
      // Peers alike to the rule's selector but for their ports: on an ingress side they are the sources.
      ingress: gnp({ types: ["Ingress"], ingress: [{ action: "Allow", protocol: "TCP", source: { ports: ["http"] } }, { action: "Deny" }] }),
      // Pods selected alike but for their ports: on an egress side they are the sources.
      egress: gnp({ types: ["Egress"], egress: [{ action: "Allow", protocol: "TCP", source: { ports: ["http"] } }, { action: "Deny" }] }),
      // A rule reading both ends: front and db both lack the port, and only the destination selector tells them apart.
      both: gnp({ types: ["Ingress"], ingress: [{ action: "Allow", protocol: "TCP", source: { ports: ["http"] }, destination: { selector: "app == 'web'" } }, { action: "Deny" }] }),
    };
    for (const [name, policy] of Object.entries(scenarios)) {
      const compiled = compileCalico([{ object: policy }]);
      const matrix = computeMatrix(compiled.tiers, pods);
      const seen = new Set<string>();
      pods.forEach((src, i) =>
        pods.forEach((dst, j) => {
          if (i === j) return;
          const expected = connectionsBetween(compiled.tiers, src, dst).toString();
          seen.add(expected);
          expect(matrix.podToPod(i, j).toString(), `${name}: ${src.name} -> ${dst.name}`).toBe(expected);
        }),
      );
      // Each scenario tells some pairs apart: from port 8080, from port 80, or nothing.
      expect(seen.size, name).toBeGreaterThan(1);
    }
  });

  it("resolves named source ports on the sending pod's declared ports", () => {
    const { tiers } = compile(`
apiVersion: ${v3}
kind: GlobalNetworkPolicy
metadata: {name: src-ports}
spec:
  ingress: [{action: Allow, protocol: UDP, source: {selector: "app == 'dns'", ports: [dns]}}]
`);
    const [rule] = tiers.flatMap((t) => t.policies)[0]?.rules?.("ingress") ?? [];
    const target: PodEndpoint = { kind: "pod", namespace: "n", name: "t", labels: {}, namespaceLabels: {}, ips: ["10.0.0.1"], ports: [] };
    const resolver = pod("n", "resolver", { app: "dns" }, { ips: ["10.0.0.2"], ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns", port: 5353, protocol: "TCP" }] });
    const other = pod("n", "other", { app: "web" }, { ips: ["10.0.0.3"], ports: [{ name: "dns", port: 53, protocol: "UDP" }] });
    expect(rule?.dependsOnSource).toBe(true);
    // The TCP port of the same name is outside the rule's protocol; a pod the selector leaves out is no member.
    expect(rule?.connections(target, resolver).toString()).toBe("UDP 1-65535 (from source port 53)");
    expect(rule?.connections(target, other).isEmpty()).toBe(true);
    expect(rule?.connections(target, external("192.0.2.1")).isEmpty()).toBe(true);
  });

  it("holds numeric source ports as a dimension of the connections", () => {
    const { tiers } = compile(`
apiVersion: ${v3}
kind: GlobalNetworkPolicy
metadata: {name: src-ports}
spec:
  ingress:
    - {action: Allow, protocol: UDP, source: {ports: [53]}}
    - {action: Allow, protocol: TCP, source: {notPorts: ["1:1023"]}, destination: {ports: [8080]}}
`);
    const rules = tiers.flatMap((t) => t.policies)[0]?.rules?.("ingress") ?? [];
    const target: PodEndpoint = { kind: "pod", namespace: "n", name: "p", labels: {}, namespaceLabels: {}, ips: ["10.0.0.1"], ports: [] };
    expect(rules.map((r) => r.connections(target, external("192.0.2.1")).toString())).toEqual(["UDP 1-65535 (from source port 53)", "TCP 8080 (from source ports 0, 1024-65535)"]);
  });

  it("names every CIDR that tells external peers apart", () => {
    const { tiers } = compile(`
apiVersion: ${v3}
kind: GlobalNetworkSet
metadata: {name: s, labels: {a: b}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: ${v3}
kind: GlobalNetworkPolicy
metadata: {name: n}
spec:
  egress: [{action: Allow, destination: {nets: [10.0.0.0/8], notNets: ["10.1.0.0/16"]}}]
`);
    const p = tiers.flatMap((t) => t.policies)[0];
    expect(p?.cidrs?.("egress")).toEqual(["10.0.0.0/8", "10.1.0.0/16", "198.51.100.0/24"]);
  });
});
