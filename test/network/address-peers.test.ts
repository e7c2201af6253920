/**
 * Address peers that match pods by their IPs: an AdminNetworkPolicy's `networks` (the API
 * says cluster-internal traffic is checked against them too: Deny 0.0.0.0/0 denies all IPv4
 * pod-to-pod traffic) and Calico `nets`; the matrix must tell apart pods that differ only
 * in their IPs, and agree with explain.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { withCalico } from "../../src/network/calico/tiers.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import { computeMatrix } from "../../src/network/matrix.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const pod = (namespace: string, name: string, ips: string[], app = name): PodEndpoint => ({
  kind: "pod",
  namespace,
  name,
  labels: { app },
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  ips,
  ports: [],
});

const denyNetworks = (networks: string[]): K8sObject => ({
  apiVersion: "policy.networking.k8s.io/v1alpha1",
  kind: "AdminNetworkPolicy",
  metadata: { name: "deny-networks" },
  spec: {
    priority: 10,
    subject: { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "client" } } },
    egress: [{ name: "deny", action: "Deny", to: [{ networks }] }],
  },
});

function tiersOf(objects: K8sObject[]) {
  const sources = objects.map((object) => ({ object }));
  const set = withCalico(buildPolicySet(sources), sources);
  expect(set.refused).toEqual([]);
  return set.tiers;
}

describe("AdminNetworkPolicy networks peers match pod IPs", () => {
  const client = pod("client", "client", ["10.1.0.9"]);
  const inside = pod("server", "inside", ["10.1.0.5"]);
  const outside = pod("server", "outside", ["192.168.0.5"]);
  const unknown = pod("server", "unknown", []);

  it("denies pod-to-pod traffic to a pod whose IP is in the network, not to one outside it", () => {
    const tiers = tiersOf([denyNetworks(["10.0.0.0/8"])]);
    const toInside = evaluateConnection(tiers, { src: client, dst: inside, protocol: "TCP", port: 80 });
    expect(toInside.allowed).toBe(false);
    expect(toInside.egress.policy).toBe("AdminNetworkPolicy/deny-networks");
    expect(evaluateConnection(tiers, { src: client, dst: outside, protocol: "TCP", port: 80 }).allowed).toBe(true);
  });

  it("a whole address family holds every pod, its IP known or not; a narrower network only pods known inside it", () => {
    const all = tiersOf([denyNetworks(["0.0.0.0/0"])]);
    for (const dst of [inside, outside, unknown]) expect(evaluateConnection(all, { src: client, dst, protocol: "TCP", port: 80 }).allowed).toBe(false);
    const narrow = tiersOf([denyNetworks(["10.0.0.0/8"])]);
    expect(evaluateConnection(narrow, { src: client, dst: unknown, protocol: "TCP", port: 80 }).allowed).toBe(true);
  });

  it("the matrix agrees with explain", () => {
    const tiers = tiersOf([denyNetworks(["10.0.0.0/8"])]);
    const pods = [client, inside, outside];
    const matrix = computeMatrix(tiers, pods);
    expect(matrix.podToPod(0, 1).isEmpty()).toBe(true);
    expect(matrix.podToPod(0, 2).isAll()).toBe(true);
  });
});

describe("matrix classes and address rules", () => {
  it("tells apart pods alike but for their IPs when a Calico rule names one IP", () => {
    const src = pod("a", "src", ["10.1.0.23"]);
    const t1 = pod("a", "t1", ["10.1.0.21"], "twin");
    const t2 = pod("a", "t2", ["10.1.0.22"], "twin");
    const tiers = tiersOf([
      {
        apiVersion: "projectcalico.org/v3",
        kind: "NetworkPolicy",
        metadata: { name: "only-t1", namespace: "a" },
        spec: { selector: "app == 'src'", types: ["Egress"], egress: [{ action: "Allow", destination: { nets: ["10.1.0.21/32"] } }] },
      },
    ]);
    const matrix = computeMatrix(tiers, [src, t1, t2]);
    expect(evaluateConnection(tiers, { src, dst: t2, protocol: "TCP", port: 80 }).allowed).toBe(false);
    expect(matrix.podToPod(0, 1).isAll()).toBe(true);
    expect(matrix.podToPod(0, 2).isEmpty()).toBe(true);
  });
});
