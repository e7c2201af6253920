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

describe("ingress/plain-http across Ingresses: ingress-nginx merges them into one server per host", () => {
  const web = (extra = "", annotations = "") => ingress(`${extra}${tls("shop.example.com")}  rules:\n${hostRule("shop.example.com")}`, annotations, "web");
  const api = (extra = "", annotations = "") => ingress(`${extra}  rules:\n${hostRule("shop.example.com")}`, annotations, "api");
  const scan = async (...docs: string[]) => byRule(await ingressFindings(docs.join("---\n")), RULE);
  const nginxClass = "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n  controller: k8s.io/ingress-nginx\n";

  it("another ingress-nginx Ingress's spec.tls for the same host covers this one's paths (the cert-manager split)", async () => {
    expect(await scan(web(), api())).toEqual([]);
    expect(await scan(web("  ingressClassName: nginx\n"), api("  ingressClassName: nginx\n") + nginxClass)).toEqual([]);
    // Alone, the Ingress without tls is reported: the coverage comes from the other one.
    expect((await scan(api())).map((f) => f.fieldPath)).toEqual(["spec.rules[0].host"]);
  });

  it("ssl-redirect is per location: the Ingress that defines the path decides, and says where the certificate comes from", async () => {
    const off = '    nginx.ingress.kubernetes.io/ssl-redirect: "false"\n';
    const apiOff = await scan(web(), api("", off));
    expect(apiOff.map((f) => [f.object?.name, f.fieldPath])).toEqual([["api", 'metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"]']]);
    expect(apiOff[0]?.message).toContain("has TLS for host \"shop.example.com\" (its certificate from Ingress shop/web's spec.tls), but nginx.ingress.kubernetes.io/ssl-redirect is false");
    // web's annotation turns off the redirect of web's paths, not of api's.
    expect((await scan(web("", off), api())).map((f) => f.object?.name)).toEqual(["web"]);
  });

  it("a certificate for the wildcard one label above the host covers it, as ingress-nginx's Lua looks it up", async () => {
    const wildcard = ingress(`${tls("'*.example.com'")}  rules:\n${hostRule("'*.example.com'")}`, "", "web");
    expect(await scan(wildcard, api())).toEqual([]);
    const deeper = ingress(`  rules:\n${hostRule("a.shop.example.com")}`, "", "api");
    expect((await scan(wildcard, deeper)).map((f) => f.fieldPath)).toEqual(["spec.rules[0].host"]);
  });

  it("gives no coverage from an Ingress that does not serve the host, from a canary, or across controllers", async () => {
    const elsewhere = ingress(`${tls("shop.example.com")}  rules:\n${hostRule("other.example.com")}`, "", "web");
    // web is reported for its own other.example.com; api for shop.example.com, which web lists in spec.tls but does not serve.
    expect((await scan(elsewhere, api())).map((f) => [f.object?.name, f.fieldPath])).toEqual([["web", "spec.rules[0].host"], ["api", "spec.rules[0].host"]]);
    const canary = web("", '    nginx.ingress.kubernetes.io/canary: "true"\n');
    expect((await scan(canary, api())).map((f) => f.object?.name)).toEqual(["api"]);
    // A traefik Ingress's certificate is not ingress-nginx's, and a traefik Ingress is judged alone.
    expect((await scan(web("  ingressClassName: traefik\n"), api() + traefikClass)).map((f) => f.object?.name)).toEqual(["api"]);
    expect((await scan(web(), api("  ingressClassName: traefik\n") + traefikClass)).map((f) => f.object?.name)).toEqual(["api"]);
  });
});
