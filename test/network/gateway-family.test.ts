/**
 * The gateway rules on the bundled Gateway API example, and what changes them: a listener
 * that takes routes from every namespace, a plain-HTTP listener that forwards (not one that
 * only redirects), a ReferenceGrant to every Service.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";
import { repoRoot } from "../support/conformance.js";
import { gatewayObjects } from "../support/gateway-arbitraries.js";
import { snapshotOf } from "../support/snapshot.js";

const example = readFileSync(join(repoRoot, "examples/gateway-api.yaml"), "utf8");

async function gatewayFindings(yaml: string): Promise<Finding[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-")), "gateway.yaml");
  writeFileSync(file, yaml);
  return runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]).findings;
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.position?.line}:${f.position?.column} ${f.ruleId} ${f.object?.kind}/${f.object?.name}: ${f.message}`);

/** The example with one text replaced, which must be there. */
function changed(from: string, to: string): string {
  expect(example).toContain(from);
  return example.replace(from, to);
}

describe("gateway rules", () => {
  it("find the example's three weaknesses and its refused backend, each at its field", async () => {
    expect(summary(await gatewayFindings(example))).toEqual([
      "45:7 gateway/plaintext-listener Gateway/public: listener \"http\" of Gateway infra/public (HTTP, port 80) forwards HTTPRoute billing/invoices to backends unencrypted",
      "48:11 gateway/routes-from-every-namespace Gateway/public: listener \"http\" of Gateway infra/public accepts routes from every namespace: a route in any of them can take traffic for every hostname",
      "101:11 gateway/backend-not-permitted HTTPRoute/invoices: HTTPRoute billing/invoices sends to Service shop/ledger-api, but no ReferenceGrant in shop lets HTTPRoutes of billing refer to it: the Gateway refuses the reference (ResolvedRefs=False, RefNotPermitted), and the traffic meant for it fails",
      "116:7 gateway/grant-to-every-service ReferenceGrant/from-billing: routes (HTTPRoute in billing) may send traffic to every Service of namespace infra, those created later too",
    ]);
  });

  it("a listener that admits chosen namespaces is not reported, and names its hostname when it has one", async () => {
    const same = await gatewayFindings(changed("          from: All        # weakness: any namespace's route can take traffic here", "          from: Same"));
    expect(same.map((f) => f.ruleId)).not.toContain("gateway/routes-from-every-namespace");
    const onHttps = await gatewayFindings(changed("          from: Selector\n", "          from: All\n"));
    expect(onHttps.filter((f) => f.ruleId === "gateway/routes-from-every-namespace").map((f) => f.message)).toContain(
      'listener "https" of Gateway infra/public accepts routes from every namespace: a route in any of them can take traffic for hostname *.example.com',
    );
  });

  it("an HTTP listener whose routes only redirect, or that no forwarding route attaches to, is not reported", async () => {
    // Billing's route no longer forwards: what is left on the HTTP listener only redirects.
    const billingRules = `    - backendRefs:
        - name: invoices       # weakness: invoices travel in clear text
          port: 8080
        - name: ledger-api
          namespace: shop      # refused: no ReferenceGrant in shop lets billing's routes in
          port: 8080
`;
    const redirectOnly = await gatewayFindings(changed(billingRules, "    - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]\n"));
    expect(redirectOnly.map((f) => f.ruleId)).not.toContain("gateway/plaintext-listener");
    // Billing's route on the HTTPS listener only: its namespace now carries the label the listener selects.
    const labelled = changed("  name: billing\n", "  name: billing\n  labels:\n    gateway-access: public\n").replace(
      "  parentRefs:\n    - name: public\n      namespace: infra\n  hostnames: [\"invoices.example.com\"]",
      "  parentRefs:\n    - name: public\n      namespace: infra\n      sectionName: https\n  hostnames: [\"invoices.example.com\"]",
    );
    expect((await gatewayFindings(labelled)).map((f) => f.ruleId)).not.toContain("gateway/plaintext-listener");
    // A route the listener does not accept carries nothing: the HTTP listener admitting only its own namespace.
    const notAttached = await gatewayFindings(changed("          from: All        # weakness: any namespace's route can take traffic here", "          from: Same"));
    expect(notAttached.map((f) => f.ruleId)).not.toContain("gateway/plaintext-listener");
  });

  it("says why a Gateway in the input refuses a route, listener by listener, at the parentRef", async () => {
    const refused = async (yaml: string) => (await gatewayFindings(yaml)).filter((f) => f.ruleId === "gateway/route-not-accepted").map((f) => `${f.fieldPath} ${f.message}`);
    const billingParent = "  parentRefs:\n    - name: public\n      namespace: infra\n  hostnames: [\"invoices.example.com\"]";
    const withSection = (section: string) => changed(billingParent, billingParent.replace("      namespace: infra\n", `      namespace: infra\n      sectionName: ${section}\n`));
    expect(await refused(withSection("https"))).toEqual([
      "spec.parentRefs[0] HTTPRoute billing/invoices is not accepted by Gateway infra/public (Accepted=False, NotAllowedByListeners): listener \"https\" admits routes of the namespaces its selector matches, and billing's labels do not match it",
    ]);
    expect(await refused(withSection("htps"))).toEqual(['spec.parentRefs[0] HTTPRoute billing/invoices is not accepted by Gateway infra/public (Accepted=False, NoMatchingParent): it has no listener named "htps"']);
    // The shop's route under a hostname the HTTPS listener does not serve.
    expect(await refused(changed('  hostnames: ["shop.example.com"]\n  rules:\n    - backendRefs:', '  hostnames: ["shop.example.org"]\n  rules:\n    - backendRefs:'))).toEqual([
      "spec.parentRefs[0] HTTPRoute shop/storefront is not accepted by Gateway infra/public (Accepted=False, NoMatchingListenerHostname): listener \"https\" serves *.example.com, which none of the route's hostnames (shop.example.org) meets",
    ]);
    // Every listener says why: a TCPRoute fits neither.
    const tcp = changed("kind: HTTPRoute\nmetadata:\n  name: invoices", "kind: TCPRoute\nmetadata:\n  name: invoices").replace('  hostnames: ["invoices.example.com"]\n', "");
    expect(await refused(tcp)).toEqual([
      'spec.parentRefs[0] TCPRoute billing/invoices is not accepted by Gateway infra/public (Accepted=False, NotAllowedByListeners): listener "https" takes HTTPRoute, GRPCRoute routes, not TCPRoute; listener "http" takes HTTPRoute, GRPCRoute routes, not TCPRoute',
    ]);
    // Accepted by one listener is accepted: the example's routes are not reported.
    expect(await refused(example)).toEqual([]);
    // Each parentRef is judged on its own, as each has its own status.
    const twoRefs = changed(billingParent, billingParent.replace("  hostnames:", "    - name: public\n      namespace: infra\n      sectionName: htps\n  hostnames:"));
    expect(await refused(twoRefs)).toEqual(['spec.parentRefs[1] HTTPRoute billing/invoices is not accepted by Gateway infra/public (Accepted=False, NoMatchingParent): it has no listener named "htps"']);
  });

  it("a backend in another namespace is permitted by a ReferenceGrant there, and not reported without its Service in the input", async () => {
    const grant = `---
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: billing-to-ledger, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: billing}]
  to: [{group: "", kind: Service, name: ledger-api}]
`;
    const ids = async (yaml: string) => (await gatewayFindings(yaml)).map((f) => f.ruleId);
    expect(await ids(example + grant)).not.toContain("gateway/backend-not-permitted");
    expect(await ids(example + grant.replace("name: ledger-api", "name: other"))).toContain("gateway/backend-not-permitted");
    const withoutService = changed("apiVersion: v1\nkind: Service\nmetadata:\n  name: ledger-api\n", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ledger-api\n");
    expect(await ids(withoutService)).not.toContain("gateway/backend-not-permitted");
  });

  it("a ReferenceGrant that names its Service is not reported", async () => {
    const named = await gatewayFindings(changed("      kind: Service      # weakness: every Service of infra, not the one billing needs", "      kind: Service\n      name: status-page"));
    expect(named.map((f) => f.ruleId)).not.toContain("gateway/grant-to-every-service");
  });

  it("Gateway API objects of any shape give findings of the family's rules, never an exception", () => {
    const ids = new Set(gatewayFamily.rules.map((r) => r.id));
    fc.assert(
      fc.property(gatewayObjects, (objects) => {
        const result = runScan(snapshotOf(...objects), {}, [gatewayFamily]);
        // A family that throws is reported as a problem, not a finding: there must be none.
        expect(result.problems).toEqual([]);
        for (const f of result.findings) expect(ids.has(f.ruleId)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
