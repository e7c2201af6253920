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
import type { PolicyProblem } from "../networkpolicy/validate.js";
import { checkDomainNames, checkNetworks } from "../network-policy-api/address-checks.js";
import { checkNamedPort, checkNamedPortPeers, checkPortBounds, checkPortNumber } from "../network-policy-api/port-checks.js";
import { ACCEPTED, checkNamespacedPod, checkSelector, type Add } from "../network-policy-api/selector-checks.js";
import { checkBoundedList, checkChoice, checkPriority, checkRuleLists, checkRuleName, checkRulePeers, theOneField } from "../network-policy-api/structure-checks.js";
import { prunedClusterNetworkPolicy } from "./prune.js";

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

/** Every reason the API server refuses this object, or Palisade cannot evaluate it; [] when neither. */
export function validateClusterNetworkPolicy(written: K8sObject): PolicyProblem[] {
  const object = prunedClusterNetworkPolicy(written);
  const problems: PolicyProblem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") add(["metadata", "name"], "Required value: name is required");
  const spec = object.spec;
  if (!isRecord(spec)) return [...problems, { path: ["spec"], message: "Required value: spec is required" }];
  checkChoice(spec.tier, ["spec", "tier"], "tier", TIERS, add);
  checkPriority(spec.priority, add);
  checkSubject(spec.subject, ["spec", "subject"], add);
  checkRuleLists(spec, MAX_ITEMS, "items", add, (rule, path, direction) => checkRule(rule, path, direction, add));
  return problems;
}

function checkSubject(subject: unknown, path: FieldPath, add: Add): void {
  if (subject === undefined) return add(path, "Required value: subject is required");
  const one = theOneField(subject, path, "subject", ["namespaces", "pods"], add);
  if (one === undefined) return;
  if (one.key === "namespaces") checkSelector(one.value, [...path, one.key], add);
  else checkNamespacedPod(one.value, [...path, one.key], "optional", add);
}

function checkRule(rule: unknown, path: FieldPath, direction: Direction, add: Add): void {
  if (!isRecord(rule)) return add(path, "Invalid value: a rule must be an object");
  checkRuleName(rule.name, [...path, "name"], add);
  checkChoice(rule.action, [...path, "action"], "action", ACTIONS, add);
  const peers = checkRulePeers(rule, path, direction, MAX_ITEMS, add, (peer, at) => checkPeer(peer, at, direction, add));
  const protocols = rule.protocols;
  if (protocols !== undefined) checkBoundedList(protocols, [...path, "protocols"], MAX_ITEMS, "protocols", add, (protocol, at) => checkProtocol(protocol, at, add));
  // ClusterNetworkPolicyEgressRule's CEL rule: a named port is a pod's, so not with a peer of addresses.
  if (direction === "egress" && Array.isArray(peers) && Array.isArray(protocols)) checkNamedPortPeers(peers, protocols, path, ADDRESS_PEER_FIELDS, "destinationNamedPort", add);
}

function checkPeer(peer: unknown, path: FieldPath, direction: Direction, add: Add): void {
  const one = theOneField(peer, path, "a peer", direction === "ingress" ? INGRESS_PEER_FIELDS : EGRESS_PEER_FIELDS, add);
  if (one === undefined) return;
  const at = [...path, one.key];
  if (one.key === "namespaces") checkSelector(one.value, at, add);
  else if (one.key === "pods") checkNamespacedPod(one.value, at, "optional", add);
  else if (one.key === "nodes") checkNodes(one.value, at, add);
  else if (one.key === "networks") checkNetworks(one.value, at, MAX_ITEMS, add);
  else checkDomainNames(one.value, at, DOMAIN_NAME, MAX_ITEMS, add);
}

function checkNodes(selector: unknown, path: FieldPath, add: Add): void {
  let wrong = false;
  checkSelector(selector, path, (at, message) => {
    wrong = true;
    add(at, message);
  });
  if (!wrong) add(path, `${ACCEPTED} a nodes peer matches the addresses of Node objects, which Palisade does not have, so it cannot evaluate a nodes peer`);
}

function checkProtocol(protocol: unknown, path: FieldPath, add: Add): void {
  const one = theOneField(protocol, path, "a protocol", ["tcp", "udp", "sctp", "destinationNamedPort"], add);
  if (one === undefined) return;
  const at = [...path, one.key];
  if (one.key === "destinationNamedPort") return checkNamedPort(one.value, at, "destinationNamedPort", add);
  // TCP, UDP and SCTP have minProperties 1, and destinationPort is their one field.
  if (!isRecord(one.value) || one.value.destinationPort === undefined) return add(at, `Invalid value: ${one.key} must set destinationPort`);
  checkPort(one.value.destinationPort, [...at, "destinationPort"], add);
}

function checkPort(port: unknown, path: FieldPath, add: Add): void {
  const one = theOneField(port, path, "destinationPort", ["number", "range"], add);
  if (one === undefined) return;
  const at = [...path, one.key];
  if (one.key === "number") return checkPortNumber(one.value, at, "number", add);
  if (!isRecord(one.value)) return add(at, "Invalid value: range must be an object");
  // PortRange's CEL rule.
  if (checkPortBounds(one.value, at, add) && (one.value.start as number) >= (one.value.end as number)) add(at, `Invalid value: "object": Start port must be less than End port`);
}
