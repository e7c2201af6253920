/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1,
 * sig-network's network-policy-api), validated as their CRD schema and CEL rules do
 * (validate.ts), and compiled into the model as the API server stores them (prune.ts):
 * ANPs form the tier before NetworkPolicy (lower priority number first, rules in order,
 * first match wins, Pass hands over to NetworkPolicy), the BANP the tier after it (only for
 * what NetworkPolicy left undecided).
 *
 * `networks` peers match any address, the pod network's included, as the API says ("if you
 * Allow or Deny traffic to 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic
 * as well"): external addresses, and pods by their IPs; a pod whose IPs the manifests do
 * not give matches only a network covering a whole address family (0.0.0.0/0, ::/0).
 * `nodes` peers need node objects the model does not have, so they match nothing and
 * lint says so.
 */
import { matchesLabelSelector, type LabelSelector } from "../../k8s/labels.js";
import type { K8sObject } from "../../k8s/types.js";
import { parseCidr, parseIpCached, rangeContains, type IpRange } from "../cidr.js";
import type { Direction, EnforcedPolicy, Endpoint, PodEndpoint, SetRule } from "../model.js";
import { evaluateRules } from "../networkpolicy/compile.js";
import { PortSet, type PortProtocol } from "../ports.js";
import { prunedAsStored } from "./prune.js";

export { validateAdminNetworkPolicy } from "./validate.js";

export const ANP_GROUP = "policy.networking.k8s.io";
export const ADMIN_TIER = "adminnetworkpolicy";
export const BASELINE_TIER = "baselineadminnetworkpolicy";

interface PodsPeer {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}
interface AdminPeer {
  namespaces?: LabelSelector;
  pods?: PodsPeer;
  nodes?: LabelSelector;
  networks?: string[];
}
interface AdminPort {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}
interface AdminRule {
  name?: string;
  action: "Allow" | "Deny" | "Pass";
  from?: AdminPeer[];
  to?: AdminPeer[];
  ports?: AdminPort[];
}
interface AdminSpec {
  priority?: number;
  subject: { namespaces?: LabelSelector; pods?: PodsPeer };
  ingress?: AdminRule[];
  egress?: AdminRule[];
}

type PeerMatcher = (ep: Endpoint) => boolean;

function podsMatcher(pods: PodsPeer): (ep: PodEndpoint) => boolean {
  return (ep) => matchesLabelSelector(pods.namespaceSelector, ep.namespaceLabels) && matchesLabelSelector(pods.podSelector, ep.labels);
}

function compilePeer(peer: AdminPeer): PeerMatcher {
  if (peer.namespaces) {
    const selector = peer.namespaces;
    return (ep) => ep.kind === "pod" && !ep.hostNetwork && matchesLabelSelector(selector, ep.namespaceLabels);
  }
  if (peer.pods) {
    const match = podsMatcher(peer.pods);
    return (ep) => ep.kind === "pod" && !ep.hostNetwork && match(ep);
  }
  if (peer.networks) {
    const ranges = peer.networks.map((c) => parseCidr(c) as IpRange);
    // A pod whose addresses the manifests do not give is surely inside only a whole address family.
    const coversAFamily = ranges.some((r) => r.first === 0n && r.last === (r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n));
    return (ep) => {
      // Unlike ipBlock, networks match cluster-internal addresses too: pod IPs as well as nodes'.
      const ips = ep.kind === "external" ? [ep.ip] : ep.ips;
      if (ips.length === 0) return coversAFamily;
      return ips.some((text) => {
        const ip = parseIpCached(text);
        return ip !== undefined && ranges.some((r) => rangeContains(r, ip));
      });
    };
  }
  return () => false; // nodes: no node objects in the model
}

function compilePorts(ports: AdminPort[] | undefined): { connections(dst: Endpoint): PortSet; named: boolean } {
  if (!ports || ports.length === 0) return { connections: () => PortSet.all, named: false };
  let fixed = PortSet.none;
  const named: string[] = [];
  for (const p of ports) {
    if (p.portNumber) fixed = fixed.union(PortSet.range((p.portNumber.protocol ?? "TCP") as PortProtocol, p.portNumber.port, p.portNumber.port));
    else if (p.portRange) fixed = fixed.union(PortSet.range((p.portRange.protocol ?? "TCP") as PortProtocol, p.portRange.start, p.portRange.end));
    else if (p.namedPort) named.push(p.namedPort);
  }
  if (named.length === 0) return { connections: () => fixed, named: false };
  return {
    named: true,
    connections(dst) {
      if (dst.kind !== "pod") return fixed;
      let set = fixed;
      // ANP's namedPort carries no protocol: the container port's own protocol applies.
      for (const name of named) {
        const declared = dst.ports.find((p) => p.name === name);
        if (declared) set = set.union(PortSet.range(declared.protocol, declared.port, declared.port));
      }
      return set;
    },
  };
}

/** `written` must have passed validateAdminNetworkPolicy; what is compiled is the object as the API server stores it. */
function compile(written: K8sObject, baseline: boolean): EnforcedPolicy {
  const object = prunedAsStored(written);
  const spec = object.spec as unknown as AdminSpec;
  const name = object.metadata?.name ?? "";
  const subject = spec.subject;
  const selectsPod: (ep: PodEndpoint) => boolean = subject.namespaces
    ? (ep) => matchesLabelSelector(subject.namespaces!, ep.namespaceLabels)
    : podsMatcher(subject.pods!);
  const rules: Record<Direction, SetRule[]> = { ingress: [], egress: [] };
  const cidrs: Record<Direction, string[]> = { ingress: [], egress: [] };
  for (const direction of ["ingress", "egress"] as const) {
    (spec[direction] ?? []).forEach((rule, ruleIndex) => {
      const peers = (direction === "ingress" ? rule.from : rule.to) ?? [];
      const matchers = peers.map(compilePeer);
      for (const p of peers) cidrs[direction].push(...(p.networks ?? []));
      const ports = compilePorts(rule.ports);
      rules[direction].push({
        action: rule.action,
        ruleIndex,
        description: `${direction} rule ${ruleIndex}${rule.name ? ` "${rule.name}"` : ""}: ${rule.action}`,
        matchesPeer: (peer) => matchers.some((m) => m(peer)),
        connections: ports.connections,
        dependsOnDestination: ports.named,
      });
    });
  }
  const kind = baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy";
  return {
    id: `${kind}/${name}`,
    kind,
    name,
    tier: baseline ? BASELINE_TIER : ADMIN_TIER,
    order: baseline ? 0 : spec.priority,
    staged: false,
    directions: ["ingress", "egress"].filter((d) => (spec[d as Direction] ?? []).length > 0) as Direction[],
    selects: (ep) => !ep.hostNetwork && selectsPod(ep),
    rules: (direction) => rules[direction],
    cidrs: (direction) => cidrs[direction],
    evaluate: (direction, packet) => evaluateRules(rules[direction], direction, packet),
  };
}

export function compileAdminNetworkPolicy(object: K8sObject): EnforcedPolicy {
  return compile(object, false);
}

export function compileBaselineAdminNetworkPolicy(object: K8sObject): EnforcedPolicy {
  return compile(object, true);
}
