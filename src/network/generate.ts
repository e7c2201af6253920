/**
 * `netpol generate`: least-privilege NetworkPolicies that allow exactly the observed flows.
 * Every workload named in the flows gets one policy selecting exactly it, isolated for
 * ingress and egress, with one rule per peer listing the ports seen. Selectors are exact:
 * a workload's labels, plus DoesNotExist for keys that only its look-alikes carry, so a
 * selector never also picks a neighbour whose labels are a superset.
 */
import { UserError } from "../errors.js";
import { matchesLabelSelector, validateLabelKey, validateLabelValue, type LabelSelector, type LabelSelectorRequirement } from "../k8s/labels.js";
import { parseIp } from "./cidr.js";
import { PortSet, type PortProtocol } from "./ports.js";
import type { NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from "./networkpolicy/types.js";

export const FLOWS_FORMAT_HELP = `Flows file (JSON):
  {
    "workloads": [ { "namespace": "shop", "name": "frontend", "labels": { "app": "frontend" } }, ... ],
    "flows": [
      { "from": "shop/frontend", "to": "shop/backend", "port": 8080, "protocol": "TCP" },
      { "from": "shop/backend", "to": "10.20.0.5", "port": 5432 },
      { "from": "203.0.113.7", "to": "shop/frontend", "port": 443 }
    ]
  }
  from/to: NAMESPACE/NAME of a listed workload, or an IP address (outside the cluster).
  protocol: TCP (default), UDP or SCTP. Namespaces are matched by kubernetes.io/metadata.name.`;

export interface FlowWorkload {
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

export interface Flow {
  from: string;
  to: string;
  port: number;
  protocol: PortProtocol;
}

export interface Flows {
  workloads: FlowWorkload[];
  flows: Flow[];
}

function fail(file: string, message: string, hint: string): never {
  throw new UserError(`${file}: ${message}`, { hint });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function workloadProblem(w: FlowWorkload): { message: string; hint: string } | undefined {
  if (w.namespace.length > 63 || !DNS_LABEL.test(w.namespace)) {
    return { message: `namespace ${JSON.stringify(w.namespace)} is not a valid namespace name`, hint: "a namespace is a lowercase RFC 1123 label: a-z, 0-9 and '-', at most 63 characters, starting and ending with a letter or digit" };
  }
  for (const [key, value] of Object.entries(w.labels)) {
    const keyProblems = validateLabelKey(key);
    if (keyProblems.length > 0) return { message: `label key ${JSON.stringify(key)}: ${keyProblems.join("; ")}`, hint: "give the labels the pods carry (kubectl get pods --show-labels)" };
    const valueProblems = validateLabelValue(value);
    if (valueProblems.length > 0) return { message: `label ${key}=${JSON.stringify(value)}: ${valueProblems.join("; ")}`, hint: "give the labels the pods carry (kubectl get pods --show-labels)" };
  }
  return undefined;
}

/** Parse and check a flows file; every problem names the entry it is in. */
export function parseFlows(text: string, file = "<flows>"): Flows {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(file, `not valid JSON (${(err as Error).message})`, "the flows file is JSON; see `palisade netpol generate --help`");
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(data) || !Array.isArray(data.flows)) fail(file, "expected an object with a `flows` list", "see `palisade netpol generate --help`");
  const workloads: FlowWorkload[] = [];
  (Array.isArray(data.workloads) ? data.workloads : []).forEach((w: unknown, i) => {
    const labels = isObj(w) ? w.labels : undefined;
    if (!isObj(w) || typeof w.namespace !== "string" || typeof w.name !== "string" || (labels !== undefined && (!isObj(labels) || Object.values(labels).some((v) => typeof v !== "string")))) {
      fail(file, `workloads[${i}]: expected {namespace, name, labels}`, "labels map label keys to string values");
    }
    const workload = { namespace: w.namespace as string, name: w.name as string, labels: (labels ?? {}) as Record<string, string> };
    // The policies carry these as they are: what the API server would refuse stops here, where it came from.
    const problem = workloadProblem(workload);
    if (problem) fail(file, `workloads[${i}] (${workload.namespace}/${workload.name}): ${problem.message}`, problem.hint);
    workloads.push(workload);
  });
  const known = new Set(workloads.map((w) => `${w.namespace}/${w.name}`));
  const flows: Flow[] = [];
  (data.flows as unknown[]).forEach((f, i) => {
    if (!isObj(f) || typeof f.from !== "string" || typeof f.to !== "string") fail(file, `flows[${i}]: expected {from, to, port, protocol}`, "from and to are NAMESPACE/NAME or an IP");
    for (const end of [f.from, f.to] as string[]) {
      if (!parseIp(end) && !known.has(end)) fail(file, `flows[${i}]: ${JSON.stringify(end)} is neither a listed workload nor an IP address`, "list the workload under `workloads` with its labels");
    }
    if (parseIp(f.from as string) && parseIp(f.to as string)) fail(file, `flows[${i}]: both ends are outside the cluster`, "a NetworkPolicy only governs pods");
    const protocol = f.protocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") fail(file, `flows[${i}]: protocol ${JSON.stringify(protocol)}`, "expected TCP, UDP or SCTP");
    if (typeof f.port !== "number" || !Number.isInteger(f.port) || f.port < 1 || f.port > 65535) fail(file, `flows[${i}]: port must be an integer 1..65535`, "one flow per destination port");
    flows.push({ from: f.from as string, to: f.to as string, port: f.port, protocol });
  });
  return { workloads, flows };
}

/** A selector matching `target` and none of `others` (which share its namespace). */
export function exactSelector(target: FlowWorkload, others: readonly FlowWorkload[]): LabelSelector {
  const matchLabels = { ...target.labels };
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
  if (expressions.length > 0) selector.matchExpressions = expressions;
  return selector;
}

function portsOf(set: PortSet): NetworkPolicyPort[] {
  const out: NetworkPolicyPort[] = [];
  for (const protocol of ["TCP", "UDP", "SCTP"] as const) {
    for (const [lo, hi] of set.ranges(protocol)) out.push(lo === hi ? { protocol, port: lo } : { protocol, port: lo, endPort: hi });
  }
  return out;
}

function policyName(w: FlowWorkload): string {
  const base = `${w.name}-least-privilege`.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  return base.slice(0, 253).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "") || "least-privilege";
}

/** One NetworkPolicy per workload named in the flows (or listed), allowing exactly those flows. */
export function generatePolicies(input: Flows): NetworkPolicyObject[] {
  const byKey = new Map(input.workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const selectors = new Map<string, LabelSelector>();
  const selectorOf = (key: string): LabelSelector => {
    let s = selectors.get(key);
    if (!s) {
      const w = byKey.get(key)!;
      s = exactSelector(w, input.workloads.filter((o) => o.namespace === w.namespace));
      selectors.set(key, s);
    }
    return s;
  };
  const peerOf = (end: string, policyNamespace: string): NetworkPolicyPeer => {
    const ip = parseIp(end);
    if (ip) return { ipBlock: { cidr: `${end}/${ip.family === 4 ? 32 : 128}` } };
    const w = byKey.get(end)!;
    if (w.namespace === policyNamespace) return { podSelector: selectorOf(end) };
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": w.namespace } }, podSelector: selectorOf(end) };
  };
  // Per workload and direction: peer -> ports seen.
  const seen = new Map<string, { ingress: Map<string, PortSet>; egress: Map<string, PortSet> }>();
  const slot = (key: string): { ingress: Map<string, PortSet>; egress: Map<string, PortSet> } => {
    let s = seen.get(key);
    if (!s) seen.set(key, (s = { ingress: new Map(), egress: new Map() }));
    return s;
  };
  for (const w of input.workloads) slot(`${w.namespace}/${w.name}`);
  for (const flow of input.flows) {
    if (flow.from === flow.to) continue; // a pod always reaches itself
    const ports = PortSet.range(flow.protocol, flow.port, flow.port);
    if (byKey.has(flow.to)) {
      const m = slot(flow.to).ingress;
      m.set(flow.from, (m.get(flow.from) ?? PortSet.none).union(ports));
    }
    if (byKey.has(flow.from)) {
      const m = slot(flow.from).egress;
      m.set(flow.to, (m.get(flow.to) ?? PortSet.none).union(ports));
    }
  }
  const policies: NetworkPolicyObject[] = [];
  for (const [key, { ingress, egress }] of [...seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const w = byKey.get(key)!;
    const rules = (m: Map<string, PortSet>): { peer: NetworkPolicyPeer; ports: NetworkPolicyPort[] }[] =>
      [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([peer, ports]) => ({ peer: peerOf(peer, w.namespace), ports: portsOf(ports) }));
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: policyName(w), namespace: w.namespace },
      spec: {
        podSelector: selectorOf(key),
        policyTypes: ["Ingress", "Egress"],
        ingress: rules(ingress).map((r) => ({ from: [r.peer], ports: r.ports })),
        egress: rules(egress).map((r) => ({ to: [r.peer], ports: r.ports })),
      },
    });
  }
  return policies;
}
