/**
 * A ListenerSet's own Accepted condition (apis/v1 listenerset_types.go, GEP-1713 conformance
 * details): False with NotAllowed when its Gateway's allowedListeners do not admit it, False
 * with ListenersNotValid when none of its listeners is valid (each Conflicted); one valid
 * listener keeps it Accepted. One with a listener without a port is refused by the API server
 * (gateway/invalid-object), so it never exists and has no condition. A ListenerSet that is not
 * Accepted carries nothing, and is reported at its own line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { readGatewayApi, type GatewayApi, type RouteParent } from "../../src/k8s/gateway-api.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";
import { loadedObject } from "../support/snapshot.js";

const GW = "gateway.networking.k8s.io/v1";
const fromAll = { namespaces: { from: "All" } };
type Listener = Record<string, unknown>;

const gateway = (listeners: Listener[], allowed: unknown = { namespaces: { from: "All" } }): K8sObject => ({
  apiVersion: GW,
  kind: "Gateway",
  metadata: { name: "public", namespace: "infra" },
  spec: { gatewayClassName: "example", allowedListeners: allowed, listeners },
});
const listenerSet = (name: string, listeners: Listener[], namespace = "infra"): K8sObject => ({
  apiVersion: GW,
  kind: "ListenerSet",
  metadata: { name, namespace },
  spec: { parentRef: { name: "public", namespace: "infra" }, listeners },
});
const route = (parentRef: Record<string, unknown>): K8sObject => ({
  apiVersion: GW,
  kind: "HTTPRoute",
  metadata: { name: "web", namespace: "infra" },
  spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] },
});
const http = (name: string, port: number, hostname?: string): Listener => ({ name, port, protocol: "HTTP", ...(hostname ? { hostname } : {}), allowedRoutes: fromAll });
const tcp = (name: string, port: number): Listener => ({ name, port, protocol: "TCP", allowedRoutes: fromAll });

const model = (...objects: K8sObject[]) => readGatewayApi(objects.map(loadedObject));
const set = (api: GatewayApi, name: string) => api.parents.find((p) => p.kind === "ListenerSet" && p.name === name) as RouteParent;

describe("a ListenerSet's Accepted condition", () => {
  it("is False, ListenersNotValid, when its only listener lost a protocol conflict to the Gateway's; True with a valid one left (conformance: listenerset-protocol-conflict)", () => {
    const gw = gateway([http("gateway-listener", 80, "gateway-listener.com"), http("protocol-conflict-with-gateway-listener", 8080)]);
    const api = model(gw, listenerSet("ls-1", [http("listener-set-1-listener", 80, "listener-set-1-listener.com"), tcp("protocol-conflict-with-gateway-listener", 8080)]), listenerSet("ls-2", [tcp("protocol-conflict-with-gateway-listener", 8080)]));
    expect(set(api, "ls-1").notAccepted).toBeUndefined();
    expect(set(api, "ls-2").notAccepted).toBe("ListenersNotValid");
  });

  it("is False, ListenersNotValid, when its listeners conflict with each other; one with a listener the API server refuses never exists, and has no condition", () => {
    // The Gateway's own listener is on another port: the API server refuses a Gateway without one (MinItems=1).
    expect(set(model(gateway([http("aside", 8999)]), listenerSet("mixed", [http("web", 9000), tcp("raw", 9000)])), "mixed").notAccepted).toBe("ListenersNotValid");
    // Without a port, "broken" makes the set refused: "copy" loses to nothing, as nothing of the set exists.
    const odd = set(model(gateway([http("web", 80)]), listenerSet("odd", [http("copy", 80), { name: "broken", protocol: "HTTP" }])), "odd");
    expect([odd.notAccepted, odd.conflicts.size, odd.refusedByApiServer?.path]).toEqual([undefined, 0, ["spec", "listeners", 1, "port"]]);
    // A Gateway is never judged so, whatever its listeners.
    expect(model(gateway([http("a", 80), tcp("b", 80)])).parents[0]?.notAccepted).toBeUndefined();
  });

  it("is False, NotAllowed, when its Gateway's allowedListeners do not admit its namespace", () => {
    const api = model(gateway([http("aside", 8999)], { namespaces: { from: "Same" } }), listenerSet("elsewhere", [http("web", 80)], "team"));
    expect(set(api, "elsewhere").notAccepted).toBe("NotAllowed");
  });

  it("a route to a ListenerSet that is not Accepted reaches nothing through it; a sectionName it lacks is still NoMatchingParent", () => {
    const objects = [gateway([http("web", 80, "shop.example.com")]), listenerSet("mine", [http("takeover", 80, "shop.example.com")]), route({ kind: "ListenerSet", name: "mine" })];
    const [refused] = model(...objects).routes;
    expect(refused?.attachments).toEqual([]);
    expect(refused?.refusals.map((r) => [r.reason, r.conflicted, r.parentNotAccepted])).toEqual([[undefined, true, "ListenersNotValid"]]);
    expect([...routedServices(objects.map(loadedObject)).keys()]).toEqual([]);
    const [missing] = model(objects[0] as K8sObject, objects[1] as K8sObject, route({ kind: "ListenerSet", name: "mine", sectionName: "nope" })).routes;
    expect(missing?.refusals.map((r) => r.reason)).toEqual(["NoMatchingParent"]);
  });
});

async function gatewayFindings(yaml: string): Promise<Finding[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-listener-set-")), "gateway.yaml");
  writeFileSync(file, yaml);
  return runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]).findings;
}

const takeover = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: example
  allowedListeners: {namespaces: {from: Same}}
  listeners:
    - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: infra}
spec:
  parentRef: {name: public}
  listeners:
    - {name: shop, port: 80, protocol: HTTP, hostname: shop.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: copy, namespace: infra}
spec:
  parentRefs: [{kind: ListenerSet, name: team}]
  rules:
    - backendRefs: [{name: copy, port: 80}]
`;

describe("gateway/listener-set-not-accepted", () => {
  const summary = (findings: Finding[]) => findings.map((f) => `${f.position?.line} ${f.ruleId} ${f.object?.kind}/${f.object?.name}: ${f.message}`);

  it("reports a ListenerSet none of whose listeners is valid at its own line, and its route as reaching nothing through it", async () => {
    expect(summary(await gatewayFindings(takeover)).filter((s) => !s.includes("gateway/listener-conflict"))).toEqual([
      '10 gateway/listener-set-not-accepted ListenerSet/team: ListenerSet infra/team is not Accepted (ListenersNotValid): none of its listeners is valid (listener "shop" is Conflicted (HostnameConflict) with listener "web" of Gateway infra/public on port 80), so Gateway infra/public does not count it among its AttachedListenerSets, and the routes attached to it reach nothing',
      '22 gateway/route-not-accepted HTTPRoute/copy: HTTPRoute infra/copy reaches nothing through ListenerSet infra/team, which is not Accepted (ListenersNotValid): listener "shop" is Conflicted (HostnameConflict) with listener "web" of Gateway infra/public on port 80, so it is not Accepted and carries no traffic',
    ]);
  });

  it("a ListenerSet with a valid listener left is Accepted and not reported; one its Gateway does not admit is reported NotAllowed", async () => {
    const withBlog = takeover.replace("    - {name: shop,", "    - {name: blog, port: 80, protocol: HTTP, hostname: blog.example.com}\n    - {name: shop,");
    expect((await gatewayFindings(withBlog)).map((f) => f.ruleId)).not.toContain("gateway/listener-set-not-accepted");
    const elsewhere = takeover.replace("metadata: {name: team, namespace: infra}", "metadata: {name: team, namespace: team}").replace("parentRef: {name: public}", "parentRef: {name: public, namespace: infra}");
    expect(summary(await gatewayFindings(elsewhere)).filter((s) => s.includes("listener-set-not-accepted"))).toEqual([
      "10 gateway/listener-set-not-accepted ListenerSet/team: ListenerSet team/team is not Accepted (NotAllowed): Gateway infra/public's allowedListeners do not admit ListenerSets of namespace team, so Gateway infra/public does not count it among its AttachedListenerSets, and the routes attached to it reach nothing",
    ]);
  });
});
