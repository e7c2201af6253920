/** ingress/nginx-snippet: ingress-nginx's Critical annotations, for Ingresses of ingress-nginx only, never printing the snippet. */
import { describe, expect, it } from "vitest";
import { chosenDefaultClass } from "../../../src/k8s/ingress-class.js";
import { byRule, HTTP, ingress, ingressFindings } from "./support.js";

const RULE = "ingress/nginx-snippet";
const TLS = "  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n";
const rules = `  rules:\n  - host: shop.example.com\n${HTTP}`;
const SECRET_SNIPPET = 'proxy_set_header Authorization "Basic c2VjcmV0OnBhc3N3b3Jk";';

const nginxClass = (name: string, controller: string, isDefault = false) => `---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${name}
${isDefault ? '  annotations:\n    ingressclass.kubernetes.io/is-default-class: "true"\n' : ""}spec:
  controller: ${controller}
`;

describe("ingress/nginx-snippet", () => {
  it("reports each Critical annotation at its key, with its length and never its text", async () => {
    const annotations = [
      `    nginx.ingress.kubernetes.io/configuration-snippet: '${SECRET_SNIPPET}'`,
      "    nginx.ingress.kubernetes.io/server-snippet: 'location /admin { allow all; }'",
      "    nginx.ingress.kubernetes.io/auth-snippet: 'x'",
      "    nginx.ingress.kubernetes.io/stream-snippet: 'server { listen 9000; }'",
      "    nginx.ingress.kubernetes.io/modsecurity-snippet: 'SecRuleEngine Off'",
      // High, Medium and Low risk annotations are not this rule's.
      "    nginx.ingress.kubernetes.io/auth-url: 'https://auth.example.com/check'",
      "    nginx.ingress.kubernetes.io/rewrite-target: /",
      // Another controller's prefix is not ingress-nginx's.
      "    example.com/server-snippet: 'x'",
    ].join("\n");
    const found = byRule(await ingressFindings(ingress(`  ingressClassName: nginx\n${TLS}${rules}`, `${annotations}\n`) + nginxClass("nginx", "k8s.io/ingress-nginx")), RULE);
    expect(found.map((f) => f.fieldPath)).toEqual([
      'metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]',
      'metadata.annotations["nginx.ingress.kubernetes.io/server-snippet"]',
      'metadata.annotations["nginx.ingress.kubernetes.io/auth-snippet"]',
      'metadata.annotations["nginx.ingress.kubernetes.io/stream-snippet"]',
      'metadata.annotations["nginx.ingress.kubernetes.io/modsecurity-snippet"]',
    ]);
    expect(found.map((f) => f.position?.line)).toEqual([7, 8, 9, 10, 11]);
    expect(found[0]?.severity).toBe("high");
    expect(found[0]?.message).toContain(`injects ${SECRET_SNIPPET.length} characters of raw NGINX configuration into each location block`);
    expect(found[0]?.message).toContain("CVE-2021-25742");
    for (const f of found) {
      expect(f.message).not.toContain("c2VjcmV0");
      expect(f.message).not.toContain("allow all");
      expect(f.message).not.toContain("the class was assumed");
    }
  });

  it("says when the class was assumed: no class, or a class the input does not hold", async () => {
    const annotation = "    nginx.ingress.kubernetes.io/server-snippet: 'return 200;'\n";
    const none = byRule(await ingressFindings(ingress(`${TLS}${rules}`, annotation)), RULE);
    expect(none).toHaveLength(1);
    expect(none[0]?.message).toContain("(the class was assumed: it names no class and the input holds no default IngressClass, so it is taken as ingress-nginx's)");
    const other = byRule(await ingressFindings(ingress(`  ingressClassName: internal\n${TLS}${rules}`, annotation)), RULE);
    expect(other[0]?.message).toContain('(the class was assumed: its class "internal" (ingressClassName) is not an IngressClass of the input');
    const annotated = byRule(await ingressFindings(ingress(`${TLS}${rules}`, `${annotation}    kubernetes.io/ingress.class: nginx\n`)), RULE);
    expect(annotated[0]?.message).toContain('its class "nginx" (kubernetes.io/ingress.class) is not an IngressClass of the input, so it is taken as ingress-nginx\'s by its name');
  });

  it("follows the IngressClass of the input: another controller's Ingress is not reported, ingress-nginx's is without assumption", async () => {
    const annotation = "    nginx.ingress.kubernetes.io/configuration-snippet: 'more_set_headers \"X: y\";'\n";
    const traefik = ingress(`  ingressClassName: public\n${TLS}${rules}`, annotation) + nginxClass("public", "traefik.io/ingress-controller");
    expect(byRule(await ingressFindings(traefik), RULE)).toEqual([]);
    const nginx = ingress(`  ingressClassName: public\n${TLS}${rules}`, annotation) + nginxClass("public", "k8s.io/ingress-nginx");
    const found = byRule(await ingressFindings(nginx), RULE);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).not.toContain("assumed");
  });

  it("gives an Ingress without class the input's default IngressClass, as the admission plugin does", async () => {
    const annotation = "    nginx.ingress.kubernetes.io/server-snippet: 'return 200;'\n";
    const toOther = ingress(`${TLS}${rules}`, annotation) + nginxClass("default", "example.com/other", true);
    expect(byRule(await ingressFindings(toOther), RULE)).toEqual([]);
    const toNginx = ingress(`${TLS}${rules}`, annotation) + nginxClass("default", "k8s.io/ingress-nginx", true);
    const found = byRule(await ingressFindings(toNginx), RULE);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).not.toContain("assumed");
  });

  it("an Ingress without Critical annotations is not reported", async () => {
    expect(byRule(await ingressFindings(ingress(`  ingressClassName: nginx\n${TLS}${rules}`, "    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n")), RULE)).toEqual([]);
  });

  describe("several default IngressClasses: the admission plugin gives the newest, ties by name, and refuses nothing", () => {
    const annotation = "    nginx.ingress.kubernetes.io/server-snippet: 'return 200;'\n";
    const unclassed = ingress(`${TLS}${rules}`, annotation);
    const defaultClass = (name: string, controller: string, created?: string) =>
      nginxClass(name, controller, true).replace("metadata:\n", `metadata:\n${created === undefined ? "" : `  creationTimestamp: "${created}"\n`}`);
    const scan = async (...classes: string[]) => byRule(await ingressFindings(unclassed + classes.join("")), RULE);

    it("with no default of ingress-nginx, whichever wins, the Ingress is not ingress-nginx's", async () => {
      expect(await scan(defaultClass("traefik", "traefik.io/ingress-controller"), defaultClass("cilium", "io.cilium/ingress-controller"))).toEqual([]);
    });

    it("with defaults of one controller only, that controller, without assumption", async () => {
      const found = await scan(defaultClass("nginx-a", "k8s.io/ingress-nginx"), defaultClass("nginx-b", "k8s.io/ingress-nginx"));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).not.toContain("assumed");
    });

    it("with creationTimestamps for every default, the newest; at equal times, the first name", async () => {
      const older = "2024-01-01T00:00:00Z";
      const newer = "2025-06-01T10:00:00+02:00";
      expect(await scan(defaultClass("nginx", "k8s.io/ingress-nginx", older), defaultClass("traefik", "traefik.io/ingress-controller", newer))).toEqual([]);
      const nginxNewest = await scan(defaultClass("nginx", "k8s.io/ingress-nginx", newer), defaultClass("traefik", "traefik.io/ingress-controller", older));
      expect(nginxNewest).toHaveLength(1);
      expect(nginxNewest[0]?.message).not.toContain("assumed");
      expect(await scan(defaultClass("b-nginx", "k8s.io/ingress-nginx", older), defaultClass("a-traefik", "traefik.io/ingress-controller", older))).toEqual([]);
      expect(await scan(defaultClass("a-nginx", "k8s.io/ingress-nginx", older), defaultClass("b-traefik", "traefik.io/ingress-controller", older))).toHaveLength(1);
      expect(chosenDefaultClass([{ name: "b", createdAt: 5 }, { name: "a", createdAt: 5 }, { name: "c", createdAt: 1 }])?.name).toBe("a");
    });

    it("without every creationTimestamp, says which wins cannot be known, and takes it as ingress-nginx's only if one default is", async () => {
      const found = await scan(defaultClass("traefik", "traefik.io/ingress-controller"), defaultClass("nginx", "k8s.io/ingress-nginx", "2024-01-01T00:00:00Z"));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain('(the class was assumed: it names no class and the input holds several default IngressClasses ("traefik", "nginx")');
      expect(found[0]?.message).toContain('which wins cannot be known, and it is taken as ingress-nginx\'s because "nginx" is ingress-nginx\'s)');
      expect(found[0]?.message).not.toContain("holds no default");
      // A timestamp that is not RFC 3339 is no timestamp.
      expect(await scan(defaultClass("traefik", "traefik.io/ingress-controller", "yesterday"), defaultClass("nginx", "k8s.io/ingress-nginx", "2024-01-01T00:00:00Z"))).toHaveLength(1);
      expect(chosenDefaultClass([{ name: "a", createdAt: 5 }, { name: "b" }])).toBeUndefined();
    });
  });
});
