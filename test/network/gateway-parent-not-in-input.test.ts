/**
 * One rule for a route's parent that the input does not hold, named (parentRefs) or asked
 * for (spec.useDefaultGateways, GEP-3793, with no Gateway of that defaultScope in the
 * input): assumed to accept the route, so its backends count as published, and said so by
 * an info finding at the field that asks for the parent, and in posture's reason, so the
 * assumption is never read as the Gateway's verdict.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { routedServices } from "../../src/k8s/routed-services.js";
import { gatewayFamily } from "../../src/network/gateway/family.js";
import { runScan } from "../../src/scan/run.js";
import { webPublishedReason } from "../posture/support.js";


async function gatewayFindings(yaml: string): Promise<Finding[]> {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-gateway-parent-")), "gateway.yaml");
  writeFileSync(file, yaml);
  return runScan(await loadSnapshot({ paths: [file] }), {}, [gatewayFamily]).findings;
}

const assumed = async (yaml: string) => (await gatewayFindings(yaml)).filter((f) => f.ruleId === "gateway/parent-not-in-input").map((f) => `${f.position?.line} ${f.severity} ${f.fieldPath}: ${f.message}`);

const route = (spec: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
${spec}
  rules:
    - backendRefs: [{name: web, port: 80}, {name: ledger, namespace: billing, port: 80}]
---
`;

const publicGateway = (extra = "") => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: example
${extra}  listeners:
    - {name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
---
`;

describe("gateway/parent-not-in-input", () => {
  it("a parentRef to a Gateway or ListenerSet the input does not hold: assumed to accept the route, at the parentRef", async () => {
    const named = route("  parentRefs:\n    - {name: public, namespace: infra}\n    - {kind: ListenerSet, name: team, sectionName: web}");
    expect(await assumed(named)).toEqual([
      "6 info spec.parentRefs[0]: HTTPRoute shop/web names Gateway infra/public, which the input does not hold: Palisade assumes it accepts the route, so the Services it sends to (web, billing/ledger) count as published outside the cluster; scan it with the route to have the route judged",
      "7 info spec.parentRefs[1]: HTTPRoute shop/web names ListenerSet shop/team, which the input does not hold: Palisade assumes it accepts the route, so the Services it sends to (web, billing/ledger) count as published outside the cluster; scan it with the route to have the route judged",
    ]);
  });

  it("a route asking for the default Gateways when the input holds none of its scope: the same assumption, at useDefaultGateways", async () => {
    const defaulted = route("  useDefaultGateways: All");
    const expected = [
      "5 info spec.useDefaultGateways: HTTPRoute shop/web asks for a default Gateway of scope All (spec.useDefaultGateways), and the input holds no Gateway whose defaultScope claims it: Palisade assumes it accepts the route, so the Services it sends to (web, billing/ledger) count as published outside the cluster; scan it with the route to have the route judged",
    ];
    expect(await assumed(defaulted)).toEqual(expected);
    // A Gateway that is no default one does not stand for it.
    expect(await assumed(publicGateway() + defaulted)).toEqual(expected.map((line) => line.replace(/^5 /, "13 ")));
  });

  it("no assumption where the input holds the parent, whether it accepts the route or refuses it", async () => {
    const named = route("  parentRefs: [{name: public, namespace: infra}]");
    const findings = await gatewayFindings(publicGateway() + named);
    expect(findings.map((f) => f.ruleId)).toEqual(["gateway/route-not-accepted"]);
    // A default Gateway of the scope is in the input: it judges the route (here it refuses it).
    const defaulted = await gatewayFindings(publicGateway("  defaultScope: All\n") + route("  useDefaultGateways: All"));
    expect(defaulted.map((f) => f.ruleId)).toEqual(["gateway/route-not-accepted"]);
    // None asks for no default Gateway, so nothing is assumed.
    expect(await assumed(route("  useDefaultGateways: None"))).toEqual([]);
  });

  it("a ListenerSet whose Gateway the input does not hold: assumed admitted, at its parentRef; judged when the Gateway is there", async () => {
    const set = `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: shop}
spec:
  parentRef: {name: public, namespace: infra}
  listeners: [{name: web, port: 8080, protocol: HTTP}]
---
`;
    const viaSet = route("  parentRefs: [{kind: ListenerSet, name: team}]");
    expect(await assumed(set + viaSet)).toEqual([
      "5 info spec.parentRef: ListenerSet shop/team names Gateway infra/public, which the input does not hold: Palisade assumes the Gateway admits it (allowedListeners) and has no listener that takes precedence over its own, so the routes attached to it count as accepted; scan the Gateway with the ListenerSet to have it judged",
    ]);
    expect(routedServices(parseYamlFile("gateway.yaml", set + viaSet).objects).get("shop/web")?.text).toBe(
      "HTTPRoute web (ListenerSet shop/team, whose Gateway infra/public is not in the input: assumed to admit it) to Service web",
    );
    // With its Gateway in the input (which admits no ListenerSet here), the set is judged: not Accepted, nothing assumed.
    const judged = await gatewayFindings(publicGateway() + set + viaSet);
    expect(judged.map((f) => f.ruleId)).toEqual(["gateway/listener-set-not-accepted", "gateway/route-not-accepted"]);
  });

  it("a parentRef to a Service (a mesh) asks for no Gateway: nothing is assumed", async () => {
    expect(await assumed(route('  parentRefs: [{group: "", kind: Service, name: web}]'))).toEqual([]);
  });
});

describe("posture says what rests on the assumption", () => {
  const published = webPublishedReason;

  it("a workload behind a route to a Gateway the input lacks is published, with the assumption in the reason", async () => {
    expect(await published(route("  parentRefs: [{name: public, namespace: infra}]"))).toContain("through HTTPRoute web (Gateway infra/public, not in the input: assumed to accept the route) to Service web");
    expect(await published(route("  useDefaultGateways: All"))).toContain("through HTTPRoute web (default Gateway of scope All, not in the input: assumed to accept the route) to Service web");
  });

  it("a Gateway in the input that refuses the route publishes nothing, named or default", async () => {
    expect(await published(publicGateway() + route("  parentRefs: [{name: public, namespace: infra}]"))).toBeUndefined();
    expect(await published(publicGateway("  defaultScope: All\n") + route("  useDefaultGateways: All"))).toBeUndefined();
  });
});
