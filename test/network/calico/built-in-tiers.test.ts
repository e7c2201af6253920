/**
 * The tiers Calico creates itself, by version (libcalico-go clientv3 EnsureInitialized ->
 * ensureTierExists): `default` always; `adminnetworkpolicy` from v3.29 (#9206);
 * `baselineadminnetworkpolicy` from v3.30 (#9464); from v3.32 `kube-admin` and `kube-baseline`
 * (ClusterNetworkPolicy, #10810) instead of the two admin tiers (removed by #11144).
 * A tier neither built in nor in the input is not refused: its order is unknown.
 */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { checkCalico } from "../../../src/network/calico/family.js";
import { compileCalico } from "../../../src/network/calico/tiers.js";
import type { CalicoVersion } from "../../../src/network/calico/version.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import { external, objects, packet, pod } from "./fixtures.js";

const policyIn = (tier: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${tier}.p}
spec: {tier: ${tier}, selector: all(), ingress: [{action: Deny, source: {nets: [198.51.100.0/24]}}]}
`;

function compiled(yaml: string, calicoVersion?: CalicoVersion) {
  return compileCalico(objects(yaml).map((object) => ({ object })), calicoVersion ? { calicoVersion } : {});
}

const V3_29 = { major: 3, minor: 29 };
const V3_31 = { major: 3, minor: 31 };
const V3_32 = { major: 3, minor: 32 };

describe("Calico's built-in tiers follow the Calico version", () => {
  it.each([
    ["kube-admin", undefined, 1_000],
    ["kube-baseline", undefined, 10_000_000],
    ["kube-admin", V3_32, 1_000],
    ["kube-baseline", V3_32, 10_000_000],
    ["adminnetworkpolicy", V3_29, 1_000],
    ["adminnetworkpolicy", V3_31, 1_000],
    ["baselineadminnetworkpolicy", V3_31, 10_000_000],
  ] as const)("%s is built in for %o, at order %d, passing at its end", (tier, version, order) => {
    const set = compiled(policyIn(tier), version);
    expect(set.refused).toEqual([]);
    const built = set.tiers.find((t) => t.name === tier);
    expect(built?.order).toBe(order);
    expect(built?.dropAtEndWhenSelected).toBe(false);
    // Pass at the end: what the policy does not deny goes on, and the profile allows it.
    const web = pod("shop", "web", { app: "web" });
    expect(evaluateConnection(set.tiers, packet(external("203.0.113.5"), web, "TCP", 80)).allowed).toBe(true);
    expect(evaluateConnection(set.tiers, packet(external("198.51.100.1"), web, "TCP", 80)).allowed).toBe(false);
  });

  it.each([
    ["kube-admin", V3_31],
    ["kube-baseline", V3_31],
    ["adminnetworkpolicy", V3_32],
    ["baselineadminnetworkpolicy", V3_32],
    ["baselineadminnetworkpolicy", V3_29],
    ["adminnetworkpolicy", { major: 3, minor: 28 }],
  ] as const)("%s is no built-in tier for %o", (tier, version) => {
    expect(compiled(policyIn(tier), version).refused.map((r) => r.reason)).toEqual(["tier-not-in-input"]);
  });

  it("a Tier object for a built-in tier must keep the version's order", () => {
    const tier = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: kube-baseline}\nspec: {order: 5, defaultAction: Pass}";
    expect(compiled(tier).refused.map((r) => [r.reason, r.path.join("."), r.message])).toEqual([["invalid", "spec.order", "the kube-baseline tier's order must be 10000000"]]);
    // Before v3.32 it is a tier like any other.
    expect(compiled(tier, V3_31).refused).toEqual([]);
  });
});

describe("a tier that is not in the input", () => {
  const yaml = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: appsec.cartservice, namespace: hipstershop}
spec: {tier: appsec, order: 200, selector: app == "cartservice", types: [Ingress]}
`;

  it("is reported as info (its order is unknown), not as a policy Calico refuses", async () => {
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
    const findings = checkCalico(snapshot);
    expect(findings.map((f) => [f.ruleId, f.severity, f.fieldPath])).toEqual([["calico/tier-not-in-input", "info", "spec.tier"]]);
    expect(findings[0]?.message).toMatch(/tier "appsec" is not in the input: its order is unknown/);
  });

  it("leaves the policy out of every verdict", () => {
    const set = compiled(yaml);
    expect(set.policies).toEqual([]);
    expect(set.tiers.flatMap((t) => t.policies)).toEqual([]);
  });

  it("with its Tier object in the input, the policy is judged", () => {
    const set = compiled(`${yaml}---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: appsec}\nspec: {order: 300}\n`);
    expect(set.refused).toEqual([]);
    expect(set.policies.map((p) => p.policy.id)).toEqual(["NetworkPolicy.projectcalico.org/hipstershop/appsec.cartservice"]);
  });
});

describe("domains (Calico Enterprise DNS policy)", () => {
  it("is an unsupported feature, not an unknown field", async () => {
    const yaml = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: external-domain-access}
spec:
  selector: app == "centos"
  types: [Egress]
  egress:
  - {action: Allow, destination: {domains: ["*.twilio.com"]}}
`;
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
    const findings = checkCalico(snapshot);
    expect(findings.map((f) => [f.ruleId, f.severity, f.fieldPath])).toEqual([["calico/unsupported-feature", "medium", "spec.egress[0].destination.domains"]]);
    expect(compiled(yaml).policies).toEqual([]);
  });
});
