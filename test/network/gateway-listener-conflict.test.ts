/**
 * gateway/listener-conflict: a listener Conflicted with another of its port is reported at
 * its own line, naming both listeners, the port and the specification's reason; the routes
 * attached to it are reported as reaching nothing, and are not taken as forwarding traffic.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";

async function gatewayFindings(yaml: string): Promise<Finding[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-conflict-")), "gateway.yaml");
  writeFileSync(file, yaml);
  return runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]).findings;
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.position?.line} ${f.ruleId} ${f.object?.kind}/${f.object?.name}: ${f.message}`);

const takeover = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
spec:
  gatewayClassName: example
  allowedListeners:
    namespaces:
      from: Same
  listeners:
    - name: web
      port: 80
      protocol: HTTP
      hostname: shop.example.com
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata:
  name: team
  namespace: infra
spec:
  parentRef:
    name: public
  listeners:
    - name: blog
      port: 80
      protocol: HTTP
      hostname: blog.example.com
    - name: shop
      port: 80
      protocol: HTTP
      hostname: shop.example.com
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop-copy
  namespace: infra
spec:
  parentRefs:
    - kind: ListenerSet
      name: team
      sectionName: shop
  rules:
    - backendRefs:
        - name: copy
          port: 80
`;

describe("gateway/listener-conflict", () => {
  it("reports the ListenerSet listener that loses to the Gateway's at its own line, and its route as reaching nothing", async () => {
    expect(summary(await gatewayFindings(takeover))).toEqual([
      '30 gateway/listener-conflict ListenerSet/team: listener "shop" of ListenerSet infra/team is Conflicted (HostnameConflict) with listener "web" of Gateway infra/public on port 80: both are HTTP for hostname shop.example.com; the parent Gateway\'s own listeners take precedence over a ListenerSet\'s. It is not Accepted, and the routes attached to it reach nothing',
      '42 gateway/route-not-accepted HTTPRoute/shop-copy: HTTPRoute infra/shop-copy reaches nothing through ListenerSet infra/team: listener "shop" is Conflicted (HostnameConflict) with listener "web" of Gateway infra/public on port 80, so it is not Accepted and carries no traffic',
    ]);
  });

  it("the same route on the ListenerSet's listener of its own hostname forwards (and, over HTTP, is reported as clear text)", async () => {
    const rules = (await gatewayFindings(takeover.replace("sectionName: shop", "sectionName: blog"))).map((f) => f.ruleId);
    expect(rules).toEqual(["gateway/plaintext-listener", "gateway/listener-conflict"]);
  });

  it("reports both of two listeners of one Gateway that conflict, each at its line, as neither wins", async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: infra
spec:
  gatewayClassName: example
  listeners:
    - name: https
      port: 8443
      protocol: HTTPS
      tls:
        certificateRefs:
          - name: cert
    - name: passthrough
      port: 8443
      protocol: TLS
      tls:
        mode: Passthrough
`;
    expect(summary(await gatewayFindings(yaml))).toEqual([
      '9 gateway/listener-conflict Gateway/edge: listener "https" of Gateway infra/edge is Conflicted (ProtocolConflict) with listener "passthrough" of Gateway infra/edge on port 8443: HTTPS and TLS listeners on one port are chosen by SNI, and both serve every hostname; two listeners of one Gateway that conflict both lose, so neither is Accepted or Programmed. It is not Accepted, and the routes attached to it reach nothing',
      '15 gateway/listener-conflict Gateway/edge: listener "passthrough" of Gateway infra/edge is Conflicted (ProtocolConflict) with listener "https" of Gateway infra/edge on port 8443: HTTPS and TLS listeners on one port are chosen by SNI, and both serve every hostname; two listeners of one Gateway that conflict both lose, so neither is Accepted or Programmed. It is not Accepted, and the routes attached to it reach nothing',
    ]);
  });

  it("says when the order of two ListenerSets is assumed because the input has no creation times", async () => {
    const set = (name: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata:
  name: ${name}
  namespace: infra
spec:
  parentRef:
    name: public
  listeners:
    - name: app
      port: 443
      protocol: HTTPS
      hostname: app.example.com
      tls:
        certificateRefs:
          - name: cert
`;
    const yaml = takeover.slice(0, takeover.indexOf("---")) + set("b") + set("a");
    const messages = (await gatewayFindings(yaml)).map((f) => `${f.object?.name}: ${f.message}`);
    expect(messages).toEqual([
      // Its only listener lost: the ListenerSet itself is not Accepted (GEP-1713, ListenersNotValid).
      'b: ListenerSet infra/b is not Accepted (ListenersNotValid): none of its listeners is valid (listener "app" is Conflicted (HostnameConflict) with listener "app" of ListenerSet infra/a on port 443), so Gateway infra/public does not count it among its AttachedListenerSets, and the routes attached to it reach nothing',
      'b: listener "app" of ListenerSet infra/b is Conflicted (HostnameConflict) with listener "app" of ListenerSet infra/a on port 443: both are HTTPS for hostname app.example.com; the older ListenerSet takes precedence, then the first by namespace/name (the input lacks a creationTimestamp, so this order is assumed: whichever is created first wins). It is not Accepted, and the routes attached to it reach nothing',
    ]);
  });
});
