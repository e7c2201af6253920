/**
 * A route in a namespace the input does not hold, under a listener whose `from: Selector`
 * asks for labels other than kubernetes.io/metadata.name: those labels are unknown, so the
 * route is assumed admitted (as a route whose Gateway the input lacks is assumed accepted)
 * and gateway/namespace-not-in-input says so, instead of a certain "labels do not match".
 * A selector the name label alone decides is still judged. QA round 2, defect 8.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGatewayApi } from "../../src/k8s/gateway-api.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";

function yaml(selector: string, namespace = ""): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: x
  listeners:
  - name: sel
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: c}]}
    allowedRoutes: {namespaces: {from: Selector, selector: ${selector}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r2, namespace: other}
spec:
  parentRefs: [{name: gw, namespace: infra, sectionName: sel}]
  rules: [{backendRefs: [{name: s, port: 80}]}]
${namespace}`;
}

async function judged(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-")), "gateway.yaml");
  writeFileSync(file, text);
  const snapshot = await loadSnapshot({ paths: [file] });
  const findings = runScan(snapshot, {}, [gatewayFamily]).findings.map((f) => `${f.position?.line} ${f.ruleId}: ${f.message}`);
  const attached = readGatewayApi(snapshot.objects).routes.flatMap((r) => r.attachments.map((a) => `${a.label} ${a.listeners.join(",")}`));
  return { findings, attached };
}

describe("a route whose namespace the input does not hold", () => {
  it("is assumed admitted by a selector on other labels, and the finding says so", async () => {
    expect(await judged(yaml("{matchLabels: {team: web}}"))).toEqual({
      findings: [
        '17 gateway/namespace-not-in-input: HTTPRoute other/r2 is in namespace other, which the input does not hold: whether listener "sel" of Gateway infra/gw admits it turns on labels of that namespace the input does not show, so Palisade assumes the selector matches and the route is accepted; scan the Namespace with the route to have it judged',
      ],
      attached: ["Gateway infra/gw 0"],
    });
  });

  it("is assumed admitted when the name label passes and another label decides", async () => {
    for (const selector of ["{matchLabels: {kubernetes.io/metadata.name: other, team: web}}", "{matchExpressions: [{key: team, operator: DoesNotExist}]}", "{matchExpressions: [{key: team, operator: In, values: [web]}]}"]) {
      const { findings, attached } = await judged(yaml(selector));
      expect(findings.map((f) => f.split(":")[0]), selector).toEqual(["17 gateway/namespace-not-in-input"]);
      expect(attached, selector).toEqual(["Gateway infra/gw 0"]);
    }
  });

  it("is refused, as before, when the name label alone decides", async () => {
    for (const selector of ["{matchLabels: {kubernetes.io/metadata.name: infra}}", "{matchLabels: {kubernetes.io/metadata.name: infra, team: web}}", "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [other]}, {key: team, operator: Exists}]}"]) {
      const { findings, attached } = await judged(yaml(selector));
      expect(findings.map((f) => f.split(":")[0]), selector).toEqual(["17 gateway/route-not-accepted"]);
      expect(attached, selector).toEqual([]);
    }
  });

  it("is judged on its labels once the input holds its Namespace", async () => {
    const without = await judged(yaml("{matchLabels: {team: web}}", "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"));
    expect(without.findings).toEqual([
      '17 gateway/route-not-accepted: HTTPRoute other/r2 is not accepted by Gateway infra/gw (Accepted=False, NotAllowedByListeners): listener "sel" admits routes of the namespaces its selector matches, and other\'s labels do not match it',
    ]);
    const labelled = await judged(yaml("{matchLabels: {team: web}}", "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other, labels: {team: web}}\n"));
    expect(labelled).toEqual({ findings: [], attached: ["Gateway infra/gw 0"] });
  });
});
