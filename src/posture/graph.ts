/**
 * The network graph of the report: who may connect to whom, with every workload a node
 * coloured by its score inside its namespace, and the outside world as one node linked to
 * the workloads published to it. A graph a person can read has at most a few hundred
 * nodes and a few thousand edges; past that, namespaces stand for their workloads.
 *
 * With -n the graph is the namespace's, as its tables are: its workloads, and of the rest
 * of the cluster only the workloads that may connect to or be reached from them, marked
 * outOfScope (who can get in, and where its workloads can go), never the connections
 * between two workloads of other namespaces.
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

/**
 * `names[j]`: workload j's name (workloadName); `exposed[j]`: whether it is published outside
 * and some outside address may connect; `namespace`: with -n, the namespace reported.
 */
export function postureGraph(matrix: Matrix, reach: ReachSummary, names: readonly string[], scores: readonly number[], exposed: readonly boolean[], namespace?: string): PostureGraph {
  const pods = matrix.pods as readonly PodEndpoint[];
  const inScope = (i: number) => namespace === undefined || (pods[i] as PodEndpoint).namespace === namespace;
  const scoped = pods.flatMap((_, i) => (inScope(i) ? [i] : []));
  const drawn = scoped.length <= GRAPH_LIMITS.workloads ? connectionsOf(matrix, scoped, inScope) : undefined;
  if (drawn === undefined) return namespaceGraph(matrix, reach, scores, exposed, scoped, namespace);
  const edges: GraphEdge[] = drawn.pairs.map(([i, j]) => ({ source: workloadId(i), target: workloadId(j), label: describePorts(matrix.podToPod(i, j)).replace(/^on /, "") }));
  const peerNamespaces = new Set([...drawn.peers].map((i) => (pods[i] as PodEndpoint).namespace));
  const nodes: GraphNode[] = namespaceNodes(pods, scores, scoped, peerNamespaces);
  pods.forEach((pod, i) => {
    const peer = drawn.peers.has(i);
    if (!peer && !inScope(i)) return;
    nodes.push({ id: workloadId(i), label: pod.workload ?? pod.name, parent: namespaceId(pod.namespace), kind: "workload", score: scores[i] as number, workload: names[i] as string, ...(peer ? { outOfScope: true as const } : {}) });
  });
  addOutside(nodes, edges, scoped, exposed, workloadId);
  return { level: "workloads", nodes, edges };
}

/**
 * The connections from and to the scoped workloads, in the order (source, target), and the
 * workloads of other namespaces at their other end; undefined past the limits, found early:
 * a namespace of 10 workloads in a cluster of 10,000 tries 2 x 10 x 10,000 pairs at most.
 */
function connectionsOf(matrix: Matrix, scoped: readonly number[], inScope: (i: number) => boolean): { pairs: Array<[number, number]>; peers: Set<number> } | undefined {
  const count = matrix.pods.length;
  const pairs: Array<[number, number]> = [];
  const peers = new Set<number>();
  const room = GRAPH_LIMITS.workloads - scoped.length;
  for (const i of scoped) {
    for (let j = 0; j < count; j++) {
      if (j === i) continue;
      const peer = !inScope(j);
      const out = matrix.reaches(i, j);
      if (out) pairs.push([i, j]);
      // A pair of two scoped workloads is met from both ends: taken from its source only.
      const into = peer && matrix.reaches(j, i);
      if (into) pairs.push([j, i]);
      if (peer && (out || into)) peers.add(j);
      if (pairs.length > GRAPH_LIMITS.edges || peers.size > room) return undefined;
    }
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { pairs, peers };
}

/** The scoped workloads' namespaces, coloured by their weakest; the peers' namespaces, marked and uncoloured (only some of their workloads are drawn). */
function namespaceNodes(pods: readonly PodEndpoint[], scores: readonly number[], scoped: readonly number[], peerNamespaces: ReadonlySet<string>): GraphNode[] {
  const weakest = new Map<string, number>();
  for (const i of scoped) {
    const namespace = (pods[i] as PodEndpoint).namespace;
    weakest.set(namespace, Math.min(weakest.get(namespace) ?? 100, scores[i] as number));
  }
  const nodes: GraphNode[] = [...weakest].map(([namespace, score]) => ({ id: namespaceId(namespace), label: namespace, kind: "namespace", score }));
  for (const namespace of peerNamespaces) if (!weakest.has(namespace)) nodes.push({ id: namespaceId(namespace), label: namespace, kind: "namespace", outOfScope: true });
  return nodes.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** The outside world, linked to the scoped workloads published to it. */
function addOutside(nodes: GraphNode[], edges: GraphEdge[], scoped: readonly number[], exposed: readonly boolean[], idOf: (i: number) => string): void {
  const targets = new Set<string>();
  for (const i of scoped) if (exposed[i]) targets.add(idOf(i));
  if (targets.size === 0) return;
  nodes.push({ id: OUTSIDE, label: "outside the cluster", kind: "outside" });
  for (const target of targets) edges.push({ source: OUTSIDE, target, label: "published" });
}

function namespaceGraph(matrix: Matrix, reach: ReachSummary, scores: readonly number[], exposed: readonly boolean[], scoped: readonly number[], namespace: string | undefined): PostureGraph {
  const pods = matrix.pods as readonly PodEndpoint[];
  const count = reach.namespaces.length;
  const ends = (key: number) => [reach.namespaces[Math.floor(key / count)] as string, reach.namespaces[key % count] as string] as const;
  // The busiest links first; a graph past the limit keeps those and says how many it left out.
  const ranked = [...reach.namespacePairs].filter(([key]) => namespace === undefined || ends(key).includes(namespace)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const kept = ranked.slice(0, GRAPH_LIMITS.edges);
  const edges: GraphEdge[] = kept.map(([key, pairs]) => {
    const [from, to] = ends(key);
    return { source: namespaceId(from), target: namespaceId(to), label: `${pairs} pair${pairs === 1 ? "" : "s"}` };
  });
  const peerNamespaces = new Set(namespace === undefined ? [] : kept.flatMap(([key]) => ends(key)).filter((n) => n !== namespace));
  const nodes = namespaceNodes(pods, scores, scoped, peerNamespaces);
  addOutside(nodes, edges, scoped, exposed, (i) => namespaceId((pods[i] as PodEndpoint).namespace));
  const left = ranked.length - kept.length;
  const what =
    namespace === undefined
      ? `${pods.length} workloads: more than a readable graph holds (${GRAPH_LIMITS.workloads} workloads, ${GRAPH_LIMITS.edges} connections), so each namespace stands for its workloads and an edge counts the pairs of workloads that may connect across namespaces`
      : `${scoped.length} workloads in ${namespace}, with those of other namespaces that may connect to or from them: more than a readable graph holds (${GRAPH_LIMITS.workloads} workloads, ${GRAPH_LIMITS.edges} connections), so each namespace stands for its workloads and an edge counts the pairs of workloads that may connect from or to ${namespace}`;
  return { level: "namespaces", nodes, edges, note: what + (left > 0 ? `; the ${left} links between namespaces with the fewest pairs are left out` : "") };
}
