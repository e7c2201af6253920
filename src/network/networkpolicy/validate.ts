/**
 * NetworkPolicy validation as the API server does it (ValidateNetworkPolicy in
 * pkg/apis/networking/validation): a policy the API server would refuse is refused here,
 * with the field and the reason, before any connectivity is computed from it.
 */
import { decodesAsRequirement, labelSelectorErrors, type LabelSelector } from "../../k8s/labels.js";
import { portNameErrors } from "../../k8s/name-formats.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { parseCidr, rangeWithin } from "../cidr.js";
import { isDns1123Label, isDns1123Subdomain } from "../../k8s/dns-names.js";

export interface PolicyProblem {
  path: FieldPath;
  message: string;
}


export function isValidPortNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Every reason the API server would refuse this NetworkPolicy; [] when it would accept it. */
export function validateNetworkPolicy(object: K8sObject): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add = (path: FieldPath, message: string): void => {
    problems.push({ path, message });
  };
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") add(["metadata", "name"], "Required value: name is required");
  else if (!isDns1123Subdomain(name)) add(["metadata", "name"], `Invalid value: ${JSON.stringify(name)}: must be a lowercase RFC 1123 subdomain`);
  const namespace = object.metadata?.namespace;
  if (namespace !== undefined && (typeof namespace !== "string" || !isDns1123Label(namespace))) {
    add(["metadata", "namespace"], `Invalid value: ${JSON.stringify(namespace)}: must be a lowercase RFC 1123 label`);
  }
  const spec = object.spec;
  if (spec === undefined || spec === null) return problems;
  if (!isRecord(spec)) return [...problems, { path: ["spec"], message: "Invalid value: spec must be an object" }];

  checkSelector(spec.podSelector ?? {}, ["spec", "podSelector"], add);
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) {
      add(["spec", direction], "Invalid value: must be a list of rules");
      continue;
    }
    rules.forEach((rule: unknown, i) => {
      const rulePath = ["spec", direction, i];
      if (!isRecord(rule)) return add(rulePath, "Invalid value: a rule must be an object");
      const ports = rule.ports;
      if (ports !== undefined && ports !== null) {
        if (!Array.isArray(ports)) add([...rulePath, "ports"], "Invalid value: must be a list");
        else ports.forEach((port: unknown, j) => checkPort(port, [...rulePath, "ports", j], add));
      }
      const peerField = direction === "ingress" ? "from" : "to";
      const peers = rule[peerField];
      if (peers !== undefined && peers !== null) {
        if (!Array.isArray(peers)) add([...rulePath, peerField], "Invalid value: must be a list of peers");
        else peers.forEach((peer: unknown, j) => checkPeer(peer, [...rulePath, peerField, j], add));
      }
    });
  }
  const types = spec.policyTypes;
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types)) add(["spec", "policyTypes"], "Invalid value: must be a list");
    else if (types.length > 2) add(["spec", "policyTypes"], "Invalid value: may not specify more than two policyTypes");
    else {
      types.forEach((t: unknown, i) => {
        if (t !== "Ingress" && t !== "Egress") add(["spec", "policyTypes", i], `Unsupported value: ${JSON.stringify(t)}: supported values: "Ingress", "Egress"`);
      });
    }
  }
  return problems;
}

type Add = (path: FieldPath, message: string) => void;

function checkSelector(selector: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(selector)) return add(path, "Invalid value: a label selector must be an object");
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels) || Object.values(matchLabels).some((v) => typeof v !== "string")) {
      return add([...path, "matchLabels"], "Invalid value: matchLabels must map label keys to string values");
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions) || !matchExpressions.every(decodesAsRequirement)) return add([...path, "matchExpressions"], "Invalid value: matchExpressions must be a list of {key, operator, values}");
  }
  for (const error of labelSelectorErrors(selector as LabelSelector)) add([...path, ...error.path], error.body);
}

function checkPort(port: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(port)) return add(path, "Invalid value: a port must be an object");
  const { protocol, port: value, endPort } = port;
  if (protocol !== undefined && protocol !== null && protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") {
    add([...path, "protocol"], `Unsupported value: ${JSON.stringify(protocol)}: supported values: "TCP", "UDP", "SCTP"`);
  }
  const hasEnd = endPort !== undefined && endPort !== null;
  if (value === undefined || value === null) {
    if (hasEnd) add([...path, "endPort"], "Invalid value: may not be specified when `port` is not specified");
    return;
  }
  if (typeof value === "number") {
    if (!isValidPortNumber(value)) add([...path, "port"], `Invalid value: ${value}: must be between 1 and 65535, inclusive`);
    if (hasEnd) {
      if (typeof endPort !== "number" || !Number.isInteger(endPort)) return add([...path, "endPort"], "Invalid value: endPort must be an integer");
      if (endPort < value) add([...path, "endPort"], `Invalid value: ${endPort}: must be greater than or equal to \`port\` (illegal port range ${value}-${endPort})`);
      if (!isValidPortNumber(endPort)) add([...path, "endPort"], `Invalid value: ${endPort}: must be between 1 and 65535, inclusive`);
    }
  } else if (typeof value === "string") {
    if (hasEnd) add([...path, "endPort"], "Invalid value: may not be specified when `port` is non-numeric (a named port)");
    for (const message of portNameErrors(value)) add([...path, "port"], `Invalid value: ${JSON.stringify(value)}: ${message}`);
  } else {
    add([...path, "port"], "Invalid value: port must be a number or a port name");
  }
}

function checkPeer(peer: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(peer)) return add(path, "Invalid value: a peer must be an object");
  let count = 0;
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  if (has(peer.podSelector)) {
    count++;
    checkSelector(peer.podSelector, [...path, "podSelector"], add);
  }
  if (has(peer.namespaceSelector)) {
    count++;
    checkSelector(peer.namespaceSelector, [...path, "namespaceSelector"], add);
  }
  if (has(peer.ipBlock)) {
    count++;
    checkIpBlock(peer.ipBlock, [...path, "ipBlock"], add);
  }
  if (count === 0) add(path, "Required value: must specify a peer (podSelector, namespaceSelector or ipBlock); an empty peer {} is refused");
  else if (count > 1 && has(peer.ipBlock)) add(path, "Forbidden: may not specify both ipBlock and another peer");
}

function checkIpBlock(block: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(block)) return add(path, "Invalid value: ipBlock must be an object");
  if (typeof block.cidr !== "string" || block.cidr === "") return add([...path, "cidr"], "Required value: cidr is required");
  const cidr = parseCidr(block.cidr);
  if (!cidr) add([...path, "cidr"], `Invalid value: ${JSON.stringify(block.cidr)}: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`);
  const except = block.except;
  if (except === undefined || except === null) return;
  if (!Array.isArray(except)) return add([...path, "except"], "Invalid value: except must be a list of CIDRs");
  except.forEach((text: unknown, i) => {
    const exceptPath = [...path, "except", i];
    const range = typeof text === "string" ? parseCidr(text) : undefined;
    if (!range) return add(exceptPath, `Invalid value: ${JSON.stringify(text)}: must be a valid CIDR value`);
    // A strict subset: inside cidr and with a longer prefix.
    if (cidr && (!rangeWithin(range, cidr) || range.last - range.first >= cidr.last - cidr.first)) {
      add(exceptPath, `Invalid value: ${JSON.stringify(text)}: must be a strict subset of \`cidr\``);
    }
  });
}
