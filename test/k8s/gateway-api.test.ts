/**
 * Route attachment as the Gateway API specification states it, where Palisade was found
 * wrong against apis/v1 and the conformance suite: core protocol names compared without
 * case, listed route kinds a protocol cannot carry, allowedListeners defaulting to None,
 * the Accepted=False reason of each refused parentRef, selectors the API would refuse,
 * and time bounded on large inputs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readGatewayApi, type GatewayRoute } from "../../src/k8s/gateway-api.js";
import { admittedKinds, hostnamesMeet } from "../../src/k8s/gateway-listener.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import { checkGateways } from "../../src/network/gateway/family.js";
import { loadedObject, snapshotOf } from "../support/snapshot.js";

const GW = "gateway.networking.k8s.io/v1";

const gateway = (listeners: unknown[], extra: Record<string, unknown> = {}, namespace = "infra"): K8sObject => ({
  apiVersion: GW,
  kind: "Gateway",
  metadata: { name: "public", namespace },
  spec: { gatewayClassName: "example", listeners, ...extra },
});

const route = (kind: string, spec: Record<string, unknown> = {}, namespace = "shop", name = "web"): K8sObject => ({
  apiVersion: GW,
  kind,
  metadata: { name, namespace },
  spec: { parentRefs: [{ name: "public", namespace: "infra" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }], ...spec },
});

const fromAll = { namespaces: { from: "All" } };

/** The one route of the input, as the model judges it. */
function judged(...objects: K8sObject[]): GatewayRoute {
  const routes = readGatewayApi(objects.map(loadedObject)).routes;
  expect(routes).toHaveLength(1);
  return routes[0] as GatewayRoute;
}

const attached = (...objects: K8sObject[]) => judged(...objects).attachments.length > 0;

describe("listener protocol and route kinds", () => {
  it("core protocol names are case-insensitive: an `http` listener carries HTTPRoutes, not TCPRoutes", () => {
    // apis/v1 ProtocolType: "All Core ProtocolType values MUST be treated case-insensitively".
    const http = gateway([{ name: "web", port: 80, protocol: "http", allowedRoutes: fromAll }]);
    expect(attached(http, route("HTTPRoute"))).toBe(true);
    expect(attached(http, route("TCPRoute"))).toBe(false);
    expect(attached(gateway([{ name: "tls", port: 443, protocol: "tls", tls: { mode: "Passthrough" }, allowedRoutes: fromAll }]), route("HTTPRoute"))).toBe(false);
  });

  it("a lower-case `http` listener that forwards is reported as clear text", () => {
    const objects = [gateway([{ name: "web", port: 80, protocol: "Http", allowedRoutes: fromAll }]), route("HTTPRoute")];
    expect(checkGateways(snapshotOf(...objects)).map((f) => f.ruleId)).toContain("gateway/plaintext-listener");
  });

  it("a listed kind the protocol cannot carry attaches nothing (InvalidRouteKinds), the compatible ones still do", () => {
    // conformance/tests/gateway-unsupported-route-kind.yaml: HTTP listener listing UDPRoute.
    const onlyUdp = gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { ...fromAll, kinds: [{ kind: "UDPRoute" }] } }]);
    const refused = judged(onlyUdp, route("UDPRoute"));
    expect(refused.attachments).toEqual([]);
    expect(refused.refusals).toEqual([
      expect.objectContaining({ reason: "NotAllowedByListeners", reasons: ['listener "http" lists UDPRoute in allowedRoutes.kinds, but its protocol, HTTP, cannot carry it (the listener\'s ResolvedRefs is False, InvalidRouteKinds)'] }),
    ]);
    const mixed = gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { ...fromAll, kinds: [{ kind: "UDPRoute" }, { kind: "HTTPRoute" }] } }]);
    expect(attached(mixed, route("HTTPRoute"))).toBe(true);
    expect(attached(mixed, route("UDPRoute"))).toBe(false);
  });

  it("an HTTPRoute on a listener that takes TLSRoutes only is NotAllowedByListeners", () => {
    // conformance/tests/httproute-disallowed-kind.yaml.
    const tlsOnly = gateway([{ name: "tls", port: 443, protocol: "TLS", tls: { mode: "Passthrough" }, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "TLSRoute" }] } }]);
    expect(judged(tlsOnly, route("HTTPRoute", {}, "infra")).refusals.map((r) => r.reason)).toEqual(["NotAllowedByListeners"]);
  });

  it("property: whatever kinds are listed, a core protocol's listener admits only kinds it can carry, in any case of its name", () => {
    const carried: Record<string, string[]> = { HTTP: ["HTTPRoute", "GRPCRoute"], HTTPS: ["HTTPRoute", "GRPCRoute"], TLS: ["TLSRoute"], TCP: ["TCPRoute"], UDP: ["UDPRoute"] };
    const kind = fc.constantFrom("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "Other");
    const casing = fc.array(fc.boolean(), { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(carried)), casing, fc.array(fc.record({ kind }), { maxLength: 4 }), (protocol, upper, kinds) => {
        const written = [...protocol].map((c, i) => (upper[i] ? c : c.toLowerCase())).join("");
        const admitted = admittedKinds({ name: "l", port: 1, protocol: written, allowedRoutes: { kinds } }) ?? [];
        for (const k of admitted) expect(carried[protocol]).toContain(k);
        if (kinds.length === 0) expect([...admitted]).toEqual(carried[protocol]);
      }),
    );
  });
});

describe("namespaces a listener or Gateway admits", () => {
  const listenerSet: K8sObject = {
    apiVersion: GW,
    kind: "ListenerSet",
    metadata: { name: "team", namespace: "infra" },
    spec: { parentRef: { name: "public" }, listeners: [{ name: "team", port: 443, protocol: "HTTPS", allowedRoutes: fromAll }] },
  };
  const viaSet = route("HTTPRoute", { parentRefs: [{ kind: "ListenerSet", name: "team", namespace: "infra" }] });

  it("allowedListeners.namespaces without `from` admits no ListenerSet: its default is None, not Same", () => {
    expect(attached(gateway([{ name: "aside", port: 8999, protocol: "HTTP" }], { allowedListeners: { namespaces: {} } }), listenerSet, viaSet)).toBe(false);
    expect(attached(gateway([{ name: "aside", port: 8999, protocol: "HTTP" }], { allowedListeners: { namespaces: { from: "Same" } } }), listenerSet, viaSet)).toBe(true);
  });

  it("a namespace selector the API server would refuse selects nothing, and never throws", () => {
    const bySelector = (selector: unknown) => gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector", selector } } }]);
    const shop: K8sObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { tier: "5" } } };
    // Gt is a node-selector operator; metav1.LabelSelector refuses it.
    expect(attached(bySelector({ matchExpressions: [{ key: "tier", operator: "Gt", values: ["1"] }] }), shop, route("HTTPRoute"))).toBe(false);
    expect(attached(bySelector({ matchExpressions: 5 }), shop, route("HTTPRoute"))).toBe(false);
    expect(attached(bySelector({ matchLabels: { tier: 5 } }), shop, route("HTTPRoute"))).toBe(false);
    expect(attached(bySelector({ matchExpressions: [{ key: "tier", operator: "In", values: ["5"] }] }), shop, route("HTTPRoute"))).toBe(true);
  });

  it("property: a listener admitting Same (written or by default) never takes a route of another namespace", () => {
    const name = fc.constantFrom("infra", "shop", "billing", "default");
    const allowedRoutes = fc.constantFrom<unknown>(undefined, {}, { namespaces: {} }, { namespaces: { from: "Same" } }, { namespaces: { from: "Same", selector: {} } });
    fc.assert(
      fc.property(name, name, allowedRoutes, fc.constantFrom("HTTP", "HTTPS", "http"), (gatewayNamespace, routeNamespace, allowed, protocol) => {
        fc.pre(gatewayNamespace !== routeNamespace);
        const listener = { name: "l", port: 80, protocol, ...(allowed === undefined ? {} : { allowedRoutes: allowed }) };
        const r = route("HTTPRoute", { parentRefs: [{ name: "public", namespace: gatewayNamespace }] }, routeNamespace);
        expect(attached(gateway([listener], {}, gatewayNamespace), r)).toBe(false);
        // The same route from the Gateway's own namespace attaches.
        expect(attached(gateway([listener], {}, gatewayNamespace), route("HTTPRoute", { parentRefs: [{ name: "public" }] }, gatewayNamespace))).toBe(true);
      }),
    );
  });
});

describe("the Accepted=False reason of a refused parentRef", () => {
  const listeners = [
    { name: "internal", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
    { name: "public", port: 80, protocol: "HTTP", hostname: "*.example.com", allowedRoutes: fromAll },
  ];
  const reasonFor = (parentRef: Record<string, unknown>, hostnames: string[]) =>
    judged(gateway(listeners), route("HTTPRoute", { parentRefs: [{ name: "public", namespace: "infra", ...parentRef }], hostnames })).refusals.map((r) => r.reason);

  it("is NoMatchingParent when sectionName or port names no listener", () => {
    expect(reasonFor({ sectionName: "nope" }, [])).toEqual(["NoMatchingParent"]);
    expect(reasonFor({ port: 8080 }, [])).toEqual(["NoMatchingParent"]);
  });

  it("is NoMatchingListenerHostname when a listener admits the route and only its hostname fails", () => {
    // conformance/tests/httproute-hostname-intersection.yaml: no-intersecting-hosts.
    expect(reasonFor({}, ["example.com", "shop.example.net"])).toEqual(["NoMatchingListenerHostname"]);
  });

  it("is NotAllowedByListeners when no listener admits the route's namespace or kind", () => {
    expect(reasonFor({ sectionName: "internal" }, [])).toEqual(["NotAllowedByListeners"]);
    expect(judged(gateway(listeners), route("TCPRoute")).refusals.map((r) => r.reason)).toEqual(["NotAllowedByListeners"]);
  });

  it("is none when one listener accepts", () => {
    expect(reasonFor({}, ["shop.example.com"])).toEqual([]);
  });
});

describe("backends", () => {
  it("a Service backendRef without a valid port reaches nothing: the API server refuses it (Must have port for Service reference)", () => {
    const gw = gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: fromAll }]);
    const reached = (ref: Record<string, unknown>) => [...routedServices([gw, route("HTTPRoute", { rules: [{ backendRefs: [ref] }] })].map(loadedObject)).keys()];
    expect(reached({ name: "web", port: 80 })).toEqual(["shop/web"]);
    expect(reached({ name: "web" })).toEqual([]);
    expect(reached({ name: "web", port: "80" })).toEqual([]);
    expect(reached({ name: "web", port: 0 })).toEqual([]);
    const mirror = { type: "RequestMirror", requestMirror: { backendRef: { name: "shadow" } } };
    expect(reached({ name: "web", port: 80, filters: [mirror] })).toEqual(["shop/web"]);
  });
});

describe("hostname intersection", () => {
  const label = fc.constantFrom("a", "b", "example", "com");
  const exact = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
  const hostname = fc.tuple(fc.boolean(), exact).map(([wild, name]) => (wild ? `*.${name}` : name));

  it("property: no hostname on either side meets everything; naming more route hostnames never undoes a meeting", () => {
    fc.assert(
      fc.property(hostname, fc.array(hostname, { maxLength: 3 }), fc.array(hostname, { maxLength: 3 }), (listener, some, more) => {
        expect(hostnamesMeet(undefined, some)).toBe(true);
        expect(hostnamesMeet(listener, [])).toBe(true);
        // A route naming no hostname takes every one; one naming some only widens by naming more.
        if (some.length > 0 && hostnamesMeet(listener, some)) expect(hostnamesMeet(listener, [...some, ...more])).toBe(true);
      }),
    );
  });

  it("property: `*.name` stands for one or more labels before name, never for name itself", () => {
    fc.assert(
      fc.property(exact, fc.array(label, { minLength: 1, maxLength: 3 }), (name, prefix) => {
        expect(hostnamesMeet(`*.${name}`, [name])).toBe(false);
        expect(hostnamesMeet(`*.${name}`, [`${prefix.join(".")}.${name}`])).toBe(true);
        expect(hostnamesMeet(`${prefix.join(".")}.${name}`, [`*.${name}`])).toBe(true);
      }),
    );
  });
});

describe("large inputs", () => {
  it("matches each of many routes to the one ReferenceGrant of its namespace among many in the backend's", () => {
    const n = 2_000;
    const objects: K8sObject[] = [gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: fromAll }])];
    for (let i = 0; i < n; i++) {
      objects.push(route("HTTPRoute", { rules: [{ backendRefs: [{ name: "api", namespace: "backend", port: 80 }] }] }, `team-${i}`));
      objects.push({
        apiVersion: "gateway.networking.k8s.io/v1beta1",
        kind: "ReferenceGrant",
        metadata: { name: `from-team-${i}`, namespace: "backend" },
        spec: { from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: `team-${i + 1}` }], to: [{ group: "", kind: "Service", name: "api" }] },
      });
    }
    objects.push({ apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "backend" }, spec: {} });
    const refused = checkGateways(snapshotOf(...objects)).filter((f) => f.ruleId === "gateway/backend-not-permitted");
    // Every team's grant is its neighbour's: only team-0 has none. (Grants are indexed by their from namespace:
    // 20,000 of each took 83 s when every route was checked against every grant, 1.7 s indexed.)
    expect(refused.map((f) => f.object?.namespace)).toEqual(["team-0"]);
  });
});
