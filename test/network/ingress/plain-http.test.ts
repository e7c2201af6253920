/** ingress/plain-http: hosts no spec.tls entry covers, wildcard coverage, and ingress-nginx's ssl-redirect annotations. */
import { describe, expect, it } from "vitest";
import { parseGoBool, tlsHostCovers } from "../../../src/network/ingress/plain-http.js";
import { byRule, HTTP, ingress, ingressFindings } from "./support.js";

const RULE = "ingress/plain-http";
const hostRule = (host: string) => `  - host: ${host}\n${HTTP}`;
const tls = (...hosts: string[]) => `  tls:\n  - hosts: [${hosts.join(", ")}]\n    secretName: web-tls\n`;
const traefikClass = `---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: traefik
spec:
  controller: traefik.io/ingress-controller
`;

describe("ingress/plain-http", () => {
  it("reports a host without TLS at its host field, and not the host with TLS", async () => {
    const yaml = ingress(`${tls("shop.example.com")}  rules:\n${hostRule("shop.example.com")}${hostRule("api.example.com")}`);
    const found = byRule(await ingressFindings(yaml), RULE);
    expect(found.map((f) => [f.fieldPath, f.position?.line, f.severity])).toEqual([["spec.rules[1].host", 21, "medium"]]);
    expect(found[0]?.message).toBe(
      'Ingress shop/web serves host "api.example.com" without TLS: no spec.tls entry covers it, so credentials and cookies cross the network in clear text; list "api.example.com" (or a wildcard one label above it) in a spec.tls entry with a certificate for it',
    );
  });

  it("a wildcard tls host covers one label, no more and no fewer, case aside", async () => {
    const yaml = ingress(`${tls("'*.example.com'")}  rules:\n${hostRule("API.example.com")}${hostRule("a.b.example.com")}${hostRule("example.com")}${hostRule("'*.example.com'")}`);
    const found = byRule(await ingressFindings(yaml), RULE);
    expect(found.map((f) => f.fieldPath)).toEqual(["spec.rules[1].host", "spec.rules[2].host"]);
    expect(tlsHostCovers("*.example.com", "www.Example.COM")).toBe(true);
    expect(tlsHostCovers("*.example.com", "x.www.example.com")).toBe(false);
    expect(tlsHostCovers("*.example.com", "badexample.com")).toBe(false);
    expect(tlsHostCovers("www.example.com", "*.example.com")).toBe(false);
  });

  it("reports the catch-all (a rule without host, or a defaultBackend) unless a tls entry names no hosts", async () => {
    const catchAll = byRule(await ingressFindings(ingress(`${tls("shop.example.com")}  rules:\n  -${HTTP.slice(3)}`)), RULE);
    expect(catchAll.map((f) => f.fieldPath)).toEqual(["spec.rules[0]"]);
    expect(catchAll[0]?.message).toContain("serves the catch-all (requests for any host no rule names) without TLS");
    const backendOnly = byRule(await ingressFindings(ingress("  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n")), RULE);
    expect(backendOnly.map((f) => f.fieldPath)).toEqual(["spec.defaultBackend"]);
    const noHosts = ingress(`  tls:\n  - secretName: web-tls\n  rules:\n  -${HTTP.slice(3)}${hostRule("api.example.com")}`);
    expect(byRule(await ingressFindings(noHosts), RULE)).toEqual([]);
  });

  it("reports a host once, however many rules serve it", async () => {
    const yaml = ingress(`  rules:\n${hostRule("api.example.com")}${hostRule("API.example.com")}`);
    expect(byRule(await ingressFindings(yaml), RULE).map((f) => f.fieldPath)).toEqual(["spec.rules[0].host"]);
  });

  it("for ingress-nginx, ssl-redirect false is reported at the annotation, once for every host with TLS", async () => {
    const spec = `${tls("a.example.com", "b.example.com")}  rules:\n${hostRule("a.example.com")}${hostRule("b.example.com")}`;
    const found = byRule(await ingressFindings(ingress(spec, '    nginx.ingress.kubernetes.io/ssl-redirect: "false"\n')), RULE);
    expect(found.map((f) => f.fieldPath)).toEqual(['metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"]']);
    expect(found[0]?.message).toContain('has TLS for host "a.example.com", host "b.example.com", but nginx.ingress.kubernetes.io/ssl-redirect is false');
    expect(found[0]?.message).toContain("(the class was assumed: it names no class");
    // Go's ParseBool spellings count; a value it cannot parse leaves the default (redirect).
    expect(byRule(await ingressFindings(ingress(spec, '    nginx.ingress.kubernetes.io/ssl-redirect: "F"\n')), RULE)).toHaveLength(1);
    expect(byRule(await ingressFindings(ingress(spec, '    nginx.ingress.kubernetes.io/ssl-redirect: "no"\n')), RULE)).toEqual([]);
    expect(parseGoBool("True")).toBe(true);
    expect(parseGoBool("yes")).toBeUndefined();
  });

  it("for ingress-nginx, force-ssl-redirect true redirects every host, TLS or not", async () => {
    const spec = `${tls("a.example.com")}  rules:\n${hostRule("a.example.com")}${hostRule("b.example.com")}`;
    expect(byRule(await ingressFindings(ingress(spec, '    nginx.ingress.kubernetes.io/force-ssl-redirect: "true"\n')), RULE)).toEqual([]);
    expect(byRule(await ingressFindings(ingress(spec, '    nginx.ingress.kubernetes.io/force-ssl-redirect: "false"\n')), RULE).map((f) => f.fieldPath)).toEqual(["spec.rules[1].host"]);
  });

  it("for another controller, ingress-nginx's annotations change nothing: spec.tls alone decides", async () => {
    const spec = `  ingressClassName: traefik\n${tls("a.example.com")}  rules:\n${hostRule("a.example.com")}${hostRule("b.example.com")}`;
    const annotations = '    nginx.ingress.kubernetes.io/force-ssl-redirect: "true"\n    nginx.ingress.kubernetes.io/ssl-redirect: "false"\n';
    const found = byRule(await ingressFindings(ingress(spec, annotations) + traefikClass), RULE);
    expect(found.map((f) => f.fieldPath)).toEqual(["spec.rules[1].host"]);
  });
});
