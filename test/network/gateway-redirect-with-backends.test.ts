/**
 * HTTPRouteRule's CEL rule "RequestRedirect filter must not be used together with
 * backendRefs" (apis/v1 httproute_types.go): the API server refuses such a route, so it is
 * gateway/invalid-object, and it is no forwarding route for gateway/plaintext-listener.
 * QA round 2, defect 7.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { gatewayObjectProblems } from "../../src/network/gateway/validate.js";
import { runScan } from "../../src/scan/run.js";

const MESSAGE = 'Invalid value: "object": RequestRedirect filter must not be used together with backendRefs';

const route = (kind: string, rules: unknown[]): K8sObject => ({ apiVersion: "gateway.networking.k8s.io/v1", kind, metadata: { name: "r", namespace: "infra" }, spec: { parentRefs: [{ name: "gw" }], rules } });
const refusals = (object: K8sObject) => gatewayObjectProblems(object).filter((p) => p.message.startsWith(MESSAGE)).map((p) => p.path.join("."));

const redirect = { type: "RequestRedirect", requestRedirect: { scheme: "https" } };
const backend = { name: "s", port: 80 };

describe("an HTTPRoute rule with a redirect and backendRefs", () => {
  it("is refused, at the rule", () => {
    expect(refusals(route("HTTPRoute", [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }, { filters: [redirect], backendRefs: [backend] }]))).toEqual(["spec.rules.1"]);
    // The CEL tests the requestRedirect field of any filter, beside other filters too.
    expect(refusals(route("HTTPRoute", [{ filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x", value: "y" }] } }, redirect], backendRefs: [backend] }]))).toEqual(["spec.rules.0"]);
  });

  it("is accepted with no backendRefs (or an empty list), or without the redirect", () => {
    expect(refusals(route("HTTPRoute", [{ filters: [redirect] }]))).toEqual([]);
    expect(refusals(route("HTTPRoute", [{ filters: [redirect], backendRefs: [] }]))).toEqual([]);
    expect(refusals(route("HTTPRoute", [{ filters: [{ type: "URLRewrite", urlRewrite: { hostname: "a.example.com" } }], backendRefs: [backend] }]))).toEqual([]);
    // GRPCRoute has no RequestRedirect filter, and no such rule.
    expect(refusals(route("GRPCRoute", [{ filters: [redirect], backendRefs: [backend] }]))).toEqual([]);
  });

  it("is reported as invalid, not as a route forwarding through a plain-HTTP listener", async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: x
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: infra}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
    backendRefs: [{name: s, port: 80}]
`;
    const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-")), "gateway.yaml");
    writeFileSync(file, yaml);
    const { findings } = runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]);
    expect(findings.map((f) => `${f.position?.line} ${f.ruleId}`)).toEqual(["15 gateway/invalid-object"]);
    expect(findings[0]?.message).toContain(`HTTPRoute infra/both: spec.rules[0]: ${MESSAGE}`);
  });
});
