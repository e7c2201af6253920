/**
 * Which Services outside traffic is routed to: Ingress backends, and Gateway API routes as
 * the specification attaches them (allowedRoutes, sectionName, port, hostnames,
 * ReferenceGrant, weight 0, request mirrors, mesh parents).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hostnamesMeet } from "../../src/k8s/gateway-listener.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { loadedObject } from "../support/snapshot.js";

const GW = "gateway.networking.k8s.io/v1";

function gateway(listeners: unknown[], namespace = "infra", name = "public"): K8sObject {
  return { apiVersion: GW, kind: "Gateway", metadata: { name, namespace }, spec: { gatewayClassName: "example", listeners } };
}

const httpListener = (extra: Record<string, unknown> = {}) => ({ name: "http", port: 80, protocol: "HTTP", ...extra });

function route(spec: Record<string, unknown>, namespace = "shop", kind = "HTTPRoute", name = "web"): K8sObject {
  return { apiVersion: GW, kind, metadata: { name, namespace }, spec };
}

const toWeb = (parent: Record<string, unknown> = { name: "public", namespace: "infra" }, backend: Record<string, unknown> = { name: "web", port: 80 }) => ({
  parentRefs: [parent],
  rules: [{ backendRefs: [backend] }],
});

const routedKeys = (...objects: K8sObject[]) => [...routedServices(objects.map(loadedObject)).keys()].sort();

describe("Gateway API routes: which Services they publish", () => {
  it("a listener admits routes of its own namespace only, unless it says All or a namespace selector matches", () => {
    expect(routedKeys(gateway([httpListener()]), route(toWeb()))).toEqual([]);
    expect(routedKeys(gateway([httpListener()], "shop"), route(toWeb({ name: "public" })))).toEqual(["shop/web"]);
    expect(routedKeys(gateway([httpListener({ allowedRoutes: { namespaces: { from: "All" } } })]), route(toWeb()))).toEqual(["shop/web"]);
    const bySelector = (selector: Record<string, unknown>, ...more: K8sObject[]) =>
      routedKeys(gateway([httpListener({ allowedRoutes: { namespaces: { from: "Selector", selector } } })]), route(toWeb()), ...more);
    // The API server labels every namespace with its name, so this works without a Namespace object.
    expect(bySelector({ matchLabels: { "kubernetes.io/metadata.name": "shop" } })).toEqual(["shop/web"]);
    expect(bySelector({ matchLabels: { exposed: "true" } }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } })).toEqual([]);
    // Without its Namespace, shop's labels are unknown: taken as matching, erring on the side of exposure (gateway/namespace-not-in-input says so).
    expect(bySelector({ matchLabels: { exposed: "true" } })).toEqual(["shop/web"]);
    expect(bySelector({ matchLabels: { exposed: "true" } }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { exposed: "true" } } })).toEqual(["shop/web"]);
    expect(bySelector({ matchExpressions: [{ key: "exposed", operator: "DoesNotExist" }] })).toEqual(["shop/web"]);
  });

  it("route kinds: the listener's list, else what its protocol carries", () => {
    const all = { allowedRoutes: { namespaces: { from: "All" } } };
    const tcp = route(toWeb(), "shop", "TCPRoute");
    expect(routedKeys(gateway([httpListener(all)]), tcp)).toEqual([]);
    expect(routedKeys(gateway([{ name: "db", port: 5432, protocol: "TCP", ...all }]), tcp)).toEqual(["shop/web"]);
    expect(routedKeys(gateway([httpListener(all)]), route(toWeb(), "shop", "GRPCRoute"))).toEqual(["shop/web"]);
    const onlyGrpc = { allowedRoutes: { namespaces: { from: "All" }, kinds: [{ kind: "GRPCRoute" }] } };
    expect(routedKeys(gateway([httpListener(onlyGrpc)]), route(toWeb()))).toEqual([]);
    // An implementation's own protocol: nothing known about it, so any route may attach.
    expect(routedKeys(gateway([{ name: "x", port: 9, protocol: "example.com/quic", ...all }]), tcp)).toEqual(["shop/web"]);
  });

  it("sectionName and port pick the listener; hostnames must meet the listener's", () => {
    const listeners = [httpListener(), { name: "internal", port: 8080, protocol: "HTTP", hostname: "*.internal.example", allowedRoutes: { namespaces: { from: "All" } } }];
    const gw = gateway(listeners);
    expect(routedKeys(gw, route(toWeb({ name: "public", namespace: "infra", sectionName: "http" })))).toEqual([]);
    expect(routedKeys(gw, route(toWeb({ name: "public", namespace: "infra", sectionName: "internal" })))).toEqual(["shop/web"]);
    expect(routedKeys(gw, route(toWeb({ name: "public", namespace: "infra", port: 80 })))).toEqual([]);
    expect(routedKeys(gw, route({ ...toWeb(), hostnames: ["shop.example.com"] }))).toEqual([]);
    expect(routedKeys(gw, route({ ...toWeb(), hostnames: ["shop.example.com", "a.b.internal.example"] }))).toEqual(["shop/web"]);
  });

  it("a backend in another namespace needs a ReferenceGrant there naming the route's kind and namespace", () => {
    const gw = gateway([httpListener({ allowedRoutes: { namespaces: { from: "All" } } })]);
    const across = route(toWeb(undefined, { name: "api", namespace: "backend", port: 8080 }));
    const grant = (from: Record<string, unknown>, to: Record<string, unknown>, namespace = "backend"): K8sObject => ({
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "ReferenceGrant",
      metadata: { name: "from-shop", namespace },
      spec: { from: [from], to: [to] },
    });
    const fromShop = { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "shop" };
    expect(routedKeys(gw, across)).toEqual([]);
    expect(routedKeys(gw, across, grant(fromShop, { group: "", kind: "Service" }))).toEqual(["backend/api"]);
    expect(routedKeys(gw, across, grant(fromShop, { group: "", kind: "Service", name: "api" }))).toEqual(["backend/api"]);
    expect(routedKeys(gw, across, grant(fromShop, { group: "", kind: "Service", name: "other" }))).toEqual([]);
    expect(routedKeys(gw, across, grant({ ...fromShop, kind: "GRPCRoute" }, { group: "", kind: "Service" }))).toEqual([]);
    expect(routedKeys(gw, across, grant({ ...fromShop, namespace: "other" }, { group: "", kind: "Service" }))).toEqual([]);
    // A grant must live in the namespace of what it grants.
    expect(routedKeys(gw, across, grant(fromShop, { group: "", kind: "Service" }, "shop"))).toEqual([]);
  });

  it("weight 0 forwards nothing, a mirror receives copies, other backend kinds and mesh parents are not Services published", () => {
    const gw = gateway([httpListener({ allowedRoutes: { namespaces: { from: "All" } } })]);
    const parentRefs = [{ name: "public", namespace: "infra" }];
    expect(routedKeys(gw, route({ parentRefs, rules: [{ backendRefs: [{ name: "canary", port: 80, weight: 0 }, { name: "web", port: 80, weight: 1 }] }] }))).toEqual(["shop/web"]);
    const mirror = { type: "RequestMirror", requestMirror: { backendRef: { name: "shadow", port: 80 } } };
    expect(routedKeys(gw, route({ parentRefs, rules: [{ filters: [mirror], backendRefs: [{ name: "web", port: 80 }] }] }))).toEqual(["shop/shadow", "shop/web"]);
    expect(routedKeys(gw, route({ parentRefs, rules: [{ backendRefs: [{ name: "web", port: 80, filters: [mirror] }] }] }))).toEqual(["shop/shadow", "shop/web"]);
    expect(routedKeys(gw, route({ parentRefs, rules: [{ backendRefs: [{ group: "example.com", kind: "Bucket", name: "web" }] }] }))).toEqual([]);
    // GAMMA: a route whose parent is a Service steers traffic inside the mesh, it does not let anything in.
    expect(routedKeys(gw, route({ parentRefs: [{ group: "", kind: "Service", name: "web" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] }))).toEqual([]);
  });

  it("a ListenerSet's listeners carry routes only when its Gateway's allowedListeners admit it", () => {
    const listenerSet = (namespace: string): K8sObject => ({
      apiVersion: GW,
      kind: "ListenerSet",
      metadata: { name: "team", namespace },
      spec: { parentRef: { name: "public", namespace: "infra" }, listeners: [{ name: "shop", port: 443, protocol: "HTTPS", hostname: "shop.example.com" }] },
    });
    const viaSet = route(toWeb({ kind: "ListenerSet", name: "team" }));
    // Its own listener on another port: the API server refuses a Gateway without one (MinItems=1).
    const aside = { name: "aside", port: 8999, protocol: "HTTP" };
    expect(routedKeys(gateway([aside]), listenerSet("shop"), viaSet)).toEqual([]);
    const admitting = { ...gateway([aside]), spec: { listeners: [aside], allowedListeners: { namespaces: { from: "All" } } } };
    expect(routedKeys(admitting, listenerSet("shop"), viaSet)).toEqual(["shop/web"]);
    expect(routedServices([admitting, listenerSet("shop"), viaSet].map(loadedObject)).get("shop/web")?.text).toBe("HTTPRoute web (ListenerSet shop/team) to Service web");
    // The ListenerSet's own namespace is the one its listeners' Same means.
    expect(routedKeys(admitting, listenerSet("other"), route(toWeb({ kind: "ListenerSet", name: "team", namespace: "other" })))).toEqual([]);
  });

  it("an external authorizer sees every request, and a TLS listener carries TLSRoutes, not TCPRoutes", () => {
    const all = { allowedRoutes: { namespaces: { from: "All" } } };
    const auth = { type: "ExternalAuth", externalAuth: { protocol: "HTTP", backendRef: { name: "authz", port: 9000 } } };
    expect(routedKeys(gateway([httpListener(all)]), route({ parentRefs: [{ name: "public", namespace: "infra" }], rules: [{ filters: [auth], backendRefs: [{ name: "web", port: 80 }] }] }))).toEqual(["shop/authz", "shop/web"]);
    const tls = gateway([{ name: "tls", port: 443, protocol: "TLS", tls: { mode: "Passthrough" }, ...all }]);
    expect(routedKeys(tls, route(toWeb(), "shop", "TLSRoute"))).toEqual(["shop/web"]);
    expect(routedKeys(tls, route(toWeb(), "shop", "TCPRoute"))).toEqual([]);
  });

  it("a route whose Gateway is not in the input is taken as attached, and says that this is assumed", () => {
    const routed = routedServices([loadedObject(route(toWeb()))]);
    expect(routed.get("shop/web")?.text).toBe("HTTPRoute web (Gateway infra/public, not in the input: assumed to accept the route) to Service web");
  });

  it("a route admitted only on labels of a namespace the input does not hold says that this is assumed", () => {
    const selecting = (extra: Record<string, unknown> = {}) => ({ ...httpListener(extra), allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { team: "web" } } } } });
    const shop = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { team: "web" } } };
    const text = (...objects: K8sObject[]) => routedServices(objects.map(loadedObject)).get("shop/web")?.text;
    expect(text(gateway([selecting()]), route(toWeb()))).toBe("HTTPRoute web (Gateway infra/public, assumed to admit it: namespace shop is not in the input, and its listener selects namespaces by labels) to Service web");
    // The Namespace given, its labels decide: no assumption.
    expect(text(gateway([selecting()]), route(toWeb()), shop)).toBe("HTTPRoute web (Gateway infra/public) to Service web");
    // Another listener admits every namespace: the route is admitted on what the input shows.
    expect(text(gateway([selecting(), { name: "all", port: 8080, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }]), route(toWeb()))).toBe("HTTPRoute web (Gateway infra/public) to Service web");
  });

  it("points at the backend that publishes the Service, and keeps Ingress backends", () => {
    const { objects } = parseYamlFile(
      "routes.yaml",
      `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
    - backendRefs:
        - name: web
          port: 80
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: legacy, namespace: shop}
spec:
  defaultBackend: {service: {name: old, port: {number: 80}}}
`,
    );
    const routed = routedServices(objects);
    expect(routed.get("shop/web")?.position).toMatchObject({ file: "routes.yaml", line: 8, column: 11 });
    expect(routed.get("shop/old")).toMatchObject({ text: "an Ingress to Service old", position: { line: 11 } });
  });
});

describe("Ingress allow-lists", () => {
  it("an Ingress open to every address names the Service over one that admits some addresses only", () => {
    const ingress = (name: string, annotations: Record<string, string>): K8sObject => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name, namespace: "shop", annotations },
      spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } },
    });
    const narrowed = ingress("a", { "nginx.ingress.kubernetes.io/allowlist-source-range": " 192.0.2.0/24 , 198.51.100.0/24" });
    expect(routedServices([narrowed].map(loadedObject)).get("shop/web")?.sourceRanges).toEqual(["192.0.2.0/24", "198.51.100.0/24"]);
    expect(routedServices([narrowed, ingress("b", {})].map(loadedObject)).get("shop/web")?.sourceRanges).toBeUndefined();
    expect(routedServices([ingress("b", {}), narrowed].map(loadedObject)).get("shop/web")?.sourceRanges).toBeUndefined();
    expect(routedServices([ingress("c", { "nginx.ingress.kubernetes.io/allowlist-source-range": "10.0.0.0/8,::/0" })].map(loadedObject)).get("shop/web")?.sourceRanges).toBeUndefined();
  });
});

describe("hostnames", () => {
  it("meet as the specification says: exact, or a *. label standing for one or more labels", () => {
    expect(hostnamesMeet(undefined, ["a.example.com"])).toBe(true);
    expect(hostnamesMeet("a.example.com", [])).toBe(true);
    expect(hostnamesMeet("*.example.com", ["a.example.com"])).toBe(true);
    expect(hostnamesMeet("*.example.com", ["a.b.example.com"])).toBe(true);
    expect(hostnamesMeet("*.example.com", ["example.com"])).toBe(false);
    expect(hostnamesMeet("a.example.com", ["*.example.com"])).toBe(true);
    expect(hostnamesMeet("*.example.com", ["*.b.example.com"])).toBe(true);
    expect(hostnamesMeet("a.example.com", ["b.example.com"])).toBe(false);
    expect(hostnamesMeet("*.example.com", ["a.example.net"])).toBe(false);
  });

  it("meeting is symmetric, and a name meets itself", () => {
    const label = fc.constantFrom("a", "b", "example", "com");
    const hostname = fc.tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 4 })).map(([wild, labels]) => (wild ? "*." : "") + labels.join("."));
    fc.assert(
      fc.property(hostname, hostname, (a, b) => {
        expect(hostnamesMeet(a, [b])).toBe(hostnamesMeet(b, [a]));
        expect(hostnamesMeet(a, [a])).toBe(true);
      }),
    );
  });
});
