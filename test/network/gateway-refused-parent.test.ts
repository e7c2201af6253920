/**
 * A route whose Gateway or ListenerSet the API server would refuse (gateway/invalid-object):
 * kubectl creates the route and refuses the parent, so the route attaches to nothing through
 * it. The refusal is reported once, at the parent; the route gets one info finding at its
 * parentRef naming that refusal and its file:line (not a listener-by-listener verdict of a
 * parent that never exists), nothing counts as published through the parent, and nothing is
 * assumed of it as of a parent the input lacks. A route with another parent that accepts it
 * still reaches its backends through that one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";
import { webPublishedReason } from "../posture/support.js";

/** The input's file, and each finding as `line:column severity ruleId fieldPath: message`, with the file's path written `FILE`. */
async function scan(yaml: string): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-refused-")), "gateway.yaml");
  writeFileSync(file, yaml);
  const findings = runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]).findings;
  return findings.map((f) => `${f.position?.line}:${f.position?.column} ${f.severity} ${f.ruleId} ${f.fieldPath}: ${f.message.split(file).join("FILE")}`);
}

const published = (yaml: string) => [...routedServices(parseYamlFile("gateway.yaml", yaml).objects)].map(([service, route]) => `${service}: ${route.text}`);

const gateway = (name: string, listeners: string, extra = "") => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: shop}
spec:
  gatewayClassName: example
${extra}  listeners:
${listeners}---
`;

const route = (kind: string, parents: string, version = "v1") => `apiVersion: gateway.networking.k8s.io/${version}
kind: ${kind}
metadata: {name: web, namespace: shop}
spec:
${parents}
  rules:
    - backendRefs: [{name: web, port: 80}]
---
`;

const http = (name: string, port: number, extra = "") => `    - {name: ${name}, port: ${port}, protocol: HTTP${extra}}\n`;
const UNIQUE_NAME = 'Duplicate value: "web" is also the name of listener 0: Listener name must be unique within the Gateway (routes pick listeners by name)';

describe("a route whose parent Gateway the API server would refuse", () => {
  it("duplicate listener names: the refusal at the Gateway, one finding at the route naming it, no plain-text listener, nothing published", async () => {
    const yaml = gateway("edge", http("web", 80) + http("web", 8080)) + route("HTTPRoute", "  parentRefs: [{name: edge}]");
    expect(await scan(yaml)).toEqual([
      `8:8 medium gateway/invalid-object spec.listeners[1].name: Gateway shop/edge: spec.listeners[1].name: ${UNIQUE_NAME}`,
      "14:16 info gateway/route-not-accepted spec.parentRefs[0]: HTTPRoute shop/web attaches to nothing through Gateway shop/edge: the API server would refuse that Gateway (gateway/invalid-object at FILE:8:8, spec.listeners[1].name), so it never exists; fix it and this route attaches",
    ]);
    expect(published(yaml)).toEqual([]);
  });

  it("a hostname on a TCP listener: the TCPRoute attaches to nothing, and is not counted as published", async () => {
    const yaml = gateway("db", "    - {name: db, port: 5432, protocol: TCP, hostname: db.example.com}\n") + route("TCPRoute", "  parentRefs: [{name: db}]", "v1alpha2");
    expect(await scan(yaml)).toEqual([
      "7:45 medium gateway/invalid-object spec.listeners[0].hostname: Gateway shop/db: spec.listeners[0].hostname: Forbidden: hostname must not be specified for protocols ['TCP', 'UDP'] (this listener is TCP, which has no hostname to match)",
      "13:16 info gateway/route-not-accepted spec.parentRefs[0]: TCPRoute shop/web attaches to nothing through Gateway shop/db: the API server would refuse that Gateway (gateway/invalid-object at FILE:7:45, spec.listeners[0].hostname), so it never exists; fix it and this route attaches",
    ]);
    expect(published(yaml)).toEqual([]);
  });

  it("tls on an HTTP listener, and a sectionName it lacks: fixing the Gateway is not enough, and the finding says why, with the count of its problems", async () => {
    const listeners = http("web", 80, ", tls: {certificateRefs: [{name: cert}]}") + http("admin", 81, ", tls: {certificateRefs: [{name: cert}]}");
    const yaml = gateway("edge", listeners) + route("HTTPRoute", "  parentRefs: [{name: edge, sectionName: api}]");
    expect((await scan(yaml)).slice(2)).toEqual([
      "14:16 info gateway/route-not-accepted spec.parentRefs[0]: HTTPRoute shop/web attaches to nothing through Gateway shop/edge: the API server would refuse that Gateway (gateway/invalid-object at FILE:7:45, spec.listeners[0].tls and 1 more), so it never exists; even once fixed, it would not accept the route as written: it has no listener named \"api\"",
    ]);
  });

  it("indistinct listeners: the route's finding names the refusal, not the Conflicted listeners of a Gateway that never exists", async () => {
    const yaml = gateway("edge", http("a", 80) + http("b", 80)) + route("HTTPRoute", "  parentRefs: [{name: edge}]");
    const findings = await scan(yaml);
    expect(findings.map((f) => f.split(":").slice(0, 2).join(":"))).toEqual(["8:7 medium gateway/invalid-object spec.listeners[1]", "14:16 info gateway/route-not-accepted spec.parentRefs[0]"]);
    expect(findings[1]).toContain("attaches to nothing through Gateway shop/edge: the API server would refuse that Gateway (gateway/invalid-object at FILE:8:7, spec.listeners[1]), so it never exists; fix it and this route attaches");
    expect(findings.join()).not.toContain("Conflicted");
  });

  it("a refused default Gateway: the route asking for one is told so at useDefaultGateways, and nothing is assumed", async () => {
    const yaml = gateway("edge", http("web", 80) + http("web", 8080), "  defaultScope: All\n") + route("HTTPRoute", "  useDefaultGateways: All");
    expect((await scan(yaml)).slice(1)).toEqual([
      "15:3 info gateway/route-not-accepted spec.useDefaultGateways: HTTPRoute shop/web attaches to nothing through Gateway shop/edge, a default Gateway of scope All: the API server would refuse that Gateway (gateway/invalid-object at FILE:9:8, spec.listeners[1].name), so it never exists; fix it and this route attaches",
    ]);
    expect(published(yaml)).toEqual([]);
  });
});

describe("a route with two parents, one refused and one that accepts it", () => {
  const yaml = gateway("edge", http("web", 80) + http("web", 8080)) + gateway("ok", http("web", 80)) + route("HTTPRoute", "  parentRefs: [{name: edge}, {name: ok}]");

  it("reaches its backends through the one that accepts it: one finding at the refused parentRef, none saying it reaches nothing or is assumed", async () => {
    expect(await scan(yaml)).toEqual([
      `8:8 medium gateway/invalid-object spec.listeners[1].name: Gateway shop/edge: spec.listeners[1].name: ${UNIQUE_NAME}`,
      '16:29 medium gateway/plaintext-listener spec.listeners[0].protocol: listener "web" of Gateway shop/ok (HTTP, port 80) forwards HTTPRoute shop/web to backends unencrypted',
      "22:16 info gateway/route-not-accepted spec.parentRefs[0]: HTTPRoute shop/web attaches to nothing through Gateway shop/edge: the API server would refuse that Gateway (gateway/invalid-object at FILE:8:8, spec.listeners[1].name), so it never exists; fix it and this route attaches",
    ]);
  });

  it("posture publishes the workload through the accepting Gateway alone", async () => {
    expect(published(yaml)).toEqual(["shop/web: HTTPRoute web (Gateway shop/ok) to Service web"]);
    expect(await webPublishedReason(yaml)).toContain("through HTTPRoute web (Gateway shop/ok) to Service web");
  });
});

describe("ListenerSets that never exist", () => {
  const listenerSet = (listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: shop}
spec:
  parentRef: {name: edge}
  listeners:
${listeners}---
`;
  const admitting = "  allowedListeners: {namespaces: {from: Same}}\n";
  const viaSet = route("HTTPRoute", "  parentRefs: [{kind: ListenerSet, name: team}]");

  it("a refused ListenerSet: the route through it is told so; the set gets no Accepted verdict of its own", async () => {
    const yaml = gateway("edge", http("own", 8999), admitting) + listenerSet(http("web", 80, ", tls: {certificateRefs: [{name: cert}]}")) + viaSet;
    expect(await scan(yaml)).toEqual([
      "16:45 medium gateway/invalid-object spec.listeners[0].tls: ListenerSet shop/team: spec.listeners[0].tls: Forbidden: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'] (this listener is HTTP)",
      "22:16 info gateway/route-not-accepted spec.parentRefs[0]: HTTPRoute shop/web attaches to nothing through ListenerSet shop/team: the API server would refuse that ListenerSet (gateway/invalid-object at FILE:16:45, spec.listeners[0].tls), so it never exists; fix it and this route attaches",
    ]);
    expect(published(yaml)).toEqual([]);
  });

  it("a valid ListenerSet of a refused Gateway joins nothing: the route through it names the Gateway's refusal", async () => {
    const yaml = gateway("edge", http("own", 8999) + http("own", 9000), admitting) + listenerSet(http("web", 80)) + viaSet;
    expect(await scan(yaml)).toEqual([
      `9:8 medium gateway/invalid-object spec.listeners[1].name: Gateway shop/edge: spec.listeners[1].name: ${UNIQUE_NAME.replaceAll('"web"', '"own"')}`,
      "23:16 info gateway/route-not-accepted spec.parentRefs[0]: HTTPRoute shop/web attaches to nothing through ListenerSet shop/team: the API server would refuse its Gateway shop/edge (gateway/invalid-object at FILE:9:8, spec.listeners[1].name), so it joins no Gateway; fix that Gateway and this route attaches",
    ]);
    expect(published(yaml)).toEqual([]);
    // Had the Gateway not admitted it, fixing the Gateway alone would not do, and the finding says so.
    const notAdmitting = await scan(gateway("edge", http("own", 8999) + http("own", 9000)) + listenerSet(http("web", 80)) + viaSet);
    expect(notAdmitting.slice(1)).toEqual([
      "22:16 info gateway/route-not-accepted spec.parentRefs[0]: HTTPRoute shop/web attaches to nothing through ListenerSet shop/team: the API server would refuse its Gateway shop/edge (gateway/invalid-object at FILE:8:8, spec.listeners[1].name), so it joins no Gateway; even once fixed, it would not accept the route as written: its Gateway's allowedListeners do not admit ListenerSets of namespace shop, so it carries nothing",
    ]);
  });

  it("an older ListenerSet the API server refuses takes no listener from a valid one: the valid one carries the route", async () => {
    const set = (name: string, created: string, extra: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: ${name}, namespace: shop, creationTimestamp: "${created}"}
spec:
  parentRef: {name: edge}
  listeners:
    - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com${extra}}
---
`;
    const yaml = gateway("edge", http("own", 8999), admitting) + set("old", "2020-01-01T00:00:00Z", ", tls: {certificateRefs: [{name: cert}]}") + set("new", "2025-01-01T00:00:00Z", "") + route("HTTPRoute", "  parentRefs: [{kind: ListenerSet, name: new}]");
    const findings = await scan(yaml);
    expect(findings.map((f) => f.split(" ").slice(0, 4).join(" "))).toEqual(["16:73 medium gateway/invalid-object spec.listeners[0].tls:", "24:29 medium gateway/plaintext-listener spec.listeners[0].protocol:"]);
    expect(published(yaml)).toEqual(["shop/web: HTTPRoute web (ListenerSet shop/new) to Service web"]);
  });
});

describe("an XListenerSet listener without a port is no refusal", () => {
  // Its CRD (gateway.networking.x-k8s.io/v1alpha1) requires only name and protocol: the implementation may assign the port.
  const yaml = `${gateway("edge", http("own", 8999), "  allowedListeners: {namespaces: {from: Same}}\n")}apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XListenerSet
metadata: {name: team, namespace: shop}
spec:
  parentRef: {name: edge}
  listeners:
    - {name: web, protocol: HTTP}
---
${route("HTTPRoute", "  parentRefs: [{group: gateway.networking.x-k8s.io, kind: XListenerSet, name: team}]")}`;

  it("the API server accepts the set, so the route through it is judged and its backend published", async () => {
    const findings = await scan(yaml);
    expect(findings.join("\n")).not.toContain("gateway/invalid-object");
    expect(findings.join("\n")).not.toContain("attaches to nothing");
    expect(published(yaml)).toEqual(["shop/web: HTTPRoute web (XListenerSet shop/team) to Service web"]);
  });
});
