/**
 * Gateway API as the specification attaches routes: a route attaches to a listener of a
 * Gateway (or of a ListenerSet its Gateway's allowedListeners admit) whose allowedRoutes
 * admit the route's namespace and kind, whose sectionName and port are the parentRef's,
 * and whose hostname meets the route's; a backend in another namespace is forwarded to
 * only when a ReferenceGrant there allows it; a backend of weight 0 receives nothing. A
 * parent not in the input is taken as accepting the route: the platform team's Gateway is
 * often kept apart from the application's routes. Not modelled: the experimental default
 * Gateways (routes with no parentRefs).
 */
import { matchesLabelSelector, type LabelSelector, type Labels } from "./labels.js";
import { apiGroupOf, namespaceLabelsOf } from "./snapshot.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "./types.js";

const GATEWAY_GROUP = "gateway.networking.k8s.io";
const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
const LISTENER_SET_GROUPS: Readonly<Record<string, string>> = { ListenerSet: GATEWAY_GROUP, XListenerSet: "gateway.networking.x-k8s.io" };

/**
 * The route kinds a listener admits when its allowedRoutes.kinds is empty, by protocol, as
 * GEP-2907 tabulates them (TCPRoute left TLS listeners in v1.5). A protocol not named here
 * (an implementation's own) is taken as admitting any kind.
 */
const KINDS_BY_PROTOCOL: Readonly<Record<string, readonly string[]>> = {
  HTTP: ["HTTPRoute", "GRPCRoute"],
  HTTPS: ["HTTPRoute", "GRPCRoute"],
  TLS: ["TLSRoute"],
  TCP: ["TCPRoute"],
  UDP: ["UDPRoute"],
};

/** Objects this model reads (and the Namespaces whose labels allowedRoutes selectors match). */
export function isGatewayApiObject(object: K8sObject): boolean {
  const group = apiGroupOf(object.apiVersion);
  return group === GATEWAY_GROUP || (object.kind === "XListenerSet" && group === LISTENER_SET_GROUPS.XListenerSet);
}

/** Where routes attach: a Gateway's listeners, or a ListenerSet's (which adds listeners to a Gateway that accepts it). */
export interface RouteParent {
  kind: string;
  namespace: string;
  name: string;
  loaded: LoadedObject;
  listeners: Record<string, unknown>[];
  /** A ListenerSet its Gateway does not accept carries no traffic. */
  accepted: boolean;
}

/** One parentRef that accepts a route: the parent, when the input holds it, and the indices of its listeners that accept. */
export interface Attachment {
  /** `Gateway infra/public`, with `, not in the input` when the input does not hold it. */
  label: string;
  parent?: RouteParent;
  listeners: number[];
}

/** A parentRef to a parent in the input that accepts the route on no listener, and why. */
export interface Refusal {
  /** Index of the parentRef in spec.parentRefs. */
  parentRef: number;
  label: string;
  /** One reason per listener that was considered (or one for the parent). */
  reasons: string[];
}

export interface GatewayRoute {
  loaded: LoadedObject;
  kind: string;
  namespace: string;
  name: string;
  /** The parents that accept it: none means the route carries nothing. */
  attachments: Attachment[];
  /** The parents in the input that refuse it. */
  refusals: Refusal[];
}

export interface GatewayApi {
  parents: RouteParent[];
  routes: GatewayRoute[];
  grants: LoadedObject[];
}

export function readGatewayApi(objects: readonly LoadedObject[]): GatewayApi {
  const gateways: LoadedObject[] = [];
  const listenerSets: LoadedObject[] = [];
  const grants: LoadedObject[] = [];
  const routeObjects: LoadedObject[] = [];
  for (const loaded of objects) {
    const { object } = loaded;
    if (!isGatewayApiObject(object)) continue;
    if (object.kind === "Gateway") gateways.push(loaded);
    else if (object.kind === "ListenerSet" || object.kind === "XListenerSet") listenerSets.push(loaded);
    else if (object.kind === "ReferenceGrant") grants.push(loaded);
    else if (ROUTE_KINDS.has(object.kind ?? "")) routeObjects.push(loaded);
  }
  if (gateways.length + listenerSets.length + grants.length + routeObjects.length === 0) return { parents: [], routes: [], grants: [] };
  const namespaces = namespaceLabelsOf(objects);
  const labelsOf = (namespace: string): Labels => namespaces.get(namespace) ?? { "kubernetes.io/metadata.name": namespace };
  const parents = routeParents(gateways, listenerSets, labelsOf);
  const byKey = new Map(parents.map((p) => [`${p.kind} ${p.namespace}/${p.name}`, p]));
  const routes = routeObjects.map((loaded): GatewayRoute => {
    const namespace = loaded.object.metadata?.namespace ?? "default";
    const kind = loaded.object.kind ?? "";
    return { loaded, kind, namespace, name: loaded.object.metadata?.name ?? "?", ...attachments(loaded.object, kind, namespace, byKey, labelsOf) };
  });
  return { parents, routes, grants };
}

function listenersOf(object: K8sObject): Record<string, unknown>[] {
  const spec = isRecord(object.spec) ? object.spec : {};
  return Array.isArray(spec.listeners) ? spec.listeners.filter(isRecord) : [];
}

/** Gateways and ListenerSets, each ListenerSet judged against its Gateway's allowedListeners. */
function routeParents(gateways: readonly LoadedObject[], listenerSets: readonly LoadedObject[], labelsOf: (namespace: string) => Labels): RouteParent[] {
  const parents: RouteParent[] = [];
  for (const loaded of gateways) {
    const gateway = loaded.object;
    parents.push({ kind: "Gateway", namespace: gateway.metadata?.namespace ?? "default", name: gateway.metadata?.name ?? "", loaded, listeners: listenersOf(gateway), accepted: true });
  }
  for (const loaded of listenerSets) {
    const set = loaded.object;
    const namespace = set.metadata?.namespace ?? "default";
    const spec = isRecord(set.spec) ? set.spec : {};
    const ref = isRecord(spec.parentRef) ? spec.parentRef : {};
    const gateway = gateways.find(({ object: g }) => g.metadata?.name === ref.name && (g.metadata?.namespace ?? "default") === (typeof ref.namespace === "string" ? ref.namespace : namespace))?.object;
    // A Gateway admits no ListenerSet unless its allowedListeners say so; one not in the input is taken as admitting it.
    const allowed = gateway && isRecord(gateway.spec) && isRecord(gateway.spec.allowedListeners) ? gateway.spec.allowedListeners.namespaces : undefined;
    const accepted = !gateway || admitsNamespace(isRecord(allowed) ? allowed : { from: "None" }, namespace, gateway.metadata?.namespace ?? "default", labelsOf);
    parents.push({ kind: set.kind ?? "", namespace, name: set.metadata?.name ?? "", loaded, listeners: listenersOf(set), accepted });
  }
  return parents;
}

/** The parents that accept the route, each with the listeners that do; and those in the input that refuse it, with why. */
function attachments(route: K8sObject, kind: string, namespace: string, parents: ReadonlyMap<string, RouteParent>, labelsOf: (namespace: string) => Labels): { attachments: Attachment[]; refusals: Refusal[] } {
  const spec = isRecord(route.spec) ? route.spec : {};
  const hostnames = Array.isArray(spec.hostnames) ? spec.hostnames.filter((h): h is string => typeof h === "string") : [];
  const attached: Attachment[] = [];
  const refusals: Refusal[] = [];
  (Array.isArray(spec.parentRefs) ? spec.parentRefs : []).forEach((parent: unknown, index) => {
    if (!isRecord(parent) || typeof parent.name !== "string") return;
    const parentKind = typeof parent.kind === "string" ? parent.kind : "Gateway";
    const group = parent.group ?? GATEWAY_GROUP;
    // A parent of another kind (a Service, for a mesh) steers traffic inside the cluster, not into it.
    if (parentKind === "Gateway" ? group !== GATEWAY_GROUP : LISTENER_SET_GROUPS[parentKind] !== group) return;
    const name = `${typeof parent.namespace === "string" ? parent.namespace : namespace}/${parent.name}`;
    const label = `${parentKind} ${name}`;
    const found = parents.get(label);
    const known = attached.find((a) => a.label === label || a.label === `${label}, not in the input`);
    if (!found) {
      if (!known) attached.push({ label: `${label}, not in the input`, listeners: [] });
      return;
    }
    if (!found.accepted) {
      refusals.push({ parentRef: index, label, reasons: [`its Gateway's allowedListeners do not admit ListenerSets of namespace ${found.namespace}, so it carries nothing`] });
      return;
    }
    // sectionName and port choose the listeners; each chosen one admits the route or says why not.
    const chosen = found.listeners.map((listener, l) => ({ listener, l })).filter(({ listener }) => (parent.sectionName === undefined || listener.name === parent.sectionName) && (parent.port === undefined || listener.port === parent.port));
    const listeners: number[] = [];
    const reasons: string[] = [];
    for (const { listener, l } of chosen) {
      const refusal = listenerRefusal(listener, l, kind, namespace, found.namespace, hostnames, labelsOf);
      if (refusal === undefined) listeners.push(l);
      else reasons.push(refusal);
    }
    if (listeners.length === 0) {
      const choice = [parent.sectionName === undefined ? "" : `named "${String(parent.sectionName)}"`, parent.port === undefined ? "" : `on port ${String(parent.port)}`].filter(Boolean).join(" and ");
      refusals.push({ parentRef: index, label, reasons: chosen.length === 0 ? [`it has no listener${choice ? ` ${choice}` : ""}`] : reasons });
      return;
    }
    // Two parentRefs to one Gateway (two sectionNames): one attachment, every listener.
    if (known) known.listeners = [...new Set([...known.listeners, ...listeners])].sort((a, b) => a - b);
    else attached.push({ label, parent: found, listeners });
  });
  // Each parentRef has its status: one refused is reported even when another to the same parent is accepted.
  return { attachments: attached, refusals };
}

/** Why a listener refuses a route, or undefined when it admits it. */
function listenerRefusal(listener: Record<string, unknown>, l: number, kind: string, namespace: string, ownNamespace: string, hostnames: readonly string[], labelsOf: (namespace: string) => Labels): string | undefined {
  const name = typeof listener.name === "string" ? `listener "${listener.name}"` : `listener ${l}`;
  if (!admitsKind(listener, kind)) return `${name} takes ${admittedKinds(listener).join(", ") || "no"} routes, not ${kind}`;
  const namespaces = isRecord(listener.allowedRoutes) && isRecord(listener.allowedRoutes.namespaces) ? listener.allowedRoutes.namespaces : {};
  if (!admitsNamespace(namespaces, namespace, ownNamespace, labelsOf)) {
    const from = namespaces.from ?? "Same";
    const admitted = from === "Same" ? `of namespace ${ownNamespace} only` : from === "Selector" ? `of the namespaces its selector matches, and ${namespace}'s labels do not match it` : "of no namespace";
    return `${name} admits routes ${admitted}`;
  }
  if (!hostnamesMeet(listener.hostname, hostnames)) return `${name} serves ${String(listener.hostname)}, which none of the route's hostnames (${hostnames.join(", ")}) meets`;
  return undefined;
}

/** The route kinds a listener admits, as written or by its protocol. */
function admittedKinds(listener: Record<string, unknown>): readonly string[] {
  const allowed = isRecord(listener.allowedRoutes) && Array.isArray(listener.allowedRoutes.kinds) ? listener.allowedRoutes.kinds.filter(isRecord) : [];
  if (allowed.length > 0) return allowed.map((k) => String(k.kind));
  return protocolKinds(listener) ?? ["any"];
}

function admitsKind(listener: Record<string, unknown>, kind: string): boolean {
  const allowed = isRecord(listener.allowedRoutes) && Array.isArray(listener.allowedRoutes.kinds) ? listener.allowedRoutes.kinds.filter(isRecord) : [];
  if (allowed.length > 0) return allowed.some((k) => k.kind === kind && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
  const byProtocol = protocolKinds(listener);
  return byProtocol === undefined || byProtocol.includes(kind);
}

/** The kinds the listener's protocol carries by default; undefined for a protocol not tabulated (an implementation's own). */
function protocolKinds(listener: Record<string, unknown>): readonly string[] | undefined {
  const protocol = listener.protocol;
  return typeof protocol === "string" && Object.hasOwn(KINDS_BY_PROTOCOL, protocol) ? KINDS_BY_PROTOCOL[protocol] : undefined;
}

/** RouteNamespaces (a listener's allowedRoutes) or ListenerNamespaces (a Gateway's allowedListeners): `from` defaults to Same. */
function admitsNamespace(namespaces: Record<string, unknown>, namespace: string, ownNamespace: string, labelsOf: (namespace: string) => Labels): boolean {
  switch (namespaces.from ?? "Same") {
    case "All":
      return true;
    case "Same":
      return namespace === ownNamespace;
    case "Selector":
      // The API requires a selector with Selector; a missing one admits nothing.
      return isRecord(namespaces.selector) && matchesLabelSelector(namespaces.selector as LabelSelector, labelsOf(namespace));
    default:
      // None, or a value the API refuses.
      return false;
  }
}

/** A listener's hostname and a route's hostnames meet when either is unset or some pair matches, a `*.` label matching any one or more labels. */
export function hostnamesMeet(listenerHostname: unknown, routeHostnames: readonly string[]): boolean {
  if (typeof listenerHostname !== "string" || listenerHostname === "" || routeHostnames.length === 0) return true;
  return routeHostnames.some((hostname) => hostnameCovers(listenerHostname, hostname) || hostnameCovers(hostname, listenerHostname));
}

function hostnameCovers(pattern: string, hostname: string): boolean {
  if (pattern === hostname) return true;
  return pattern.startsWith("*.") && hostname.endsWith(pattern.slice(1));
}

export interface BackendRef {
  namespace: string;
  name: string;
  path: FieldPath;
}

/** Service backends of a route that receive traffic: weighted above 0, and the targets of request mirrors and external authorization. */
export function serviceBackends(route: K8sObject): BackendRef[] {
  const namespace = route.metadata?.namespace ?? "default";
  const spec = isRecord(route.spec) ? route.spec : {};
  const found: BackendRef[] = [];
  const add = (ref: unknown, path: FieldPath, weighted: boolean) => {
    if (!isRecord(ref) || typeof ref.name !== "string") return;
    if ((ref.group ?? "") !== "" || (ref.kind ?? "Service") !== "Service") return;
    if (weighted && ref.weight === 0) return;
    found.push({ namespace: typeof ref.namespace === "string" ? ref.namespace : namespace, name: ref.name, path });
  };
  const mirrors = (filters: unknown, path: FieldPath) => {
    if (!Array.isArray(filters)) return;
    filters.forEach((filter, f) => {
      if (!isRecord(filter)) return;
      // A mirror receives copies of the requests; an external authorizer sees every request first.
      for (const field of ["requestMirror", "externalAuth"]) {
        const target = filter[field];
        if (isRecord(target)) add(target.backendRef, [...path, f, field, "backendRef"], false);
      }
    });
  };
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  rules.forEach((rule, r) => {
    if (!isRecord(rule)) return;
    mirrors(rule.filters, ["spec", "rules", r, "filters"]);
    if (!Array.isArray(rule.backendRefs)) return;
    rule.backendRefs.forEach((ref, b) => {
      add(ref, ["spec", "rules", r, "backendRefs", b], true);
      if (isRecord(ref)) mirrors(ref.filters, ["spec", "rules", r, "backendRefs", b, "filters"]);
    });
  });
  return found;
}

/** A ReferenceGrant in the backend's namespace lets routes of this kind and namespace refer to the Service. */
export function grantAllows(grant: K8sObject, routeKind: string, routeNamespace: string, backend: BackendRef): boolean {
  if ((grant.metadata?.namespace ?? "default") !== backend.namespace) return false;
  const spec = isRecord(grant.spec) ? grant.spec : {};
  const from = Array.isArray(spec.from) ? spec.from.filter(isRecord) : [];
  const to = Array.isArray(spec.to) ? spec.to.filter(isRecord) : [];
  return (
    from.some((f) => f.group === GATEWAY_GROUP && f.kind === routeKind && f.namespace === routeNamespace) &&
    to.some((t) => (t.group ?? "") === "" && t.kind === "Service" && (t.name === undefined || t.name === "" || t.name === backend.name))
  );
}
