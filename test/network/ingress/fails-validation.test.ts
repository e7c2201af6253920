/** ingress/fails-validation: ValidateIngressCreate's refusals, in the API server's words, at their fields; hostile input never crashes. */
import { describe, expect, it } from "vitest";
import { checkIngresses } from "../../../src/network/ingress/family.js";
import { wildcardDns1123SubdomainErrors } from "../../../src/k8s/dns-names.js";
import { ingressProblems } from "../../../src/network/ingress/validate.js";
import { snapshotOf } from "../../support/snapshot.js";
import { byRule, HTTP, ingress, ingressFindings } from "./support.js";

const RULE = "ingress/fails-validation";
const TLS = "  tls:\n  - secretName: web-tls\n";
const pathEntry = (fields: string) => `  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - ${fields.trim().split("\n").join("\n        ")}\n`;
const SERVICE = "backend:\n  service:\n    name: web\n    port:\n      number: 80";

const problemsOf = async (spec: string, annotations = "") => byRule(await ingressFindings(ingress(`${TLS}${spec}`, annotations)), RULE).map((f) => `${f.fieldPath} @${f.position?.line}: ${f.message.replace("Ingress shop/web: ", "")}`);

describe("ingress/fails-validation", () => {
  it("accepts a valid Ingress", async () => {
    expect(await problemsOf(`  ingressClassName: nginx\n  rules:\n  - host: '*.example.com'\n${HTTP}`)).toEqual([]);
  });

  it("requires pathType, and then does not look at the backend", async () => {
    expect(await problemsOf(pathEntry("path: /\nbackend: {}"))).toEqual(["spec.rules[0].http.paths[0].pathType @13: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"]);
  });

  it("holds Prefix and Exact paths to absolute paths without dot segments or encoded slashes", async () => {
    expect(await problemsOf(pathEntry(`path: api\npathType: Prefix\n${SERVICE}`))).toEqual(['spec.rules[0].http.paths[0].path @13: spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']);
    expect(await problemsOf(pathEntry(`path: /a/../b/.\npathType: Exact\n${SERVICE}`))).toEqual([
      "spec.rules[0].http.paths[0].path @13: spec.rules[0].http.paths[0].path: Invalid value: \"/a/../b/.\": must not contain '/../'",
      "spec.rules[0].http.paths[0].path @13: spec.rules[0].http.paths[0].path: Invalid value: \"/a/../b/.\": cannot end with '/.'",
    ]);
    // ImplementationSpecific allows an empty path, and leaves the rest to the controller.
    expect(await problemsOf(pathEntry(`pathType: ImplementationSpecific\n${SERVICE}`))).toEqual([]);
    expect(await problemsOf(pathEntry(`path: /a
pathType: Regex\n${SERVICE}`))).toEqual(['spec.rules[0].http.paths[0].pathType @14: spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']);
  });

  it("needs exactly one of service and resource, and exactly one of port name and number", async () => {
    const both = pathEntry("path: /\npathType: Prefix\nbackend:\n  service: {name: web, port: {number: 80}}\n  resource: {kind: Bucket, name: b}");
    expect(await problemsOf(both)).toEqual(['spec.rules[0].http.paths[0].backend @15: spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends']);
    const neither = pathEntry("path: /\npathType: Prefix\nbackend: {}");
    expect(await problemsOf(neither)).toEqual(['spec.rules[0].http.paths[0].backend @15: spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']);
    const twoPorts = pathEntry("path: /\npathType: Prefix\nbackend:\n  service: {name: web, port: {number: 80, name: http}}");
    expect(await problemsOf(twoPorts)).toEqual(['spec.rules[0].http.paths[0].backend @15: spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number']);
    const noPort = pathEntry("path: /\npathType: Prefix\nbackend:\n  service: {name: 1web}");
    expect(await problemsOf(noPort)).toEqual([
      // The report orders findings by position: the backend's line comes first.
      "spec.rules[0].http.paths[0].backend @15: spec.rules[0].http.paths[0].backend: Required value: port name or number is required",
      expect.stringContaining('spec.rules[0].http.paths[0].backend.service.name @16: spec.rules[0].http.paths[0].backend.service.name: Invalid value: "1web": a DNS-1035 label must consist of'),
    ]);
    const badPort = pathEntry("path: /\npathType: Prefix\nbackend:\n  service: {name: web, port: {number: 70000}}");
    expect(await problemsOf(badPort)).toEqual(["spec.rules[0].http.paths[0].backend.service.port.number @16: spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"]);
  });

  it("refuses an IP address or a mid-name wildcard as host, and a tls host or secretName that is no DNS subdomain", async () => {
    const found = await problemsOf(`  rules:\n  - host: 10.0.0.1\n${HTTP}  - host: 'a.*.example.com'\n${HTTP}`);
    expect(found).toEqual(['spec.rules[0].host @10: spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address', expect.stringContaining('spec.rules[1].host @20: spec.rules[1].host: Invalid value: "a.*.example.com": a wildcard DNS-1123 subdomain must start with \'*.\'')]);
    expect(wildcardDns1123SubdomainErrors("*.example.com")).toEqual([]);
    // Go's len counts bytes: 128 characters, 254 bytes, is too long as well as badly formed.
    expect(wildcardDns1123SubdomainErrors(`*.${"é".repeat(126)}`)[0]).toBe("must be no more than 253 characters");
    expect(wildcardDns1123SubdomainErrors(`*.${"A".repeat(252)}`)).toEqual([expect.stringContaining("must be no more than 253 characters"), expect.stringContaining("a wildcard DNS-1123 subdomain")]);
    expect(wildcardDns1123SubdomainErrors("*.Example.com")[0]).toContain("(e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    const tls = byRule(await ingressFindings(ingress(`  tls:\n  - hosts: [Shop.example.com]\n    secretName: Web_TLS\n  rules:\n  - host: shop.example.com\n${HTTP}`)), RULE).map((f) => f.fieldPath);
    expect(tls).toEqual(["spec.tls[0].hosts[0]", "spec.tls[0].secretName"]);
  });

  it("needs rules or a defaultBackend, a DNS-subdomain ingressClassName, and a class annotation that matches it", async () => {
    expect(await problemsOf("  rules: []\n")).toEqual(["spec @6: spec: Invalid value: either `defaultBackend` or `rules` must be specified"]);
    expect(await problemsOf(`  ingressClassName: Public\n  rules:\n  - host: a.example.com\n${HTTP}`)).toEqual([expect.stringContaining('spec.ingressClassName @9: spec.ingressClassName: Invalid value: "Public": a lowercase RFC 1123 subdomain')]);
    const mismatch = await problemsOf(`  ingressClassName: nginx\n  rules:\n  - host: a.example.com\n${HTTP}`, "    kubernetes.io/ingress.class: traefik\n");
    expect(mismatch).toEqual(['metadata.annotations["kubernetes.io/ingress.class"] @7: metadata.annotations["kubernetes.io/ingress.class"]: Invalid value: "traefik": must match `ingressClassName` when both are specified']);
  });

  it("requires paths under http, and a resource backend's kind and name as path segments", async () => {
    expect(await problemsOf("  rules:\n  - host: a.example.com\n    http:\n      paths: []\n")).toEqual(["spec.rules[0].http.paths @12: spec.rules[0].http.paths: Required value"]);
    const resource = pathEntry("path: /\npathType: Prefix\nbackend:\n  resource: {apiGroup: k8s.example.com, kind: a/b, name: ''}");
    expect(await problemsOf(resource)).toEqual([
      "spec.rules[0].http.paths[0].backend.resource.kind @16: spec.rules[0].http.paths[0].backend.resource.kind: Invalid value: \"a/b\": may not contain '/'",
      "spec.rules[0].http.paths[0].backend.resource.name @16: spec.rules[0].http.paths[0].backend.resource.name: Required value",
    ]);
  });

  it("hostile input gives no crash: annotations not a map, rules not a list, numbers where strings are expected", () => {
    const hostile: unknown[] = [
      { metadata: { name: "a", annotations: ["nginx.ingress.kubernetes.io/server-snippet"] }, spec: { rules: "all" } },
      { metadata: { name: "b", annotations: { "nginx.ingress.kubernetes.io/server-snippet": 42, "nginx.ingress.kubernetes.io/ssl-redirect": false } }, spec: { rules: [{ host: 7, http: { paths: [{ path: 3, pathType: 5, backend: { service: { name: 9, port: { number: "80", name: 8 } } } }] } }], tls: [{ hosts: [1, null], secretName: 2 }], ingressClassName: 3 } },
      { metadata: null, spec: "x" },
      { spec: { rules: [null, 3, [], { http: "x" }, { http: { paths: [null, 1, { pathType: "Prefix", backend: "x" }] } }], tls: "x", defaultBackend: [] } },
      { spec: { tls: [null, { hosts: "a" }], rules: [{ host: "a.example.com", http: { paths: "x" } }] } },
    ];
    for (const object of hostile) {
      const findings = checkIngresses(snapshotOf({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...(object as object) }));
      for (const finding of findings) expect(finding.message).not.toMatch(/undefined|\[object Object\]/);
    }
    // The snippet of a wrong type is still Critical, its length unknown; type errors themselves are the manifest family's.
    const second = checkIngresses(snapshotOf({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...(hostile[1] as object) }));
    expect(second.map((f) => f.ruleId)).toEqual(["ingress/nginx-snippet"]);
    expect(second[0]?.message).toContain("injects raw NGINX configuration into the server block");
    expect(ingressProblems({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", spec: { rules: [{ host: "a.example.com", http: { paths: [{ pathType: "Prefix", path: "/", backend: { service: { name: "web", port: { number: 1.5 } } } }] } }] } }).map((p) => p.message)).toEqual([
      "Invalid value: 1.5: must be between 1 and 65535, inclusive",
    ]);
  });
});
