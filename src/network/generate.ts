/**
 * `netpol generate`: least-privilege NetworkPolicies that allow exactly the observed flows.
 * Every workload named in the flows gets one policy selecting exactly it, isolated for
 * ingress and egress, with one rule per peer listing the ports seen. Selectors are exact:
 * a workload's labels, plus DoesNotExist for keys that only its look-alikes carry, so a
 * selector never also picks a neighbour whose labels are a superset.
 */
import { createHash } from "node:crypto";
import { UserError } from "../errors.js";
import { matchesLabelSelector, type LabelSelector, type LabelSelectorRequirement } from "../k8s/labels.js";
import { parseIp } from "./cidr.js";
import type { FlowWorkload, Flows } from "./flows.js";
import { PortSet } from "./ports.js";
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from "./networkpolicy/types.js";

export { FLOWS_FORMAT_HELP, parseFlows, type Flow, type FlowWorkload, type Flows } from "./flows.js";

/** A selector matching `target` and none of `others` (which share its namespace); keys in order, so output is stable. */
export function exactSelector(target: FlowWorkload, others: readonly FlowWorkload[]): LabelSelector {
  const matchLabels = Object.fromEntries(Object.entries(target.labels).sort(([a], [b]) => compare(a, b)));
  const expressions: LabelSelectorRequirement[] = [];
  for (const other of others) {
    if (other === target || !matchesLabelSelector({ matchLabels }, other.labels)) continue;
    const extra = Object.keys(other.labels).filter((k) => !(k in target.labels));
    if (extra.length === 0) {
      throw new UserError(`workloads ${target.namespace}/${target.name} and ${other.namespace}/${other.name} cannot be told apart by labels`, {
        hint: "a NetworkPolicy selects pods by labels only; give one of them a distinguishing label",
      });
    }
    const key = extra.sort()[0]!;
    if (!expressions.some((e) => e.key === key)) expressions.push({ key, operator: "DoesNotExist" });
  }
  const selector: LabelSelector = {};
  if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
  if (expressions.length > 0) selector.matchExpressions = expressions.sort((a, b) => compare(a.key, b.key));
  return selector;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function portsOf(set: PortSet): NetworkPolicyPort[] {
  const out: NetworkPolicyPort[] = [];
  for (const protocol of ["TCP", "UDP", "SCTP"] as const) {
    for (const [lo, hi] of set.ranges(protocol)) out.push(lo === hi ? { protocol, port: lo } : { protocol, port: lo, endPort: hi });
  }
  return out;
}

const NAME_SUFFIX = "-least-privilege";
const MAX_NAME = 253;

/**
 * `NAME-least-privilege`: a DNS subdomain (metadata.name of a NetworkPolicy) for every valid
 * workload name, distinct for distinct workloads of a namespace. A name too long to take the
 * suffix is cut and given a hash of the whole name, so two long names sharing a prefix still
 * get two policies instead of one replacing the other.
 */
export function policyName(workloadName: string): string {
  if (workloadName.length + NAME_SUFFIX.length <= MAX_NAME) return `${workloadName}${NAME_SUFFIX}`;
  const hash = createHash("sha256").update(workloadName).digest("hex").slice(0, 10);
  // Cut where a label may end: a subdomain never has "-." or ".-".
  const kept = workloadName.slice(0, MAX_NAME - NAME_SUFFIX.length - hash.length - 1).replace(/[^a-z0-9]+$/, "");
  return `${kept}-${hash}${NAME_SUFFIX}`;
}

/**
 * Cluster DNS as kubeadm and most distributions deploy it: the kube-dns Service's pods in
 * kube-system. Egress isolation without it breaks every name lookup, which no flow log
 * shows as a connection to a pod (a resolver is reached through the Service IP).
 */
export const DNS_EGRESS_RULE: NetworkPolicyEgressRule = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/**
 * What the cluster DNS itself must accept once its own ingress is isolated: every pod's
 * lookups (from any namespace, the flows' workloads or not) and those of hostNetwork pods
 * and nodes, which come from node addresses. So every source, on the DNS ports.
 */
export const DNS_INGRESS_RULE: NetworkPolicyIngressRule = { ports: structuredClone(DNS_EGRESS_RULE.ports) as NetworkPolicyPort[] };

/** Whether DNS_EGRESS_RULE's peer selects the workload: a policy isolating it must then take DNS_INGRESS_RULE. */
function servesClusterDns(w: FlowWorkload): boolean {
  const [peer] = DNS_EGRESS_RULE.to ?? [];
  const namespaceLabels = { "kubernetes.io/metadata.name": w.namespace };
  return !!peer?.namespaceSelector && !!peer.podSelector && matchesLabelSelector(peer.namespaceSelector, namespaceLabels) && matchesLabelSelector(peer.podSelector, w.labels);
}

export interface GenerateOptions {
  /** Allow DNS to kube-dns from every workload (default true). */
  dns?: boolean;
}

interface Seen {
  ingress: Map<string, PortSet>;
  egress: Map<string, PortSet>;
}

/** Per workload and direction: peer -> ports seen. A flow from a workload to itself is between its replicas. */
function collect(input: Flows, listed: ReadonlySet<string>): Map<string, Seen> {
  const seen = new Map<string, Seen>();
  const slot = (key: string): Seen => {
    let s = seen.get(key);
    if (!s) seen.set(key, (s = { ingress: new Map(), egress: new Map() }));
    return s;
  };
  for (const w of input.workloads) if (listed.has(`${w.namespace}/${w.name}`)) slot(`${w.namespace}/${w.name}`);
  const add = (m: Map<string, PortSet>, peer: string, ports: PortSet): void => void m.set(peer, (m.get(peer) ?? PortSet.none).union(ports));
  for (const flow of input.flows) {
    const ports = PortSet.range(flow.protocol, flow.port, flow.port);
    if (listed.has(flow.to)) add(slot(flow.to).ingress, flow.from, ports);
    if (listed.has(flow.from)) add(slot(flow.from).egress, flow.to, ports);
  }
  return seen;
}

/**
 * One NetworkPolicy per listed workload, allowing exactly its flows (and DNS, unless
 * `dns: false`: lookups out of every workload, and into the cluster DNS when the flows list
 * it). hostNetwork workloads get none: NetworkPolicy does not apply to them.
 */
export function generatePolicies(input: Flows, options: GenerateOptions = {}): NetworkPolicyObject[] {
  const byKey = new Map(input.workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const selectors = new Map<string, LabelSelector>();
  const selectorOf = (key: string): LabelSelector => {
    let s = selectors.get(key);
    if (!s) {
      const w = byKey.get(key)!;
      s = exactSelector(w, input.workloads.filter((o) => o.namespace === w.namespace));
      selectors.set(key, s);
    }
    // A copy per use: a shared object is written as a YAML anchor and alias (&a1 ... *a1).
    return structuredClone(s);
  };
  const peerOf = (end: string, policyNamespace: string): NetworkPolicyPeer => {
    const ip = parseIp(end);
    if (ip) return { ipBlock: { cidr: `${end}/${ip.family === 4 ? 32 : 128}` } };
    const w = byKey.get(end)!;
    if (w.namespace === policyNamespace) return { podSelector: selectorOf(end) };
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": w.namespace } }, podSelector: selectorOf(end) };
  };
  const governed = new Set(input.workloads.filter((w) => !w.hostNetwork).map((w) => `${w.namespace}/${w.name}`));
  const policies: NetworkPolicyObject[] = [];
  for (const [key, { ingress, egress }] of [...collect(input, governed)].sort(([a], [b]) => compare(a, b))) {
    const w = byKey.get(key)!;
    const rules = (m: Map<string, PortSet>): { peer: NetworkPolicyPeer; ports: NetworkPolicyPort[] }[] =>
      [...m].sort(([a], [b]) => compare(a, b)).map(([peer, ports]) => ({ peer: peerOf(peer, w.namespace), ports: portsOf(ports) }));
    const egressRules: NetworkPolicyEgressRule[] = rules(egress).map((r) => ({ to: [r.peer], ports: r.ports }));
    const ingressRules: NetworkPolicyIngressRule[] = rules(ingress).map((r) => ({ from: [r.peer], ports: r.ports }));
    if (options.dns !== false) egressRules.push(structuredClone(DNS_EGRESS_RULE));
    // Every workload's lookups go to the cluster DNS, whose own isolation would otherwise refuse them all.
    if (options.dns !== false && servesClusterDns(w)) ingressRules.push(structuredClone(DNS_INGRESS_RULE));
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: policyName(w.name), namespace: w.namespace },
      spec: {
        podSelector: selectorOf(key),
        policyTypes: ["Ingress", "Egress"],
        ingress: ingressRules,
        egress: egressRules,
      },
    });
  }
  return policies;
}
