/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy checked as the API server checks them:
 * the CRDs' OpenAPI schema (required fields, enums, ranges, list sizes, exactly one field
 * of a peer, port or subject) and CEL rules (network-policy-api v0.1.7, see schema.ts), on
 * the object as the API server stores it (unknown fields pruned, prune.ts).
 *
 * Some values the CRDs let through are no policy an implementation can apply: a label
 * selector that does not parse (the schema checks none of its syntax), a protocol without
 * ports, a port range that ends before it starts, a named port that no container port can
 * have, and domain names, which resolve at run time. Such an object is refused here too, as
 * nothing can be said of what it enforces, but its message says the API server accepts it.
 */
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import type { Direction } from "../model.js";
import type { PolicyProblem } from "../networkpolicy/validate.js";
import { checkDomainNames, checkNetworks } from "../network-policy-api/address-checks.js";
import { checkNamedPort, checkNamedPortPeers, checkPortBounds, checkPortNumber } from "../network-policy-api/port-checks.js";
import { ACCEPTED, checkNamespacedPod, checkSelector, type Add } from "../network-policy-api/selector-checks.js";
import { checkBoundedList, checkChoice, checkPriority, checkRuleLists, checkRuleName, checkRulePeers, theOneField } from "../network-policy-api/structure-checks.js";
import { prunedAsStored } from "./prune.js";

/** The v1alpha1 CRDs' MaxItems for rules, peers and ports. */
const MAX_ITEMS = 100;
/** The v1alpha1 CRDs' MaxItems for networks and domain names. */
const MAX_ADDRESSES = 25;
/** DomainName's pattern in the CRD, as written there (`A-z` included: it admits [\]^_` too). */
const DOMAIN_NAME = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

interface Kind {
  baseline: boolean;
}

/** Every reason the API server (CRD schema and CEL rules) refuses this object, or Palisade cannot evaluate it; [] when neither. */
export function validateAdminNetworkPolicy(written: K8sObject, baseline: boolean): PolicyProblem[] {
  const object = prunedAsStored(written);
  const kind: Kind = { baseline };
  const problems: PolicyProblem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") add(["metadata", "name"], "Required value: name is required");
  else if (baseline && name !== "default") add(["metadata", "name"], `Invalid value: ${JSON.stringify(name)}: only one BaselineAdminNetworkPolicy may exist and it must be named "default"`);
  const spec = object.spec;
  if (!isRecord(spec)) return [...problems, { path: ["spec"], message: "Required value: spec is required" }];
  // The BANP has no priority: there is one, and it comes after every NetworkPolicy.
  if (!baseline) checkPriority(spec.priority, add);
  checkSubject(spec.subject, ["spec", "subject"], add);
  checkRuleLists(spec, MAX_ITEMS, "rules", add, (rule, path, direction) => checkRule(rule, path, direction, kind, add));
  return problems;
}

function checkRule(rule: unknown, path: FieldPath, direction: Direction, kind: Kind, add: Add): void {
  if (!isRecord(rule)) return add(path, "Invalid value: a rule must be an object");
  checkRuleName(rule.name, [...path, "name"], add);
  // The BANP has no Pass: nothing comes after it to pass to.
  checkChoice(rule.action, [...path, "action"], "action", kind.baseline ? ["Allow", "Deny"] : ["Allow", "Deny", "Pass"], add);
  const peers = checkRulePeers(rule, path, direction, MAX_ITEMS, add, (peer, at) => checkPeer(peer, at, direction, kind, add));
  const ports = rule.ports;
  if (ports !== undefined) checkBoundedList(ports, [...path, "ports"], MAX_ITEMS, "ports", add, (port, at) => checkPort(port, at, add));
  if (direction === "egress" && Array.isArray(peers) && Array.isArray(ports)) {
    // The BANP's egress peers have no domainNames.
    const addressFields = kind.baseline ? ["networks", "nodes"] : ["networks", "nodes", "domainNames"];
    checkNamedPortPeers(peers, ports, path, addressFields, "namedPort", add);
  }
}

function checkSubject(subject: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(subject)) return add(path, "Required value: subject is required");
  const keys = Object.keys(subject);
  if (keys.length !== 1) return add(path, "Invalid value: subject must set exactly one of namespaces or pods");
  if (keys[0] === "namespaces") checkSelector(subject.namespaces, [...path, "namespaces"], add);
  else checkNamespacedPod(subject.pods, [...path, "pods"], "required", add);
}

function peerFields(direction: Direction, kind: Kind): string[] {
  if (direction === "ingress") return ["namespaces", "pods"];
  return kind.baseline ? ["namespaces", "pods", "nodes", "networks"] : ["namespaces", "pods", "nodes", "networks", "domainNames"];
}

function checkPeer(peer: unknown, path: FieldPath, direction: Direction, kind: Kind, add: Add): void {
  const one = theOneField(peer, path, "a peer", peerFields(direction, kind), add);
  if (one === undefined) return;
  const at = [...path, one.key];
  if (one.key === "namespaces" || one.key === "nodes") checkSelector(one.value, at, add);
  else if (one.key === "pods") checkNamespacedPod(one.value, at, "required", add);
  else if (one.key === "networks") checkNetworks(one.value, at, MAX_ADDRESSES, add);
  else checkDomainNames(one.value, at, DOMAIN_NAME, MAX_ADDRESSES, add);
}

function checkProtocol(protocol: unknown, path: FieldPath, add: Add): void {
  if (protocol === undefined || protocol === "TCP" || protocol === "UDP" || protocol === "SCTP") return;
  if (typeof protocol !== "string") return add(path, `Invalid value: ${JSON.stringify(protocol)}: protocol must be a string`);
  add(path, `Unsupported value: ${JSON.stringify(protocol)}: ${ACCEPTED} only "TCP", "UDP" and "SCTP" have ports, so what this rule matches is undefined`);
}

function checkPort(port: unknown, path: FieldPath, add: Add): void {
  const one = theOneField(port, path, "a port", ["portNumber", "namedPort", "portRange"], add);
  if (one === undefined) return;
  const at = [...path, one.key];
  if (one.key === "namedPort") return checkNamedPort(one.value, at, "namedPort", add);
  const value = one.value;
  if (!isRecord(value)) return add(at, `Invalid value: ${one.key} must be an object`);
  checkProtocol(value.protocol, [...at, "protocol"], add);
  if (one.key === "portNumber") {
    if (value.port === undefined) add([...at, "port"], "Required value: port is required");
    else checkPortNumber(value.port, [...at, "port"], "port", add);
  } else if (checkPortBounds(value, at, add) && (value.start as number) >= (value.end as number)) {
    // Unlike v1alpha2's PortRange, v1alpha1's has no CEL rule for this.
    add(at, `Invalid value: ${ACCEPTED} start must be less than end, as the API documents: which ports ${value.start}-${value.end} means is undefined`);
  }
}
