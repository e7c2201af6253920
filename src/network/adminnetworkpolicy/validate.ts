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
import { labelSelectorErrors, type LabelSelector } from "../../k8s/labels.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import type { Direction } from "../model.js";
import { isValidPortNumber, portNameProblems, type PolicyProblem } from "../networkpolicy/validate.js";
import { isCelCidr } from "./cel-cidr.js";
import { prunedAsStored } from "./prune.js";

type Add = (path: FieldPath, message: string) => void;

const ACCEPTED = "the API server accepts this (its CRD does not check it), but";
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
  if (!baseline) {
    if (spec.priority === undefined) add(["spec", "priority"], "Required value: priority is required");
    else if (typeof spec.priority !== "number" || !Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 1000) {
      add(["spec", "priority"], `Invalid value: ${JSON.stringify(spec.priority)}: priority must be an integer from 0 to 1000`);
    }
  }
  checkSubject(spec.subject, ["spec", "subject"], add);
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (rules === undefined) continue;
    if (!Array.isArray(rules)) {
      add(["spec", direction], "Invalid value: must be a list of rules");
      continue;
    }
    if (rules.length > 100) add(["spec", direction], `Too many: ${rules.length}: must have at most 100 rules`);
    rules.forEach((rule: unknown, i) => checkRule(rule, ["spec", direction, i], direction, kind, add));
  }
  return problems;
}

function checkRule(rule: unknown, path: FieldPath, direction: Direction, kind: Kind, add: Add): void {
  if (!isRecord(rule)) return add(path, "Invalid value: a rule must be an object");
  // maxLength counts characters (code points), not UTF-16 units.
  if (rule.name !== undefined && (typeof rule.name !== "string" || [...rule.name].length > 100)) add([...path, "name"], "Invalid value: name must be a string of at most 100 characters");
  const actions = kind.baseline ? ["Allow", "Deny"] : ["Allow", "Deny", "Pass"];
  if (rule.action === undefined) add([...path, "action"], `Required value: action is required (${actions.join(", ")})`);
  else if (!actions.includes(rule.action as string)) add([...path, "action"], `Unsupported value: ${JSON.stringify(rule.action)}: supported values: ${actions.map((a) => `"${a}"`).join(", ")}`);
  const peerField = direction === "ingress" ? "from" : "to";
  const peers = rule[peerField];
  if (peers === undefined) add([...path, peerField], `Required value: ${peerField} must list from 1 to 100 peers`);
  else if (!Array.isArray(peers) || peers.length === 0 || peers.length > 100) add([...path, peerField], "Invalid value: must list from 1 to 100 peers");
  else peers.forEach((peer: unknown, j) => checkPeer(peer, [...path, peerField, j], direction, kind, add));
  const ports = rule.ports;
  if (ports !== undefined) {
    if (!Array.isArray(ports) || ports.length === 0 || ports.length > 100) add([...path, "ports"], "Invalid value: must list from 1 to 100 ports");
    else ports.forEach((port: unknown, j) => checkPort(port, [...path, "ports", j], add));
  }
  if (direction === "egress" && Array.isArray(peers) && Array.isArray(ports)) checkNamedPortPeers(peers, ports, path, kind, add);
}

/** The egress rules' CEL rule: a named port belongs to a pod, so it cannot go with a peer of addresses or nodes. */
function checkNamedPortPeers(peers: unknown[], ports: unknown[], path: FieldPath, kind: Kind, add: Add): void {
  const addressed = kind.baseline ? ["networks", "nodes"] : ["networks", "nodes", "domainNames"];
  const hasAddressPeer = peers.some((peer) => isRecord(peer) && addressed.some((key) => peer[key] !== undefined));
  const hasNamedPort = ports.some((port) => isRecord(port) && port.namedPort !== undefined);
  if (hasAddressPeer && hasNamedPort) {
    const which = addressed.join("/");
    add(path, `Invalid value: "object": ${which} peer cannot be set with namedPorts since there are no namedPorts for ${which}`);
  }
}

function checkSelector(selector: unknown, path: FieldPath, add: Add): void {
  if (selector === undefined) return add(path, "Required value: a label selector is required");
  if (!isRecord(selector)) return add(path, "Invalid value: a label selector must be an object");
  // The schema's own checks first (types, required key and operator); only a selector that passes them can be parsed.
  let shaped = true;
  const wrong = (at: FieldPath, message: string) => {
    shaped = false;
    add(at, message);
  };
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined) {
    if (!isRecord(matchLabels)) wrong([...path, "matchLabels"], "Invalid value: matchLabels must be a map of strings");
    else for (const [key, value] of Object.entries(matchLabels)) if (typeof value !== "string") wrong([...path, "matchLabels", key], `Invalid value: ${JSON.stringify(value)}: must be a string`);
  }
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) wrong([...path, "matchExpressions"], "Invalid value: matchExpressions must be a list");
    else matchExpressions.forEach((expression: unknown, i) => checkRequirement(expression, [...path, "matchExpressions", i], wrong));
  }
  if (!shaped) return;
  for (const error of labelSelectorErrors(selector as LabelSelector)) add([...path, ...error.path], `${error.body}: ${ACCEPTED} it is no label selector, so no implementation can apply it`);
}

function checkRequirement(expression: unknown, path: FieldPath, wrong: Add): void {
  if (!isRecord(expression)) return wrong(path, "Invalid value: a requirement must be an object");
  for (const field of ["key", "operator"]) {
    if (expression[field] === undefined) wrong([...path, field], `Required value: ${field} is required`);
    else if (typeof expression[field] !== "string") wrong([...path, field], `Invalid value: ${JSON.stringify(expression[field])}: must be a string`);
  }
  const values = expression.values;
  if (values === undefined) return;
  if (!Array.isArray(values)) return wrong([...path, "values"], "Invalid value: values must be a list of strings");
  values.forEach((value: unknown, i) => {
    if (typeof value !== "string") wrong([...path, "values", i], `Invalid value: ${JSON.stringify(value)}: must be a string`);
  });
}

function checkPods(pods: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(pods)) return add(path, "Invalid value: pods must be an object");
  checkSelector(pods.namespaceSelector, [...path, "namespaceSelector"], add);
  checkSelector(pods.podSelector, [...path, "podSelector"], add);
}

function checkSubject(subject: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(subject)) return add(path, "Required value: subject is required");
  const keys = Object.keys(subject);
  if (keys.length !== 1) return add(path, "Invalid value: subject must set exactly one of namespaces or pods");
  if (keys[0] === "namespaces") checkSelector(subject.namespaces, [...path, "namespaces"], add);
  else checkPods(subject.pods, [...path, "pods"], add);
}

function peerFields(direction: Direction, kind: Kind): string[] {
  if (direction === "ingress") return ["namespaces", "pods"];
  return kind.baseline ? ["namespaces", "pods", "nodes", "networks"] : ["namespaces", "pods", "nodes", "networks", "domainNames"];
}

function checkPeer(peer: unknown, path: FieldPath, direction: Direction, kind: Kind, add: Add): void {
  if (!isRecord(peer)) return add(path, "Invalid value: a peer must be an object");
  // Pruned: only the peer's own fields are left, so this is the schema's min/maxProperties.
  const keys = Object.keys(peer);
  if (keys.length !== 1) return add(path, `Invalid value: a peer must set exactly one of ${peerFields(direction, kind).join(", ")}`);
  const key = keys[0]!;
  if (key === "namespaces" || key === "nodes") checkSelector(peer[key], [...path, key], add);
  else if (key === "pods") checkPods(peer.pods, [...path, "pods"], add);
  else if (key === "networks") checkNetworks(peer.networks, [...path, "networks"], add);
  else checkDomainNames(peer.domainNames, [...path, "domainNames"], add);
}

/** A list the schema bounds in size and keeps as a set (x-kubernetes-list-type: set): no item twice. */
function checkStringSet(list: unknown, path: FieldPath, what: string, add: Add): list is string[] {
  if (!Array.isArray(list) || list.length === 0 || list.length > 25) {
    add(path, `Invalid value: ${what} must list from 1 to 25 items`);
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
    if (cidr.length > 43) add([...path, i], `Too long: may not be more than 43 bytes`);
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
  if (protocol === undefined || protocol === "TCP" || protocol === "UDP" || protocol === "SCTP") return;
  if (typeof protocol !== "string") return add(path, `Invalid value: ${JSON.stringify(protocol)}: protocol must be a string`);
  add(path, `Unsupported value: ${JSON.stringify(protocol)}: ${ACCEPTED} only "TCP", "UDP" and "SCTP" have ports, so what this rule matches is undefined`);
}

function checkPort(port: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(port)) return add(path, "Invalid value: a port must be an object");
  const keys = Object.keys(port);
  if (keys.length !== 1) return add(path, "Invalid value: a port must set exactly one of portNumber, namedPort, portRange");
  if (keys[0] === "portNumber") {
    const number = port.portNumber;
    if (!isRecord(number)) return add([...path, "portNumber"], "Invalid value: portNumber must be an object");
    checkProtocol(number.protocol, [...path, "portNumber", "protocol"], add);
    if (number.port === undefined) add([...path, "portNumber", "port"], "Required value: port is required");
    else if (!isValidPortNumber(number.port)) add([...path, "portNumber", "port"], `Invalid value: ${JSON.stringify(number.port)}: port must be an integer from 1 to 65535`);
  } else if (keys[0] === "namedPort") {
    const name = port.namedPort;
    if (typeof name !== "string") return add([...path, "namedPort"], `Invalid value: ${JSON.stringify(name)}: namedPort must be a string`);
    const problems = portNameProblems(name);
    if (problems.length > 0) add([...path, "namedPort"], `Invalid value: ${JSON.stringify(name)}: ${ACCEPTED} no container port can have this name: ${problems.join("; ")}`);
  } else {
    const range = port.portRange;
    if (!isRecord(range)) return add([...path, "portRange"], "Invalid value: portRange must be an object");
    checkProtocol(range.protocol, [...path, "portRange", "protocol"], add);
    let bounds = true;
    for (const end of ["start", "end"] as const) {
      if (range[end] === undefined) add([...path, "portRange", end], `Required value: ${end} is required`);
      else if (!isValidPortNumber(range[end])) add([...path, "portRange", end], `Invalid value: ${JSON.stringify(range[end])}: ${end} must be an integer from 1 to 65535`);
      else continue;
      bounds = false;
    }
    if (bounds && (range.start as number) >= (range.end as number)) {
      add([...path, "portRange"], `Invalid value: ${ACCEPTED} start must be less than end, as the API documents: which ports ${range.start}-${range.end} means is undefined`);
    }
  }
}
