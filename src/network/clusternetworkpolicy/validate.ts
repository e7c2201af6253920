/**
 * ClusterNetworkPolicy checked as the API server checks it: its CRD's OpenAPI schema
 * (required fields, enums, bounds, list sizes, exactly one field of a subject, peer,
 * protocol or port) and CEL rules (isCIDR, start < end, no named port towards addresses),
 * from apis/v1alpha2/clusternetworkpolicy_types.go, on the object as stored (prune.ts).
 *
 * What the CRD lets through but no one can say the effect of is refused too, its message
 * saying the API server accepts it: selectors that do not parse, named ports no container
 * port can have, domain names (resolved at run time) and nodes peers (Palisade has no Node
 * objects and their addresses). Explain and matrix then decline rather than guess.
 */
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import type { Direction } from "../model.js";
import { isValidPortNumber, portNameProblems, type PolicyProblem } from "../networkpolicy/validate.js";
import { isCelCidr } from "../adminnetworkpolicy/cel-cidr.js";
import { prunedClusterNetworkPolicy } from "./prune.js";
import { ACCEPTED, checkNamespacedPod, checkSelector, type Add } from "./selector.js";

const TIERS = ["Admin", "Baseline"];
const ACTIONS = ["Accept", "Deny", "Pass"];
/** The CRD's MaxItems for rules, peers, protocols, networks and domain names alike. */
const MAX_ITEMS = 25;
/** DomainName's pattern in the v1alpha2 CRD. */
const DOMAIN_NAME = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;
const INGRESS_PEER_FIELDS = ["namespaces", "pods"];
const EGRESS_PEER_FIELDS = ["namespaces", "pods", "nodes", "networks", "domainNames"];
/** Peers of addresses rather than pods, which the egress rule's CEL rule keeps apart from named ports. */
const ADDRESS_PEER_FIELDS = ["networks", "nodes", "domainNames"];

const quoted = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(", ");

/** Every reason the API server refuses this object, or Palisade cannot evaluate it; [] when neither. */
export function validateClusterNetworkPolicy(written: K8sObject): PolicyProblem[] {
  const object = prunedClusterNetworkPolicy(written);
  const problems: PolicyProblem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") add(["metadata", "name"], "Required value: name is required");
  const spec = object.spec;
  if (!isRecord(spec)) return [...problems, { path: ["spec"], message: "Required value: spec is required" }];
  if (spec.tier === undefined) add(["spec", "tier"], `Required value: tier is required (${TIERS.join(", ")})`);
  else if (!TIERS.includes(spec.tier as string)) add(["spec", "tier"], `Unsupported value: ${JSON.stringify(spec.tier)}: supported values: ${quoted(TIERS)}`);
  if (spec.priority === undefined) add(["spec", "priority"], "Required value: priority is required");
  else if (typeof spec.priority !== "number" || !Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 1000) {
    add(["spec", "priority"], `Invalid value: ${JSON.stringify(spec.priority)}: priority must be an integer from 0 to 1000`);
  }
  checkSubject(spec.subject, ["spec", "subject"], add);
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (rules === undefined) continue;
    if (!Array.isArray(rules)) {
      add(["spec", direction], "Invalid value: must be a list of rules");
      continue;
    }
    if (rules.length > MAX_ITEMS) add(["spec", direction], `Too many: ${rules.length}: must have at most ${MAX_ITEMS} items`);
    rules.forEach((rule: unknown, i) => checkRule(rule, ["spec", direction, i], direction, add));
  }
  return problems;
}

function checkSubject(subject: unknown, path: FieldPath, add: Add): void {
  if (subject === undefined) return add(path, "Required value: subject is required");
  if (!isRecord(subject)) return add(path, "Invalid value: subject must be an object");
  const keys = Object.keys(subject);
  if (keys.length !== 1) return add(path, "Invalid value: subject must set exactly one of namespaces, pods");
  if (keys[0] === "namespaces") checkSelector(subject.namespaces, [...path, "namespaces"], add);
  else checkNamespacedPod(subject.pods, [...path, "pods"], add);
}

function checkRule(rule: unknown, path: FieldPath, direction: Direction, add: Add): void {
  if (!isRecord(rule)) return add(path, "Invalid value: a rule must be an object");
  // maxLength counts characters (code points), not UTF-16 units.
  if (rule.name !== undefined && (typeof rule.name !== "string" || [...rule.name].length > 100)) add([...path, "name"], "Invalid value: name must be a string of at most 100 characters");
  if (rule.action === undefined) add([...path, "action"], `Required value: action is required (${ACTIONS.join(", ")})`);
  else if (!ACTIONS.includes(rule.action as string)) add([...path, "action"], `Unsupported value: ${JSON.stringify(rule.action)}: supported values: ${quoted(ACTIONS)}`);
  const peerField = direction === "ingress" ? "from" : "to";
  const peers = rule[peerField];
  if (peers === undefined) add([...path, peerField], `Required value: ${peerField} must list from 1 to ${MAX_ITEMS} peers`);
  else if (!Array.isArray(peers) || peers.length === 0 || peers.length > MAX_ITEMS) add([...path, peerField], `Invalid value: must list from 1 to ${MAX_ITEMS} peers`);
  else peers.forEach((peer: unknown, j) => checkPeer(peer, [...path, peerField, j], direction, add));
  const protocols = rule.protocols;
  if (protocols !== undefined) {
    if (!Array.isArray(protocols) || protocols.length === 0 || protocols.length > MAX_ITEMS) add([...path, "protocols"], `Invalid value: must list from 1 to ${MAX_ITEMS} protocols`);
    else protocols.forEach((protocol: unknown, j) => checkProtocol(protocol, [...path, "protocols", j], add));
  }
  if (direction === "egress" && Array.isArray(peers) && Array.isArray(protocols)) {
    // ClusterNetworkPolicyEgressRule's CEL rule: a named port is a pod's, so not with a peer of addresses.
    const addressPeer = peers.some((peer) => isRecord(peer) && ADDRESS_PEER_FIELDS.some((key) => peer[key] !== undefined));
    const namedPort = protocols.some((protocol) => isRecord(protocol) && protocol.destinationNamedPort !== undefined);
    if (addressPeer && namedPort) add(path, `Invalid value: "object": networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames`);
  }
}

function checkPeer(peer: unknown, path: FieldPath, direction: Direction, add: Add): void {
  if (!isRecord(peer)) return add(path, "Invalid value: a peer must be an object");
  const fields = direction === "ingress" ? INGRESS_PEER_FIELDS : EGRESS_PEER_FIELDS;
  // Pruned: only the peer's own fields are left, so this is the schema's min/maxProperties.
  const keys = Object.keys(peer);
  if (keys.length !== 1) return add(path, `Invalid value: a peer must set exactly one of ${fields.join(", ")}`);
  const key = keys[0]!;
  if (key === "namespaces") checkSelector(peer.namespaces, [...path, key], add);
  else if (key === "pods") checkNamespacedPod(peer.pods, [...path, key], add);
  else if (key === "nodes") checkNodes(peer.nodes, [...path, key], add);
  else if (key === "networks") checkNetworks(peer.networks, [...path, key], add);
  else checkDomainNames(peer.domainNames, [...path, key], add);
}

function checkNodes(selector: unknown, path: FieldPath, add: Add): void {
  let wrong = false;
  checkSelector(selector, path, (at, message) => {
    wrong = true;
    add(at, message);
  });
  if (!wrong) add(path, `${ACCEPTED} a nodes peer matches the addresses of Node objects, which Palisade does not have, so it cannot evaluate a nodes peer`);
}

/** A list the schema bounds in size and keeps as a set (x-kubernetes-list-type: set): no item twice. */
function checkStringSet(list: unknown, path: FieldPath, what: string, add: Add): list is string[] {
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ITEMS) {
    add(path, `Invalid value: ${what} must list from 1 to ${MAX_ITEMS} items`);
    return false;
  }
  let ok = true;
  list.forEach((item: unknown, i) => {
    if (typeof item !== "string") {
      add([...path, i], `Invalid value: ${JSON.stringify(item)}: must be a string`);
      ok = false;
    } else if (list.indexOf(item) !== i) {
      add([...path, i], `Duplicate value: ${JSON.stringify(item)}`);
      ok = false;
    }
  });
  return ok;
}

function checkNetworks(networks: unknown, path: FieldPath, add: Add): void {
  if (!checkStringSet(networks, path, "networks", add)) return;
  networks.forEach((cidr, i) => {
    if (cidr.length > 43) add([...path, i], "Too long: may not be more than 43 bytes");
    else if (!isCelCidr(cidr)) add([...path, i], `Invalid value: ${JSON.stringify(cidr)}: Invalid CIDR format provided`);
  });
}

function checkDomainNames(names: unknown, path: FieldPath, add: Add): void {
  if (!checkStringSet(names, path, "domainNames", add)) return;
  const invalid = names.map((name, i) => ({ name, i })).filter(({ name }) => !DOMAIN_NAME.test(name));
  for (const { name, i } of invalid) add([...path, i], `Invalid value: ${JSON.stringify(name)}: should match the DomainName pattern (a DNS name, optionally starting with "*.")`);
  if (invalid.length === 0) add(path, `${ACCEPTED} the addresses a domain name stands for are known only at run time, so Palisade cannot evaluate a domainNames peer`);
}

function checkProtocol(protocol: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(protocol)) return add(path, "Invalid value: a protocol must be an object");
  const keys = Object.keys(protocol);
  if (keys.length !== 1) return add(path, "Invalid value: a protocol must set exactly one of tcp, udp, sctp, destinationNamedPort");
  const key = keys[0]!;
  if (key === "destinationNamedPort") {
    const name = protocol.destinationNamedPort;
    if (typeof name !== "string") return add([...path, key], `Invalid value: ${JSON.stringify(name)}: destinationNamedPort must be a string`);
    const problems = portNameProblems(name);
    if (problems.length > 0) add([...path, key], `Invalid value: ${JSON.stringify(name)}: ${ACCEPTED} no container port can have this name: ${problems.join("; ")}`);
    return;
  }
  const match = protocol[key];
  // TCP, UDP and SCTP have minProperties 1, and destinationPort is their one field.
  if (!isRecord(match) || match.destinationPort === undefined) return add([...path, key], `Invalid value: ${key} must set destinationPort`);
  checkPort(match.destinationPort, [...path, key, "destinationPort"], add);
}

function checkPort(port: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(port)) return add(path, "Invalid value: destinationPort must be an object");
  const keys = Object.keys(port);
  if (keys.length !== 1) return add(path, "Invalid value: destinationPort must set exactly one of number, range");
  if (keys[0] === "number") {
    if (!isValidPortNumber(port.number)) add([...path, "number"], `Invalid value: ${JSON.stringify(port.number)}: number must be an integer from 1 to 65535`);
    return;
  }
  const range = port.range;
  if (!isRecord(range)) return add([...path, "range"], "Invalid value: range must be an object");
  let bounds = true;
  for (const end of ["start", "end"] as const) {
    if (range[end] === undefined) add([...path, "range", end], `Required value: ${end} is required`);
    else if (!isValidPortNumber(range[end])) add([...path, "range", end], `Invalid value: ${JSON.stringify(range[end])}: ${end} must be an integer from 1 to 65535`);
    else continue;
    bounds = false;
  }
  // PortRange's CEL rule.
  if (bounds && (range.start as number) >= (range.end as number)) add([...path, "range"], `Invalid value: "object": Start port must be less than End port`);
}
