/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1,
 * sig-network's network-policy-api), validated as their CRD schema and CEL rules do, and
 * compiled into the model: ANPs form the tier before NetworkPolicy (lower priority number
 * first, rules in order, first match wins, Pass hands over to NetworkPolicy), the BANP the
 * tier after it (only for what NetworkPolicy left undecided).
 *
 * `networks` peers match any address, the pod network's included, as the API says ("if you
 * Allow or Deny traffic to 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic
 * as well"): external addresses, and pods by their IPs; a pod whose IPs the manifests do
 * not give matches only a network covering a whole address family (0.0.0.0/0, ::/0).
 * `nodes` peers need node objects the model does not have, so they match nothing and
 * lint says so.
 */
import { matchesLabelSelector, type LabelSelector } from "../../k8s/labels.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { parseCidr, parseIpCached, rangeContains, type IpRange } from "../cidr.js";
import type { Direction, EnforcedPolicy, Endpoint, PodEndpoint, SetRule } from "../model.js";
import { evaluateRules } from "../networkpolicy/compile.js";
import { portNameProblems, isValidPortNumber, type PolicyProblem } from "../networkpolicy/validate.js";
import { PortSet, type PortProtocol } from "../ports.js";
import { validateLabelSelector } from "../../k8s/labels.js";

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

type Add = (path: FieldPath, message: string) => void;

/** Problems the API server (CRD schema and CEL rules) reports for this object. */
export function validateAdminNetworkPolicy(object: K8sObject, baseline: boolean): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") add(["metadata", "name"], "Required value: name is required");
  else if (baseline && name !== "default") add(["metadata", "name"], `Invalid value: ${JSON.stringify(name)}: only one BaselineAdminNetworkPolicy may exist and it must be named "default"`);
  const spec = object.spec;
  if (!isRecord(spec)) return [...problems, { path: ["spec"], message: "Required value: spec is required" }];
  if (!baseline) {
    if (typeof spec.priority !== "number" || !Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 1000) {
      add(["spec", "priority"], "Invalid value: priority must be an integer from 0 to 1000");
    }
  }
  checkSubject(spec.subject, ["spec", "subject"], add);
  const actions = baseline ? ["Allow", "Deny"] : ["Allow", "Deny", "Pass"];
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) {
      add(["spec", direction], "Invalid value: must be a list of rules");
      continue;
    }
    if (rules.length > 100) add(["spec", direction], "Too many: must have at most 100 rules");
    rules.forEach((rule: unknown, i) => {
      const path = ["spec", direction, i];
      if (!isRecord(rule)) return add(path, "Invalid value: a rule must be an object");
      if (rule.name !== undefined && (typeof rule.name !== "string" || rule.name.length > 100)) add([...path, "name"], "Invalid value: name must be a string of at most 100 characters");
      if (!actions.includes(rule.action as string)) add([...path, "action"], `Unsupported value: ${JSON.stringify(rule.action)}: supported values: ${actions.map((a) => `"${a}"`).join(", ")}`);
      const peerField = direction === "ingress" ? "from" : "to";
      const peers = rule[peerField];
      if (!Array.isArray(peers) || peers.length === 0 || peers.length > 100) add([...path, peerField], "Invalid value: must list from 1 to 100 peers");
      else peers.forEach((peer: unknown, j) => checkPeer(peer, [...path, peerField, j], direction, add));
      if (rule.ports !== undefined && rule.ports !== null) {
        if (!Array.isArray(rule.ports) || rule.ports.length === 0 || rule.ports.length > 100) add([...path, "ports"], "Invalid value: must list from 1 to 100 ports");
        else rule.ports.forEach((port: unknown, j) => checkPort(port, [...path, "ports", j], add));
      }
    });
  }
  return problems;
}

function checkSelector(selector: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(selector)) return add(path, "Required value: a label selector is required");
  for (const message of validateLabelSelector(selector as LabelSelector)) add(path, `Invalid value: ${message}`);
}

function checkPods(pods: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(pods)) return add(path, "Invalid value: pods must be an object");
  checkSelector(pods.namespaceSelector, [...path, "namespaceSelector"], add);
  checkSelector(pods.podSelector, [...path, "podSelector"], add);
}

function checkSubject(subject: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(subject)) return add(path, "Required value: subject is required");
  const keys = Object.keys(subject).filter((k) => subject[k] !== undefined && subject[k] !== null);
  if (keys.length !== 1 || !["namespaces", "pods"].includes(keys[0]!)) return add(path, "Invalid value: subject must set exactly one of namespaces or pods");
  if (keys[0] === "namespaces") checkSelector(subject.namespaces, [...path, "namespaces"], add);
  else checkPods(subject.pods, [...path, "pods"], add);
}

function checkPeer(peer: unknown, path: FieldPath, direction: Direction, add: Add): void {
  const allowed = direction === "ingress" ? ["namespaces", "pods"] : ["namespaces", "pods", "nodes", "networks"];
  if (!isRecord(peer)) return add(path, "Invalid value: a peer must be an object");
  const keys = Object.keys(peer).filter((k) => peer[k] !== undefined && peer[k] !== null);
  if (keys.length !== 1 || !allowed.includes(keys[0]!)) return add(path, `Invalid value: a peer must set exactly one of ${allowed.join(", ")}`);
  const key = keys[0]!;
  if (key === "namespaces" || key === "nodes") checkSelector(peer[key], [...path, key], add);
  else if (key === "pods") checkPods(peer.pods, [...path, "pods"], add);
  else {
    const networks = peer.networks;
    if (!Array.isArray(networks) || networks.length === 0 || networks.length > 25) return add([...path, "networks"], "Invalid value: networks must list from 1 to 25 CIDRs");
    networks.forEach((cidr: unknown, i) => {
      if (typeof cidr !== "string" || !parseCidr(cidr)) add([...path, "networks", i], `Invalid value: ${JSON.stringify(cidr)}: must be a valid CIDR`);
    });
  }
}

function checkProtocol(protocol: unknown, path: FieldPath, add: Add): void {
  if (protocol !== undefined && protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") add(path, `Unsupported value: ${JSON.stringify(protocol)}: supported values: "TCP", "UDP", "SCTP"`);
}

function checkPort(port: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(port)) return add(path, "Invalid value: a port must be an object");
  const keys = Object.keys(port).filter((k) => port[k] !== undefined && port[k] !== null);
  if (keys.length !== 1 || !["portNumber", "namedPort", "portRange"].includes(keys[0]!)) return add(path, "Invalid value: a port must set exactly one of portNumber, namedPort, portRange");
  if (isRecord(port.portNumber)) {
    checkProtocol(port.portNumber.protocol, [...path, "portNumber", "protocol"], add);
    if (!isValidPortNumber(port.portNumber.port)) add([...path, "portNumber", "port"], "Invalid value: port must be between 1 and 65535");
  } else if (typeof port.namedPort === "string") {
    for (const m of portNameProblems(port.namedPort)) add([...path, "namedPort"], `Invalid value: ${JSON.stringify(port.namedPort)}: ${m}`);
  } else if (isRecord(port.portRange)) {
    const { start, end, protocol } = port.portRange;
    checkProtocol(protocol, [...path, "portRange", "protocol"], add);
    if (!isValidPortNumber(start) || !isValidPortNumber(end)) add([...path, "portRange"], "Invalid value: start and end must be between 1 and 65535");
    else if (start >= end) add([...path, "portRange"], "Invalid value: Start port must be less than End port");
  } else add(path, "Invalid value: malformed port");
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

function compile(object: K8sObject, baseline: boolean): EnforcedPolicy {
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
