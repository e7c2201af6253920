/**
 * Decoded Calico policies compiled into the shared model. Selectors are composed the way
 * Calico's update processors compose them (scope.ts) and resolved, as Felix's IP sets
 * are, to membership tests: a side of a packet belongs to a selector when its pod's
 * Calico labels match, or when its address lies in a NetworkSet/GlobalNetworkSet whose
 * labels match. hostNetwork pods have no workload endpoint: policies never select them
 * and selectors never match them (only their addresses, through nets or network sets).
 */
import type { Labels } from "../../k8s/labels.js";
import type { FieldPath } from "../../k8s/types.js";
import { rangeIndexOf, type IpFamily } from "../cidr.js";
import type { Direction, EnforcedPolicy, PodEndpoint } from "../model.js";
import type { DecodedEntity, DecodedPolicy, DecodedRule } from "./decode.js";
import type { DecodedNetworkSet } from "./decode-resources.js";
import { enforcedPolicy } from "./enforced.js";
import { protocolNumber as ianaNumber } from "../ports.js";
import { portToString, protocolNumber } from "./numorstring.js";
import type { EntityMatch, NamedPortMembership, ResolvedRule, SideMembership, WireSide } from "./rule-match.js";
import type { ServiceSet } from "./service-sets.js";
import { rangeToCidr } from "./set-rules.js";
import { entityRuleSelector, networkSetLabels, policyEndpointSelector, workloadEndpointLabels } from "./scope.js";
import { parseCalicoSelector, type CalicoSelector } from "./selector/index.js";

/** What selectors resolve against besides the packet's own endpoints. */
export interface CalicoContext {
  networkSets: readonly DecodedNetworkSet[];
  /** Namespace labels by name (with kubernetes.io/metadata.name), for namespaced network sets. */
  namespaceLabels: ReadonlyMap<string, Labels>;
  /** ServiceAccount labels by `namespace/name`, for serviceAccounts.selector. */
  serviceAccountLabels: ReadonlyMap<string, Labels>;
  /** The endpoints of Services, for `services` matches. */
  services: { lookup(namespace: string, name: string): ServiceSet };
}

export const NAMESPACED_KIND = "NetworkPolicy.projectcalico.org";

export function policyKind(policy: Pick<DecodedPolicy, "global" | "staged">): string {
  const base = policy.global ? "GlobalNetworkPolicy" : "NetworkPolicy";
  if (policy.staged) return `Staged${base}`;
  return policy.global ? base : NAMESPACED_KIND;
}

export function policyId(policy: Pick<DecodedPolicy, "global" | "staged" | "namespace" | "name">): string {
  const kind = policyKind(policy);
  return policy.namespace !== undefined ? `${kind}/${policy.namespace}/${policy.name}` : `${kind}/${policy.name}`;
}

/** Resolves selectors against endpoints and network sets, caching each endpoint's label view. */
export class SelectorResolver {
  private readonly endpointLabels = new WeakMap<PodEndpoint, Record<string, string>>();
  private readonly sets: { set: DecodedNetworkSet; labels: Record<string, string> }[];

  constructor(private readonly context: CalicoContext) {
    this.sets = context.networkSets.map((set) => ({
      set,
      labels: networkSetLabels(set.labels, set.namespace, set.namespace !== undefined ? context.namespaceLabels.get(set.namespace) : undefined),
    }));
  }

  /**
   * The GlobalNetworkSets a namespaced rule's `selector` would match by their labels, when
   * it matches no NetworkSet of `namespace` and is not a broad selector (one that matches
   * an endpoint without labels, such as all()): without `namespaceSelector: global()` such
   * a rule never sees them.
   */
  globalSetsMissed(selectorText: string, namespace: string): string[] {
    const selector = parseCalicoSelector(selectorText);
    if (selector.matches({})) return [];
    const matched = this.sets.filter(({ set }) => selector.matches(set.labels));
    if (matched.some(({ set }) => set.namespace === namespace)) return [];
    return matched.filter(({ set }) => set.namespace === undefined).map(({ set }) => set.name);
  }

  /** Every network set's nets: external peers in different sets can be told apart. */
  networkSetCidrs(): string[] {
    return this.sets.flatMap(({ set }) => set.nets.map(rangeToCidr));
  }

  labelsOf(endpoint: PodEndpoint): Record<string, string> {
    let labels = this.endpointLabels.get(endpoint);
    if (!labels) {
      const saLabels = this.context.serviceAccountLabels.get(`${endpoint.namespace}/${endpoint.serviceAccount || "default"}`);
      labels = workloadEndpointLabels(endpoint, saLabels);
      this.endpointLabels.set(endpoint, labels);
    }
    return labels;
  }

  /** A workload endpoint exists for the pod and its labels match. */
  podMatches(selector: CalicoSelector, endpoint: PodEndpoint): boolean {
    return !endpoint.hostNetwork && selector.matches(this.labelsOf(endpoint));
  }

  membership(selectorText: string): SideMembership {
    const selector = parseCalicoSelector(selectorText);
    return (side: WireSide) => {
      const endpoint = side.endpoint;
      if (endpoint?.kind === "pod" && this.podMatches(selector, endpoint)) return true;
      const ip = side.ip;
      if (ip === undefined) return false;
      return this.sets.some(({ set, labels }) => rangeIndexOf(set.nets).has(ip) && selector.matches(labels));
    };
  }

  /** Felix's sets for a Service named by a rule: without a namespace, the policy's own. */
  service(match: NonNullable<DecodedEntity["services"]>, policyNamespace: string | undefined): ServiceSet {
    return this.context.services.lookup(match.namespace ?? policyNamespace ?? "default", match.name);
  }

  /** Felix's named-port set: endpoints the selector picks that declare the port by that name. */
  namedPort(name: string, selectorText: string): NamedPortMembership {
    const selector = parseCalicoSelector(selectorText);
    return (side, protocol) => {
      const endpoint = side.endpoint;
      if (endpoint?.kind !== "pod" || side.port === undefined || !this.podMatches(selector, endpoint)) return false;
      return endpoint.ports.some((port) => port.name === name && port.port === side.port && ianaNumber(port.protocol) === protocol);
    };
  }
}

/**
 * A Service in a rule: as a destination, Felix's (IP, protocol, port) set of its endpoints;
 * as a source, the set of their addresses (decode allows no other combination).
 */
function compileServiceMatch(entity: DecodedEntity, side: "source" | "destination", policyNamespace: string | undefined, resolver: SelectorResolver, out: EntityMatch): void {
  if (!entity.services) return;
  const set = resolver.service(entity.services, policyNamespace);
  if (side === "destination") out.endpointPorts = set;
  else out.selectors = [...(out.selectors ?? []), (wire) => set.contains(wire)];
}

function compileEntity(entity: DecodedEntity, side: "source" | "destination", policyNamespace: string | undefined, resolver: SelectorResolver): EntityMatch {
  const out: EntityMatch = {};
  compileServiceMatch(entity, side, policyNamespace, resolver, out);
  if (entity.nets.length > 0) out.nets = entity.nets;
  if (entity.notNets.length > 0) out.notNets = entity.notNets;
  const selector = entityRuleSelector(entity, policyNamespace);
  if (selector) out.selectors = [resolver.membership(selector)];
  if (entity.notSelector) out.notSelectors = [resolver.membership(entity.notSelector)];
  const namedScope = selector || "all()";
  for (const [field, namedField] of [["ports", "namedPorts"], ["notPorts", "notNamedPorts"]] as const) {
    for (const port of entity[field]) {
      if (port.kind === "range") (out[field] ??= []).push({ min: port.min, max: port.max });
      else (out[namedField] ??= []).push(resolver.namedPort(port.name, namedScope));
    }
  }
  return out;
}

function describeEntity(entity: DecodedEntity, policyNamespace: string | undefined): string {
  const parts: string[] = [];
  if (entity.selector) parts.push(`selector ${entity.selector}`);
  if (entity.notSelector) parts.push(`notSelector ${entity.notSelector}`);
  if (entity.namespaceSelector) parts.push(`namespaceSelector ${entity.namespaceSelector}`);
  if (entity.serviceAccounts) parts.push(`serviceAccounts ${[...entity.serviceAccounts.names, entity.serviceAccounts.selector ?? ""].filter(Boolean).join(", ")}`);
  if (entity.services) parts.push(`services ${entity.services.namespace ?? policyNamespace ?? "default"}/${entity.services.name}`);
  if (entity.nets.length) parts.push(`nets ${entity.nets.length}`);
  if (entity.notNets.length) parts.push(`notNets ${entity.notNets.length}`);
  if (entity.ports.length) parts.push(`ports ${entity.ports.map(portToString).join(",")}`);
  if (entity.notPorts.length) parts.push(`notPorts ${entity.notPorts.map(portToString).join(",")}`);
  return parts.join(" ");
}

export function describeRule(rule: DecodedRule, direction: Direction, index: number, policyNamespace?: string): string {
  const parts = [`${direction}[${index}] ${rule.action}`];
  if (rule.protocol) parts.push(`protocol ${rule.protocol.value}`);
  if (rule.notProtocol) parts.push(`notProtocol ${rule.notProtocol.value}`);
  if (rule.icmp) parts.push(`icmp type ${rule.icmp.type}${rule.icmp.code !== undefined ? ` code ${rule.icmp.code}` : ""}`);
  if (rule.notICMP) parts.push(`notICMP type ${rule.notICMP.type}${rule.notICMP.code !== undefined ? ` code ${rule.notICMP.code}` : ""}`);
  const source = describeEntity(rule.source, policyNamespace);
  const destination = describeEntity(rule.destination, policyNamespace);
  if (source) parts.push(`from ${source}`);
  if (destination) parts.push(`to ${destination}`);
  return parts.join(" ");
}

/**
 * Felix gives a rule without ipVersion the version its protocol names: ICMP is an IPv4
 * rule, ICMPv6 an IPv6 one, so neither is programmed in the other family at all (a
 * protocol number, or notProtocol, implies nothing).
 */
function protocolIpVersion(protocol: DecodedRule["protocol"]): IpFamily | undefined {
  if (protocol?.kind !== "name") return undefined;
  return protocol.value === "ICMP" ? 4 : protocol.value === "ICMPv6" ? 6 : undefined;
}

/**
 * The family of a rule's CIDRs (nets and notNets of either side; decode refuses a rule
 * with both). Felix renders a rule per family with the other family's CIDRs filtered out,
 * and drops it where that empties a field: so a rule with CIDRs is programmed in their
 * family only, even one with notNets alone, which reads "every other address" in its own.
 */
function cidrIpVersion(rule: DecodedRule): IpFamily | undefined {
  return [rule.source, rule.destination].flatMap((entity) => [...entity.nets, ...entity.notNets])[0]?.family;
}

export function compileRule(rule: DecodedRule, direction: Direction, index: number, policyNamespace: string | undefined, resolver: SelectorResolver): ResolvedRule {
  const out: ResolvedRule = {
    action: rule.action,
    source: compileEntity(rule.source, "source", policyNamespace, resolver),
    destination: compileEntity(rule.destination, "destination", policyNamespace, resolver),
    description: describeRule(rule, direction, index, policyNamespace),
  };
  const byProtocol = protocolIpVersion(rule.protocol);
  const byCidrs = cidrIpVersion(rule);
  const ipVersion = rule.ipVersion ?? byProtocol ?? byCidrs;
  if (ipVersion !== undefined) out.ipVersion = ipVersion;
  if (byProtocol !== undefined && byCidrs !== undefined && byProtocol !== byCidrs) out.neverMatches = true;
  const protocol = rule.protocol ? protocolNumber(rule.protocol) : undefined;
  const notProtocol = rule.notProtocol ? protocolNumber(rule.notProtocol) : undefined;
  if (protocol !== undefined) out.protocol = protocol;
  if (notProtocol !== undefined) out.notProtocol = notProtocol;
  if (rule.icmp) out.icmp = rule.icmp;
  if (rule.notICMP) out.notICMP = rule.notICMP;
  return out;
}

/** An address as a one-address CIDR. */
function hostCidr(address: string): string {
  return `${address}/${address.includes(":") ? 128 : 32}`;
}

/** Each side (source, destination) of each rule, with its field path `spec.<direction>[i].<side>`. */
export function ruleSides(policy: DecodedPolicy): { entity: DecodedEntity; path: FieldPath }[] {
  return (["ingress", "egress"] as const).flatMap((direction) =>
    (direction === "ingress" ? policy.ingress : policy.egress).flatMap((rule, i) => (["source", "destination"] as const).map((side) => ({ entity: rule[side], path: ["spec", direction, i, side] }))),
  );
}

/** Every Service the policy's rules name, with where: a rule names one on the side its direction allows. */
export function servicesNamed(policy: DecodedPolicy): { match: NonNullable<DecodedEntity["services"]>; path: FieldPath }[] {
  return ruleSides(policy).flatMap(({ entity, path }) => (entity.services ? [{ match: entity.services, path: [...path, "services"] }] : []));
}

/**
 * A decoded policy as an EnforcedPolicy in its tier (staged policies never decide); equal
 * orders are broken by `tieBreak`, Felix's key for the policy (policy-order.ts).
 */
export function compilePolicy(policy: DecodedPolicy, resolver: SelectorResolver, tieBreak: string): EnforcedPolicy {
  const selector = parseCalicoSelector(policyEndpointSelector(policy));
  const rules = (direction: Direction): ResolvedRule[] =>
    policy.types.includes(direction) ? (direction === "ingress" ? policy.ingress : policy.egress).map((rule, i) => compileRule(rule, direction, i, policy.namespace, resolver)) : [];
  const parts: Parameters<typeof enforcedPolicy>[0] = {
    id: policyId(policy),
    kind: policyKind(policy),
    name: policy.name,
    tieBreak,
    tier: policy.tier,
    order: policy.order,
    staged: policy.staged,
    directions: policy.types,
    selects: (endpoint) => resolver.podMatches(selector, endpoint),
    ingress: rules("ingress"),
    egress: rules("egress"),
  };
  if (policy.namespace !== undefined) parts.namespace = policy.namespace;
  const extraCidrs = resolver.networkSetCidrs();
  if (extraCidrs.length > 0) parts.extraCidrs = extraCidrs;
  // A Service's written addresses tell peers apart on the side its rule names them: egress for a destination, ingress for a source.
  for (const { match, path } of servicesNamed(policy)) {
    const direction = path[1] as Direction;
    const cidrs = resolver.service(match, policy.namespace).writtenAddresses.map(hostCidr);
    if (cidrs.length > 0) parts.serviceCidrs = { ...parts.serviceCidrs, [direction]: [...(parts.serviceCidrs?.[direction] ?? []), ...cidrs] };
  }
  return enforcedPolicy(parts);
}
