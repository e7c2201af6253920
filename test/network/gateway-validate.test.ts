/**
 * Gateway API objects the API server would refuse, in the fields Palisade reads: each
 * reported at its field's file:line with what is wrong, and none throws (apis/v1 CRD
 * schema, the "Must have port for Service reference" CEL rule, listener names as list keys).
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

const GW = "gateway.networking.k8s.io/v1";

async function invalid(yaml: string): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-")), "gateway.yaml");
  writeFileSync(file, yaml);
  const result = runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]);
  expect(result.problems).toEqual([]);
  return result.findings.filter((f) => f.ruleId === "gateway/invalid-object").map((f) => `${f.position?.line}:${f.position?.column} ${f.message}`);
}

const problems = (object: K8sObject) => gatewayObjectProblems(object).map((p) => `${p.path.join(".")}: ${p.message}`);

describe("gateway/invalid-object", () => {
  it("names a misspelt field at its line: kubectl refuses it, and the default would apply in its place", async () => {
    const yaml = `apiVersion: ${GW}
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs:
    - name: public
      namespace: infra
      sectionname: https
  rules:
    - backendRefs: [{name: web, port: 80}]
`;
    expect(await invalid(yaml)).toEqual([
      '8:7 HTTPRoute shop/web: spec.parentRefs[0].sectionname: unknown field "sectionname" (known here: group, kind, namespace, name, sectionName, port); kubectl refuses it, and the field\'s default applies in its place',
    ]);
  });

  it("a Service backend without a port, a port out of range, a weight below 0", async () => {
    const yaml = `apiVersion: ${GW}
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public, port: 70000}]
  rules:
    - backendRefs:
        - name: web
        - name: api
          port: 80
          weight: -1
`;
    expect(await invalid(yaml)).toEqual([
      "5:31 HTTPRoute shop/web: spec.parentRefs[0].port: Invalid value: 70000: must be a whole number from 1 to 65535",
      "8:11 HTTPRoute shop/web: spec.rules[0].backendRefs[0].port: Required value: Must have port for Service reference (the API server refuses the route; a Service reference without a port reaches nothing)",
      "11:11 HTTPRoute shop/web: spec.rules[0].backendRefs[1].weight: Invalid value: -1: must be a whole number from 0 to 1000000",
    ]);
  });

  it("listeners: names unique, ports in range, from of the enum, hostnames lower-case DNS names", () => {
    const gateway: K8sObject = {
      apiVersion: GW,
      kind: "Gateway",
      metadata: { name: "public", namespace: "infra" },
      spec: {
        listeners: [
          { name: "web", port: 80, protocol: "HTTP", hostname: "Shop.Example.com", allowedRoutes: { namespaces: { from: "Any" } } },
          { name: "web", port: "443", protocol: "HTTPS", hostname: "*.example.com", allowedRoutes: { namespace: { from: "All" }, kinds: [{ group: "gateway.networking.k8s.io" }] } },
          { name: "sel", port: 8080, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Selector" } } },
        ],
      },
    };
    expect(problems(gateway)).toEqual([
      'spec.listeners.0.hostname: Invalid value: "Shop.Example.com": must be a lower-case DNS name, optionally starting with "*." (a wildcard stands for one or more labels), no port and no IP address',
      'spec.listeners.0.allowedRoutes.namespaces.from: Unsupported value: "Any": supported values: "All", "Selector", "Same"',
      'spec.listeners.1.name: Duplicate value: "web" is also the name of listener 0: Listener name must be unique within the Gateway (routes pick listeners by name)',
      'spec.listeners.1.port: Invalid value: "443": must be a whole number from 1 to 65535',
      'spec.listeners.1.allowedRoutes.namespace: unknown field "namespace" (known here: namespaces, kinds); kubectl refuses it, and the field\'s default applies in its place',
      "spec.listeners.1.allowedRoutes.kinds.0.kind: Required value",
      "spec.listeners.2.allowedRoutes.namespaces.selector: Required value: from: Selector needs a selector; without one the listener admits no route",
    ]);
    expect(problems({ ...gateway, spec: { listeners: [] } })).toEqual(["spec.listeners: Invalid value: at least 1 entry is needed"]);
    expect(problems({ ...gateway, spec: "x" })).toEqual(['spec: Required value: spec must be a mapping, not "x"']);
  });

  it("the default-Gateway scopes (GEP-3793) are the enum All, None: a misspelt one is refused, not taken as None", () => {
    const route = (useDefaultGateways: unknown): K8sObject => ({ apiVersion: GW, kind: "HTTPRoute", metadata: { name: "r", namespace: "s" }, spec: { useDefaultGateways, rules: [] } });
    const gateway = (defaultScope: unknown): K8sObject => ({ apiVersion: GW, kind: "Gateway", metadata: { name: "g", namespace: "i" }, spec: { defaultScope, listeners: [{ name: "web", port: 80, protocol: "HTTP" }] } });
    expect(problems(route("all"))).toEqual(['spec.useDefaultGateways: Unsupported value: "all": supported values: "All", "None"']);
    expect(problems(gateway(true))).toEqual(['spec.defaultScope: Unsupported value: true: supported values: "All", "None"']);
    for (const scope of ["All", "None", undefined]) {
      expect(problems(route(scope))).toEqual([]);
      expect(problems(gateway(scope))).toEqual([]);
    }
  });

  it("ReferenceGrants need from and to entries with their required fields", () => {
    const grant = (spec: unknown): K8sObject => ({ apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "ReferenceGrant", metadata: { name: "g", namespace: "b" }, spec });
    expect(problems(grant({ from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }], to: [{ group: "", kind: "Service", name: 7 }] }))).toEqual([
      "spec.from.0.namespace: Required value",
      "spec.to.0.name: Invalid value: must be a string, not 7",
    ]);
    expect(problems(grant({ from: [{ group: "", kind: "HTTPRoute", namespace: "a" }] }))).toEqual(["spec.to: Required value: at least 1 entry is needed"]);
    expect(problems(grant(undefined))).toEqual([]);
  });

  it("a valid object, and Gateway API kinds it does not read, give nothing", () => {
    const route: K8sObject = { apiVersion: GW, kind: "GRPCRoute", metadata: { name: "r", namespace: "s" }, spec: { parentRefs: [{ name: "g", sectionName: "https", port: 443 }], hostnames: ["*.example.com"], rules: [{ backendRefs: [{ name: "svc", port: 50051, weight: 0 }, { group: "example.com", kind: "Bucket", name: "b" }] }] } };
    expect(problems(route)).toEqual([]);
    expect(problems({ apiVersion: GW, kind: "GatewayClass", metadata: { name: "c" } })).toEqual([]);
  });
});
