/**
 * What one Gateway API listener admits, as the specification states it: the route kinds
 * its protocol can carry (core protocol names compared without case), the namespaces its
 * allowedRoutes (or a Gateway's allowedListeners) admit, and whether its hostname meets a
 * route's. gateway-api.ts applies these to the routes and parents of the input.
 */
import { matchesLabelSelector, matchesRequirement, validateLabelSelector, type LabelSelector, type LabelSelectorRequirement, type Labels } from "./labels.js";
import { automaticNamespaceLabels, NAMESPACE_NAME_LABEL as NAME_LABEL } from "./snapshot.js";
import { isRecord } from "./types.js";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";

/**
 * The route kinds a listener of each core protocol can carry, as GEP-2907 tabulates them
 * (TCPRoute left TLS listeners in v1.5): what it admits when allowedRoutes.kinds is empty,
 * and the most it admits when kinds are listed (a listed kind its protocol cannot carry
 * makes the listener's ResolvedRefs False, InvalidRouteKinds, and nothing of it attaches).
 * A protocol not named here (an implementation's own) is taken as admitting any kind.
 */
const KINDS_BY_PROTOCOL: Readonly<Record<string, readonly string[]>> = {
  HTTP: ["HTTPRoute", "GRPCRoute"],
  HTTPS: ["HTTPRoute", "GRPCRoute"],
  TLS: ["TLSRoute"],
  TCP: ["TCPRoute"],
  UDP: ["UDPRoute"],
};

/** The allowedRoutes.kinds entries as written (each a RouteGroupKind, its group defaulting to the Gateway API's). */
export function listedKinds(listener: Record<string, unknown>): Record<string, unknown>[] {
  return isRecord(listener.allowedRoutes) && Array.isArray(listener.allowedRoutes.kinds) ? listener.allowedRoutes.kinds.filter(isRecord) : [];
}

/**
 * The route kinds a listener admits: those listed in allowedRoutes.kinds that its protocol
 * can carry, or, with none listed, those its protocol carries. Undefined when any kind may
 * attach (an implementation's own protocol, no kinds listed).
 */
export function admittedKinds(listener: Record<string, unknown>): readonly string[] | undefined {
  const listed = listedKinds(listener);
  const byProtocol = protocolKinds(listener);
  if (listed.length === 0) return byProtocol;
  const named = listed.filter((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && typeof k.kind === "string").map((k) => k.kind as string);
  return [...new Set(byProtocol === undefined ? named : named.filter((k) => byProtocol.includes(k)))];
}

/**
 * The listener's protocol, a core one in its canonical upper case: the specification has
 * core protocol names compared case-insensitively ("http" is HTTP). An implementation's
 * own (domain-prefixed) protocol is returned as written.
 */
export function listenerProtocol(listener: Record<string, unknown>): string | undefined {
  if (typeof listener.protocol !== "string") return undefined;
  const upper = listener.protocol.toUpperCase();
  return Object.hasOwn(KINDS_BY_PROTOCOL, upper) ? upper : listener.protocol;
}

/** The kinds the listener's protocol carries; undefined for a protocol not tabulated (an implementation's own). */
function protocolKinds(listener: Record<string, unknown>): readonly string[] | undefined {
  const protocol = listenerProtocol(listener);
  return protocol !== undefined && Object.hasOwn(KINDS_BY_PROTOCOL, protocol) ? KINDS_BY_PROTOCOL[protocol] : undefined;
}

/**
 * RouteNamespaces (a listener's allowedRoutes, `from` defaulting to Same) or
 * ListenerNamespaces (a Gateway's allowedListeners, `from` defaulting to None).
 */
export function admitsNamespace(namespaces: Record<string, unknown>, namespace: string, ownNamespace: string, labelsOf: (namespace: string) => Labels, defaultFrom: "Same" | "None"): boolean {
  switch (namespaces.from ?? defaultFrom) {
    case "All":
      return true;
    case "Same":
      return namespace === ownNamespace;
    case "Selector": {
      // The API requires a valid selector with Selector; a missing or malformed one admits nothing.
      const selector = wellFormedSelector(namespaces.selector);
      return selector !== undefined && matchesLabelSelector(selector, labelsOf(namespace));
    }
    default:
      // None, or a value the API refuses.
      return false;
  }
}


/** A listener's allowedRoutes.namespaces, empty when it sets none (which admits its own namespace only). */
export function allowedNamespaces(listener: Record<string, unknown> | undefined): Record<string, unknown> {
  return listener && isRecord(listener.allowedRoutes) && isRecord(listener.allowedRoutes.namespaces) ? listener.allowedRoutes.namespaces : {};
}

/**
 * Whether a listener's verdict on the routes of a namespace the input lacks turns on labels
 * the input does not show: `from: Selector` with a requirement on a label other than the
 * namespace's name label, and no requirement on the name label that already refuses it.
 * The selector's answer for the automatic label alone is then no answer at all.
 */
export function admissionTurnsOnUnknownLabels(namespaces: Record<string, unknown>, namespace: string): boolean {
  if (namespaces.from !== "Selector") return false;
  const selector = wellFormedSelector(namespaces.selector);
  if (selector === undefined) return false;
  const requirements: LabelSelectorRequirement[] = [...Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })), ...(selector.matchExpressions ?? [])];
  const known = automaticNamespaceLabels(namespace);
  return requirements.every((r) => r.key !== NAME_LABEL || matchesRequirement(r, known)) && requirements.some((r) => r.key !== NAME_LABEL);
}

/**
 * A metav1.LabelSelector the API server accepts, or undefined: a selector it would refuse
 * selects nothing. The types are checked here (labels.ts takes them as given), the rest
 * (keys, values, operators) as apimachinery validates a LabelSelector.
 */
function wellFormedSelector(selector: unknown): LabelSelector | undefined {
  if (!isRecord(selector)) return undefined;
  const { matchLabels, matchExpressions } = selector;
  const strings = (values: unknown) => Array.isArray(values) && values.every((v) => typeof v === "string");
  if (matchLabels != null && !(isRecord(matchLabels) && strings(Object.values(matchLabels)))) return undefined;
  const requirement = (e: unknown) => isRecord(e) && typeof e.key === "string" && typeof e.operator === "string" && (e.values == null || strings(e.values));
  if (matchExpressions != null && !(Array.isArray(matchExpressions) && matchExpressions.every(requirement))) return undefined;
  const typed = selector as LabelSelector;
  return validateLabelSelector(typed).length === 0 ? typed : undefined;
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
