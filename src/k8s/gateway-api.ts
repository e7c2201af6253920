/**
 * Gateway API as the specification attaches routes: a route attaches to a listener of a
 * Gateway (or of a ListenerSet its Gateway's allowedListeners admit) whose allowedRoutes
 * admit the route's namespace and kind, whose sectionName and port are the parentRef's,
 * and whose hostname meets the route's, unless that listener is Conflicted with another of
 * its port (gateway-conflicts.ts); a ListenerSet none of whose listeners is valid is not
 * Accepted (ListenersNotValid) and carries nothing; a backend in another namespace is
 * forwarded to only when a ReferenceGrant there allows it; a backend of weight 0 receives
 * nothing.
 *
 * A parent the input does not hold is assumed to accept the route, on every listener: a scan
 * often holds one team's manifests, the platform team's Gateway kept elsewhere, and taking
 * such a route as published errs on the side of exposure. The assumption is marked (an
 * attachment without a parent), never passed off as the Gateway's verdict: the gateway
 * family reports it, and posture's text says it.
 *
 * A Gateway or ListenerSet that the API server would refuse (network/gateway/validate.ts)
 * never exists: kubectl creates the route and refuses its parent, so the route attaches to
 * nothing through it, and a ListenerSet whose Gateway is refused joins nothing. Unlike a
 * parent the input lacks, nothing is assumed of it: the input says what it is, and that is
 * refused. Such a parent refuses every route that names it (saying why, and whether its
 * listeners as written would admit the route once it is fixed), and takes no part in listener
 * conflicts, as a resource that does not exist outranks nothing.
 *
 * Default Gateways (GEP-3793, experimental): a route whose spec.useDefaultGateways names a
 * scope (All) is claimed by every Gateway whose spec.defaultScope is that scope, as if each
 * were one more parentRef naming the Gateway alone (its own listeners, no ListenerSet's),
 * beside the route's own parentRefs, and subject to allowedRoutes as usual. Several default
 * Gateways all claim it; None claims it nowhere. The parent such a route asks for is "a
 * default Gateway of its scope": when the input holds none, that parent is not in the input,
 * and is assumed to accept it as a named one would be.
 */
import { listenerConflicts, type ListenerConflict } from "./gateway-conflicts.js";
import { admissionTurnsOnUnknownLabels, admitsNamespace, allowedNamespaces, GATEWAY_GROUP } from "./gateway-listener.js";
import { apiServerRefusal, type ApiServerRefusal } from "./gateway-parent-refusal.js";
import { judgeRoute, type RouteToJudge } from "./gateway-route-judge.js";
import type { Labels } from "./labels.js";
import { apiGroupOf, automaticNamespaceLabels, namespaceLabelsOf } from "./snapshot.js";
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
  /**
   * Why a ListenerSet is not Accepted (its Accepted condition False, with this reason): its
   * Gateway does not admit it (NotAllowed), or every one of its listeners is Conflicted
   * (ListenersNotValid). Such a ListenerSet carries nothing. Undefined when it is Accepted, for
   * a Gateway, and for a ListenerSet that never exists (refusedByApiServer).
   */
  notAccepted?: ListenerSetRefusal;
  /** The scope of the defaulted routes a Gateway claims (its spec.defaultScope, when not None). */
  defaultScope?: string;
  /** The Gateway whose merged listener list it joins (`namespace/name`): its own, for a Gateway. */
  gatewayKey: string;
  /**
   * A ListenerSet whose Gateway the input does not hold: that Gateway is assumed to admit it,
   * with no listener of its own taking precedence over the set's, as a route's parent the
   * input lacks is assumed to accept the route.
   */
  gatewayNotInInput?: true;
  /** Its metadata.creationTimestamp in milliseconds, when the input gives one: it orders ListenerSets. */
  createdAt?: number;
  /** Its Conflicted listeners, by index (gateway-conflicts.ts): none of them is Accepted, and no route attaches to them. */
  conflicts: ReadonlyMap<number, ListenerConflict<RouteParent>>;
  /** The API server would refuse it, or the Gateway it joins: it never exists, and no route attaches through it. */
  refusedByApiServer?: ApiServerRefusal;
}

export type { ApiServerRefusal };

/** The reasons of a ListenerSet's Accepted=False condition that Palisade can tell from the input. */
export type ListenerSetRefusal = "NotAllowed" | "ListenersNotValid";

/** One parent that accepts a route: the parent, when the input holds it, and the indices of its listeners that accept. */
export interface Attachment {
  /**
   * `Gateway infra/public`, or `default Gateway of scope All` for a default one the input does
   * not hold; with `, not in the input` when the input does not hold it.
   */
  label: string;
  /** Undefined when the input does not hold the parent: its acceptance is assumed, not judged. */
  parent?: RouteParent;
  listeners: number[];
  /** A default Gateway claims the route (spec.useDefaultGateways), whether or not a parentRef also names it. */
  asDefault?: true;
  /** The first parentRef that names it (by index in spec.parentRefs); undefined for a default Gateway's claim alone. */
  parentRef?: number;
  /**
   * Listeners (of `listeners`) that admit the route only by assumption: the route's namespace is
   * not in the input, and their `from: Selector` asks for labels of it the input cannot show.
   */
  assumedAdmission?: number[];
}

/** The label's mark of a parent the input does not hold. */
export const NOT_IN_INPUT = ", not in the input";

/**
 * The reason a Gateway gives in the route's Accepted=False condition, as the specification
 * names it: no listener is the parentRef's sectionName and port (NoMatchingParent); none of
 * those chosen admits the route's kind and namespace (NotAllowedByListeners); some do, and
 * none of these serves the route's hostnames (NoMatchingListenerHostname).
 */
export type RefusalReason = "NoMatchingParent" | "NotAllowedByListeners" | "NoMatchingListenerHostname";

/** A parentRef to a parent in the input, or a default Gateway's claim, that accepts the route on no listener, and why. */
export interface Refusal {
  /** Index of the parentRef in spec.parentRefs; undefined for a default Gateway's claim. */
  parentRef?: number;
  /** The route's spec.useDefaultGateways, when a default Gateway of that scope is the parent that refuses it. */
  defaultScope?: string;
  label: string;
  /**
   * Undefined for a ListenerSet that is not Accepted, and when every listener that would
   * admit the route is Conflicted: the specification names no route reason for either.
   */
  reason?: RefusalReason;
  /** One reason per listener that was considered (or one for the parent). */
  reasons: string[];
  /** Every listener the parentRef chose is Conflicted: the route may be Accepted, and still reaches nothing through it. */
  conflicted?: boolean;
  /** The parent is a ListenerSet that is not Accepted for this reason, so it carries nothing. */
  parentNotAccepted?: ListenerSetRefusal;
  /**
   * The API server would refuse the parent (or the Gateway it joins), so it never exists. The
   * reasons are then why its listeners as written would not admit the route once it is fixed:
   * none when they would.
   */
  refusedByApiServer?: ApiServerRefusal;
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
  const labelsOf = (namespace: string): Labels => namespaces.get(namespace) ?? automaticNamespaceLabels(namespace);
  const parents = routeParents(gateways, listenerSets, labelsOf);
  const byKey = new Map(parents.map((p) => [`${p.kind} ${p.namespace}/${p.name}`, p]));
  const defaults = new Map<string, RouteParent[]>();
  for (const parent of parents) if (parent.defaultScope !== undefined) defaults.set(parent.defaultScope, [...(defaults.get(parent.defaultScope) ?? []), parent]);
  const routes = routeObjects.map((loaded): GatewayRoute => {
    const namespace = loaded.object.metadata?.namespace ?? "default";
    const kind = loaded.object.kind ?? "";
    return { loaded, kind, namespace, name: loaded.object.metadata?.name ?? "?", ...attachments(loaded.object, kind, namespace, { byKey, defaults }, labelsOf, !namespaces.has(namespace)) };
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
    const refused = apiServerRefusal("Gateway", namespace, name, loaded);
    parents.push({ kind: "Gateway", namespace, name, loaded, listeners: listenersOf(gateway), gatewayKey: `${namespace}/${name}`, ...createdAt(gateway), ...defaultScopeOf(gateway), conflicts: new Map(), ...(refused ? { refusedByApiServer: refused } : {}) });
  }
  const refusedGateways = new Map(parents.flatMap((p) => (p.refusedByApiServer ? [[p.gatewayKey, p.refusedByApiServer] as const] : [])));
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
    const admitted = !gateway || admitsNamespace(isRecord(allowed) ? allowed : {}, namespace, gateway.metadata?.namespace ?? "default", labelsOf, "None");
    const name = set.metadata?.name ?? "";
    // One that names no Gateway merges with nothing: a key no Gateway has.
    const assumed = gatewayKey !== undefined && !gateway ? { gatewayNotInInput: true as const } : {};
    // Its own refusal first: fixing the Gateway would not make it exist.
    const refused = apiServerRefusal(set.kind ?? "", namespace, name, loaded) ?? (gatewayKey === undefined ? undefined : refusedGateways.get(gatewayKey));
    parents.push({ kind: set.kind ?? "", namespace, name, loaded, listeners: listenersOf(set), ...(admitted ? {} : { notAccepted: "NotAllowed" as const }), gatewayKey: gatewayKey ?? `${set.kind} ${namespace}/${name}`, ...assumed, ...createdAt(set), conflicts: new Map(), ...(refused ? { refusedByApiServer: refused } : {}) });
  }
  // A Gateway and the ListenerSets it accepts are one list of listeners; one it refuses joins none, nor does one that never exists.
  const conflicts = listenerConflicts(parents.filter((p) => p.notAccepted !== "NotAllowed" && !p.refusedByApiServer));
  for (const parent of parents) {
    parent.conflicts = conflicts.get(parent) ?? parent.conflicts;
    // GEP-1713: a ListenerSet with no valid listener is Accepted=False, ListenersNotValid (conformance:
    // listenerset-protocol-conflict and -hostname-conflict); one with a valid listener left stays Accepted.
    // A listener without a port or protocol makes the API server refuse the set, which then has no condition at all.
    if (parent.kind !== "Gateway" && parent.notAccepted === undefined && !parent.refusedByApiServer && parent.listeners.length > 0 && parent.listeners.every((_, l) => parent.conflicts.has(l))) parent.notAccepted = "ListenersNotValid";
  }
  return parents;
}

/** The scope of defaulted routes a Gateway claims: spec.defaultScope, unless unset or None (GEP-3793). */
function defaultScopeOf(gateway: K8sObject): { defaultScope?: string } {
  const scope = isRecord(gateway.spec) ? gateway.spec.defaultScope : undefined;
  return typeof scope === "string" && scope !== "" && scope !== NO_DEFAULT ? { defaultScope: scope } : {};
}

/** The scope that claims no default Gateway, on a route, and makes a Gateway no default one. */
const NO_DEFAULT = "None";

function createdAt(object: K8sObject): { createdAt?: number } {
  const stamp = object.metadata?.creationTimestamp;
  const time = typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(time) ? {} : { createdAt: time };
}

/** What a route needs of its parents: the model's parents by `Kind namespace/name`, and the default Gateways by the scope they claim. */
interface RouteParents {
  byKey: ReadonlyMap<string, RouteParent>;
  defaults: ReadonlyMap<string, readonly RouteParent[]>;
}

/** The parents that accept the route, each with the listeners that do; and those in the input that refuse it, with why. */
function attachments(route: K8sObject, kind: string, namespace: string, parents: RouteParents, labelsOf: (namespace: string) => Labels, namespaceNotInInput: boolean): { attachments: Attachment[]; refusals: Refusal[] } {
  const spec = isRecord(route.spec) ? route.spec : {};
  const hostnames = Array.isArray(spec.hostnames) ? spec.hostnames.filter((h): h is string => typeof h === "string") : [];
  const judged: RouteToJudge = { kind, namespace, hostnames, ...(namespaceNotInInput ? { namespaceNotInInput: true as const } : {}) };
  const attached: Attachment[] = [];
  const refusals: Refusal[] = [];
  const assumedOn = (parent: RouteParent | undefined, listeners: readonly number[]): number[] =>
    namespaceNotInInput && parent ? listeners.filter((l) => admissionTurnsOnUnknownLabels(allowedNamespaces(parent.listeners[l]), namespace)) : [];
  const attach = (label: string, parent: RouteParent | undefined, listeners: number[], asDefault: boolean, parentRef?: number) => {
    const known = attached.find((a) => a.label === label || a.label === `${label}${NOT_IN_INPUT}`);
    // Two parentRefs to one Gateway (two sectionNames), or a parentRef and a default claim: one attachment, every listener.
    if (known) {
      known.listeners = [...new Set([...known.listeners, ...listeners])].sort((a, b) => a - b);
      if (asDefault) known.asDefault = true;
      if (known.parentRef === undefined && parentRef !== undefined) known.parentRef = parentRef;
      const assumed = assumedOn(parent, known.listeners);
      if (assumed.length > 0) known.assumedAdmission = assumed;
    } else {
      const assumed = assumedOn(parent, listeners);
      attached.push({ label: parent ? label : `${label}${NOT_IN_INPUT}`, ...(parent ? { parent } : {}), listeners, ...(asDefault ? { asDefault: true as const } : {}), ...(parentRef === undefined ? {} : { parentRef }), ...(assumed.length > 0 ? { assumedAdmission: assumed } : {}) });
    }
  };
  // A parentRef that names a Gateway alone is the very parentRef a default claim of that Gateway stands for.
  const namedWhole = new Set<string>();
  (Array.isArray(spec.parentRefs) ? spec.parentRefs : []).forEach((parent: unknown, index) => {
    if (!isRecord(parent) || typeof parent.name !== "string") return;
    const parentKind = typeof parent.kind === "string" ? parent.kind : "Gateway";
    const group = parent.group ?? GATEWAY_GROUP;
    // A parent of another kind (a Service, for a mesh) steers traffic inside the cluster, not into it.
    if (parentKind === "Gateway" ? group !== GATEWAY_GROUP : LISTENER_SET_GROUPS[parentKind] !== group) return;
    const label = `${parentKind} ${typeof parent.namespace === "string" ? parent.namespace : namespace}/${parent.name}`;
    if (parent.sectionName === undefined && parent.port === undefined) namedWhole.add(label);
    const found = parents.byKey.get(label);
    if (!found) return attach(label, undefined, [], false, index);
    if (found.refusedByApiServer) return void refusals.push({ parentRef: index, label, ...neverExists(found, parent, judged, labelsOf) });
    const verdict = judgeRoute(found, parent, judged, labelsOf);
    if (Array.isArray(verdict)) attach(label, found, verdict, false, index);
    else refusals.push({ parentRef: index, label, ...verdict });
  });
  // GEP-3793: every Gateway that claims the route's scope is one more parent, named whole; None claims nowhere.
  const scope = spec.useDefaultGateways;
  if (typeof scope === "string" && scope !== NO_DEFAULT) {
    const claiming = parents.defaults.get(scope) ?? [];
    // No default Gateway of the scope in the input: the one the route asks for is elsewhere, as a named one may be.
    if (claiming.length === 0) attach(`default Gateway of scope ${scope}`, undefined, [], true);
    for (const gateway of claiming) {
      const label = `Gateway ${gateway.namespace}/${gateway.name}`;
      if (gateway.refusedByApiServer) {
        if (!namedWhole.has(label)) refusals.push({ defaultScope: scope, label, ...neverExists(gateway, {}, judged, labelsOf) });
        continue;
      }
      const verdict = judgeRoute(gateway, {}, judged, labelsOf);
      if (Array.isArray(verdict)) attach(label, gateway, verdict, true);
      else if (!namedWhole.has(label)) refusals.push({ defaultScope: scope, label, ...verdict });
    }
  }
  // Each parentRef has its status: one refused is reported even when another to the same parent is accepted.
  return { attachments: attached, refusals };
}

/** A parent the API server would refuse, and why its listeners as written would not admit the route once it is fixed (none: they would). */
function neverExists(found: RouteParent, parentRef: Record<string, unknown>, route: RouteToJudge, labelsOf: (namespace: string) => Labels): Pick<Refusal, "reasons" | "refusedByApiServer"> {
  const asWritten = judgeRoute(found, parentRef, route, labelsOf);
  return { reasons: Array.isArray(asWritten) ? [] : asWritten.reasons, refusedByApiServer: found.refusedByApiServer as ApiServerRefusal };
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
