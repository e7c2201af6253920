/**
 * gateway/routes-from-every-namespace for `from: Selector` with a selector every namespace
 * matches: an empty selector (LabelSelectorAsSelector of {} is labels.Everything()) or
 * nothing but `kubernetes.io/metadata.name Exists` (the API server sets that label on every
 * namespace). QA round 2, defect 6.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";

async function everyNamespace(namespaces: string): Promise<string[]> {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: x
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: c}]}
    allowedRoutes:
      namespaces: ${namespaces}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: rogue}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: s, port: 80}]}]
`;
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-")), "gateway.yaml");
  writeFileSync(file, yaml);
  const { findings } = runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]);
  return findings.filter((f) => f.ruleId === "gateway/routes-from-every-namespace").map((f) => `${f.position?.line}:${f.position?.column} ${f.message}`);
}

describe("gateway/routes-from-every-namespace with a selector", () => {
  it("reports an empty selector, at the selector (not at `from`, which is not the fault)", async () => {
    expect(await everyNamespace("{from: Selector, selector: {}}")).toEqual([
      '12:36 listener "https" of Gateway infra/gw accepts routes from every namespace (from: Selector, with a selector every namespace matches): a route in any of them can take traffic for every hostname',
    ]);
    expect(await everyNamespace("{from: Selector, selector: {matchLabels: {}, matchExpressions: []}}")).toHaveLength(1);
  });

  it("reports a selector that asks only for the name label every namespace carries", async () => {
    expect(await everyNamespace("{from: Selector, selector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists}]}}")).toHaveLength(1);
  });

  it("still reports from: All at `from`", async () => {
    expect(await everyNamespace("{from: All}")).toEqual(['12:20 listener "https" of Gateway infra/gw accepts routes from every namespace: a route in any of them can take traffic for every hostname']);
  });

  it("leaves alone a selector that can leave a namespace out, and one the API server refuses", async () => {
    for (const selector of [
      "{matchLabels: {team: web}}",
      "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]}",
      "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists}, {key: team, operator: Exists}]}",
      "{matchExpressions: [{key: gateway-access, operator: Exists}]}",
      "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists, values: [x]}]}",
    ]) {
      expect(await everyNamespace(`{from: Selector, selector: ${selector}}`), selector).toEqual([]);
    }
    expect(await everyNamespace("{from: Selector}")).toEqual([]);
    expect(await everyNamespace("{from: Same, selector: {}}")).toEqual([]);
  });
});
