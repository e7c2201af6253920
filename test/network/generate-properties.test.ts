/**
 * `netpol generate` against Palisade's own evaluation, pod by pod: over small random
 * clusters whose workloads run one or two replicas, the generated policies allow exactly
 * the observed flows (replica to replica included), DNS to kube-dns, and a pod to itself;
 * every policy is one the API server accepts, named uniquely; and the output does not
 * depend on the order of the input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import { generatePolicies, type Flow, type Flows, type FlowWorkload } from "../../src/network/generate.js";
import type { Endpoint, PodEndpoint, Protocol } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const NAMESPACES = ["a", "b"] as const;
const EXTERNAL = ["203.0.113.7", "2001:db8::1"] as const;
const PROBES: { protocol: Protocol; port?: number }[] = [
  { protocol: "TCP", port: 53 },
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 80 },
  { protocol: "TCP", port: 81 },
  { protocol: "SCTP", port: 80 },
  { protocol: "UDP", port: 5432 },
  { protocol: "ICMP" },
];

const workloadsArb = fc.uniqueArray(
  fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    // Key order is shuffled below: the output must not follow it.
    labels: fc.dictionary(fc.constantFrom("app", "tier", "role"), fc.constantFrom("x", "y"), { minKeys: 1, maxKeys: 3 }),
    replicas: fc.integer({ min: 1, max: 2 }),
  }),
  { selector: (w) => `${w.namespace}/${JSON.stringify(Object.entries(w.labels).sort())}`, minLength: 1, maxLength: 4 },
);

/** The cluster DNS as kubeadm deploys it; listed in the flows or not. */
const COREDNS: FlowWorkload & { replicas: number } = { namespace: "kube-system", name: "coredns", labels: { "k8s-app": "kube-dns" }, replicas: 2 };

const caseArb = fc.tuple(workloadsArb, fc.boolean()).chain(([ws, listDns]) => {
  const workloads: (FlowWorkload & { replicas: number })[] = ws.map((w, i) => ({ namespace: w.namespace, name: `w${i}`, labels: w.labels, replicas: w.replicas }));
  if (listDns) workloads.push(COREDNS);
  const ends = [...workloads.map((w) => `${w.namespace}/${w.name}`), ...EXTERNAL];
  const isIp = (end: string): boolean => (EXTERNAL as readonly string[]).includes(end);
  const flow: fc.Arbitrary<Flow> = fc
    .record({ from: fc.constantFrom(...ends), to: fc.constantFrom(...ends), port: fc.constantFrom(53, 80, 81, 5432), protocol: fc.constantFrom("TCP" as const, "UDP" as const, "SCTP" as const) })
    .filter((f) => !(isIp(f.from) && isIp(f.to)));
  return fc.record({ workloads: fc.constant(workloads), flows: fc.array(flow, { maxLength: 10 }), dns: fc.boolean() });
});

/** The pods of each workload, and a kube-dns pod the DNS rule must reach, unlisted unless the flows list the cluster DNS. */
function clusterOf(workloads: readonly (FlowWorkload & { replicas: number })[]): { pods: PodEndpoint[]; owner: Map<PodEndpoint, string> } {
  const owner = new Map<PodEndpoint, string>();
  const pods: PodEndpoint[] = [];
  for (const w of workloads) {
    for (let r = 0; r < w.replicas; r++) {
      const pod: PodEndpoint = { kind: "pod", namespace: w.namespace, name: `${w.name}-${r}`, labels: w.labels, namespaceLabels: { "kubernetes.io/metadata.name": w.namespace }, ips: [], ports: [], workload: `Deployment/${w.name}` };
      pods.push(pod);
      owner.set(pod, `${w.namespace}/${w.name}`);
    }
  }
  if (!workloads.includes(COREDNS)) pods.push({ kind: "pod", namespace: "kube-system", name: "coredns-0", labels: { "k8s-app": "kube-dns" }, namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, ips: [], ports: [] });
  return { pods, owner };
}

function shuffledKeys(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).reverse());
}

describe("netpol generate, evaluated", () => {
  it("allows exactly the observed flows between pods (replicas included), DNS and nothing else", () => {
    fc.assert(
      fc.property(caseArb, ({ workloads, flows, dns }) => {
        const policies = generatePolicies({ workloads, flows }, { dns });
        const set = buildPolicySet(policies.map((object) => ({ object: object as K8sObject })));
        expect(set.refused, "the API server accepts every generated policy").toEqual([]);
        const names = policies.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
        expect(new Set(names).size, "one name per policy").toBe(names.length);
        const { pods, owner } = clusterOf(workloads);
        const endOf = (e: Endpoint): string => (e.kind === "pod" ? (owner.get(e) ?? "kube-dns") : e.ip);
        const isDns = (e: Endpoint): boolean => e.kind === "pod" && e.namespace === "kube-system";
        const dnsListed = workloads.includes(COREDNS);
        const ends: Endpoint[] = [...pods, ...EXTERNAL.map((ip) => ({ kind: "external" as const, ip }))];
        for (const src of ends) {
          for (const dst of ends) {
            if (src.kind === "external" && dst.kind === "external") continue;
            for (const probe of PROBES) {
              const observed = flows.some((f) => f.from === endOf(src) && f.to === endOf(dst) && f.protocol === probe.protocol && f.port === probe.port);
              // Lookups from anywhere: a listed cluster DNS takes them from every source.
              const toDns = dns && isDns(dst) && probe.port === 53 && (probe.protocol === "UDP" || probe.protocol === "TCP");
              // An unlisted kube-dns pod: nothing isolates it, so only the other end's policy decides.
              const viaUnisolated = !dnsListed && ((isDns(src) && dst.kind === "external") || (src.kind === "external" && isDns(dst)));
              const expected = src === dst || observed || toDns || viaUnisolated;
              const allowed = evaluateConnection(set.tiers, { src, dst, ...probe }).allowed;
              expect(allowed, `${endOf(src)} (${src.kind === "pod" ? src.name : ""}) -> ${endOf(dst)} (${dst.kind === "pod" ? dst.name : ""}) ${probe.protocol}/${probe.port ?? ""}`).toBe(expected);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("writes the same policies whatever the order of workloads, flows and label keys", () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), ({ workloads, flows }, reverseWorkloads) => {
        const permuted: Flows = {
          workloads: (reverseWorkloads ? [...workloads].reverse() : workloads).map((w) => ({ ...w, labels: shuffledKeys(w.labels) })),
          flows: [...flows].reverse(),
        };
        expect(JSON.stringify(generatePolicies(permuted))).toBe(JSON.stringify(generatePolicies({ workloads, flows })));
      }),
      { numRuns: 150 },
    );
  });
});
