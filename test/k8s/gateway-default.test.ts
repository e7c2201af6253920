/**
 * Default Gateways as GEP-3793 and the experimental API types state them: a route whose
 * spec.useDefaultGateways names a scope (All; None claims nowhere) is claimed by every
 * Gateway whose spec.defaultScope is that scope, as if each were one more parentRef naming
 * the Gateway alone, beside the route's own parentRefs, subject to allowedRoutes as usual.
 * With no default Gateway of its scope in the input, the one it asks for is not in the
 * input, and is assumed to accept it, as a named Gateway the input lacks is. Posture's
 * exposure and the gateway family see what such routes carry, and say what is assumed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { readGatewayApi, type GatewayRoute } from "../../src/k8s/gateway-api.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";
import { webPublishedReason } from "../posture/support.js";
import { loadedObject } from "../support/snapshot.js";

const GW = "gateway.networking.k8s.io/v1";
const fromAll = { namespaces: { from: "All" } };

const gateway = (name: string, listeners: unknown[], extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: GW,
  kind: "Gateway",
  metadata: { name, namespace: "infra" },
  spec: { gatewayClassName: "example", listeners, ...extra },
});

/** The GEP's "simple N/S route": no parentRefs, a default Gateway asked for. */
const defaulted = (spec: Record<string, unknown> = {}, namespace = "shop"): K8sObject => ({
  apiVersion: GW,
  kind: "HTTPRoute",
  metadata: { name: "web", namespace },
  spec: { useDefaultGateways: "All", rules: [{ backendRefs: [{ name: "web", port: 80 }] }], ...spec },
});

const web = (allowedRoutes: unknown = fromAll) => ({ name: "web", port: 80, protocol: "HTTP", allowedRoutes });
const byDefault = (name = "public", listeners: unknown[] = [web()]) => gateway(name, listeners, { defaultScope: "All" });

function judged(...objects: K8sObject[]): GatewayRoute {
  const routes = readGatewayApi(objects.map(loadedObject)).routes;
  expect(routes).toHaveLength(1);
  return routes[0] as GatewayRoute;
}

const reached = (...objects: K8sObject[]) => [...routedServices(objects.map(loadedObject)).keys()];
const through = (...objects: K8sObject[]) => judged(...objects).attachments.map((a) => `${a.label} [${a.listeners.join(",")}]${a.asDefault ? " as default" : ""}`);

describe("a route that asks for the default Gateways", () => {
  it("with no parentRefs, reaches its backend through a Gateway whose defaultScope is its scope", () => {
    expect(through(byDefault(), defaulted())).toEqual(["Gateway infra/public [0] as default"]);
    expect(reached(byDefault(), defaulted())).toEqual(["shop/web"]);
    expect(routedServices([byDefault(), defaulted()].map(loadedObject)).get("shop/web")?.gateways).toEqual(["infra/public"]);
  });

  it("without a default Gateway of its scope in the input, is assumed claimed by one elsewhere, as a route naming a Gateway the input lacks is", () => {
    const assumed = { label: "default Gateway of scope All, not in the input", listeners: [], asDefault: true };
    for (const notDefault of [gateway("public", [web()]), gateway("public", [web()], { defaultScope: "None" })]) {
      expect(judged(notDefault, defaulted()).attachments).toEqual([assumed]);
      expect(judged(notDefault, defaulted()).refusals).toEqual([]);
      expect(reached(notDefault, defaulted())).toEqual(["shop/web"]);
    }
    expect(judged(defaulted()).attachments).toEqual([assumed]);
    // One rule for both: the named Gateway the input lacks is assumed to accept the route too.
    const named = defaulted({ useDefaultGateways: undefined, parentRefs: [{ name: "elsewhere", namespace: "infra" }] });
    expect(judged(named).attachments).toEqual([{ label: "Gateway infra/elsewhere, not in the input", listeners: [], parentRef: 0 }]);
    expect(reached(named)).toEqual(["shop/web"]);
    // A default Gateway of another scope does not stand for this one.
    expect(judged(byDefault(), defaulted({ useDefaultGateways: "Other" })).attachments).toEqual([{ ...assumed, label: "default Gateway of scope Other, not in the input" }]);
    // Nor does a default Gateway claim a route that does not ask for one, or asks for None.
    for (const spec of [{ useDefaultGateways: undefined }, { useDefaultGateways: "None" }]) expect(reached(byDefault(), defaulted(spec))).toEqual([]);
  });

  it("is still refused by allowedRoutes: a default Gateway admitting its own namespace only does not claim a route of another", () => {
    const own = byDefault("public", [web({ namespaces: { from: "Same" } })]);
    const refused = judged(own, defaulted());
    expect(refused.attachments).toEqual([]);
    expect(refused.refusals).toEqual([{ defaultScope: "All", label: "Gateway infra/public", reason: "NotAllowedByListeners", reasons: ['listener "web" admits routes of namespace infra only'] }]);
    expect(reached(own, defaulted())).toEqual([]);
    // The Gateway's own namespace it claims; kinds its listeners cannot carry it does not.
    expect(reached(own, defaulted({}, "infra"))).toEqual(["infra/web"]);
    expect(judged(byDefault(), { ...defaulted(), kind: "TCPRoute" }).refusals.map((r) => r.reason)).toEqual(["NotAllowedByListeners"]);
  });

  it("is claimed by every default Gateway of its scope: the GEP lets several coexist, and binds the route to all", () => {
    expect(through(byDefault("a"), byDefault("b"), gateway("c", [web()]), defaulted())).toEqual(["Gateway infra/a [0] as default", "Gateway infra/b [0] as default"]);
  });

  it("keeps its explicit parentRefs: bound to the Gateways it names and to the default ones", () => {
    const named = defaulted({ parentRefs: [{ name: "internal", namespace: "infra" }] });
    expect(through(gateway("internal", [web()]), byDefault(), named)).toEqual(["Gateway infra/internal [0]", "Gateway infra/public [0] as default"]);
    // A Service parentRef (east/west, a mesh) beside the default Gateway (north/south).
    const mesh = defaulted({ parentRefs: [{ group: "", kind: "Service", name: "face", namespace: "faces" }] });
    expect(through(byDefault(), mesh)).toEqual(["Gateway infra/public [0] as default"]);
    // A parentRef to one listener of the default Gateway, and the default claim of all of them: one binding, every listener.
    const two = byDefault("public", [web(), { name: "alt", port: 8080, protocol: "HTTP", allowedRoutes: fromAll }]);
    expect(through(two, defaulted({ parentRefs: [{ name: "public", namespace: "infra", sectionName: "alt" }] }))).toEqual(["Gateway infra/public [0,1] as default"]);
  });

  it("a refusal by a default Gateway the route also names whole is the parentRef's, reported once", () => {
    const own = byDefault("public", [web({ namespaces: { from: "Same" } })]);
    const refusals = judged(own, defaulted({ parentRefs: [{ name: "public", namespace: "infra" }] })).refusals;
    expect(refusals.map((r) => [r.parentRef, r.defaultScope])).toEqual([[0, undefined]]);
  });

  it("attaches to the default Gateway's own listeners, not to its ListenerSets' (GEP-1713: the default Gateway is the direct parent)", () => {
    const withSet = gateway("public", [{ name: "web", port: 80, protocol: "HTTP", hostname: "a.example.com", allowedRoutes: { namespaces: { from: "Same" } } }], { defaultScope: "All", allowedListeners: { namespaces: { from: "All" } } });
    const set: K8sObject = { apiVersion: GW, kind: "ListenerSet", metadata: { name: "team", namespace: "shop" }, spec: { parentRef: { name: "public", namespace: "infra" }, listeners: [web()] } };
    expect(judged(withSet, set, defaulted()).attachments).toEqual([]);
    expect(reached(withSet, set, defaulted())).toEqual([]);
  });
});

async function gatewayFindings(yaml: string): Promise<Finding[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-default-")), "gateway.yaml");
  writeFileSync(file, yaml);
  return runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]).findings;
}

const defaultGatewayYaml = (from: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: example
  defaultScope: All
  listeners:
    - {name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: ${from}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  useDefaultGateways: All
  rules:
    - backendRefs: [{name: web, port: 80}]
---
`;

describe("the gateway family and posture see what a defaulted route carries", () => {
  it("a clear-text listener of a default Gateway forwards the route; a default Gateway that refuses it says why, at useDefaultGateways", async () => {
    const open = await gatewayFindings(defaultGatewayYaml("All"));
    expect(open.filter((f) => f.ruleId === "gateway/plaintext-listener").map((f) => f.message)).toEqual(['listener "web" of Gateway infra/public (HTTP, port 80) forwards HTTPRoute shop/web to backends unencrypted']);
    const closed = (await gatewayFindings(defaultGatewayYaml("Same"))).filter((f) => f.ruleId !== "gateway/routes-from-every-namespace");
    expect(closed.map((f) => `${f.position?.line} ${f.ruleId} ${f.fieldPath}: ${f.message}`)).toEqual([
      '14 gateway/route-not-accepted spec.useDefaultGateways: HTTPRoute shop/web is not accepted by Gateway infra/public, a default Gateway of scope All (Accepted=False, NotAllowedByListeners): listener "web" admits routes of namespace infra only',
    ]);
  });

  it("posture: the workload behind a defaulted route is published through its default Gateway, and not without one", async () => {
    const published = webPublishedReason;
    expect(await published(defaultGatewayYaml("All"))).toContain("published outside the cluster through HTTPRoute web (Gateway infra/public) to Service web");
    // No default Gateway in the input: published still, and the reason says it is assumed.
    expect(await published(defaultGatewayYaml("All").replace("  defaultScope: All\n", ""))).toContain("published outside the cluster through HTTPRoute web (default Gateway of scope All, not in the input: assumed to accept the route) to Service web");
    expect(await published(defaultGatewayYaml("Same"))).toBeUndefined();
  });
});
