/**
 * projectcalico.org/v3 objects decoded and validated as Calico's API server would take
 * them: field types, selectors, ports, protocols, ICMP, nets and the defaulting of
 * `types`. Every problem carries the field path so shells can point at file:line:column.
 *
 * Features Palisade cannot evaluate are refused by name, never ignored: application-layer
 * `http` matches, `domains` entity matches, host-endpoint-only policy (`doNotTrack`, `preDNAT`)
 * and HostEndpoint objects.
 */
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { formatIp, parseIp, type IpFamily, type IpRange } from "../cidr.js";
import type { Direction } from "../model.js";
import { portFromValue, protocolFromValue, protocolSupportsPorts, validateRuleProtocol, type CalicoPort, type CalicoProtocol } from "./numorstring.js";
import { parseNet, type IcmpMatch, type RuleAction } from "./rule-match.js";
import { MAX_SELECTOR_NESTING, parenthesisDepth, parseCalicoSelector, SelectorSyntaxError, SelectorTooDeepError, tokenize } from "./selector/index.js";

/**
 * Policy selectors are parsed again after Calico's scoping wraps them (scope.ts), in their
 * printed form, which can nest twice as deep as the text given: half the parser's limit,
 * less room for the wrapping, keeps every composed selector within it.
 */
export const POLICY_SELECTOR_NESTING = Math.floor(MAX_SELECTOR_NESTING / 2) - 16;

export interface Problem {
  path: FieldPath;
  message: string;
  /** The object is valid Calico but uses a feature Palisade cannot evaluate (refused by name). */
  unsupported?: true;
}

export interface DecodedEntity {
  nets: IpRange[];
  notNets: IpRange[];
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  serviceAccounts?: { names: string[]; selector?: string };
  /** A Kubernetes Service whose endpoints the side must be; without a namespace, the policy's own. */
  services?: { name: string; namespace?: string };
  ports: CalicoPort[];
  notPorts: CalicoPort[];
}

export interface DecodedRule {
  action: RuleAction;
  protocol?: CalicoProtocol;
  notProtocol?: CalicoProtocol;
  icmp?: IcmpMatch;
  notICMP?: IcmpMatch;
  ipVersion?: IpFamily;
  source: DecodedEntity;
  destination: DecodedEntity;
}

export interface DecodedPolicy {
  global: boolean;
  staged: boolean;
  stagedAction: "Set" | "Delete" | "Learn" | "Ignore";
  name: string;
  namespace?: string;
  tier: string;
  order?: number;
  selector: string;
  namespaceSelector?: string;
  serviceAccountSelector?: string;
  /** Also applies to traffic forwarded through host endpoints (not modelled); pods are unaffected. */
  applyOnForward?: true;
  types: Direction[];
  ingress: DecodedRule[];
  egress: DecodedRule[];
}

const ACTIONS = new Set(["Allow", "Deny", "Log", "Pass"]);
const STAGED_ACTIONS = new Set(["Set", "Delete", "Learn", "Ignore"]);

/** A cursor over one object that records problems at field paths. */
class Reader {
  readonly problems: Problem[] = [];

  fail(path: FieldPath, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  /** Unknown fields are refused: a typo must not silently widen or narrow a policy. */
  record(value: unknown, path: FieldPath, known: readonly string[], refused: Readonly<Record<string, string>> = {}): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) return this.fail(path, `expected an object, found ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (refused[key] !== undefined) this.problems.push({ path: [...path, key], message: refused[key], unsupported: true });
      else if (!known.includes(key)) this.fail([...path, key], `unknown field ${JSON.stringify(key)} (known: ${known.join(", ")})`);
    }
    return value;
  }

  string(value: unknown, path: FieldPath): string | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : this.fail(path, `expected a string, found ${describe(value)}`);
  }

  array(value: unknown, path: FieldPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.fail(path, `expected a list, found ${describe(value)}`);
    return [];
  }

  number(value: unknown, path: FieldPath): number | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === "number" && Number.isFinite(value) ? value : this.fail(path, `expected a number, found ${describe(value)}`);
  }

  /**
   * A selector that must parse. Calico's validator checks `global()` only where it changes
   * scope: forbidden in policy selectors and an entity's selector, alone in an entity's
   * namespaceSelector; elsewhere (notSelector, serviceAccounts.selector) it is left alone
   * and matches like all().
   */
  selector(value: unknown, path: FieldPath, global: "forbidden" | "alone" | "unchecked" = "forbidden"): string | undefined {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    try {
      parseCalicoSelector(text);
      const tokens = tokenize(text);
      if (parenthesisDepth(tokens) > POLICY_SELECTOR_NESTING) throw new SelectorTooDeepError(text, tokens.find((t) => t.kind === "lparen")?.offset ?? 0, POLICY_SELECTOR_NESTING);
    } catch (error) {
      if (error instanceof SelectorTooDeepError) {
        this.problems.push({ path, message: `selector not evaluated: ${error.message}`, unsupported: true });
        return undefined;
      }
      if (error instanceof SelectorSyntaxError) return this.fail(path, `invalid selector ${JSON.stringify(text)}: ${error.message} (at column ${error.column})`);
      throw error;
    }
    if (global === "forbidden" && text.includes("global()")) return this.fail(path, "global() can only be used in an EntityRule namespaceSelector");
    if (global === "alone" && text.includes("global(") && text !== "global()") {
      const tokens = tokenize(text);
      if (tokens.length > 2 || tokens[0]?.kind !== "global") return this.fail(path, "global() cannot be combined with other selectors");
    }
    return text;
  }
}

/** Go's zero value as JSON gives it: absent, null, false, 0, "", an empty list or object. */
function isZeroValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function decodeIcmp(reader: Reader, value: unknown, path: FieldPath): IcmpMatch | undefined {
  const icmp = reader.record(value, path, ["type", "code"]);
  if (!icmp || value === undefined || value === null) return undefined;
  const type = reader.number(icmp.type, [...path, "type"]);
  const code = reader.number(icmp.code, [...path, "code"]);
  if (type !== undefined && (!Number.isInteger(type) || type < 0 || type > 254)) return reader.fail([...path, "type"], `ICMP type ${type} out of range: expected 0..254`);
  if (code !== undefined && (!Number.isInteger(code) || code < 0 || code > 255)) return reader.fail([...path, "code"], `ICMP code ${code} out of range: expected 0..255`);
  if (code !== undefined && type === undefined) return reader.fail([...path, "code"], "ICMP code specified without an ICMP type");
  if (type === undefined) return undefined;
  return code === undefined ? { type } : { type, code };
}

/** Rule nets: Calico's `net` tag wants an address or a strictly masked CIDR (a NetworkSet's may have host bits). */
function decodeNets(reader: Reader, value: unknown, path: FieldPath, families: Set<IpFamily>): IpRange[] {
  const out: IpRange[] = [];
  reader.array(value, path).forEach((item, i) => {
    const text = reader.string(item, [...path, i]);
    if (text === undefined) return;
    const range = parseNet(text);
    if (!range) return reader.fail([...path, i], `invalid CIDR ${JSON.stringify(text)}: expected an address or address/prefix`);
    if (parseIp(text.split("/")[0] as string)?.value !== range.first) {
      return reader.fail([...path, i], `invalid CIDR ${JSON.stringify(text)}: host bits are set; rule nets must be strictly masked (write ${formatIp(range.family, range.first)}/${text.split("/")[1]})`);
    }
    families.add(range.family);
    out.push(range);
  });
  return out;
}

function decodePorts(reader: Reader, value: unknown, path: FieldPath): CalicoPort[] {
  const out: CalicoPort[] = [];
  reader.array(value, path).forEach((item, i) => {
    const parsed = portFromValue(item);
    // Port 0 parses, but Calico's validator (validatePort) wants every numeric port in 1..65535.
    if (parsed.ok && parsed.value.kind === "range" && parsed.value.min < 1) reader.fail([...path, i], `invalid port ${JSON.stringify(item)}: port numbers in a rule must be 1..65535`);
    else if (!parsed.ok) reader.fail([...path, i], parsed.error);
    else out.push(parsed.value);
  });
  return out;
}

const ENTITY_FIELDS = ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "ports", "notPorts", "serviceAccounts", "services"];
const ENTITY_REFUSED = {
  // Calico Enterprise and Cloud DNS policy: the addresses match while a name resolves to them
  // (pods behind a headless Service included), which no manifest shows; half a policy would
  // give sure verdicts that are wrong either way, so the policy is refused whole.
  domains: "domains (DNS policy) is a Calico Enterprise and Calico Cloud field: the addresses it matches are those its names resolve to at run time, which Palisade cannot know; the policy is left out of every verdict",
};

function decodeEntity(reader: Reader, value: unknown, path: FieldPath, families: Set<IpFamily>): DecodedEntity {
  const entity = reader.record(value, path, ENTITY_FIELDS, ENTITY_REFUSED) ?? {};
  const out: DecodedEntity = {
    nets: decodeNets(reader, entity.nets, [...path, "nets"], families),
    notNets: decodeNets(reader, entity.notNets, [...path, "notNets"], families),
    ports: decodePorts(reader, entity.ports, [...path, "ports"]),
    notPorts: decodePorts(reader, entity.notPorts, [...path, "notPorts"]),
  };
  const selector = reader.selector(entity.selector, [...path, "selector"]);
  const notSelector = reader.selector(entity.notSelector, [...path, "notSelector"], "unchecked");
  const namespaceSelector = reader.selector(entity.namespaceSelector, [...path, "namespaceSelector"], "alone");
  if (selector) out.selector = selector;
  if (notSelector) out.notSelector = notSelector;
  if (namespaceSelector) out.namespaceSelector = namespaceSelector;
  if (entity.serviceAccounts !== undefined && entity.serviceAccounts !== null) {
    const saPath = [...path, "serviceAccounts"];
    const sa = reader.record(entity.serviceAccounts, saPath, ["names", "selector"]) ?? {};
    const names = reader.array(sa.names, [...saPath, "names"]).flatMap((n, i) => reader.string(n, [...saPath, "names", i]) ?? []);
    const saSelector = reader.selector(sa.selector, [...saPath, "selector"], "unchecked");
    out.serviceAccounts = saSelector ? { names, selector: saSelector } : { names };
  }
  if (entity.services !== undefined && entity.services !== null) decodeServiceMatch(reader, entity.services, [...path, "services"], out);
  return out;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * `services` as Calico's validator takes it: a name is required, name and namespace are DNS
 * names, and the rest of the side must be empty, since the Service's endpoints are its
 * addresses (libcalico-go validateEntityRule).
 */
function decodeServiceMatch(reader: Reader, value: unknown, path: FieldPath, out: DecodedEntity): void {
  const match = reader.record(value, path, ["name", "namespace"]) ?? {};
  const name = reader.string(match.name, [...path, "name"]) ?? "";
  const namespace = reader.string(match.namespace, [...path, "namespace"]) ?? "";
  if (name === "") reader.fail([...path, "name"], "must specify a service name");
  for (const [field, text] of [["name", name], ["namespace", namespace]] as const) {
    if (text !== "" && (text.length > 253 || !DNS_SUBDOMAIN.test(text))) reader.fail([...path, field], `${JSON.stringify(text)} is not a valid ${field}: lower case alphanumeric characters, '-' or '.'`);
  }
  const parent = path.slice(0, -1);
  if (out.namespaceSelector !== undefined) reader.fail(parent, "cannot specify NamespaceSelector and Services on the same rule");
  if (out.selector !== undefined || out.notSelector !== undefined) reader.fail(parent, "cannot specify Selector/NotSelector and Services on the same rule");
  if (out.serviceAccounts !== undefined) reader.fail(parent, "cannot specify ServiceAccounts and Services on the same rule");
  if (out.nets.length > 0 || out.notNets.length > 0) reader.fail(parent, "cannot specify Nets/NotNets and Services on the same rule");
  out.services = namespace === "" ? { name } : { name, namespace };
}

/**
 * Where a rule may name a Service (libcalico-go validateRule and the policy validators): as
 * the destination of an egress rule, without ports (the endpoints' ports are the ports), or
 * as the source of an ingress rule; a GlobalNetworkPolicy has no namespace to default to.
 */
function checkServiceRule(reader: Reader, rule: DecodedRule, path: FieldPath, direction: Direction, global: boolean): void {
  const { source, destination } = rule;
  if (destination.services && destination.ports.length > 0) reader.fail([...path, "destination", "ports"], "cannot specify ports with a service selector");
  if (destination.services && destination.notPorts.length > 0) reader.fail([...path, "destination", "notPorts"], "cannot specify notports with a service selector");
  if (direction === "egress" && source.services) reader.fail([...path, "source", "services"], "not allowed in egress rule source");
  if (direction === "ingress" && destination.services) reader.fail([...path, "destination", "services"], "not allowed in ingress rule destination");
  const named = direction === "egress" ? destination.services : source.services;
  if (global && named && named.namespace === undefined) reader.fail([...path, direction === "egress" ? "destination" : "source", "services", "namespace"], "must specify a namespace");
}

const RULE_FIELDS = ["action", "protocol", "notProtocol", "icmp", "notICMP", "ipVersion", "source", "destination", "metadata"];
const RULE_REFUSED = {
  http: "application-layer http rules (methods, paths) need Calico's application layer policy and cannot be evaluated by Palisade; remove them or enforce HTTP in a service mesh",
};

function decodeProtocol(reader: Reader, value: unknown, path: FieldPath): CalicoProtocol | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = protocolFromValue(value);
  if (!parsed.ok) return reader.fail(path, parsed.error);
  const problem = validateRuleProtocol(parsed.value);
  return problem ? reader.fail(path, problem) : parsed.value;
}

function decodeRule(reader: Reader, value: unknown, path: FieldPath): DecodedRule | undefined {
  const rule = reader.record(value, path, RULE_FIELDS, RULE_REFUSED);
  if (!rule) return undefined;
  const action = reader.string(rule.action, [...path, "action"]);
  if (action === undefined || !ACTIONS.has(action)) {
    return reader.fail([...path, "action"], `action ${action === undefined ? "is required" : JSON.stringify(action) + " is invalid"}: expected Allow, Deny, Log or Pass`);
  }
  const families = new Set<IpFamily>();
  const out: DecodedRule = {
    action: action as RuleAction,
    source: decodeEntity(reader, rule.source, [...path, "source"], families),
    destination: decodeEntity(reader, rule.destination, [...path, "destination"], families),
  };
  const protocol = decodeProtocol(reader, rule.protocol, [...path, "protocol"]);
  const notProtocol = decodeProtocol(reader, rule.notProtocol, [...path, "notProtocol"]);
  if (protocol) out.protocol = protocol;
  if (notProtocol) out.notProtocol = notProtocol;
  const icmp = decodeIcmp(reader, rule.icmp, [...path, "icmp"]);
  const notICMP = decodeIcmp(reader, rule.notICMP, [...path, "notICMP"]);
  // Calico checks the protocol whenever the icmp object is there, even empty (`icmp: {}`).
  const icmpGiven = rule.icmp !== undefined && rule.icmp !== null;
  if (icmpGiven && (!protocol || (protocol.value !== "ICMP" && protocol.value !== "ICMPv6"))) reader.fail([...path, "icmp"], "rules that specify ICMP fields must set protocol to ICMP (or ICMPv6)");
  if (icmp) out.icmp = icmp;
  if (notICMP) out.notICMP = notICMP;
  if (rule.ipVersion !== undefined && rule.ipVersion !== null) {
    if (rule.ipVersion !== 4 && rule.ipVersion !== 6) reader.fail([...path, "ipVersion"], `ipVersion must be 4 or 6, found ${describe(rule.ipVersion)}`);
    else out.ipVersion = rule.ipVersion;
  }
  // Calico's validator ties the ICMP flavours (named, as either protocol field) to their IP version.
  for (const [name, version] of [["ICMP", 4], ["ICMPv6", 6]] as const) {
    const named = protocol?.value === name || notProtocol?.value === name;
    if (named && out.ipVersion !== undefined && out.ipVersion !== version) reader.fail([...path, "ipVersion"], `must set ipVersion to ${version} with protocol ${name}`);
  }
  if (families.size > 1) reader.fail(path, "rule contains both IPv4 and IPv6 CIDRs: split it into one rule per IP version");
  if (out.ipVersion !== undefined && families.size === 1 && !families.has(out.ipVersion)) reader.fail([...path, "ipVersion"], "rule IP version doesn't match CIDR version");
  const hasPorts = (["source", "destination"] as const).flatMap((side) =>
    (["ports", "notPorts"] as const).filter((field) => out[side][field].length > 0).map((field) => [side, field] as const),
  );
  if (hasPorts.length > 0 && (!protocol || !protocolSupportsPorts(protocol))) {
    for (const [side, field] of hasPorts) reader.fail([...path, side, field], "rules that specify ports must set protocol to TCP or UDP or SCTP");
  }
  return out;
}

function decodeRules(reader: Reader, value: unknown, path: FieldPath, direction: Direction, global: boolean): DecodedRule[] {
  return reader.array(value, path).flatMap((value, i) => {
    const rule = decodeRule(reader, value, [...path, i]);
    if (rule) checkServiceRule(reader, rule, [...path, i], direction, global);
    return rule ?? [];
  });
}

const POLICY_SPEC_FIELDS = ["order", "tier", "selector", "types", "ingress", "egress", "serviceAccountSelector", "performanceHints"];
const GLOBAL_SPEC_FIELDS = [...POLICY_SPEC_FIELDS, "namespaceSelector"];
const HOST_ENDPOINT_REFUSED = {
  doNotTrack: "doNotTrack policies act on host endpoints before connection tracking; Palisade has no host-endpoint model and cannot evaluate them",
  preDNAT: "preDNAT policies act on host endpoints before DNAT; Palisade has no host-endpoint or NAT model and cannot evaluate them",
};
/**
 * applyOnForward only adds host endpoints' forwarding chains: Felix still puts such a policy in
 * the normal tiers of every workload endpoint it selects, so for pods it is evaluated as usual.
 */
const APPLY_ON_FORWARD = "applyOnForward";

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
/** Calico's validator: a DNS label with at most one dot, or a converted Kubernetes policy name. */
const POLICY_NAME = new RegExp(`^((${LABEL})(\\.${LABEL})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN})))$`);
const GLOBAL_POLICY_NAME = new RegExp(`^(${LABEL}\\.)?${LABEL}$`);

/** Kinds this module reads, by `kind`, when their API group is projectcalico.org. */
export const POLICY_KINDS = ["NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy"] as const;

/** Decode a (Staged)(Global)NetworkPolicy; problems mean the object is refused as a whole. */
export function decodePolicy(object: K8sObject): { policy?: DecodedPolicy; problems: Problem[] } {
  const reader = new Reader();
  const kind = object.kind ?? "";
  const global = kind.includes("Global");
  const staged = kind.startsWith("Staged");
  const name = object.metadata?.name;
  if (!name) reader.fail(["metadata", "name"], "metadata.name is required");
  else if (name.length > 253 || !(global ? GLOBAL_POLICY_NAME : POLICY_NAME).test(name)) {
    reader.fail(["metadata", "name"], `name ${JSON.stringify(name)} is invalid: lower case alphanumeric characters or '-', with at most one '.' (e.g. tier.name)`);
  }
  const known = [...(global ? GLOBAL_SPEC_FIELDS : POLICY_SPEC_FIELDS), ...(staged ? ["stagedAction"] : [])];
  // Host-endpoint features are GlobalNetworkPolicy fields; set to false they change nothing.
  const refused = Object.fromEntries(
    Object.entries(HOST_ENDPOINT_REFUSED).filter(([field]) => global && isRecord(object.spec) && object.spec[field] !== false),
  );
  const spec = reader.record(object.spec, ["spec"], [...known, ...(global ? [...Object.keys(HOST_ENDPOINT_REFUSED), APPLY_ON_FORWARD] : [])], refused) ?? {};
  const applyOnForward = global ? spec[APPLY_ON_FORWARD] : undefined;
  if (applyOnForward !== undefined && applyOnForward !== null && typeof applyOnForward !== "boolean") {
    reader.fail(["spec", APPLY_ON_FORWARD], `expected true or false, found ${describe(applyOnForward)}`);
  }
  const stagedAction = reader.string(spec.stagedAction, ["spec", "stagedAction"]) ?? "Set";
  if (!STAGED_ACTIONS.has(stagedAction)) reader.fail(["spec", "stagedAction"], `stagedAction ${JSON.stringify(stagedAction)} is invalid: expected Set, Delete, Learn or Ignore`);
  if (stagedAction === "Delete") {
    // Calico's validator: a staged deletion names the policy to delete and nothing else.
    for (const [field, value] of Object.entries(spec)) {
      if (field !== "tier" && field !== "stagedAction" && !isZeroValue(value)) reader.fail(["spec", field], "must be empty when stagedAction is Delete (only tier may be set)");
    }
  }
  const tier = reader.string(spec.tier, ["spec", "tier"]) || "default";
  const order = reader.number(spec.order, ["spec", "order"]);
  const selector = reader.selector(spec.selector, ["spec", "selector"]) ?? "";
  const serviceAccountSelector = reader.selector(spec.serviceAccountSelector, ["spec", "serviceAccountSelector"]);
  const namespaceSelector = global ? reader.selector(spec.namespaceSelector, ["spec", "namespaceSelector"]) : undefined;
  const ingress = decodeRules(reader, spec.ingress, ["spec", "ingress"], "ingress", global);
  const egress = decodeRules(reader, spec.egress, ["spec", "egress"], "egress", global);
  const types = decodeTypes(reader, spec.types, ingress.length, egress.length);
  if (reader.problems.length > 0 || !name) return { problems: reader.problems };
  const policy: DecodedPolicy = { global, staged, stagedAction: stagedAction as DecodedPolicy["stagedAction"], name, tier, selector, types, ingress, egress };
  if (!global) policy.namespace = object.metadata?.namespace || "default";
  if (order !== undefined) policy.order = order;
  if (namespaceSelector) policy.namespaceSelector = namespaceSelector;
  if (serviceAccountSelector) policy.serviceAccountSelector = serviceAccountSelector;
  if (applyOnForward === true) policy.applyOnForward = true;
  return { policy, problems: [] };
}

/** Calico's defaulting: no egress rules -> Ingress; egress rules only -> Egress; both -> both. */
function decodeTypes(reader: Reader, value: unknown, ingressRules: number, egressRules: number): Direction[] {
  const listed = reader.array(value, ["spec", "types"]);
  if (listed.length === 0) return egressRules === 0 ? ["ingress"] : ingressRules === 0 ? ["egress"] : ["ingress", "egress"];
  const out: Direction[] = [];
  listed.forEach((type, i) => {
    if (type !== "Ingress" && type !== "Egress") return reader.fail(["spec", "types", i], `policy type ${describe(type)} is invalid: expected Ingress or Egress`);
    const direction: Direction = type === "Ingress" ? "ingress" : "egress";
    if (out.includes(direction)) return reader.fail(["spec", "types", i], `'${type}' type specified more than once`);
    out.push(direction);
  });
  return out;
}
