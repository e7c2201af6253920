/**
 * `netpol diff` against the matrix of each side, over random clusters where each side may
 * lack some workloads: a pair is reported exactly when its connections differ, with what
 * was added and removed, and every cause it gives is true of the two sides' evaluations.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { diffConnectivity, type DiffSide } from "../../src/network/diff.js";
import type { Endpoints } from "../../src/network/endpoints.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import { computeMatrix } from "../../src/network/matrix.js";
import { matrixRows, workloadLabel } from "../../src/network/matrix-render.js";
import type { Endpoint, PodEndpoint, Protocol } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { PortSet } from "../../src/network/ports.js";
import { networkPolicies, pods } from "./arbitraries.js";

function sideOf(cluster: PodEndpoint[], nps: K8sObject[]): DiffSide {
  const set = buildPolicySet(nps.map((object) => ({ object })));
  expect(set.refused).toEqual([]);
  const endpoints: Endpoints = { workloads: cluster.map((endpoint) => ({ endpoint, source: undefined as never, podNames: [], folded: [] })), namespaces: new Map() };
  return { endpoints, set: { tiers: set.tiers }, locate: (id) => `${id}.yaml:1:1` };
}

/** Clusters where, at times, one workload is in the input twice (two files): its last copy counts, as kubectl apply leaves it. */
const clusters = fc.tuple(pods, fc.boolean()).map(([list, twice]) => (twice ? [...list, { ...list[0]!, ports: [] }] : list));

/** A side's workloads, the last copy of each. */
function lastCopies(side: DiffSide): PodEndpoint[] {
  const pods = side.endpoints.workloads.map((w) => w.endpoint);
  return pods.filter((pod, i) => !pods.slice(i + 1).some((later) => workloadLabel(later) === workloadLabel(pod)));
}

/** Each side's rows over the last copies, cut by both sides' CIDRs as diff cuts them. */
function rowsOf(side: DiffSide, other: DiffSide): Map<string, PortSet> {
  const matrix = computeMatrix(side.set.tiers, lastCopies(side), { cutWith: other.set.tiers });
  return new Map(Array.from(matrixRows(matrix), (r) => [`${r.from} ${r.to}`, r.connections]));
}

function parseConnection(text: string): { protocol: Protocol; port?: number } {
  const [port, protocol] = text.split("/");
  return protocol === undefined ? { protocol: port as Protocol } : { protocol: protocol as Protocol, port: Number(port) };
}

describe("netpol diff, against each side's matrix", () => {
  it("reports exactly the pairs whose connections differ, and causes true of both sides", () => {
    fc.assert(
      fc.property(clusters, networkPolicies, networkPolicies, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (cluster, npsA, npsB, keepA, keepB) => {
        const before = sideOf(cluster.filter((_, i) => keepA[i]), npsA);
        const after = sideOf(cluster.filter((_, i) => keepB[i]), npsB);
        const diff = diffConnectivity(before, after);
        expect(diff.schemaVersion).toBe("palisade.dev/netpol-diff/v1");
        const a = rowsOf(before, after);
        const b = rowsOf(after, before);
        const expected = [...new Set([...a.keys(), ...b.keys()])].filter((k) => !(a.get(k) ?? PortSet.none).equals(b.get(k) ?? PortSet.none)).sort();
        // In order: the two sides' sorted rows are merged as they are made.
        expect(diff.changes.map((c) => `${c.from} ${c.to}`)).toEqual(expected);
        const labelsA = new Set(before.endpoints.workloads.map((w) => workloadLabel(w.endpoint)));
        const labelsB = new Set(after.endpoints.workloads.map((w) => workloadLabel(w.endpoint)));
        expect(diff.workloads.added).toEqual([...labelsB].filter((l) => !labelsA.has(l)).sort());
        expect(diff.workloads.removed).toEqual([...labelsA].filter((l) => !labelsB.has(l)).sort());
        // An external block is named by its range; its first address stands for it, as in the matrix.
        const find = (side: DiffSide, label: string): Endpoint | undefined =>
          label.endsWith("[External]") ? { kind: "external", ip: label.split("-")[0]! } : lastCopies(side).find((pod) => workloadLabel(pod) === label);
        for (const c of diff.changes) {
          const was = a.get(`${c.from} ${c.to}`) ?? PortSet.none;
          const now = b.get(`${c.from} ${c.to}`) ?? PortSet.none;
          expect(PortSet.fromJSON(c.added).equals(now.subtract(was))).toBe(true);
          expect(PortSet.fromJSON(c.removed).equals(was.subtract(now))).toBe(true);
          expect(c.change).toBe(was.isEmpty() ? "added" : now.isEmpty() ? "removed" : "changed");
          expect(c.because.map((x) => x.now).sort()).toEqual([...(now.subtract(was).isEmpty() ? [] : ["allowed"]), ...(was.subtract(now).isEmpty() ? [] : ["denied"])].sort());
          for (const cause of c.because) {
            const probe = parseConnection(cause.connection);
            expect((cause.now === "allowed" ? now.subtract(was) : was.subtract(now)).has(probe.protocol, probe.port), `${cause.connection} is a changed connection`).toBe(true);
            // A workload never meets itself: each counts once.
            expect(c.from).not.toBe(c.to);
            const ends = [before, after].map((s) => [find(s, c.from), find(s, c.to)]);
            if (ends.flat().some((e) => e === undefined)) {
              expect(cause.note, "a missing workload is the cause").toMatch(/is not in the (before|after) manifests/);
              continue;
            }
            const [src0, dst0] = ends[0]!;
            const [src1, dst1] = ends[1]!;
            const was0 = evaluateConnection(before.set.tiers, { src: src0!, dst: dst0!, ...probe });
            const is1 = evaluateConnection(after.set.tiers, { src: src1!, dst: dst1!, ...probe });
            expect(is1.allowed).toBe(cause.now === "allowed");
            expect(was0.allowed).toBe(cause.now !== "allowed");
            expect(cause.sides.length).toBeGreaterThan(0);
            for (const s of cause.sides) {
              expect(s.before.allowed).toBe(was0[s.direction].allowed);
              expect(s.after.allowed).toBe(is1[s.direction].allowed);
              expect(s.before.allowed).not.toBe(s.after.allowed);
              // The side that denies names where its policies are written.
              const denying = s.after.allowed ? s.before : s.after;
              expect(denying.at?.length ?? 0).toBeGreaterThan(0);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("netpol diff, a workload given twice", () => {
  const pod = (name: string, ports: PodEndpoint["ports"]): PodEndpoint => ({
    kind: "pod",
    namespace: "a",
    name,
    labels: {},
    namespaceLabels: { "kubernetes.io/metadata.name": "a" },
    ips: [],
    ports,
    workload: `Deployment/${name}`,
  });
  const namedPortPolicy: K8sObject = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "np0", namespace: "a" },
    spec: { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 9000 }] }, { ports: [{ port: "http" }] }] },
  };

  it("judges the last copy, as kubectl apply leaves it, in its rows and in their causes", () => {
    // Only the first copy declares port http: the policy's named port opens 80 on it alone.
    const cluster = [pod("p0", [{ name: "http", port: 80, protocol: "TCP" }]), pod("p1", []), pod("p0", [])];
    const before = sideOf(cluster, [namedPortPolicy]);
    const after = sideOf(cluster, []);
    const changes = diffConnectivity(before, after).changes;
    const change = changes.find((c) => c.from === "a/p1[Deployment]" && c.to === "a/p0[Deployment]");
    expect(PortSet.fromJSON(change!.before).toString()).toBe("TCP 8000-9000");
    expect(change!.because.map((c) => c.connection)).not.toContain("80/TCP");
    expect(changes.some((c) => c.from === c.to)).toBe(false);
  });
});
