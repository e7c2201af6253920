/**
 * Calico and Kubernetes policies together, as a Calico cluster runs them: Kubernetes
 * NetworkPolicies sit in the default tier at order 1000, so a Calico policy of the default
 * tier with a lower order runs before them and one with a higher order after them.
 */
import { describe, expect, it } from "vitest";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import { compileCalico, mergeTiers } from "../../../src/network/calico/tiers.js";
import type { CalicoVersion } from "../../../src/network/calico/version.js";
import { external, objects, packet, pod } from "./fixtures.js";

const kubernetes = objects(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-allow-80, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 80}]}]
`);

function tiersWith(calicoYaml: string, calicoVersion?: CalicoVersion) {
  const k8s = buildPolicySet(kubernetes.map((object) => ({ object })));
  expect(k8s.refused).toEqual([]);
  const calico = compileCalico(objects(calicoYaml).map((object) => ({ object })), calicoVersion ? { calicoVersion } : {});
  expect(calico.refused).toEqual([]);
  return mergeTiers(k8s.tiers, calico.tiers);
}

const web = pod("shop", "web", { app: "web" });
const from = external("203.0.113.5");

describe("Kubernetes NetworkPolicies in Calico's default tier", () => {
  it("a Calico deny at order 100 runs before the Kubernetes allow", () => {
    const tiers = tiersWith(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: block}
spec: {order: 100, selector: "app == 'web'", ingress: [{action: Deny, source: {nets: [203.0.113.0/24]}}]}
`);
    const decision = evaluateConnection(tiers, packet(from, web, "TCP", 80));
    expect(decision.allowed).toBe(false);
    expect(decision.ingress.policy).toBe("GlobalNetworkPolicy/block");
  });

  it("a Calico deny at order 2000 comes after the Kubernetes allow", () => {
    const tiers = tiersWith(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: block}
spec: {order: 2000, selector: "app == 'web'", ingress: [{action: Deny, source: {nets: [203.0.113.0/24]}}]}
`);
    const decision = evaluateConnection(tiers, packet(from, web, "TCP", 80));
    expect(decision.allowed).toBe(true);
    expect(decision.ingress.policy).toBe("NetworkPolicy/shop/web-allow-80");
    // Port 81: the Kubernetes policy does not decide, the Calico one denies.
    expect(evaluateConnection(tiers, packet(from, web, "TCP", 81)).ingress.policy).toBe("GlobalNetworkPolicy/block");
  });

  it("a higher Calico tier that passes hands the decision to the default tier", () => {
    const tiers = tiersWith(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.triage}
spec:
  tier: security
  selector: all()
  ingress:
  - {action: Deny, source: {nets: [198.51.100.0/24]}}
  - {action: Pass}
`);
    expect(evaluateConnection(tiers, packet(from, web, "TCP", 80)).allowed).toBe(true);
    expect(evaluateConnection(tiers, packet(from, web, "TCP", 22)).ingress.reason).toBe("end-of-tier");
    expect(evaluateConnection(tiers, packet(external("198.51.100.1"), web, "TCP", 80)).allowed).toBe(false);
  });

  it("merged tiers keep one default tier and Calico's built-in tier orders", () => {
    const tiers = tiersWith("");
    const byName = new Map(tiers.map((t) => [t.name, t]));
    expect(tiers.filter((t) => t.name === "default").length).toBe(1);
    expect(byName.get("default")?.order).toBe(1_000_000);
    expect(byName.get("adminnetworkpolicy")?.order).toBe(1_000);
    expect(byName.get("baselineadminnetworkpolicy")?.order).toBe(10_000_000);
    expect(byName.get("default")?.policies.map((p) => [p.id, p.order])).toEqual([["NetworkPolicy/shop/web-allow-80", 1000]]);
  });

  // libcalico-go of v3.30-v3.31 creates both admin tiers with defaultAction Pass: what their
  // policies select but do not decide goes on to the next tier (and finally the namespace profile).
  it.each(["adminnetworkpolicy", "baselineadminnetworkpolicy"])("Calico policies in the built-in %s tier pass at its end (v3.30)", (tier) => {
    const tiers = tiersWith(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${tier}.watch}
spec: {tier: ${tier}, selector: all(), ingress: [{action: Deny, source: {nets: [198.51.100.0/24]}}]}
`, { major: 3, minor: 30 });
    const merged = tiers.find((t) => t.name === tier);
    expect(merged?.dropAtEndWhenSelected).toBe(false);
    // Equal AdminNetworkPolicy priorities stay unordered after the merge.
    expect(Boolean(merged?.tiesUnordered)).toBe(tier === "adminnetworkpolicy");
    const other = pod("shop", "db", { app: "db" });
    expect(evaluateConnection(tiers, packet(from, other, "TCP", 5432)).allowed).toBe(true);
    expect(evaluateConnection(tiers, packet(external("198.51.100.1"), other, "TCP", 5432)).allowed).toBe(false);
  });
});

