/** fast-check generators for small clusters and policies, shared by the network properties. */
import fc from "fast-check";
import type { K8sObject } from "../../src/k8s/types.js";
import type { PodEndpoint, Protocol } from "../../src/network/model.js";

export const NAMESPACES = ["a", "b", "c"] as const;
const KEYS = ["app", "tier"] as const;
const VALUES = ["x", "y", "z"] as const;
const PORTS = [
  { name: "http", port: 80, protocol: "TCP" as const },
  { name: "dns", port: 53, protocol: "UDP" as const },
  { name: "metrics", port: 9090, protocol: "TCP" as const },
  { port: 8080, protocol: "TCP" as const },
  { name: "http", port: 8443, protocol: "SCTP" as const },
];
const CIDRS = [{ cidr: "10.0.0.0/8" }, { cidr: "10.1.0.0/16", except: ["10.1.2.0/24"] }, { cidr: "0.0.0.0/0" }, { cidr: "192.168.0.0/24" }];

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const nsLabels: Record<string, Record<string, string>> = {
  a: { "kubernetes.io/metadata.name": "a", env: "prod" },
  b: { "kubernetes.io/metadata.name": "b", env: "dev" },
  c: { "kubernetes.io/metadata.name": "c" },
};

export const pods: fc.Arbitrary<PodEndpoint[]> = fc
  .array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), labels, ports: fc.subarray(PORTS, { maxLength: 3 }) }), { minLength: 1, maxLength: 7 })
  .map((list) =>
    list.map((p, i) => ({ kind: "pod", namespace: p.namespace, name: `p${i}`, labels: p.labels, namespaceLabels: nsLabels[p.namespace]!, ips: [], ports: p.ports, workload: `Deployment/p${i}` })),
  );

const selector = fc.oneof(
  fc.constant({}),
  labels.map((l) => ({ matchLabels: l })),
  fc.record({ matchExpressions: fc.array(fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("In", "NotIn"), values: fc.subarray([...VALUES], { minLength: 1 }) }), { minLength: 1, maxLength: 1 }) }),
  fc.record({ matchExpressions: fc.constant([{ key: "app", operator: "Exists" }]) }),
);
const nsSelector = fc.oneof(fc.constant({}), fc.constantFrom({ matchLabels: { env: "prod" } }, { matchLabels: { "kubernetes.io/metadata.name": "b" } }));

export const peer = fc.oneof(
  selector.map((s) => ({ podSelector: s })),
  fc.record({ namespaceSelector: nsSelector, podSelector: selector }, { requiredKeys: ["namespaceSelector"] }),
  fc.constantFrom(...CIDRS).map((b) => ({ ipBlock: b })),
);
export const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP"), port: fc.constantFrom(53, 80, 8080, 9090, 8443) }, { requiredKeys: [] }),
  fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP"), port: fc.constantFrom("http", "dns", "metrics") }, { requiredKeys: ["port"] }),
  fc.constantFrom({ port: 50, endPort: 100 }, { port: 8000, endPort: 9000 }, { port: 80, endPort: 80, protocol: "UDP" }),
);
const ports = fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined });
export const ingressRule = fc.record({ from: fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined }), ports }, { requiredKeys: [] });
export const egressRule = fc.record({ to: fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined }), ports }, { requiredKeys: [] });

export const networkPolicy = (name: string): fc.Arbitrary<K8sObject> =>
  fc
    .record({
      namespace: fc.constantFrom(...NAMESPACES),
      podSelector: selector,
      policyTypes: fc.option(fc.constantFrom(["Ingress"], ["Egress"], ["Ingress", "Egress"]), { nil: undefined }),
      ingress: fc.option(fc.array(ingressRule, { maxLength: 2 }), { nil: undefined }),
      egress: fc.option(fc.array(egressRule, { maxLength: 2 }), { nil: undefined }),
    })
    .map(({ namespace, ...spec }) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace },
      spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)),
    }));

export const networkPolicies: fc.Arbitrary<K8sObject[]> = fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => networkPolicy(`np${i}`))));

const adminPeer = fc.oneof(
  nsSelector.map((s) => ({ namespaces: s })),
  fc.record({ namespaceSelector: nsSelector, podSelector: selector }).map((p) => ({ pods: p })),
);
const adminPorts = fc.option(fc.array(fc.oneof(fc.record({ portNumber: fc.record({ protocol: fc.constantFrom("TCP", "UDP"), port: fc.constantFrom(53, 80, 8080) }) }), fc.record({ namedPort: fc.constantFrom("http", "dns") }), fc.record({ portRange: fc.record({ protocol: fc.constant("TCP"), start: fc.constant(70), end: fc.constant(8500) }) })), { minLength: 1, maxLength: 2 }), { nil: undefined });
const adminRule = (actions: string[], direction: "from" | "to") =>
  fc.record({ action: fc.constantFrom(...actions), peers: fc.array(adminPeer, { minLength: 1, maxLength: 2 }), ports: adminPorts }).map(({ peers, ports: p, ...r }) => ({ ...r, [direction]: peers, ...(p ? { ports: p } : {}) }));
const subject = fc.oneof(nsSelector.map((s) => ({ namespaces: s })), fc.record({ namespaceSelector: nsSelector, podSelector: selector }).map((p) => ({ pods: p })));

export const adminPolicies: fc.Arbitrary<K8sObject[]> = fc.tuple(
  fc.array(
    fc.record({ priority: fc.integer({ min: 0, max: 3 }), subject, ingress: fc.array(adminRule(["Allow", "Deny", "Pass"], "from"), { maxLength: 2 }), egress: fc.array(adminRule(["Allow", "Deny", "Pass"], "to"), { maxLength: 2 }) }),
    { maxLength: 2 },
  ),
  fc.option(fc.record({ subject, ingress: fc.array(adminRule(["Allow", "Deny"], "from"), { maxLength: 2 }), egress: fc.array(adminRule(["Allow", "Deny"], "to"), { maxLength: 2 }) }), { nil: undefined }),
).map(([anps, banp]) => [
  ...anps.map((spec, i) => ({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name: `anp${i}` }, spec })),
  ...(banp ? [{ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: banp }] : []),
]);

/** Connections to probe the arbitraries' policies with: inside and outside their ports and ranges, each protocol, and a port-less one. */
export const PROBES: readonly { protocol: Protocol; port?: number }[] = [
  { protocol: "TCP", port: 80 },
  { protocol: "TCP", port: 8080 },
  { protocol: "TCP", port: 8600 },
  { protocol: "UDP", port: 53 },
  { protocol: "SCTP", port: 8443 },
  { protocol: "TCP", port: 9090 },
  { protocol: "ICMP" },
];
