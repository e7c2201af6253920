/**
 * Who may reach each workload, with the matrix's allocation-free `reachersOf`, `reaches`,
 * `mayNotReach` and `mayReachFrom`: the inbound peers of each workload, how many other
 * namespaces they come from, and the pairs between namespaces (the graph of a large
 * cluster). 10,000 workloads are 10^8 pairs, so only the pairs whose answer is not known
 * in bulk are tried: of a workload nothing isolates, the egress-isolated pods; of an
 * isolated one, the peers its rules name.
 */
import type { Matrix } from "../network/matrix.js";
import type { PodEndpoint } from "../network/model.js";

export interface ReachSummary {
  /** Workloads (other than itself) that may connect to each workload. */
  inbound: Uint32Array;
  /** How many namespaces other than its own those come from. */
  inboundNamespaces: Uint32Array;
  /** Namespace names, in the order namespacePairs indexes them. */
  namespaces: string[];
  /** Pairs of workloads that may connect from namespace a to namespace b (a != b), at a * namespaces.length + b. */
  namespacePairs: Map<number, number>;
}

export function reachSummary(matrix: Matrix): ReachSummary {
  const pods = matrix.pods as readonly PodEndpoint[];
  const n = pods.length;
  const namespaceIndex = new Map<string, number>();
  const namespaceOf = new Uint32Array(n);
  pods.forEach((pod, i) => {
    let k = namespaceIndex.get(pod.namespace);
    if (k === undefined) namespaceIndex.set(pod.namespace, (k = namespaceIndex.size));
    namespaceOf[i] = k;
  });
  const count = namespaceIndex.size;
  const podsIn = new Uint32Array(count);
  for (let i = 0; i < n; i++) podsIn[namespaceOf[i]!]!++;
  const inbound = new Uint32Array(n);
  const inboundNamespaces = new Uint32Array(n);
  const seen = new Uint32Array(count);
  // A dense table while it stays small (2,048 namespaces: 16 MB), a map past that.
  const dense = count <= 2048 ? new Uint32Array(count * count) : undefined;
  const pairs = new Map<number, number>();
  const addPairs = (from: number, to: number, pairCount: number) => {
    const key = from * count + to;
    if (dense) dense[key]! += pairCount;
    else pairs.set(key, (pairs.get(key) ?? 0) + pairCount);
  };
  const reachers = new Uint8Array(n);
  // Pods that fail to reach j, per namespace (valid where failStamp is j + 1).
  const failsIn = new Uint32Array(count);
  const failStamp = new Uint32Array(count);
  for (let j = 0; j < n; j++) {
    const to = namespaceOf[j]!;
    let peers = 0;
    let namespaces = 0;
    const candidates = matrix.mayNotReach(j);
    const reacher = (i: number) => {
      peers++;
      const from = namespaceOf[i]!;
      if (from === to) return;
      if (seen[from] !== j + 1) {
        seen[from] = j + 1;
        namespaces++;
      }
      addPairs(from, to, 1);
    };
    if (candidates === "all") {
      const named = matrix.mayReachFrom(j);
      if (named === "all") {
        matrix.reachersOf(j, reachers);
        for (let i = 0; i < n; i++) if (reachers[i] !== 0) reacher(i);
      } else {
        // Isolated, and only the peers its rules name may pass: the pass costs what they number.
        for (const i of named) if (i !== j && matrix.reaches(i, j)) reacher(i);
      }
    } else {
      // Nothing isolates j for ingress: every other pod reaches it but those whose egress is isolated and fails.
      let fails = 0;
      for (const i of candidates) {
        if (i === j || matrix.reaches(i, j)) continue;
        fails++;
        const from = namespaceOf[i]!;
        if (failStamp[from] !== j + 1) {
          failStamp[from] = j + 1;
          failsIn[from] = 0;
        }
        failsIn[from]!++;
      }
      peers = n - 1 - fails;
      for (let from = 0; from < count; from++) {
        if (from === to) continue;
        const reaching = podsIn[from]! - (failStamp[from] === j + 1 ? failsIn[from]! : 0);
        if (reaching === 0) continue;
        namespaces++;
        addPairs(from, to, reaching);
      }
    }
    inbound[j] = peers;
    inboundNamespaces[j] = namespaces;
  }
  if (dense) dense.forEach((pairCount, key) => pairCount > 0 && pairs.set(key, pairCount));
  return { inbound, inboundNamespaces, namespaces: [...namespaceIndex.keys()], namespacePairs: pairs };
}
