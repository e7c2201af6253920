/**
 * Listener conflicts, as the Gateway API specification has them (apis/v1 GatewaySpec
 * "Distinct Listeners", GEP-1713 "Listener and ListenerSet conflicts"): listeners that
 * share a port and cannot be told apart are Conflicted, with reason ProtocolConflict or
 * HostnameConflict, and are neither Accepted nor Programmed: no route reaches anything
 * through them.
 *
 * A Gateway and the ListenerSets it admits are one merged list, in the order of precedence
 * the specification sets: the Gateway's own listeners, then the ListenerSets oldest first,
 * then by `namespace/name`. A listener that conflicts with one of a resource earlier in that
 * order loses to it; two of the same resource that conflict both lose, as the Gateway rules
 * say no winner may be picked among them (conformance: the HTTPS and TLS listeners of
 * gateway-listener-protocol-and-route-kind-conflicts are both Conflicted). A listener that
 * lost is nobody's rival: conformance's listenerset-protocol-conflict accepts the HTTP
 * listener of a ListenerSet whose TCP listener on the same port lost to the Gateway.
 */
import { listenerProtocol } from "./gateway-listener.js";

export type ConflictReason = "ProtocolConflict" | "HostnameConflict";

/** Why two listeners on one port conflict: the reason the specification names, and in words. */
export interface ListenerClash {
  reason: ConflictReason;
  why: string;
}

/** What the merge needs of a Gateway or ListenerSet. */
export interface ListenerOwner {
  kind: string;
  namespace: string;
  name: string;
  listeners: Record<string, unknown>[];
  /** The Gateway whose listener list it joins (`namespace/name`): its own for a Gateway. */
  gatewayKey: string;
  /** Metadata.creationTimestamp in milliseconds, when the input gives a valid one. */
  createdAt?: number;
}

export interface ListenerConflict<Owner extends ListenerOwner = ListenerOwner> extends ListenerClash {
  port: number;
  /** The listener it conflicts with: one that takes precedence, or one of the same resource that loses with it. */
  rival: { owner: Owner; listener: number };
  /** The rival belongs to a resource earlier in the order of precedence, and is Accepted. */
  rivalWins: boolean;
  /** Between two ListenerSets, one at least with no creationTimestamp in the input, which decides the order. */
  orderUnknown: boolean;
}

/** Carried by one data path: HTTP, HTTPS and TLS are told apart on a port by Host header or SNI. */
const MULTIPLEXED = new Set(["HTTP", "HTTPS", "TLS"]);
/** The protocols whose listeners' hostname is ignored (the API refuses one on them). */
const NO_HOSTNAME = new Set(["TCP", "UDP"]);

const portOf = (listener: Record<string, unknown>) => (typeof listener.port === "number" && Number.isInteger(listener.port) && listener.port >= 1 && listener.port <= 65535 ? listener.port : undefined);

/** The hostname a listener serves, "" for every one; none for protocols that ignore it. */
function hostnameKey(listener: Record<string, unknown>, protocol: string): string {
  if (NO_HOSTNAME.has(protocol)) return "";
  return typeof listener.hostname === "string" ? listener.hostname : "";
}

const served = (hostname: string) => (hostname === "" ? "every hostname" : `hostname ${hostname}`);

/**
 * Whether two listeners conflict, and why; undefined when they are distinct. On one port:
 * the same protocol needs a different hostname (HostnameConflict); TCP and UDP have none, so a
 * second one of the protocol on the port is never distinct (ProtocolConflict); TCP takes
 * every connection, so no HTTP, HTTPS or TLS listener may share its port; HTTPS and TLS both choose by SNI, so they conflict on the same hostname
 * (conformance: gateway-listener-protocol-and-route-kind-conflicts; differing hostnames are
 * served, gateway-https-and-tls-passthrough-same-port). Other pairs (HTTP with HTTPS or TLS,
 * UDP with anything but UDP, two different implementation protocols) are distinct: whether
 * one data plane serves both is the implementation's choice, not a conflict.
 */
export function listenersClash(a: Record<string, unknown>, b: Record<string, unknown>): ListenerClash | undefined {
  const port = portOf(a);
  if (port === undefined || port !== portOf(b)) return undefined;
  const pa = listenerProtocol(a);
  const pb = listenerProtocol(b);
  if (pa === undefined || pb === undefined) return undefined;
  const ha = hostnameKey(a, pa);
  const hb = hostnameKey(b, pb);
  if (pa === pb) {
    // HostnameConflict names a clash of hostnames, which TCP and UDP listeners do not have: the
    // spec's ProtocolConflict (same port, conflicting protocol specifications) is the one that
    // fits, and Envoy Gateway reports it ("Only one TCP listener is allowed in a given port").
    if (NO_HOSTNAME.has(pa)) return { reason: "ProtocolConflict", why: `both are ${pa}, which has no hostname to tell two listeners of one port apart` };
    return ha === hb ? { reason: "HostnameConflict", why: `both are ${pa} for ${served(ha)}` } : undefined;
  }
  if ((pa === "TCP" && MULTIPLEXED.has(pb)) || (pb === "TCP" && MULTIPLEXED.has(pa))) return { reason: "ProtocolConflict", why: `a TCP listener takes every connection on the port, so the ${pa === "TCP" ? pb : pa} one cannot share it` };
  if (((pa === "HTTPS" && pb === "TLS") || (pa === "TLS" && pb === "HTTPS")) && ha === hb) return { reason: "ProtocolConflict", why: `HTTPS and TLS listeners on one port are chosen by SNI, and both serve ${served(ha)}` };
  return undefined;
}

/** ListenerSets oldest first, then by namespace/name; one without a creation time comes after those with one (it is not created yet). */
function byPrecedence(a: ListenerOwner, b: ListenerOwner): number {
  if (a.createdAt !== undefined && b.createdAt !== undefined && a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  if ((a.createdAt === undefined) !== (b.createdAt === undefined)) return a.createdAt === undefined ? 1 : -1;
  const ka = `${a.namespace}/${a.name}`;
  const kb = `${b.namespace}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

interface Held<Owner> {
  owner: Owner;
  listener: number;
  value: Record<string, unknown>;
  /** Its place in the order of precedence: of several rivals, the first is named. */
  order: number;
}

/**
 * The accepted listeners of one merged list, indexed so that a new one meets only those it
 * could conflict with: of its port and hostname (the same protocol, or HTTPS with TLS), and
 * the first TCP or first HTTP, HTTPS or TLS listener of its port. Thousands of ListenerSets
 * on port 443, each with its own hostname, then cost one look-up each, not one per listener.
 */
class AcceptedListeners<Owner> {
  private readonly byPortAndHostname = new Map<string, Held<Owner>[]>();
  private readonly firstTcp = new Map<number, Held<Owner>>();
  private readonly firstMultiplexed = new Map<number, Held<Owner>>();

  add(held: Held<Owner>, port: number, protocol: string): void {
    const key = `${port} ${hostnameKey(held.value, protocol)}`;
    const same = this.byPortAndHostname.get(key);
    if (same) same.push(held);
    else this.byPortAndHostname.set(key, [held]);
    const first = protocol === "TCP" ? this.firstTcp : MULTIPLEXED.has(protocol) ? this.firstMultiplexed : undefined;
    if (first && !first.has(port)) first.set(port, held);
  }

  /** The first listener held (other than `self`) that the given one conflicts with, and why. */
  rivalOf(self: Held<Owner>, port: number, protocol: string): { rival: Held<Owner>; clash: ListenerClash } | undefined {
    let found: { rival: Held<Owner>; clash: ListenerClash } | undefined;
    // Held in order of precedence: the first that conflicts is the one to name.
    for (const rival of this.byPortAndHostname.get(`${port} ${hostnameKey(self.value, protocol)}`) ?? []) {
      const clash = rival === self ? undefined : listenersClash(rival.value, self.value);
      if (clash) {
        found = { rival, clash };
        break;
      }
    }
    const across = protocol === "TCP" ? this.firstMultiplexed.get(port) : MULTIPLEXED.has(protocol) ? this.firstTcp.get(port) : undefined;
    if (across && (!found || across.order < found.rival.order)) {
      const clash = listenersClash(across.value, self.value);
      if (clash) found = { rival: across, clash };
    }
    return found;
  }
}

/**
 * The Conflicted listeners of every merged list, by owner and listener index. The owners are
 * the Gateways and the ListenerSets their Gateway admits (one not admitted joins no list).
 */
export function listenerConflicts<Owner extends ListenerOwner>(owners: readonly Owner[]): Map<Owner, Map<number, ListenerConflict<Owner>>> {
  const conflicts = new Map<Owner, Map<number, ListenerConflict<Owner>>>();
  const lists = new Map<string, Owner[]>();
  for (const owner of owners) {
    const list = lists.get(owner.gatewayKey) ?? [];
    lists.set(owner.gatewayKey, list);
    list.push(owner);
  }
  for (const list of lists.values()) {
    const gateways = list.filter((o) => o.kind === "Gateway");
    const sets = list.filter((o) => o.kind !== "Gateway").sort(byPrecedence);
    mergeList([...gateways, ...sets], conflicts);
  }
  return conflicts;
}

/** Walks one merged list in order of precedence, each resource against the listeners accepted before it, then within itself. */
function mergeList<Owner extends ListenerOwner>(ordered: readonly Owner[], conflicts: Map<Owner, Map<number, ListenerConflict<Owner>>>): void {
  const accepted = new AcceptedListeners<Owner>();
  const mark = (held: Held<Owner>, clash: ListenerClash, rival: Held<Owner>, rivalWins: boolean) => {
    const byListener = conflicts.get(held.owner) ?? new Map<number, ListenerConflict<Owner>>();
    conflicts.set(held.owner, byListener);
    if (byListener.has(held.listener)) return;
    const orderUnknown = rivalWins && rival.owner.kind !== "Gateway" && (held.owner.createdAt === undefined || rival.owner.createdAt === undefined);
    byListener.set(held.listener, { ...clash, port: portOf(held.value) as number, rival: { owner: rival.owner, listener: rival.listener }, rivalWins, orderUnknown });
  };
  let order = 0;
  for (const owner of ordered) {
    const survivors: { held: Held<Owner>; port: number; protocol: string }[] = [];
    owner.listeners.forEach((value, listener) => {
      const port = portOf(value);
      const protocol = listenerProtocol(value);
      if (port === undefined || protocol === undefined) return;
      const held = { owner, listener, value, order: order++ };
      const beaten = accepted.rivalOf(held, port, protocol);
      if (beaten) mark(held, beaten.clash, beaten.rival, true);
      else survivors.push({ held, port, protocol });
    });
    // Within one resource no listener wins: every one that conflicts with another of it is Conflicted.
    const own = new AcceptedListeners<Owner>();
    for (const { held, port, protocol } of survivors) own.add(held, port, protocol);
    const lost = new Set<Held<Owner>>();
    for (const { held, port, protocol } of survivors) {
      const sibling = own.rivalOf(held, port, protocol);
      if (!sibling) continue;
      mark(held, sibling.clash, sibling.rival, false);
      lost.add(held);
    }
    for (const { held, port, protocol } of survivors) if (!lost.has(held)) accepted.add(held, port, protocol);
  }
}

/** `listener "name"`, or `listener 2` for one without a name (which the API server refuses). */
export function listenerLabel(listener: Record<string, unknown> | undefined, l: number): string {
  return typeof listener?.name === "string" ? `listener "${listener.name}"` : `listener ${l}`;
}

/** The rival of a Conflicted listener, as `listener "web" of Gateway infra/public`. */
export function rivalLabel(conflict: ListenerConflict): string {
  const { owner, listener } = conflict.rival;
  return `${listenerLabel(owner.listeners[listener], listener)} of ${owner.kind} ${owner.namespace}/${owner.name}`;
}
