/**
 * The Services that traffic from outside the cluster is routed to: the backends of
 * Ingresses, and of Gateway API routes that a Gateway's listener accepts. Only what the
 * objects themselves decide counts, as the Gateway API specification states it: a route
 * attaches to a listener whose allowedRoutes admit the route's namespace and kind (and
 * whose hostname meets the route's), or of a ListenerSet its Gateway's allowedListeners
 * admit; a backend in another namespace is forwarded to only when a ReferenceGrant there
 * allows it; a backend of weight 0 receives nothing. A route whose Gateway is not in the
 * input is taken as attached: the platform team's Gateway is often kept apart from the
 * application's routes, and a scanner should not assume the route goes nowhere. Not
 * modelled: the experimental default Gateways (routes with no parentRefs).
 */
import type { SourcePosition } from "../findings/types.js";
import { matchesLabelSelector, type LabelSelector, type Labels } from "./labels.js";
import { apiGroupOf, namespaceLabelsOf } from "./snapshot.js";
import { isRecord, type FieldPath, type K8sObject, type LoadedObject } from "./types.js";

/** How outside traffic reaches one Service, in words, and where that is written. */
export interface ServiceRoute {
  text: string;
  position: SourcePosition;
  /** The only addresses the route admits, when its controller narrows them (ingress-nginx's allow-list). */
  sourceRanges?: string[];
}

const GATEWAY_GROUP = "gateway.networking.k8s.io";
const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);

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

/** Every Service outside traffic is routed to, by `namespace/name`; the first route found names it. */
export function routedServices(objects: readonly LoadedObject[]): Map<string, ServiceRoute> {
  const routed = new Map<string, ServiceRoute>();
  // One route names a Service: the first open to every address, else the first.
  const add = (key: string, route: ServiceRoute) => {
    const known = routed.get(key);
    if (!known || (known.sourceRanges && !route.sourceRanges)) routed.set(key, route);
  };
  const gateways: K8sObject[] = [];
  const listenerSets: K8sObject[] = [];
  const grants: K8sObject[] = [];
  const routes: LoadedObject[] = [];
  const ingresses: LoadedObject[] = [];
  const ingressControllers = new Map<string, string>();
  for (const loaded of objects) {
    const { object } = loaded;
    if (object.kind === "Ingress" && apiGroupOf(object.apiVersion) === "networking.k8s.io") ingresses.push(loaded);
    else if (object.kind === "IngressClass" && apiGroupOf(object.apiVersion) === "networking.k8s.io") {
      const spec = isRecord(object.spec) ? object.spec : {};
      if (typeof object.metadata?.name === "string" && typeof spec.controller === "string") ingressControllers.set(object.metadata.name, spec.controller);
    } else if (object.kind === "XListenerSet" && apiGroupOf(object.apiVersion) === LISTENER_SET_GROUPS.XListenerSet) {
      listenerSets.push(object);
    } else if (apiGroupOf(object.apiVersion) === GATEWAY_GROUP) {
      if (object.kind === "Gateway") gateways.push(object);
      else if (object.kind === "ListenerSet") listenerSets.push(object);
      else if (object.kind === "ReferenceGrant") grants.push(object);
      else if (ROUTE_KINDS.has(object.kind ?? "")) routes.push(loaded);
    }
  }
  for (const loaded of ingresses) {
    const ingress = loaded.object;
    const namespace = ingress.metadata?.namespace ?? "default";
    const ranges = ingressAllowList(ingress, ingressControllers);
    for (const name of ingressBackends(ingress)) add(`${namespace}/${name}`, { text: `an Ingress to Service ${name}`, position: loaded.source.position, ...(ranges ? { sourceRanges: ranges } : {}) });
  }
  if (routes.length === 0) return routed;
  const namespaces = namespaceLabelsOf(objects);
  const labelsOf = (namespace: string): Labels => namespaces.get(namespace) ?? { "kubernetes.io/metadata.name": namespace };
  const parents = routeParents(gateways, listenerSets, labelsOf);
  for (const loaded of routes) {
    const route = loaded.object;
    const namespace = route.metadata?.namespace ?? "default";
    const kind = route.kind ?? "";
    const name = `${kind} ${route.metadata?.name ?? "?"}`;
    const through = attachedParents(route, kind, namespace, parents, labelsOf);
    if (through.length === 0) continue;
    for (const backend of backendRefs(route)) {
      if (backend.namespace !== namespace && !grants.some((grant) => grantAllows(grant, kind, namespace, backend))) continue;
      const service = backend.namespace === namespace ? `Service ${backend.name}` : `Service ${backend.namespace}/${backend.name}`;
      add(`${backend.namespace}/${backend.name}`, { text: `${name} (${through.join("; ")}) to ${service}`, position: loaded.source.locate(backend.path) });
    }
  }
  return routed;
}

const INGRESS_NGINX = "k8s.io/ingress-nginx";
const ALLOW_LIST_ANNOTATIONS = ["nginx.ingress.kubernetes.io/allowlist-source-range", "nginx.ingress.kubernetes.io/whitelist-source-range"];

/**
 * ingress-nginx's allow-list annotation, when the Ingress is ingress-nginx's: its class is
 * an IngressClass of that controller, or one the input does not hold (the annotation then
 * says which controller was meant). Undefined when nothing narrows.
 */
function ingressAllowList(ingress: K8sObject, controllers: ReadonlyMap<string, string>): string[] | undefined {
  const spec = isRecord(ingress.spec) ? ingress.spec : {};
  const className = typeof spec.ingressClassName === "string" ? spec.ingressClassName : ingress.metadata?.annotations?.["kubernetes.io/ingress.class"];
  const controller = className === undefined ? undefined : controllers.get(className);
  if (controller !== undefined && controller !== INGRESS_NGINX) return undefined;
  const annotations = ingress.metadata?.annotations ?? {};
  const list = ALLOW_LIST_ANNOTATIONS.map((name) => annotations[name]).find((value) => typeof value === "string");
  return list === undefined ? undefined : narrowingRanges(list.split(","));
}

/** Source ranges that narrow: some given, none of them every address (a /0). */
export function narrowingRanges(ranges: readonly string[]): string[] | undefined {
  const trimmed = ranges.map((r) => r.trim()).filter((r) => r !== "");
  if (trimmed.length === 0 || trimmed.some((r) => /\/0+$/.test(r))) return undefined;
  return trimmed;
}

function ingressBackends(ingress: K8sObject): string[] {
  const spec = isRecord(ingress.spec) ? ingress.spec : {};
  const names: string[] = [];
  const add = (backend: unknown) => {
    if (isRecord(backend) && isRecord(backend.service) && typeof backend.service.name === "string") names.push(backend.service.name);
  };
  add(spec.defaultBackend);
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const paths = isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    for (const path of paths) if (isRecord(path)) add(path.backend);
  }
  return names;
}

/** Where routes attach: a Gateway's listeners, or a ListenerSet's (which adds listeners to a Gateway that accepts it). */
interface RouteParent {
  namespace: string;
  listeners: Record<string, unknown>[];
  /** A ListenerSet its Gateway does not accept carries no traffic. */
  accepted: boolean;
}

const LISTENER_SET_GROUPS: Readonly<Record<string, string>> = { ListenerSet: GATEWAY_GROUP, XListenerSet: "gateway.networking.x-k8s.io" };

function parentKey(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`;
}

function listenersOf(object: K8sObject): Record<string, unknown>[] {
  const spec = isRecord(object.spec) ? object.spec : {};
  return Array.isArray(spec.listeners) ? spec.listeners.filter(isRecord) : [];
}

/** Gateways and ListenerSets by kind and name, each ListenerSet judged against its Gateway's allowedListeners. */
function routeParents(gateways: readonly K8sObject[], listenerSets: readonly K8sObject[], labelsOf: (namespace: string) => Labels): Map<string, RouteParent> {
  const parents = new Map<string, RouteParent>();
  for (const gateway of gateways) {
    const namespace = gateway.metadata?.namespace ?? "default";
    parents.set(parentKey("Gateway", namespace, gateway.metadata?.name ?? ""), { namespace, listeners: listenersOf(gateway), accepted: true });
  }
  for (const set of listenerSets) {
    const namespace = set.metadata?.namespace ?? "default";
    const spec = isRecord(set.spec) ? set.spec : {};
    const ref = isRecord(spec.parentRef) ? spec.parentRef : {};
    const gateway = gateways.find((g) => g.metadata?.name === ref.name && (g.metadata?.namespace ?? "default") === (typeof ref.namespace === "string" ? ref.namespace : namespace));
    // A Gateway admits no ListenerSet unless its allowedListeners say so; one not in the input is taken as admitting it.
    const allowed = gateway && isRecord(gateway.spec) && isRecord(gateway.spec.allowedListeners) ? gateway.spec.allowedListeners.namespaces : undefined;
    const accepted = !gateway || admitsNamespace(isRecord(allowed) ? allowed : { from: "None" }, namespace, gateway.metadata?.namespace ?? "default", labelsOf);
    parents.set(parentKey(set.kind ?? "", namespace, set.metadata?.name ?? ""), { namespace, listeners: listenersOf(set), accepted });
  }
  return parents;
}

/** The parents (`namespace/name`) one of whose listeners accepts the route; a parent not in the input is taken as accepting it. */
function attachedParents(route: K8sObject, kind: string, namespace: string, parents: ReadonlyMap<string, RouteParent>, labelsOf: (namespace: string) => Labels): string[] {
  const spec = isRecord(route.spec) ? route.spec : {};
  const hostnames = Array.isArray(spec.hostnames) ? spec.hostnames.filter((h): h is string => typeof h === "string") : [];
  const attached: string[] = [];
  for (const parent of Array.isArray(spec.parentRefs) ? spec.parentRefs : []) {
    if (!isRecord(parent) || typeof parent.name !== "string") continue;
    const parentKind = typeof parent.kind === "string" ? parent.kind : "Gateway";
    const group = parent.group ?? GATEWAY_GROUP;
    // A parent of another kind (a Service, for a mesh) steers traffic inside the cluster, not into it.
    if (parentKind === "Gateway" ? group !== GATEWAY_GROUP : LISTENER_SET_GROUPS[parentKind] !== group) continue;
    const name = `${typeof parent.namespace === "string" ? parent.namespace : namespace}/${parent.name}`;
    const label = parentKind === "Gateway" ? `Gateway ${name}` : `${parentKind} ${name}`;
    if (attached.some((a) => a.startsWith(label))) continue;
    const found = parents.get(`${parentKind} ${name}`);
    if (!found) {
      attached.push(`${label}, not in the input`);
      continue;
    }
    const accepts =
      found.accepted &&
      found.listeners.some(
        (listener) =>
          (parent.sectionName === undefined || listener.name === parent.sectionName) &&
          (parent.port === undefined || listener.port === parent.port) &&
          admitsKind(listener, kind) &&
          admitsNamespace(isRecord(listener.allowedRoutes) && isRecord(listener.allowedRoutes.namespaces) ? listener.allowedRoutes.namespaces : {}, namespace, found.namespace, labelsOf) &&
          hostnamesMeet(listener.hostname, hostnames),
      );
    if (accepts) attached.push(label);
  }
  return attached;
}

function admitsKind(listener: Record<string, unknown>, kind: string): boolean {
  const allowed = isRecord(listener.allowedRoutes) && Array.isArray(listener.allowedRoutes.kinds) ? listener.allowedRoutes.kinds.filter(isRecord) : [];
  if (allowed.length > 0) return allowed.some((k) => k.kind === kind && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
  const byProtocol = typeof listener.protocol === "string" ? KINDS_BY_PROTOCOL[listener.protocol] : undefined;
  return byProtocol === undefined || byProtocol.includes(kind);
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

interface BackendRef {
  namespace: string;
  name: string;
  path: FieldPath;
}

/** Service backends of a route that receive traffic: weighted above 0, and the targets of request mirrors and external authorization. */
function backendRefs(route: K8sObject): BackendRef[] {
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
function grantAllows(grant: K8sObject, routeKind: string, routeNamespace: string, backend: BackendRef): boolean {
  if ((grant.metadata?.namespace ?? "default") !== backend.namespace) return false;
  const spec = isRecord(grant.spec) ? grant.spec : {};
  const from = Array.isArray(spec.from) ? spec.from.filter(isRecord) : [];
  const to = Array.isArray(spec.to) ? spec.to.filter(isRecord) : [];
  return (
    from.some((f) => f.group === GATEWAY_GROUP && f.kind === routeKind && f.namespace === routeNamespace) &&
    to.some((t) => (t.group ?? "") === "" && t.kind === "Service" && (t.name === undefined || t.name === "" || t.name === backend.name))
  );
}
