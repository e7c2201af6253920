/**
 * Gateway API as the specification attaches routes: a route attaches to a listener of a
 * Gateway (or of a ListenerSet its Gateway's allowedListeners admit) whose allowedRoutes
 * admit the route's namespace and kind, whose sectionName and port are the parentRef's,
 * and whose hostname meets the route's, unless that listener is Conflicted with another of
 * its port (gateway-conflicts.ts); a backend in another namespace is forwarded to
 * only when a ReferenceGrant there allows it; a backend of weight 0 receives nothing. A
 * parent not in the input is taken as accepting the route: the platform team's Gateway is
 * often kept apart from the application's routes. Not modelled: the experimental default
 * Gateways (routes with no parentRefs).
 */
import { listenerConflicts, listenerLabel, rivalLabel, type ListenerConflict } from "./gateway-conflicts.js";
import { admitsNamespace, admittedKinds, GATEWAY_GROUP, hostnamesMeet, listedKinds, listenerProtocol } from "./gateway-listener.js";
import type { Labels } from "./labels.js";
import { apiGroupOf, namespaceLabelsOf } from "./snapshot.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "./types.js";

const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
const LISTENER_SET_GROUPS: Readonly<Record<string, string>> = { ListenerSet: GATEWAY_GROUP, XListenerSet: "gateway.networking.x-k8s.io" };

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
  /** The Gateway whose merged listener list it joins (`namespace/name`): its own, for a Gateway. */
  gatewayKey: string;
  /** Its metadata.creationTimestamp in milliseconds, when the input gives one: it orders ListenerSets. */
  createdAt?: number;
  /** Its Conflicted listeners, by index (gateway-conflicts.ts): none of them is Accepted, and no route attaches to them. */
  conflicts: ReadonlyMap<number, ListenerConflict<RouteParent>>;
}

/** One parentRef that accepts a route: the parent, when the input holds it, and the indices of its listeners that accept. */
export interface Attachment {
  /** `Gateway infra/public`, with `, not in the input` when the input does not hold it. */
  label: string;
  parent?: RouteParent;
  listeners: number[];
}

/**
 * The reason a Gateway gives in the route's Accepted=False condition, as the specification
 * names it: no listener is the parentRef's sectionName and port (NoMatchingParent); none of
 * those chosen admits the route's kind and namespace (NotAllowedByListeners); some do, and
 * none of these serves the route's hostnames (NoMatchingListenerHostname).
 */
export type RefusalReason = "NoMatchingParent" | "NotAllowedByListeners" | "NoMatchingListenerHostname";

/** A parentRef to a parent in the input that accepts the route on no listener, and why. */
export interface Refusal {
  /** Index of the parentRef in spec.parentRefs. */
  parentRef: number;
  label: string;
  /**
   * Undefined for a ListenerSet its Gateway does not admit, and when every listener that
   * would admit the route is Conflicted: the specification names no route reason for either.
   */
  reason?: RefusalReason;
  /** One reason per listener that was considered (or one for the parent). */
  reasons: string[];
  /** Every listener the parentRef chose is Conflicted: the route may be Accepted, and still reaches nothing through it. */
  conflicted?: boolean;
}

export interface GatewayRoute {
  loaded: LoadedObject;
  kind: string;
  namespace: string;
  name: string;
  /** The parents that accept it on a listener that is not Conflicted: none means the route carries nothing. */
  attachments: Attachment[];
  /** The parents in the input that refuse it. */
  refusals: Refusal[];
}

export interface GatewayApi {
  parents: RouteParent[];
  routes: GatewayRoute[];
  grants: LoadedObject[];
  /** The ReferenceGrants by the namespace they open and each (kind, namespace) they trust: a backend's is one look-up, however many there are. */
  grantsByReferrer: ReadonlyMap<string, readonly LoadedObject[]>;
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
  if (gateways.length + listenerSets.length + grants.length + routeObjects.length === 0) return { parents: [], routes: [], grants: [], grantsByReferrer: new Map() };
  const namespaces = namespaceLabelsOf(objects);
  const labelsOf = (namespace: string): Labels => namespaces.get(namespace) ?? { "kubernetes.io/metadata.name": namespace };
  const parents = routeParents(gateways, listenerSets, labelsOf);
  const byKey = new Map(parents.map((p) => [`${p.kind} ${p.namespace}/${p.name}`, p]));
  const routes = routeObjects.map((loaded): GatewayRoute => {
    const namespace = loaded.object.metadata?.namespace ?? "default";
    const kind = loaded.object.kind ?? "";
    return { loaded, kind, namespace, name: loaded.object.metadata?.name ?? "?", ...attachments(loaded.object, kind, namespace, byKey, labelsOf) };
  });
  const grantsByReferrer = new Map<string, LoadedObject[]>();
  for (const grant of grants) {
    const spec = isRecord(grant.object.spec) ? grant.object.spec : {};
    const keys = new Set((Array.isArray(spec.from) ? spec.from.filter(isRecord) : []).filter((f) => f.group === GATEWAY_GROUP).map((f) => referrerKey(grant.object.metadata?.namespace ?? "default", f.kind, f.namespace)));
    for (const key of keys) {
      const known = grantsByReferrer.get(key);
      if (known) known.push(grant);
      else grantsByReferrer.set(key, [grant]);
    }
  }
  return { parents, routes, grants, grantsByReferrer };
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
    const namespace = gateway.metadata?.namespace ?? "default";
    const name = gateway.metadata?.name ?? "";
    parents.push({ kind: "Gateway", namespace, name, loaded, listeners: listenersOf(gateway), accepted: true, gatewayKey: `${namespace}/${name}`, ...createdAt(gateway), conflicts: new Map() });
  }
  const gatewayByName = new Map(gateways.map((loaded) => [`${loaded.object.metadata?.namespace ?? "default"}/${loaded.object.metadata?.name}`, loaded.object]));
  for (const loaded of listenerSets) {
    const set = loaded.object;
    const namespace = set.metadata?.namespace ?? "default";
    const spec = isRecord(set.spec) ? set.spec : {};
    const ref = isRecord(spec.parentRef) ? spec.parentRef : {};
    const gatewayKey = typeof ref.name === "string" ? `${typeof ref.namespace === "string" ? ref.namespace : namespace}/${ref.name}` : undefined;
    const gateway = gatewayKey === undefined ? undefined : gatewayByName.get(gatewayKey);
    // A Gateway admits no ListenerSet unless its allowedListeners say so; one not in the input is taken as admitting it.
    const allowed = gateway && isRecord(gateway.spec) && isRecord(gateway.spec.allowedListeners) ? gateway.spec.allowedListeners.namespaces : undefined;
    const accepted = !gateway || admitsNamespace(isRecord(allowed) ? allowed : {}, namespace, gateway.metadata?.namespace ?? "default", labelsOf, "None");
    const name = set.metadata?.name ?? "";
    // One that names no Gateway merges with nothing: a key no Gateway has.
    parents.push({ kind: set.kind ?? "", namespace, name, loaded, listeners: listenersOf(set), accepted, gatewayKey: gatewayKey ?? `${set.kind} ${namespace}/${name}`, ...createdAt(set), conflicts: new Map() });
  }
  // A Gateway and the ListenerSets it accepts are one list of listeners; one it refuses joins none.
  const conflicts = listenerConflicts(parents.filter((p) => p.accepted));
  for (const parent of parents) parent.conflicts = conflicts.get(parent) ?? parent.conflicts;
  return parents;
}

function createdAt(object: K8sObject): { createdAt?: number } {
  const stamp = object.metadata?.creationTimestamp;
  const time = typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(time) ? {} : { createdAt: time };
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
    let hostnameOnly = false;
    let unconflicted = 0;
    for (const { listener, l } of chosen) {
      // A Conflicted listener is neither Accepted nor Programmed: whatever it admits, nothing reaches a backend through it.
      const conflict = found.conflicts.get(l);
      if (conflict) {
        reasons.push(`${listenerLabel(listener, l)} is Conflicted (${conflict.reason}) with ${rivalLabel(conflict)} on port ${conflict.port}, so it is not Accepted and carries no traffic`);
        continue;
      }
      unconflicted++;
      const refusal = listenerRefusal(listener, l, kind, namespace, found.namespace, hostnames, labelsOf);
      if (refusal === undefined) listeners.push(l);
      else {
        reasons.push(refusal.text);
        hostnameOnly ||= refusal.hostnameOnly;
      }
    }
    if (listeners.length === 0) {
      const choice = [parent.sectionName === undefined ? "" : `named "${String(parent.sectionName)}"`, parent.port === undefined ? "" : `on port ${String(parent.port)}`].filter(Boolean).join(" and ");
      if (chosen.length === 0) refusals.push({ parentRef: index, label, reason: "NoMatchingParent", reasons: [`it has no listener${choice ? ` ${choice}` : ""}`] });
      else if (unconflicted === 0) refusals.push({ parentRef: index, label, reasons, conflicted: true });
      else refusals.push({ parentRef: index, label, reason: hostnameOnly ? "NoMatchingListenerHostname" : "NotAllowedByListeners", reasons });
      return;
    }
    // Two parentRefs to one Gateway (two sectionNames): one attachment, every listener.
    if (known) known.listeners = [...new Set([...known.listeners, ...listeners])].sort((a, b) => a - b);
    else attached.push({ label, parent: found, listeners });
  });
  // Each parentRef has its status: one refused is reported even when another to the same parent is accepted.
  return { attachments: attached, refusals };
}

/**
 * Why a listener refuses a route, or undefined when it admits it; hostnameOnly when it
 * admits the route's kind and namespace and only the hostnames fail.
 */
function listenerRefusal(listener: Record<string, unknown>, l: number, kind: string, namespace: string, ownNamespace: string, hostnames: readonly string[], labelsOf: (namespace: string) => Labels): { text: string; hostnameOnly: boolean } | undefined {
  const name = listenerLabel(listener, l);
  const kinds = admittedKinds(listener);
  if (kinds !== undefined && !kinds.includes(kind)) {
    const protocol = listenerProtocol(listener);
    const listed = listedKinds(listener).some((k) => k.kind === kind && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
    // Listed, yet not admitted: the listener's protocol cannot carry that kind.
    if (listed) return { text: `${name} lists ${kind} in allowedRoutes.kinds, but its protocol, ${String(protocol)}, cannot carry it (the listener's ResolvedRefs is False, InvalidRouteKinds)`, hostnameOnly: false };
    return { text: `${name} takes ${kinds.join(", ") || "no"} routes, not ${kind}`, hostnameOnly: false };
  }
  const namespaces = isRecord(listener.allowedRoutes) && isRecord(listener.allowedRoutes.namespaces) ? listener.allowedRoutes.namespaces : {};
  if (!admitsNamespace(namespaces, namespace, ownNamespace, labelsOf, "Same")) {
    const from = namespaces.from ?? "Same";
    const admitted = from === "Same" ? `of namespace ${ownNamespace} only` : from === "Selector" ? `of the namespaces its selector matches, and ${namespace}'s labels do not match it` : "of no namespace";
    return { text: `${name} admits routes ${admitted}`, hostnameOnly: false };
  }
  if (!hostnamesMeet(listener.hostname, hostnames)) return { text: `${name} serves ${String(listener.hostname)}, which none of the route's hostnames (${hostnames.join(", ")}) meets`, hostnameOnly: true };
  return undefined;
}

export interface BackendRef {
  namespace: string;
  name: string;
  path: FieldPath;
}

/** Service backends of a route that receive traffic: with a port, weighted above 0, and the targets of request mirrors and external authorization. */
export function serviceBackends(route: K8sObject): BackendRef[] {
  const namespace = route.metadata?.namespace ?? "default";
  const spec = isRecord(route.spec) ? route.spec : {};
  const found: BackendRef[] = [];
  const add = (ref: unknown, path: FieldPath, weighted: boolean) => {
    if (!isRecord(ref) || typeof ref.name !== "string") return;
    if ((ref.group ?? "") !== "" || (ref.kind ?? "Service") !== "Service") return;
    // The API server refuses a Service reference without a port (the CEL rule "Must have port
    // for Service reference" on BackendObjectReference): it reaches nothing.
    if (!isPortNumber(ref.port)) return;
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

const isPortNumber = (port: unknown) => typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;

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

const referrerKey = (grantNamespace: string, kind: unknown, namespace: unknown) => JSON.stringify([grantNamespace, kind, namespace]);

/** The route may refer to the backend: it is in the route's namespace, or a ReferenceGrant there allows it (ResolvedRefs=False, RefNotPermitted otherwise). */
export function backendPermitted(model: GatewayApi, routeKind: string, routeNamespace: string, backend: BackendRef): boolean {
  if (backend.namespace === routeNamespace) return true;
  return (model.grantsByReferrer.get(referrerKey(backend.namespace, routeKind, routeNamespace)) ?? []).some((grant) => grantAllows(grant.object, routeKind, routeNamespace, backend));
}
