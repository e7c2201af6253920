/**
 * Policies compiled for one node: the pods it runs get chains of their own, every pod
 * whose address is known can be a peer, and each address family gets its own sets and
 * rules. The entry point that `palisade netpol compile` and the kernel tests share.
 */
import { endpointKey, type Tier } from "../model.js";
import { buildPlan } from "./build-plan.js";
import { calicoInterfaceName, DEFAULT_INTERFACE_PREFIX } from "./interface-names.js";
import type { RunningPod } from "./pod-endpoints.js";
import { renderIptables, type RenderedRules } from "./render-iptables.js";

export interface CompileOptions {
  /** Only pods scheduled to this node get chains; all pods when absent (one node holding every pod). */
  node?: string;
  /** Workload interfaces start with this prefix (Calico's `cali`); one the rules do not know is dropped. */
  interfacePrefix?: string;
  /** The host-side interface of a pod, when it is not Calico's name for it. */
  interfaceOf?: (pod: RunningPod) => string;
}

export interface CompiledDataplane {
  ipv4: RenderedRules;
  ipv6: RenderedRules;
  /** Pods that get chains on this node. */
  local: { pod: string; interfaceName: string }[];
  /** What the rules cannot hold, in words (peers without addresses). */
  notes: string[];
}

export function compileDataplane(tiers: readonly Tier[], pods: readonly RunningPod[], options: CompileOptions = {}): CompiledDataplane {
  const prefix = options.interfacePrefix ?? DEFAULT_INTERFACE_PREFIX;
  const interfaceOf = options.interfaceOf ?? ((pod: RunningPod) => calicoInterfaceName(pod.endpoint.namespace, pod.endpoint.name, prefix));
  const local = pods
    .filter((p) => !p.endpoint.hostNetwork && (options.node === undefined || p.nodeName === options.node))
    .map((p) => ({ endpoint: p.endpoint, interfaceName: interfaceOf(p) }));
  const endpoints = pods.map((p) => p.endpoint);
  const unaddressed = new Set<string>();
  const rendered = ([4, 6] as const).map((family) => {
    const { plan, unaddressedPeers } = buildPlan({ tiers, pods: endpoints, local, family, interfacePrefix: prefix });
    for (const pod of unaddressedPeers) unaddressed.add(endpointKey(pod));
    return renderIptables(plan);
  });
  const notes: string[] = [];
  if (unaddressed.size > 0) {
    const names = [...unaddressed];
    const more = names.length > 5 ? ` and ${names.length - 5} more` : "";
    notes.push(`${names.length} ${names.length === 1 ? "pod that rules match as a peer has" : "pods that rules match as peers have"} no address in the input (${names.slice(0, 5).join(", ")}${more}): the rules cannot match ${names.length === 1 ? "it" : "them"} by address; give Pod objects with status.podIPs, or read a live cluster with --cluster`);
  }
  return { ipv4: rendered[0]!, ipv6: rendered[1]!, local: local.map((l) => ({ pod: endpointKey(l.endpoint), interfaceName: l.interfaceName })), notes };
}
