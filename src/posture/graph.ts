/**
 * The network graph of the report: who may connect to whom, with every workload a node
 * coloured by its score inside its namespace, and the outside world as one node linked to
 * the workloads published to it. A graph a person can read has at most a few hundred
 * nodes and a few thousand edges; past that, namespaces stand for their workloads.
 */
import type { Matrix } from "../network/matrix.js";
import type { PodEndpoint } from "../network/model.js";
import { describePorts } from "./exposure.js";
import type { ReachSummary } from "./reach.js";
import type { GraphEdge, GraphNode, PostureGraph } from "./types.js";

export const GRAPH_LIMITS = { workloads: 200, edges: 2000 } as const;

const OUTSIDE = "outside";

function workloadId(i: number): string {
  return `w${i}`;
}

function namespaceId(namespace: string): string {
  return `ns:${namespace}`;
}

/** `names[j]`: workload j's name (workloadName); `exposed[j]`: whether it is published outside and some outside address may connect. */
export function postureGraph(matrix: Matrix, reach: ReachSummary, names: readonly string[], scores: readonly number[], exposed: readonly boolean[]): PostureGraph {
  const pods = matrix.pods as readonly PodEndpoint[];
  if (pods.length <= GRAPH_LIMITS.workloads) {
    const edges: GraphEdge[] = [];
    for (let i = 0; i < pods.length && edges.length <= GRAPH_LIMITS.edges; i++) {
      for (let j = 0; j < pods.length; j++) {
        if (i === j) continue;
        const ports = matrix.podToPod(i, j);
        if (!ports.isEmpty()) edges.push({ source: workloadId(i), target: workloadId(j), label: describePorts(ports).replace(/^on /, "") });
      }
    }
    if (edges.length <= GRAPH_LIMITS.edges) {
      const nodes: GraphNode[] = namespaceNodes(pods, scores);
      pods.forEach((pod, i) => nodes.push({ id: workloadId(i), label: pod.workload ?? pod.name, parent: namespaceId(pod.namespace), kind: "workload", score: scores[i] as number, workload: names[i] as string }));
      addOutside(nodes, edges, exposed, workloadId);
      return { level: "workloads", nodes, edges };
    }
  }
  return namespaceGraph(matrix, reach, scores, exposed);
}

function namespaceNodes(pods: readonly PodEndpoint[], scores: readonly number[]): GraphNode[] {
  const weakest = new Map<string, number>();
  pods.forEach((pod, i) => weakest.set(pod.namespace, Math.min(weakest.get(pod.namespace) ?? 100, scores[i] as number)));
  return [...weakest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([namespace, score]) => ({ id: namespaceId(namespace), label: namespace, kind: "namespace", score }));
}

function addOutside(nodes: GraphNode[], edges: GraphEdge[], exposed: readonly boolean[], idOf: (i: number) => string): void {
  const targets = new Set<string>();
  exposed.forEach((yes, i) => {
    if (yes) targets.add(idOf(i));
  });
  if (targets.size === 0) return;
  nodes.push({ id: OUTSIDE, label: "outside the cluster", kind: "outside" });
  for (const target of targets) edges.push({ source: OUTSIDE, target, label: "published" });
}

function namespaceGraph(matrix: Matrix, reach: ReachSummary, scores: readonly number[], exposed: readonly boolean[]): PostureGraph {
  const pods = matrix.pods as readonly PodEndpoint[];
  const count = reach.namespaces.length;
  const nodes = namespaceNodes(pods, scores);
  // The busiest links first; a graph past the limit keeps those and says how many it left out.
  const ranked = [...reach.namespacePairs].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const edges: GraphEdge[] = ranked.slice(0, GRAPH_LIMITS.edges).map(([key, pairs]) => {
    const from = reach.namespaces[Math.floor(key / count)] as string;
    const to = reach.namespaces[key % count] as string;
    return { source: namespaceId(from), target: namespaceId(to), label: `${pairs} pair${pairs === 1 ? "" : "s"}` };
  });
  addOutside(nodes, edges, exposed, (i) => namespaceId((pods[i] as PodEndpoint).namespace));
  const left = ranked.length - Math.min(ranked.length, GRAPH_LIMITS.edges);
  return {
    level: "namespaces",
    nodes,
    edges,
    note:
      `${pods.length} workloads: more than a readable graph holds (${GRAPH_LIMITS.workloads} workloads, ${GRAPH_LIMITS.edges} connections), so each namespace stands for its workloads and an edge counts the pairs of workloads that may connect across namespaces` +
      (left > 0 ? `; the ${left} links between namespaces with the fewest pairs are left out` : ""),
  };
}
