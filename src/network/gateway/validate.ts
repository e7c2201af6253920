/**
 * Why the API server would refuse a Gateway API object, for the fields Palisade reads to
 * attach routes and reach backends (apis/v1: the CRDs' schema, the CEL rule that a
 * Service reference has a port, the list keys that make listener names unique, and the
 * listeners' CEL rules, in listener-rules.ts). An
 * unknown field in these places is named too: kubectl refuses it (strict field validation,
 * its default since 1.27), and a misspelt `sectionName` or `allowedRoutes` silently falls
 * back to a default that attaches more, or less, than was meant.
 *
 * Not every rule of the CRDs is here: fields Palisade does not read (matches, timeouts, the
 * contents of filters and TLS options) are left to the API server; of filters, only the rule
 * that decides whether an HTTPRoute rule forwards at all (a redirect beside backendRefs).
 */
import { dns1123SubdomainErrors, wildcardDns1123SubdomainErrors } from "../../k8s/dns-names.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { indistinctProblems, protocolProblems } from "./listener-rules.js";

export interface GatewayObjectProblem {
  path: FieldPath;
  message: string;
}

type Add = (path: FieldPath, message: string) => void;

const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** ProtocolType's pattern as the CRD has it: its second branch is anchored at the end only, so it is searched, not matched whole. */
const PROTOCOL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/;

const FIELDS = {
  listener: ["name", "hostname", "port", "protocol", "tls", "allowedRoutes"],
  allowedRoutes: ["namespaces", "kinds"],
  namespaces: ["from", "selector"],
  routeGroupKind: ["group", "kind"],
  parentRef: ["group", "kind", "namespace", "name", "sectionName", "port"],
  backendRef: ["group", "kind", "name", "namespace", "port", "weight", "filters"],
  grantFrom: ["group", "kind", "namespace"],
  grantTo: ["group", "kind", "name"],
} as const;

const describe = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : JSON.stringify(value));

/** Every reason the API server refuses this Gateway, ListenerSet, route or ReferenceGrant in the fields Palisade reads; [] when none. */
export function gatewayObjectProblems(object: K8sObject): GatewayObjectProblem[] {
  const problems: GatewayObjectProblem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const kind = object.kind ?? "";
  const withListeners = kind === "Gateway" || kind === "ListenerSet" || kind === "XListenerSet";
  if (!withListeners && !ROUTE_KINDS.has(kind) && kind !== "ReferenceGrant") return problems;
  const spec = object.spec;
  // A ReferenceGrant's spec is optional (one without grants nothing); the others' is required.
  if (spec === undefined && kind === "ReferenceGrant") return problems;
  if (!isRecord(spec)) {
    add(["spec"], `Required value: spec must be a mapping, not ${spec === undefined ? "missing" : describe(spec)}`);
    return problems;
  }
  // XListenerSet (gateway.networking.x-k8s.io, experimental) leaves a listener's port optional: the implementation may assign one.
  if (withListeners) listeners(spec.listeners, add, kind !== "XListenerSet");
  else if (ROUTE_KINDS.has(kind)) route(spec, add, kind);
  else grant(spec, add);
  // GEP-3793 (experimental channel): both sides of the default-Gateway handshake are a GatewayDefaultScope.
  if (kind === "Gateway") defaultScope(spec.defaultScope, ["spec", "defaultScope"], add);
  else if (ROUTE_KINDS.has(kind)) defaultScope(spec.useDefaultGateways, ["spec", "useDefaultGateways"], add);
  return problems;
}

/** The CRDs' enum for spec.defaultScope and spec.useDefaultGateways: a misspelt scope ("all") is refused, not taken as None. */
function defaultScope(value: unknown, path: FieldPath, add: Add): void {
  if (value !== undefined && value !== "All" && value !== "None") add(path, `Unsupported value: ${describe(value)}: supported values: "All", "None"`);
}

function unknownFields(value: Record<string, unknown>, known: readonly string[], path: FieldPath, add: Add): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) add([...path, key], `unknown field "${key}" (known here: ${known.join(", ")}); kubectl refuses it, and the field's default applies in its place`);
  }
}

/** A list of mappings, each passed to `each`; anything else is refused. */
function list(value: unknown, path: FieldPath, max: number, add: Add, each: (item: Record<string, unknown>, path: FieldPath) => void, min = 0): void {
  if (value === undefined) {
    if (min > 0) add(path, `Required value: at least ${min} entry is needed`);
    return;
  }
  if (!Array.isArray(value)) return add(path, `Invalid value: must be a list, not ${describe(value)}`);
  if (value.length < min) add(path, `Invalid value: at least ${min} entry is needed`);
  if (value.length > max) add(path, `Too many: ${value.length} entries, the most allowed is ${max}`);
  value.forEach((item, i) => (isRecord(item) ? each(item, [...path, i]) : add([...path, i], `Invalid value: must be a mapping, not ${describe(item)}`)));
}

function requiredString(value: unknown, path: FieldPath, add: Add, allowEmpty = false): void {
  if (value === undefined) add(path, "Required value");
  else if (typeof value !== "string") add(path, `Invalid value: must be a string, not ${describe(value)}`);
  else if (!allowEmpty && value === "") add(path, "Invalid value: must not be empty");
}

function optionalString(value: unknown, path: FieldPath, add: Add): void {
  if (value !== undefined && typeof value !== "string") add(path, `Invalid value: must be a string, not ${describe(value)}`);
}

function integer(value: unknown, path: FieldPath, min: number, max: number, add: Add): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) add(path, `Invalid value: ${describe(value)}: must be a whole number from ${min} to ${max}`);
}

/**
 * Hostname as the CRDs' pattern has it: a DNS subdomain with an optional leading `*.`, at most
 * 253 long, which is apimachinery's subdomain or wildcard subdomain. The CRD counts characters
 * where apimachinery counts bytes; they differ only for non-ASCII text, which the pattern refuses anyway.
 */
function isHostname(value: string): boolean {
  return (value.startsWith("*.") ? wildcardDns1123SubdomainErrors(value) : dns1123SubdomainErrors(value)).length === 0;
}

function hostname(value: unknown, path: FieldPath, add: Add): void {
  if (typeof value !== "string" || !isHostname(value)) add(path, `Invalid value: ${describe(value)}: must be a lower-case DNS name, optionally starting with "*." (a wildcard stands for one or more labels), no port and no IP address`);
}

function listeners(value: unknown, add: Add, portRequired: boolean): void {
  const names = new Map<string, number>();
  list(
    value,
    ["spec", "listeners"],
    64,
    add,
    (listener, path) => {
      unknownFields(listener, FIELDS.listener, path, add);
      requiredString(listener.name, [...path, "name"], add);
      if (typeof listener.name === "string" && listener.name !== "") {
        if (listener.name.length > 253 || !SECTION_NAME.test(listener.name)) add([...path, "name"], `Invalid value: ${describe(listener.name)}: a listener name is a lower-case DNS subdomain of at most 253 characters`);
        const first = names.get(listener.name);
        if (first !== undefined) add([...path, "name"], `Duplicate value: ${describe(listener.name)} is also the name of listener ${first}: Listener name must be unique within the Gateway (routes pick listeners by name)`);
        else names.set(listener.name, path[2] as number);
      }
      if (listener.port === undefined) {
        if (portRequired) add([...path, "port"], "Required value: a listener needs a port from 1 to 65535");
      } else integer(listener.port, [...path, "port"], 1, 65535, add);
      requiredString(listener.protocol, [...path, "protocol"], add);
      if (typeof listener.protocol === "string" && listener.protocol !== "" && (listener.protocol.length > 255 || !PROTOCOL.test(listener.protocol))) {
        add([...path, "protocol"], `Invalid value: ${describe(listener.protocol)}: a protocol is a core name (HTTP, HTTPS, TLS, TCP, UDP) or a domain-prefixed one such as example.com/my-protocol`);
      }
      if (listener.hostname !== undefined) hostname(listener.hostname, [...path, "hostname"], add);
      protocolProblems(listener, path, add);
      if (listener.allowedRoutes !== undefined) allowedRoutes(listener.allowedRoutes, [...path, "allowedRoutes"], add);
    },
    1,
  );
  if (Array.isArray(value)) indistinctProblems(value, add);
}

function allowedRoutes(value: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(value)) return add(path, `Invalid value: must be a mapping, not ${describe(value)}`);
  unknownFields(value, FIELDS.allowedRoutes, path, add);
  const namespaces = value.namespaces;
  if (namespaces !== undefined) {
    if (!isRecord(namespaces)) add([...path, "namespaces"], `Invalid value: must be a mapping, not ${describe(namespaces)}`);
    else {
      unknownFields(namespaces, FIELDS.namespaces, [...path, "namespaces"], add);
      const from = namespaces.from;
      if (from !== undefined && from !== "All" && from !== "Selector" && from !== "Same") add([...path, "namespaces", "from"], `Unsupported value: ${describe(from)}: supported values: "All", "Selector", "Same"`);
      if (from === "Selector" && !isRecord(namespaces.selector)) add([...path, "namespaces", "selector"], "Required value: from: Selector needs a selector; without one the listener admits no route");
    }
  }
  list(value.kinds, [...path, "kinds"], 8, add, (kind, kindPath) => {
    unknownFields(kind, FIELDS.routeGroupKind, kindPath, add);
    requiredString(kind.kind, [...kindPath, "kind"], add);
    optionalString(kind.group, [...kindPath, "group"], add);
  });
}

function route(spec: Record<string, unknown>, add: Add, kind: string): void {
  list(spec.parentRefs, ["spec", "parentRefs"], 32, add, (parent, path) => {
    unknownFields(parent, FIELDS.parentRef, path, add);
    requiredString(parent.name, [...path, "name"], add);
    for (const field of ["group", "kind", "namespace", "sectionName"]) optionalString(parent[field], [...path, field], add);
    if (parent.port !== undefined) integer(parent.port, [...path, "port"], 1, 65535, add);
  });
  if (spec.hostnames !== undefined) {
    if (!Array.isArray(spec.hostnames)) add(["spec", "hostnames"], `Invalid value: must be a list, not ${describe(spec.hostnames)}`);
    else {
      if (spec.hostnames.length > 16) add(["spec", "hostnames"], `Too many: ${spec.hostnames.length} entries, the most allowed is 16`);
      spec.hostnames.forEach((h, i) => hostname(h, ["spec", "hostnames", i], add));
    }
  }
  list(spec.rules, ["spec", "rules"], 16, add, (rule, rulePath) => {
    if (kind === "HTTPRoute") redirectWithBackends(rule, rulePath, add);
    list(rule.backendRefs, [...rulePath, "backendRefs"], 16, add, (ref, path) => backendRef(ref, path, add));
  });
}

/**
 * HTTPRouteRule's CEL rule: a rule with backendRefs may have no filter carrying a
 * requestRedirect (the rule tests the field, not the filter's type). A redirect answers the
 * request itself, so backends beside it would never be reached.
 */
function redirectWithBackends(rule: Record<string, unknown>, path: FieldPath, add: Add): void {
  if (!Array.isArray(rule.backendRefs) || rule.backendRefs.length === 0 || !Array.isArray(rule.filters)) return;
  if (!rule.filters.some((filter) => isRecord(filter) && filter.requestRedirect != null)) return;
  add(path, 'Invalid value: "object": RequestRedirect filter must not be used together with backendRefs (a redirect answers the request itself: keep the redirect and drop the backendRefs, or move them to a rule of their own)');
}

function backendRef(ref: Record<string, unknown>, path: FieldPath, add: Add): void {
  unknownFields(ref, FIELDS.backendRef, path, add);
  requiredString(ref.name, [...path, "name"], add);
  for (const field of ["group", "kind", "namespace"]) optionalString(ref[field], [...path, field], add);
  if (ref.port !== undefined) integer(ref.port, [...path, "port"], 1, 65535, add);
  else if ((ref.group ?? "") === "" && (ref.kind ?? "Service") === "Service") add([...path, "port"], "Required value: Must have port for Service reference (the API server refuses the route; a Service reference without a port reaches nothing)");
  if (ref.weight !== undefined) integer(ref.weight, [...path, "weight"], 0, 1_000_000, add);
}

function grant(spec: Record<string, unknown>, add: Add): void {
  list(
    spec.from,
    ["spec", "from"],
    16,
    add,
    (from, path) => {
      unknownFields(from, FIELDS.grantFrom, path, add);
      requiredString(from.group, [...path, "group"], add, true);
      requiredString(from.kind, [...path, "kind"], add);
      requiredString(from.namespace, [...path, "namespace"], add);
    },
    1,
  );
  list(
    spec.to,
    ["spec", "to"],
    16,
    add,
    (to, path) => {
      unknownFields(to, FIELDS.grantTo, path, add);
      requiredString(to.group, [...path, "group"], add, true);
      requiredString(to.kind, [...path, "kind"], add);
      optionalString(to.name, [...path, "name"], add);
    },
    1,
  );
}
