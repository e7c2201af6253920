/**
 * Listener conflicts as the Gateway API specification states them (apis/v1 GatewaySpec
 * "Distinct Listeners", the Conflicted condition and its reasons; GEP-1713 listener
 * precedence), checked against the conformance suite's cases: which pairs on one port
 * conflict and why, which listener wins when a Gateway and its ListenerSets are merged, and
 * that a route on a Conflicted listener reaches nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readGatewayApi, type GatewayApi, type RouteParent } from "../../src/k8s/gateway-api.js";
import { listenersClash } from "../../src/k8s/gateway-conflicts.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { loadedObject } from "../support/snapshot.js";

const GW = "gateway.networking.k8s.io/v1";
const fromAll = { namespaces: { from: "All" } };
type Listener = Record<string, unknown>;

const gateway = (listeners: Listener[], extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: GW,
  kind: "Gateway",
  metadata: { name: "public", namespace: "infra" },
  spec: { gatewayClassName: "example", allowedListeners: { namespaces: { from: "All" } }, listeners, ...extra },
});

const listenerSet = (namespace: string, name: string, listeners: Listener[], creationTimestamp?: string): K8sObject => ({
  apiVersion: GW,
  kind: "ListenerSet",
  metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
  spec: { parentRef: { name: "public", namespace: "infra" }, listeners },
});

const httpRoute = (parentRef: Record<string, unknown>, name = "web", backend = "web"): K8sObject => ({
  apiVersion: GW,
  kind: "HTTPRoute",
  metadata: { name, namespace: "shop" },
  spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: backend, port: 80 }] }] },
});

const http = (name: string, port: number, hostname?: string): Listener => ({ name, port, protocol: "HTTP", ...(hostname ? { hostname } : {}), allowedRoutes: fromAll });
const tcp = (name: string, port: number): Listener => ({ name, port, protocol: "TCP", allowedRoutes: fromAll });

const model = (...objects: K8sObject[]) => readGatewayApi(objects.map(loadedObject));
/** A Gateway's own listener on a port no other listener here uses: the API server refuses a Gateway without listeners (MinItems=1), and a refused Gateway merges with nothing. */
const aside = (): Listener => http("aside", 8999);
const parentOf = (api: GatewayApi, kind: string, namespace: string, name: string) => api.parents.find((p) => p.kind === kind && p.namespace === namespace && p.name === name) as RouteParent;

/** Each Conflicted listener of a parent, as `name: reason, rival <owner>/<listener>, wins|both lose`. */
function conflictsOf(parent: RouteParent): string[] {
  return [...parent.conflicts].map(([l, c]) => `${String(parent.listeners[l]?.name)}: ${c.reason} with ${c.rival.owner.namespace}/${c.rival.owner.name}/${String(c.rival.owner.listeners[c.rival.listener]?.name)} on ${c.port}, ${c.rivalWins ? "rival wins" : "both lose"}`);
}

describe("which listeners on one port conflict", () => {
  const reason = (a: Listener, b: Listener) => listenersClash(a, b)?.reason;
  const tls = (hostname?: string): Listener => ({ name: "tls", port: 443, protocol: "TLS", tls: { mode: "Passthrough" }, ...(hostname ? { hostname } : {}) });
  const https = (hostname?: string): Listener => ({ name: "https", port: 443, protocol: "HTTPS", ...(hostname ? { hostname } : {}) });

  it("the same protocol for the same hostname is a HostnameConflict; distinct hostnames are distinct listeners", () => {
    expect(reason(http("a", 80, "a.example.com"), http("b", 80, "a.example.com"))).toBe("HostnameConflict");
    expect(reason(http("a", 80), http("b", 80))).toBe("HostnameConflict");
    // Core protocol names are one protocol in any case.
    expect(reason(http("a", 80, "a.example.com"), { ...http("b", 80, "a.example.com"), protocol: "http" })).toBe("HostnameConflict");
    expect(reason(http("a", 80, "a.example.com"), http("b", 80, "b.example.com"))).toBeUndefined();
    // A wildcard and a name it covers are distinct: requests go to the most specific.
    expect(reason(http("a", 80, "*.example.com"), http("b", 80, "a.example.com"))).toBeUndefined();
    expect(reason(http("a", 80), http("b", 80, "a.example.com"))).toBeUndefined();
    expect(reason(http("a", 80, "a.example.com"), http("b", 8080, "a.example.com"))).toBeUndefined();
  });

  it("TCP shares its port with no HTTP, HTTPS or TLS listener (ProtocolConflict), nor with another TCP listener", () => {
    // apis/v1 GatewaySpec: listeners sharing a port with a TCP listener are not distinct.
    expect(reason(tcp("t", 80), http("h", 80, "a.example.com"))).toBe("ProtocolConflict");
    expect(reason(https("a.example.com"), tcp("t", 443))).toBe("ProtocolConflict");
    expect(reason(tcp("t", 443), tls("a.example.com"))).toBe("ProtocolConflict");
  });

  it("two TCP or two UDP listeners on one port are a ProtocolConflict: HostnameConflict is a clash of hostnames, which they have none of", () => {
    // apis/v1 ListenerConditionReason: HostnameConflict is for listeners whose hostnames clash,
    // ProtocolConflict for one port with conflicting protocol specifications; Envoy Gateway's
    // translator reports ProtocolConflict ("Only one TCP listener is allowed in a given port").
    expect(reason(tcp("a", 80), tcp("b", 80))).toBe("ProtocolConflict");
    expect(reason(tcp("a", 80), { ...tcp("b", 80), protocol: "tcp" })).toBe("ProtocolConflict");
    expect(reason({ name: "u", port: 53, protocol: "UDP" }, { name: "v", port: 53, protocol: "udp" })).toBe("ProtocolConflict");
    expect(reason(tcp("a", 80), tcp("b", 81))).toBeUndefined();
  });

  it("HTTPS and TLS conflict for the same hostname only (conformance: protocol-and-route-kind-conflicts, https-and-tls-passthrough-same-port)", () => {
    expect(reason(https(), tls())).toBe("ProtocolConflict");
    expect(reason(https("abc.example.com"), tls("abc.example.com"))).toBe("ProtocolConflict");
    expect(reason(https("*.example.com"), tls("abc.example.com"))).toBeUndefined();
  });

  it("pairs the specification calls distinct do not conflict: HTTP with HTTPS or TLS, UDP with TCP or HTTP", () => {
    expect(reason(http("h", 443), https())).toBeUndefined();
    expect(reason(http("h", 443), tls())).toBeUndefined();
    expect(reason(tcp("t", 53), { name: "u", port: 53, protocol: "UDP" })).toBeUndefined();
    expect(reason(http("h", 80), { name: "u", port: 80, protocol: "UDP" })).toBeUndefined();
  });
});

describe("listeners of one Gateway", () => {
  // conformance/tests/gateway-listener-protocol-and-route-kind-conflicts.yaml
  const tlsOnly = gateway([
    { name: "tls", port: 443, protocol: "TLS", hostname: "abc.example.com", tls: { mode: "Passthrough" }, allowedRoutes: { kinds: [{ kind: "TLSRoute" }] } },
    { name: "conflicted-https", port: 8443, protocol: "HTTPS", allowedRoutes: { kinds: [{ kind: "HTTPRoute" }] } },
    { name: "conflicted-tls", port: 8443, protocol: "TLS", tls: { mode: "Passthrough" }, allowedRoutes: { kinds: [{ kind: "TLSRoute" }] } },
  ]);
  const tlsRoute = (sectionName: string): K8sObject => ({
    apiVersion: GW,
    kind: "TLSRoute",
    metadata: { name: sectionName, namespace: "infra" },
    spec: { parentRefs: [{ name: "public", sectionName }], rules: [{ backendRefs: [{ name: "tcp-backend", port: 8443 }] }] },
  });

  it("both of a conflicting pair are Conflicted: no listener of one Gateway wins over another", () => {
    const api = model(tlsOnly);
    expect(conflictsOf(parentOf(api, "Gateway", "infra", "public"))).toEqual([
      "conflicted-https: ProtocolConflict with infra/public/conflicted-tls on 8443, both lose",
      "conflicted-tls: ProtocolConflict with infra/public/conflicted-https on 8443, both lose",
    ]);
  });

  it("a route on a Conflicted listener reaches nothing; the listener on another port still carries its route", () => {
    const api = model(tlsOnly, tlsRoute("conflicted-tls"), tlsRoute("tls"));
    const [conflicted, control] = api.routes;
    expect(conflicted?.attachments).toEqual([]);
    expect(conflicted?.refusals).toEqual([
      { parentRef: 0, label: "Gateway infra/public", conflicted: true, reasons: ['listener "conflicted-tls" is Conflicted (ProtocolConflict) with listener "conflicted-https" of Gateway infra/public on port 8443, so it is not Accepted and carries no traffic'] },
    ]);
    expect(control?.attachments.map((a) => a.listeners)).toEqual([[0]]);
    expect([...routedServices([tlsOnly, tlsRoute("conflicted-tls")].map(loadedObject)).keys()]).toEqual([]);
  });

  it("a route to the whole Gateway attaches to the listeners that are not Conflicted only", () => {
    const gw = gateway([http("web", 80, "shop.example.com"), tcp("raw", 80), http("admin", 8080)]);
    const route = model(gw, httpRoute({ name: "public", namespace: "infra" })).routes[0];
    // web and raw conflict and both lose; admin, on its own port, carries the route.
    expect(route?.attachments.map((a) => a.listeners)).toEqual([[2]]);
  });
});

describe("a Gateway merged with its ListenerSets", () => {
  it("the parent Gateway's listener wins; the ListenerSet's other listeners, even on the same port, are Accepted (conformance: listenerset-protocol-conflict)", () => {
    const api = model(
      gateway([http("gateway-listener", 80, "gateway-listener.com"), http("protocol-conflict-with-gateway-listener", 80, "protocol-conflict-with-gateway-listener.com")]),
      listenerSet("infra", "ls-1", [http("listener-set-1-listener", 80, "listener-set-1-listener.com"), tcp("protocol-conflict-with-gateway-listener", 80)]),
    );
    expect(conflictsOf(parentOf(api, "Gateway", "infra", "public"))).toEqual([]);
    // The TCP listener lost to the Gateway, so it is nobody's rival: the HTTP listener beside it is Accepted.
    expect(conflictsOf(parentOf(api, "ListenerSet", "infra", "ls-1"))).toEqual(["protocol-conflict-with-gateway-listener: ProtocolConflict with infra/public/gateway-listener on 80, rival wins"]);
  });

  it("a listener that lost is nobody's rival: a later ListenerSet's HTTP listener on that port is Accepted", () => {
    const api = model(gateway([http("web", 80, "shop.example.com")]), listenerSet("a", "raw", [tcp("raw", 80)], "2025-01-01T00:00:00Z"), listenerSet("b", "web", [http("blog", 80, "blog.example.com")], "2025-01-02T00:00:00Z"));
    expect(conflictsOf(parentOf(api, "ListenerSet", "a", "raw"))).toEqual(["raw: ProtocolConflict with infra/public/web on 80, rival wins"]);
    expect(conflictsOf(parentOf(api, "ListenerSet", "b", "web"))).toEqual([]);
  });

  it("a ListenerSet listener for the Gateway's hostname loses, and a route attached to it reaches nothing", () => {
    const objects = [
      gateway([http("web", 80, "shop.example.com")]),
      listenerSet("team", "mine", [http("takeover", 80, "shop.example.com")]),
      httpRoute({ kind: "ListenerSet", name: "mine", namespace: "team", sectionName: "takeover" }, "takeover", "attacker"),
      httpRoute({ name: "public", namespace: "infra" }, "web", "web"),
    ];
    const api = model(...objects);
    expect(conflictsOf(parentOf(api, "ListenerSet", "team", "mine"))).toEqual(["takeover: HostnameConflict with infra/public/web on 80, rival wins"]);
    expect(api.routes[0]?.attachments).toEqual([]);
    expect(api.routes[0]?.refusals.map((r) => [r.reason, r.conflicted])).toEqual([[undefined, true]]);
    expect([...routedServices(objects.map(loadedObject)).keys()]).toEqual(["shop/web"]);
  });

  it("between ListenerSets the older wins, whatever its name (GEP-1713: user02/listenerset2 is older)", () => {
    const listener = { name: "myapp", hostname: "www.something.tld", protocol: "HTTPS", port: 443, allowedRoutes: fromAll };
    const api = model(gateway([http("web", 80)]), listenerSet("user01", "listenerset1", [listener], "2025-08-11T15:44:05Z"), listenerSet("user02", "listenerset2", [listener], "2025-08-11T13:44:05Z"));
    expect(conflictsOf(parentOf(api, "ListenerSet", "user02", "listenerset2"))).toEqual([]);
    expect(conflictsOf(parentOf(api, "ListenerSet", "user01", "listenerset1"))).toEqual(["myapp: HostnameConflict with user02/listenerset2/myapp on 443, rival wins"]);
    expect(parentOf(api, "ListenerSet", "user01", "listenerset1").conflicts.get(0)?.orderUnknown).toBe(false);
  });

  it("created in the same second, or with no creation time in the input, the first by namespace/name wins", () => {
    const listener = http("app", 80, "app.example.com");
    const same = "2025-08-11T13:44:05Z";
    const timed = model(gateway([aside()]), listenerSet("b", "x", [listener], same), listenerSet("a", "z", [listener], same));
    expect(conflictsOf(parentOf(timed, "ListenerSet", "b", "x"))).toEqual(["app: HostnameConflict with a/z/app on 80, rival wins"]);
    const untimed = model(gateway([aside()]), listenerSet("a", "z", [listener]), listenerSet("a", "y", [listener]));
    expect(conflictsOf(parentOf(untimed, "ListenerSet", "a", "z"))).toEqual(["app: HostnameConflict with a/y/app on 80, rival wins"]);
    expect(parentOf(untimed, "ListenerSet", "a", "z").conflicts.get(0)?.orderUnknown).toBe(true);
    // One already created is older than one the input has not created yet.
    const mixed = model(gateway([aside()]), listenerSet("a", "a", [listener]), listenerSet("z", "z", [listener], same));
    expect(conflictsOf(parentOf(mixed, "ListenerSet", "a", "a"))).toEqual(["app: HostnameConflict with z/z/app on 80, rival wins"]);
  });

  it("compatible listeners do not conflict: one port, one protocol, distinct hostnames across the Gateway and its ListenerSets", () => {
    const api = model(
      gateway([http("web", 80, "shop.example.com"), { name: "https", port: 443, protocol: "HTTPS", hostname: "*.example.com" }]),
      listenerSet("team-a", "a", [http("a", 80, "a.example.com"), { name: "a-tls", port: 443, protocol: "HTTPS", hostname: "a.example.com" }]),
      listenerSet("team-b", "b", [http("b", 80, "b.example.com"), { name: "udp", port: 80, protocol: "UDP" }]),
    );
    for (const parent of api.parents) expect(conflictsOf(parent)).toEqual([]);
  });

  it("a ListenerSet its Gateway does not admit joins no list: it neither loses nor beats a later one", () => {
    const listener = http("app", 80, "app.example.com");
    const gw = gateway([aside()], { allowedListeners: { namespaces: { from: "Selector", selector: { matchLabels: { team: "yes" } } } } });
    const admitted: K8sObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "later", labels: { team: "yes" } } };
    const api = model(gw, admitted, listenerSet("early", "refused", [listener], "2020-01-01T00:00:00Z"), listenerSet("later", "admitted", [listener], "2025-01-01T00:00:00Z"));
    expect(parentOf(api, "ListenerSet", "early", "refused").notAccepted).toBe("NotAllowed");
    expect(conflictsOf(parentOf(api, "ListenerSet", "early", "refused"))).toEqual([]);
    expect(conflictsOf(parentOf(api, "ListenerSet", "later", "admitted"))).toEqual([]);
  });

  it("ListenerSets of another Gateway are another list", () => {
    const listener = http("app", 80, "app.example.com");
    const other = { ...listenerSet("a", "other", [listener]), spec: { parentRef: { name: "internal", namespace: "infra" }, listeners: [listener] } };
    const api = model(gateway([listener]), other);
    expect(conflictsOf(parentOf(api, "ListenerSet", "a", "other"))).toEqual([]);
  });

  it("a ListenerSet's TCP or UDP listener on the port of an earlier one of its protocol loses to it, with ProtocolConflict", () => {
    const udp = { name: "dns", port: 53, protocol: "UDP" };
    // "dns" has a creation time and "raw" none, so "dns" comes first.
    const api = model(gateway([tcp("db", 5432)]), listenerSet("team", "raw", [tcp("db", 5432), udp]), listenerSet("team", "dns", [udp], "2030-01-01T00:00:00Z"));
    expect(conflictsOf(parentOf(api, "ListenerSet", "team", "raw"))).toEqual(["db: ProtocolConflict with infra/public/db on 5432, rival wins", "dns: ProtocolConflict with team/dns/dns on 53, rival wins"]);
    expect(conflictsOf(parentOf(api, "ListenerSet", "team", "dns"))).toEqual([]);
    expect(conflictsOf(parentOf(api, "Gateway", "infra", "public"))).toEqual([]);
  });

  it("two listeners of one ListenerSet that conflict both lose, as in a Gateway", () => {
    const api = model(gateway([aside()]), listenerSet("team", "mixed", [http("web", 9000, "a.example.com"), tcp("raw", 9000), http("ok", 9001)]));
    expect(conflictsOf(parentOf(api, "ListenerSet", "team", "mixed"))).toEqual(["web: ProtocolConflict with team/mixed/raw on 9000, both lose", "raw: ProtocolConflict with team/mixed/web on 9000, both lose"]);
  });
});

describe("properties of the merge", () => {
  // Each listener as the CRD takes it alone (a TLS one with its mode, no hostname on TCP or UDP): only a resource's indistinct listeners make the API server refuse it.
  const listener = fc
    .record({
      name: fc.constantFrom("a", "b", "c"),
      port: fc.constantFrom(80, 443),
      protocol: fc.constantFrom("HTTP", "https", "HTTPS", "TLS", "TCP", "UDP", "example.com/own"),
      hostname: fc.constantFrom(undefined, "a.example.com", "*.example.com"),
    })
    .map(({ hostname, ...l }): Listener => ({ ...l, ...(l.protocol === "TLS" ? { tls: { mode: "Passthrough" } } : {}), ...(hostname === undefined || l.protocol === "TCP" || l.protocol === "UDP" ? {} : { hostname }) }));
  const listeners = fc.uniqueArray(listener, { selector: (l) => l.name, minLength: 1, maxLength: 3 });
  const stamp = fc.constantFrom(undefined, "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z");
  const input = fc.tuple(listeners, fc.array(fc.tuple(fc.constantFrom("x", "y", "z"), stamp, listeners), { maxLength: 3 }));
  const build = ([own, sets]: [Listener[], [string, string | undefined, Listener[]][]]) =>
    model(gateway(own), ...sets.map(([name, time, entries], i) => listenerSet(`ns-${i}`, name, entries, time)));

  it("no two listeners that stay Accepted in one merged list conflict, and each Conflicted one conflicts with its rival", () => {
    fc.assert(
      fc.property(input, (objects) => {
        const api = build(objects);
        // A resource the API server refuses, or one that joins a refused Gateway, is in no merged list: it conflicts with nothing and is nobody's rival.
        for (const parent of api.parents.filter((p) => p.refusedByApiServer)) expect(conflictsOf(parent)).toEqual([]);
        const kept = api.parents.filter((p) => !p.refusedByApiServer).flatMap((p) => p.listeners.filter((_, l) => !p.conflicts.has(l)));
        kept.forEach((a, i) => kept.slice(i + 1).forEach((b) => expect(listenersClash(a, b)).toBeUndefined()));
        for (const parent of api.parents) {
          for (const [l, conflict] of parent.conflicts) {
            const { owner, listener } = conflict.rival;
            expect(listenersClash(parent.listeners[l] as Listener, owner.listeners[listener] as Listener)?.reason).toBe(conflict.reason);
            // A rival that wins is Accepted; one of the same resource loses too.
            expect((owner as RouteParent).conflicts.has(listener)).toBe(!conflict.rivalWins);
            expect((owner as RouteParent).refusedByApiServer).toBeUndefined();
          }
        }
      }),
    );
  });

  it("a Gateway's own listeners lose only to each other: exactly those that conflict with another of it", () => {
    fc.assert(
      fc.property(input, (objects) => {
        const own = objects[0];
        const gw = parentOf(build(objects), "Gateway", "infra", "public");
        const conflicted = [...gw.conflicts.keys()].sort();
        // A Gateway the API server refuses (indistinct listeners) never exists: none of its listeners is Conflicted.
        const expected = gw.refusedByApiServer ? [] : own.flatMap((a, i) => (own.some((b, j) => i !== j && listenersClash(a, b)) ? [i] : []));
        expect(conflicted).toEqual(expected);
      }),
    );
  });
});

describe("large inputs", () => {
  it("thousands of ListenerSets on port 443, each its own hostname and one a duplicate, merge with the duplicate alone Conflicted", () => {
    const n = 5_000;
    const sets = Array.from({ length: n }, (_, i) => listenerSet(`team-${String(i).padStart(5, "0")}`, "ls", [{ name: "https", port: 443, protocol: "HTTPS", hostname: `app-${i}.example.com` }]));
    sets.push(listenerSet("zz", "copy", [{ name: "https", port: 443, protocol: "HTTPS", hostname: "app-7.example.com" }]));
    const api = model(gateway([http("web", 80)]), ...sets);
    expect(api.parents.filter((p) => p.conflicts.size > 0).map((p) => `${p.namespace}/${p.name}`)).toEqual(["zz/copy"]);
  });
});
