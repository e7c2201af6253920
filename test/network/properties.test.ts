/**
 * Properties of the engine over random clusters and policies: the set engine agrees with
 * packet-by-packet evaluation, allows only grow, unselecting policies change nothing,
 * generate round-trips through the matrix, and diff of a set with itself is empty.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import { diffConnectivity } from "../../src/network/diff.js";
import type { Endpoints } from "../../src/network/endpoints.js";
import { generatePolicies, type Flows } from "../../src/network/generate.js";
import { computeMatrix, type Matrix } from "../../src/network/matrix.js";
import { matrixRows, renderMatrixText, workloadLabel } from "../../src/network/matrix-render.js";
import type { Endpoint, PodEndpoint } from "../../src/network/model.js";
import { effectivePolicyTypes, type NetworkPolicyEgressRule, type NetworkPolicyIngressRule, type NetworkPolicySpec } from "../../src/network/networkpolicy/types.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { adminPolicies, egressRule, ingressRule, networkPolicies, NAMESPACES, pods, PROBES } from "./arbitraries.js";

function tiersOf(objects: K8sObject[]) {
  const set = buildPolicySet(objects.map((object) => ({ object })));
  expect(set.refused).toEqual([]);
  return set.tiers;
}

function pairs(matrix: Matrix): string[] {
  const out: string[] = [];
  matrix.pods.forEach((_, i) => matrix.pods.forEach((__, j) => out.push(`${i}>${j}:${matrix.podToPod(i, j).toString()}`)));
  return out;
}

const EXTERNAL: Endpoint[] = ["10.1.2.3", "10.2.0.1", "8.8.8.8", "192.168.0.9"].map((ip) => ({ kind: "external", ip }));

describe("network policy properties", () => {
  it("reachersOf(j) and reaches(i, j) say exactly whether podToPod(i, j) is not empty, only mayNotReach(j) can fail, only mayReachFrom(j) can pass", () => {
    fc.assert(
      fc.property(pods, networkPolicies, adminPolicies, (cluster, nps, anps) => {
        const matrix = computeMatrix(tiersOf([...nps, ...anps]), cluster);
        const out = new Uint8Array(cluster.length).fill(7);
        cluster.forEach((_, j) => {
          matrix.reachersOf(j, out);
          const mayNot = matrix.mayNotReach(j);
          const mayFrom = matrix.mayReachFrom(j);
          if (mayFrom !== "all") expect(new Set(mayFrom).size, "mayReachFrom lists each pod once").toBe(mayFrom.length);
          cluster.forEach((__, i) => {
            const reaches = i !== j && !matrix.podToPod(i, j).isEmpty();
            expect(out[i], `${i}>${j}`).toBe(reaches ? 1 : 0);
            expect(matrix.reaches(i, j), `${i}>${j}`).toBe(reaches);
            // Only the pods mayNotReach names can fail to reach j.
            if (mayNot !== "all" && i !== j && !mayNot.includes(i)) expect(reaches, `${i}>${j} (not in mayNotReach)`).toBe(true);
            // Only the pods mayReachFrom names can pass j's ingress side.
            if (mayFrom !== "all" && !mayFrom.includes(i)) expect(reaches, `${i}>${j} (not in mayReachFrom)`).toBe(false);
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it("the set engine agrees with packet-by-packet evaluation (NetworkPolicy, ANP, BANP)", () => {
    fc.assert(
      fc.property(pods, networkPolicies, adminPolicies, (cluster, nps, anps) => {
        const tiers = tiersOf([...nps, ...anps]);
        const matrix = computeMatrix(tiers, cluster);
        const ends: Endpoint[] = [...cluster, ...EXTERNAL];
        for (const src of ends) {
          for (const dst of ends) {
            if (src.kind === "external" && dst.kind === "external") continue;
            for (const probe of PROBES) {
              const packet = { src, dst, ...probe };
              const byPacket = evaluateConnection(tiers, packet).allowed;
              let bySet: boolean;
              if (src.kind === "pod" && dst.kind === "pod") bySet = matrix.podToPod(cluster.indexOf(src), cluster.indexOf(dst)).has(probe.protocol, probe.port);
              else if (src.kind === "external") {
                const b = matrix.externalSources.findIndex((blk) => blk.label.split("-")[0] === blk.endpoint.ip && inBlock(blk, src.ip));
                bySet = matrix.externalToPod(b, cluster.indexOf(dst as PodEndpoint)).has(probe.protocol, probe.port);
              } else {
                const b = matrix.externalDestinations.findIndex((blk) => inBlock(blk, (dst as { ip: string }).ip));
                bySet = matrix.podToExternal(cluster.indexOf(src), b).has(probe.protocol, probe.port);
              }
              expect(bySet, `${JSON.stringify(packet)}`).toBe(byPacket);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("adding an allow rule never removes a connection for an already-isolated pod", () => {
    fc.assert(
      fc.property(pods, networkPolicies.filter((l) => l.length > 0), fc.nat(), fc.boolean(), ingressRule, egressRule, (cluster, nps, which, ingress, inRule, outRule) => {
        const before = computeMatrix(tiersOf(nps), cluster);
        const target = nps[which % nps.length]!;
        const spec = target.spec as NetworkPolicySpec;
        const direction = ingress ? "Ingress" : "Egress";
        fc.pre(effectivePolicyTypes(spec).includes(direction));
        const grown: NetworkPolicySpec = ingress ? { ...spec, ingress: [...(spec.ingress ?? []), inRule as NetworkPolicyIngressRule] } : { ...spec, egress: [...(spec.egress ?? []), outRule as NetworkPolicyEgressRule] };
        const after = computeMatrix(tiersOf(nps.map((p) => (p === target ? ({ ...p, spec: grown } as K8sObject) : p))), cluster);
        cluster.forEach((_, i) =>
          cluster.forEach((__, j) => {
            expect(before.podToPod(i, j).subtract(after.podToPod(i, j)).isEmpty()).toBe(true);
          }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it("a policy selecting no pods changes nothing", () => {
    fc.assert(
      fc.property(pods, networkPolicies, fc.constantFrom(...NAMESPACES), ingressRule, egressRule, (cluster, nps, namespace, inRule, outRule) => {
        const idle: K8sObject = {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "selects-nobody", namespace },
          spec: { podSelector: { matchLabels: { app: "nobody-has-this" } }, policyTypes: ["Ingress", "Egress"], ingress: [inRule], egress: [outRule] },
        };
        expect(pairs(computeMatrix(tiersOf([...nps, idle]), cluster))).toEqual(pairs(computeMatrix(tiersOf(nps), cluster)));
      }),
      { numRuns: 100 },
    );
  });

  it("generate then matrix gives back exactly the flows (plus self)", () => {
    const workloadsArb = fc.uniqueArray(
      fc.record({ namespace: fc.constantFrom(...NAMESPACES), labels: fc.dictionary(fc.constantFrom("app", "tier", "role"), fc.constantFrom("x", "y"), { minKeys: 1, maxKeys: 3 }) }),
      { selector: (w) => `${w.namespace}/${JSON.stringify(Object.entries(w.labels).sort())}`, minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(
        workloadsArb.chain((ws) => {
          const names = ws.map((_, i) => `w${i}`);
          const ends = [...ws.map((w, i) => `${w.namespace}/${names[i]}`), "203.0.113.7", "198.51.100.1"];
          const flow = fc
            .record({ from: fc.constantFrom(...ends), to: fc.constantFrom(...ends), port: fc.constantFrom(53, 80, 81, 443, 5432), protocol: fc.constantFrom("TCP" as const, "UDP" as const, "SCTP" as const) })
            .filter((f) => !(f.from.includes(".") && !f.from.includes("/") && f.to.includes(".") && !f.to.includes("/")));
          return fc.record({ workloads: fc.constant(ws.map((w, i) => ({ ...w, name: names[i]! }))), flows: fc.array(flow, { maxLength: 12 }) });
        }),
        (flows: Flows) => {
          const tiers = tiersOf(generatePolicies(flows) as K8sObject[]);
          const cluster: PodEndpoint[] = flows.workloads.map((w) => ({
            kind: "pod",
            namespace: w.namespace,
            name: w.name,
            labels: w.labels,
            namespaceLabels: { "kubernetes.io/metadata.name": w.namespace },
            ips: [],
            ports: [],
            workload: `Deployment/${w.name}`,
          }));
          const label = (end: string): string => {
            const pod = cluster.find((p) => `${p.namespace}/${p.name}` === end);
            return pod ? workloadLabel(pod) : `${end}-${end}[External]`;
          };
          const expected = new Set(flows.flows.filter((f) => f.from !== f.to).map((f) => `${label(f.from)} ${label(f.to)} ${f.protocol}/${f.port}`));
          const actual = new Set<string>();
          for (const row of matrixRows(computeMatrix(tiers, cluster))) {
            for (const protocol of ["TCP", "UDP", "SCTP"] as const) for (const [lo, hi] of row.connections.ranges(protocol)) for (let p = lo; p <= hi; p++) actual.add(`${row.from} ${row.to} ${protocol}/${p}`);
            expect(row.connections.has("ICMP"), "no port-less protocol is ever allowed").toBe(false);
          }
          expect([...actual].sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 100 },
    );
  });

  it("diff of a set with itself is empty, and a change shows", () => {
    fc.assert(
      fc.property(pods, networkPolicies, (cluster, nps) => {
        const endpoints: Endpoints = { workloads: cluster.map((endpoint) => ({ endpoint, source: undefined as never, podNames: [], folded: [] })), namespaces: new Map() };
        const side = { endpoints, set: { tiers: tiersOf(nps) } };
        expect(diffConnectivity(side, { endpoints, set: { tiers: tiersOf(nps) } }).changes).toEqual([]);
        const denyAll: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: cluster[0]!.namespace }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
        const closed = { endpoints, set: { tiers: tiersOf([...nps, denyAll]) } };
        const rows = (tiers: typeof side.set.tiers): string => renderMatrixText(matrixRows(computeMatrix(tiers, cluster, { cutWith: closed.set.tiers })));
        const changed = rows(closed.set.tiers) !== rows(side.set.tiers);
        expect(diffConnectivity(side, closed).changes.length > 0).toBe(changed);
      }),
      { numRuns: 100 },
    );
  });
});

function inBlock(block: { label: string }, ip: string): boolean {
  const [first, last] = block.label.split("-") as [string, string];
  const n = (s: string): number => s.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(ip) >= n(first) && n(ip) <= n(last);
}
