/**
 * -n scopes the graph as it scopes the tables: the namespace's workloads, and of the rest
 * only the workloads that may connect to or from them, marked outOfScope; never a
 * connection between two workloads of other namespaces, nor a namespace that does not
 * touch the reported one.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PostureGraph, PostureReport } from "../../src/posture/types.js";
import { NAMESPACES, networkPolicies, pods } from "../network/arbitraries.js";
import { deployment, postureOf } from "./support.js";

const loadBalancer = (name: string, namespace: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  type: LoadBalancer
  selector: {app: ${name}}
  ports: [{port: 80, targetPort: 8080}]
---
`;

/** Every pod of `namespace` isolated both ways, with nothing allowed. */
const denyAll = (namespace: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: ${namespace}}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
`;

/** shop (web published, api), batch/job and ops/tool (published) open to all, vault shut both ways. */
const CLUSTER =
  deployment("web", "shop") +
  loadBalancer("web", "shop") +
  deployment("api", "shop") +
  deployment("job", "batch") +
  deployment("tool", "ops") +
  loadBalancer("tool", "ops") +
  deployment("secret1", "vault") +
  deployment("secret2", "vault") +
  denyAll("vault");

/** Edges by workload name (or "outside"), sorted. */
function edgesByName(graph: PostureGraph): string[] {
  const name = new Map(graph.nodes.map((n) => [n.id, n.workload ?? n.id]));
  return graph.edges.map((e) => `${name.get(e.source)} > ${name.get(e.target)}`).sort();
}

function workloadNodes(graph: PostureGraph, outOfScope: boolean): string[] {
  return graph.nodes.filter((n) => n.kind === "workload" && (n.outOfScope === true) === outOfScope).map((n) => n.workload as string).sort();
}

describe("posture -n: the graph", () => {
  it("draws the namespace's workloads and only the others that connect with them, marked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-posture-scope-"));
    const all = await postureOf(CLUSTER, {}, dir);
    const shop = await postureOf(CLUSTER, { namespace: "shop" }, dir);
    expect(shop.namespace).toBe("shop");
    expect(all.namespace).toBeUndefined();

    expect(workloadNodes(shop.graph, false)).toEqual(["shop/Deployment/api", "shop/Deployment/web"]);
    expect(workloadNodes(shop.graph, true)).toEqual(["batch/Deployment/job", "ops/Deployment/tool"]);
    // vault is shut both ways: neither its workloads nor its namespace are drawn.
    expect(shop.graph.nodes.filter((n) => n.kind === "namespace").map((n) => [n.label, n.outOfScope ?? false, n.score])).toEqual([
      ["batch", true, undefined],
      ["ops", true, undefined],
      ["shop", false, Math.min(...shop.workloads.map((w) => w.score))],
    ]);
    // Every connection has a shop workload at one end; job <> tool, and ops/tool's publication, are the rest of the cluster's.
    expect(edgesByName(shop.graph)).toEqual([
      "batch/Deployment/job > shop/Deployment/api",
      "batch/Deployment/job > shop/Deployment/web",
      "ops/Deployment/tool > shop/Deployment/api",
      "ops/Deployment/tool > shop/Deployment/web",
      "outside > shop/Deployment/web",
      "shop/Deployment/api > batch/Deployment/job",
      "shop/Deployment/api > ops/Deployment/tool",
      "shop/Deployment/api > shop/Deployment/web",
      "shop/Deployment/web > batch/Deployment/job",
      "shop/Deployment/web > ops/Deployment/tool",
      "shop/Deployment/web > shop/Deployment/api",
    ]);
    // Without -n, the same cluster: everything, nothing marked, job <> tool and both publications included.
    expect(workloadNodes(all.graph, true)).toEqual([]);
    expect(workloadNodes(all.graph, false)).toHaveLength(6);
    expect(edgesByName(all.graph)).toEqual(expect.arrayContaining(["batch/Deployment/job > ops/Deployment/tool", "outside > ops/Deployment/tool"]));
    // A drawn peer keeps its own id, label and score: the same node as in the whole graph, marked.
    const job = shop.graph.nodes.find((n) => n.workload === "batch/Deployment/job");
    expect(job).toEqual({ ...all.graph.nodes.find((n) => n.workload === "batch/Deployment/job"), outOfScope: true });
    // The summary is over shop's workloads only.
    expect(shop.summary.workloads).toBe(2);
    expect(shop.summary.meanScore).toBe(Math.round((shop.workloads[0]!.score + shop.workloads[1]!.score) / 2));
  });

  it("a namespace that connects with nothing draws alone; one with no workloads draws nothing", async () => {
    const vault = await postureOf(CLUSTER, { namespace: "vault" });
    expect(vault.graph.nodes.map((n) => n.workload ?? n.id).sort()).toEqual(["ns:vault", "vault/Deployment/secret1", "vault/Deployment/secret2"]);
    expect(vault.graph.edges).toEqual([]);
    const empty = await postureOf(CLUSTER + "apiVersion: v1\nkind: Namespace\nmetadata: {name: idle}\n", { namespace: "idle" });
    expect(empty.workloads).toEqual([]);
    expect(empty.graph).toEqual({ level: "workloads", nodes: [], edges: [] });
  });

  it("the level follows the scoped graph: a small namespace of a large cluster is drawn by workload", async () => {
    let yaml = deployment("front", "small") + deployment("back", "small");
    // 300 workloads that reach nothing and nobody, but one that talks with small.
    for (let i = 0; i < 300; i++) yaml += deployment(`w${i}`, "big");
    yaml += denyAll("big") + deployment("friend", "near");
    const report = await postureOf(yaml, { namespace: "small" });
    expect(report.graph.level).toBe("workloads");
    expect(workloadNodes(report.graph, false)).toEqual(["small/Deployment/back", "small/Deployment/front"]);
    expect(workloadNodes(report.graph, true)).toEqual(["near/Deployment/friend"]);
    expect(report.graph.nodes.some((n) => n.label === "big")).toBe(false);
  });

  it("past the limits, namespaces stand for workloads: the reported one and those linked with it", async () => {
    let yaml = denyAll("quiet") + deployment("alone", "quiet");
    for (let i = 0; i < 201; i++) yaml += deployment(`w${i}`, `ns${i % 3}`);
    const report = await postureOf(yaml, { namespace: "ns0" });
    expect(report.graph.level).toBe("namespaces");
    expect(report.graph.nodes.map((n) => [n.id, n.outOfScope ?? false])).toEqual([
      ["ns:ns0", false],
      ["ns:ns1", true],
      ["ns:ns2", true],
    ]);
    expect(report.graph.nodes[0]?.score).toBe(Math.min(...report.workloads.map((w) => w.score)));
    expect(edgesByName(report.graph)).toEqual(["ns:ns0 > ns:ns1", "ns:ns0 > ns:ns2", "ns:ns1 > ns:ns0", "ns:ns2 > ns:ns0"]);
    expect(report.graph.edges.every((e) => e.label === `${67 * 67} pairs`)).toBe(true);
    expect(report.graph.note).toContain("67 workloads in ns0");
  });
});

/** The whole graph cut to `namespace`: what the scoped graph must be, derived independently from it. */
function expectedScoped(all: PostureReport, namespace: string): { inScope: string[]; peers: string[]; edges: string[] } {
  const byId = new Map(all.graph.nodes.map((n) => [n.id, n]));
  const inNamespace = (id: string) => byId.get(id)?.workload?.startsWith(`${namespace}/`) === true;
  const kept = all.graph.edges.filter((e) => inNamespace(e.target) || (e.source !== "outside" && inNamespace(e.source)));
  const peers = new Set(kept.flatMap((e) => [e.source, e.target]).filter((id) => id !== "outside" && !inNamespace(id)).map((id) => byId.get(id)?.workload as string));
  return {
    inScope: all.workloads.filter((w) => w.ref.namespace === namespace).map((w) => `${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`).sort(),
    peers: [...peers].sort(),
    edges: edgesByName({ ...all.graph, edges: kept }),
  };
}

describe("posture -n: properties", () => {
  const cluster = fc.tuple(pods, networkPolicies).map(([endpoints, policies]) => {
    const docs: unknown[] = endpoints.map((pod) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: pod.name, namespace: pod.namespace },
      spec: { selector: { matchLabels: pod.labels }, template: { metadata: { labels: pod.labels }, spec: { containers: [{ name: "c", image: "nginx", ports: pod.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })) }] } } },
    }));
    docs.push(...policies);
    return docs.map((d) => JSON.stringify(d)).join("\n---\n");
  });

  it("the scoped graph is the whole graph's connections with a workload of the namespace at one end, and the reach facts agree with it", async () => {
    await fc.assert(
      fc.asyncProperty(cluster, fc.constantFrom(...NAMESPACES), async (yaml, namespace) => {
        const dir = mkdtempSync(join(tmpdir(), "palisade-posture-scope-prop-"));
        const all = await postureOf(yaml, {}, dir);
        const scoped = await postureOf(yaml, { namespace }, dir);
        const want = expectedScoped(all, namespace);
        expect(workloadNodes(scoped.graph, false)).toEqual(want.inScope);
        expect(workloadNodes(scoped.graph, true)).toEqual(want.peers);
        expect(edgesByName(scoped.graph)).toEqual(want.edges);
        expect(scoped.workloads).toEqual(all.workloads.filter((w) => w.ref.namespace === namespace));
        // Every connection into a reported workload is drawn: its edges agree with its "reachable from" fact.
        for (const w of scoped.workloads) {
          const node = scoped.graph.nodes.find((n) => n.workload === `${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`)!;
          const inbound = scoped.graph.edges.filter((e) => e.target === node.id && e.source !== "outside").length;
          expect(w.facts.some((f) => f.startsWith(`reachable from ${inbound} of the other ${all.workloads.length - 1} workloads`))).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
