/**
 * How one Gateway or ListenerSet judges a route on the listeners a parentRef chooses (by
 * sectionName and port): the listeners that accept it, or why none does, in the terms of the
 * route's Accepted=False condition (apis/v1 shared_types.go RouteConditionReason). A
 * Conflicted listener carries nothing whatever it admits; a ListenerSet that is not Accepted
 * carries nothing at all. gateway-api.ts applies this to each parentRef and default Gateway.
 */
import { listenerLabel, rivalLabel } from "./gateway-conflicts.js";
import type { Refusal, RouteParent } from "./gateway-api.js";
import { admissionTurnsOnUnknownLabels, admitsNamespace, admittedKinds, allowedNamespaces, GATEWAY_GROUP, hostnamesMeet, listedKinds, listenerProtocol } from "./gateway-listener.js";
import type { Labels } from "./labels.js";

/** The route, as each of its parents judges it. */
export interface RouteToJudge {
  kind: string;
  namespace: string;
  hostnames: readonly string[];
  /** The input holds no Namespace of the route's: of its labels only the automatic name label is known. */
  namespaceNotInInput?: true;
}

/** How one parent judges the route on the listeners a parentRef chooses: the indices of those that accept it, or why none does. */
export function judgeRoute(found: RouteParent, parent: Record<string, unknown>, route: RouteToJudge, labelsOf: (namespace: string) => Labels): number[] | Omit<Refusal, "parentRef" | "label" | "defaultScope"> {
  if (found.notAccepted === "NotAllowed") return { reasons: [`its Gateway's allowedListeners do not admit ListenerSets of namespace ${found.namespace}, so it carries nothing`], parentNotAccepted: "NotAllowed" };
  // sectionName and port choose the listeners; each chosen one admits the route or says why not.
  const chosen = found.listeners.map((listener, l) => ({ listener, l })).filter(({ listener }) => (parent.sectionName === undefined || listener.name === parent.sectionName) && (parent.port === undefined || listener.port === parent.port));
  if (chosen.length === 0) {
    const choice = [parent.sectionName === undefined ? "" : `named "${String(parent.sectionName)}"`, parent.port === undefined ? "" : `on port ${String(parent.port)}`].filter(Boolean).join(" and ");
    return { reason: "NoMatchingParent", reasons: [`it has no listener${choice ? ` ${choice}` : ""}`] };
  }
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
    const refusal = listenerRefusal(listener, l, route, found.namespace, labelsOf);
    if (refusal === undefined) listeners.push(l);
    else {
      reasons.push(refusal.text);
      hostnameOnly ||= refusal.hostnameOnly;
    }
  }
  // ListenersNotValid: every listener of the set is Conflicted (gateway-api.ts), so nothing above was admitted.
  if (found.notAccepted === "ListenersNotValid") return { reasons, conflicted: true, parentNotAccepted: "ListenersNotValid" };
  if (listeners.length > 0) return listeners;
  if (unconflicted === 0) return { reasons, conflicted: true };
  return { reason: hostnameOnly ? "NoMatchingListenerHostname" : "NotAllowedByListeners", reasons };
}

/**
 * Why a listener refuses a route, or undefined when it admits it; hostnameOnly when it
 * admits the route's kind and namespace and only the hostnames fail.
 */
function listenerRefusal(listener: Record<string, unknown>, l: number, route: RouteToJudge, ownNamespace: string, labelsOf: (namespace: string) => Labels): { text: string; hostnameOnly: boolean } | undefined {
  const { kind, namespace, hostnames } = route;
  const name = listenerLabel(listener, l);
  const kinds = admittedKinds(listener);
  if (kinds !== undefined && !kinds.includes(kind)) {
    const protocol = listenerProtocol(listener);
    const listed = listedKinds(listener).some((k) => k.kind === kind && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
    // Listed, yet not admitted: the listener's protocol cannot carry that kind.
    if (listed) return { text: `${name} lists ${kind} in allowedRoutes.kinds, but its protocol, ${String(protocol)}, cannot carry it (the listener's ResolvedRefs is False, InvalidRouteKinds)`, hostnameOnly: false };
    return { text: `${name} takes ${kinds.join(", ") || "no"} routes, not ${kind}`, hostnameOnly: false };
  }
  const namespaces = allowedNamespaces(listener);
  // Labels the input does not show decide nothing: the route is taken as admitted, as a parent
  // the input lacks is taken as accepting it (erring on the side of exposure), and the gateway
  // family says so (gateway/namespace-not-in-input).
  const unknown = route.namespaceNotInInput === true && admissionTurnsOnUnknownLabels(namespaces, namespace);
  if (!unknown && !admitsNamespace(namespaces, namespace, ownNamespace, labelsOf, "Same")) {
    const from = namespaces.from ?? "Same";
    const admitted = from === "Same" ? `of namespace ${ownNamespace} only` : from === "Selector" ? `of the namespaces its selector matches, and ${namespace}'s labels do not match it` : "of no namespace";
    return { text: `${name} admits routes ${admitted}`, hostnameOnly: false };
  }
  if (!hostnamesMeet(listener.hostname, hostnames)) return { text: `${name} serves ${String(listener.hostname)}, which none of the route's hostnames (${hostnames.join(", ")}) meets`, hostnameOnly: true };
  return undefined;
}

