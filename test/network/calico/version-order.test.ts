/**
 * Felix's tie-break between equal-order policies by Calico version (policy-order.ts):
 * "<name>/<namespace>/<kind>" from v3.32, the stored "[<ns>/][staged:]<tier>.<name>" in
 * v3.29-v3.31, and "[<ns>/]default.<name>" for every Calico policy before v3.29. The version
 * comes from an option, else the inputs' ClusterInformation, else the latest is assumed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import { compareOrder } from "../../../src/network/model.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import { chooseOrdering } from "../../../src/network/calico/ordering-choice.js";
import { orderingFor, type PolicyIdentity } from "../../../src/network/calico/policy-order.js";
import { compileCalico, withCalico } from "../../../src/network/calico/tiers.js";
import { parseCalicoVersion, type CalicoVersion } from "../../../src/network/calico/version.js";
import { external, objects, packet, pod } from "./fixtures.js";

const v = (text: string): CalicoVersion => parseCalicoVersion(text) as CalicoVersion;
const web = pod("prod", "web", { app: "web" });
const from = external("203.0.113.5");

const rule = (action: string): string => `{action: ${action}, source: {nets: [203.0.113.0/24]}}`;
const globalPolicy = (name: string, action: string, order = 100): string =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec: {order: ${order}, selector: "app == 'web'", ingress: [${rule(action)}]}\n`;
const namespacedPolicy = (name: string, action: string, order = 100, apiVersion = "projectcalico.org/v3"): string =>
  `apiVersion: ${apiVersion}\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: prod}\nspec: {order: ${order}, selector: "app == 'web'", ingress: [${rule(action)}]}\n`;
const kubernetesAllow = (name: string): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}]}]}\n`;
const clusterInformation = (apiVersion: string, spec: string, name = "default"): string => `apiVersion: ${apiVersion}\nkind: ClusterInformation\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

function decide(yamlText: string, calicoVersion?: CalicoVersion) {
  const sources = objects(yamlText).map((object) => ({ object }));
  const set = withCalico(buildPolicySet(sources), sources, calicoVersion ? { calicoVersion } : {});
  expect(set.refused).toEqual([]);
  return evaluateConnection(set.tiers, packet(from, web, "TCP", 80));
}

describe("parseCalicoVersion", () => {
  it("reads releases as clusters and users write them", () => {
    expect(parseCalicoVersion("v3.30")).toEqual({ major: 3, minor: 30 });
    expect(parseCalicoVersion("3.30.2")).toEqual({ major: 3, minor: 30, patch: 2 });
    expect(parseCalicoVersion("v3.31.0-0.dev-412-gabcdef")).toEqual({ major: 3, minor: 31, patch: 0 });
  });
  it("refuses what is no Calico 3.x release", () => {
    for (const text of ["", "3", "v3", "latest", "v2.6.12", "v3.x", "3.30.2.1", "master"]) expect(parseCalicoVersion(text)).toBeUndefined();
  });
});

describe("Felix's key for each version range", () => {
  const np: PolicyIdentity = { global: false, staged: false, namespace: "prod", name: "allow", tier: "default" };
  const gnp: PolicyIdentity = { global: true, staged: false, name: "security.block", tier: "security" };
  it("v3.32+: name/namespace/kind", () => {
    const o = orderingFor(v("v3.32"));
    expect([o.calicoKey(np), o.calicoKey(gnp), o.calicoKey({ ...np, staged: true }), o.kubernetesKey("prod", "a")]).toEqual([
      "allow/prod/NetworkPolicy",
      "security.block//GlobalNetworkPolicy",
      "allow/prod/StagedNetworkPolicy",
      "knp.default.a/prod/KubernetesNetworkPolicy",
    ]);
    expect(orderingFor(undefined)).toBe(o);
  });
  it("v3.29-v3.31: [<ns>/][staged:]<tier>.<name>, default. added to a name without a tier", () => {
    for (const version of ["v3.29.0", "v3.30.2", "v3.31"]) {
      const o = orderingFor(v(version));
      expect([o.calicoKey(np), o.calicoKey({ ...np, name: "default.allow" }), o.calicoKey(gnp), o.calicoKey({ ...gnp, staged: true }), o.kubernetesKey("prod", "a")]).toEqual([
        "prod/default.allow",
        "prod/default.allow",
        "security.block",
        "staged:security.block",
        "prod/knp.default.a",
      ]);
    }
  });
  it("before v3.29: every Calico policy stored as default.<name>, unless read from storage", () => {
    const o = orderingFor(v("v3.28.2"));
    expect([o.calicoKey(np), o.calicoKey({ ...np, name: "default.allow" }), o.calicoKey({ ...np, name: "default.allow", storedName: true }), o.kubernetesKey("prod", "a")]).toEqual([
      "prod/default.allow",
      "prod/default.default.allow",
      "prod/default.allow",
      "prod/knp.default.a",
    ]);
  });
});

describe("the same two equal-order policies, different verdicts by version", () => {
  // Before v3.32 the key leads with the namespace: "default.b-deny" < "prod/default.a-allow".
  // From v3.32 it leads with the name: "a-allow/prod/..." < "b-deny//...".
  const yaml = `${globalPolicy("b-deny", "Deny")}---\n${namespacedPolicy("a-allow", "Allow")}`;
  it("v3.30 runs the global deny first; v3.32 the namespaced allow", () => {
    expect(decide(yaml, v("v3.30")).ingress.policy).toBe("GlobalNetworkPolicy/b-deny");
    expect(decide(yaml, v("v3.30")).allowed).toBe(false);
    expect(decide(yaml, v("v3.32")).ingress.policy).toBe("NetworkPolicy.projectcalico.org/prod/a-allow");
    expect(decide(yaml, v("v3.32")).allowed).toBe(true);
  });
  it("a Calico deny against a Kubernetes allow at order 1000: 'default.m' < 'knp.default.a' before v3.32 only", () => {
    const knp = `${namespacedPolicy("m-deny", "Deny", 1000)}---\n${kubernetesAllow("a")}`;
    expect(decide(knp, v("v3.31")).allowed).toBe(false);
    expect(decide(knp, v("v3.28")).allowed).toBe(false);
    expect(decide(knp, v("v3.32")).allowed).toBe(true);
  });
  it("before v3.29 a name written with default. is prefixed again, so it sorts after default.b", () => {
    const yamlText = `${namespacedPolicy("default.a-allow", "Allow")}---\n${namespacedPolicy("b-deny", "Deny")}`;
    expect(decide(yamlText, v("v3.30")).allowed).toBe(true);
    expect(decide(yamlText, v("v3.28")).allowed).toBe(false);
  });
  it("a crd.projectcalico.org/v1 object already has its stored name", () => {
    const yamlText = `${namespacedPolicy("default.a-allow", "Allow", 100, "crd.projectcalico.org/v1")}---\n${namespacedPolicy("b-deny", "Deny")}`;
    expect(decide(yamlText, v("v3.28")).allowed).toBe(true);
  });
});

describe("names Calico v3.29-v3.31 rejects", () => {
  const tier = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n";
  const inTier = (name: string): string =>
    `${tier}---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec: {tier: security, selector: "app == 'web'"}\n`;
  it("a policy outside the default tier without its tier prefix is refused for v3.30, taken for v3.32", () => {
    const sources = objects(inTier("block")).map((object) => ({ object }));
    const refused = compileCalico(sources, { calicoVersion: v("v3.30") }).refused;
    expect(refused.map((r) => [r.path, r.reason])).toEqual([[["metadata", "name"], "invalid"]]);
    expect(refused[0]?.message).toContain('must be named "security.<name>"');
    expect(compileCalico(sources, { calicoVersion: v("v3.32") }).refused).toEqual([]);
    expect(compileCalico(objects(inTier("security.block")).map((object) => ({ object })), { calicoVersion: v("v3.30") }).refused).toEqual([]);
  });
});

describe("which version: option, else ClusterInformation, else the latest", () => {
  const policies = `${globalPolicy("b-deny", "Deny")}---\n${namespacedPolicy("a-allow", "Allow")}`;
  it("reads spec.calicoVersion of ClusterInformation default, in either API group", () => {
    for (const apiVersion of ["crd.projectcalico.org/v1", "projectcalico.org/v3"]) {
      const yamlText = `${clusterInformation(apiVersion, "{calicoVersion: v3.30.2, clusterType: k8s}")}---\n${policies}`;
      expect(decide(yamlText).allowed).toBe(false);
      const choice = chooseOrdering(objects(yamlText));
      expect([choice.source, choice.ordering.scheme]).toEqual(["cluster-information", "tier-prefixed"]);
      expect(choice.summary).toContain("from ClusterInformation v3.30.2");
    }
  });
  it("the option wins over the ClusterInformation", () => {
    const yamlText = `${clusterInformation("crd.projectcalico.org/v1", "{calicoVersion: v3.30.2}")}---\n${policies}`;
    expect(decide(yamlText, v("v3.32")).allowed).toBe(true);
    expect(chooseOrdering(objects(yamlText), v("v3.32")).source).toBe("flag");
  });
  it("without either, the latest ordering is assumed and said so", () => {
    const choice = chooseOrdering(objects(policies));
    expect([choice.source, choice.ordering.scheme, choice.warning]).toEqual(["assumed", "kind-namespace-name", undefined]);
    expect(choice.summary).toContain("assumed");
  });
  it("a ClusterInformation it cannot use is set aside with a warning", () => {
    const warningOf = (spec: string, name?: string): string | undefined => chooseOrdering(objects(clusterInformation("crd.projectcalico.org/v1", spec, name))).warning;
    expect(warningOf("{calicoVersion: master}")).toContain('"master" is not a Calico 3.x version');
    expect(warningOf("{clusterType: k8s}")).toContain("no spec.calicoVersion");
    expect(warningOf("{calicoVersion: v3.20.1, cnxVersion: v3.20.1}")).toContain("Calico Enterprise");
    expect(chooseOrdering(objects(clusterInformation("crd.projectcalico.org/v1", "{calicoVersion: v3.30.2}", "other"))).source).toBe("assumed");
  });
});

describe("properties", () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
  const identity: fc.Arbitrary<PolicyIdentity> = fc
    .record({ global: fc.boolean(), staged: fc.boolean(), namespace: label, name: label, tiered: fc.boolean() })
    .map(({ global, staged, namespace, name, tiered }) => {
      const tier = tiered ? "security" : "default";
      const out: PolicyIdentity = { global, staged, name: tiered ? `security.${name}` : name, tier };
      if (!global) out.namespace = namespace;
      return out;
    });
  const versions = ["v3.28", "v3.30", "v3.32"].map(v);

  it("for every version, distinct policies never tie and the order does not depend on the input's", () => {
    fc.assert(
      fc.property(fc.uniqueArray(identity, { selector: (p) => `${p.global}/${p.staged}/${p.namespace ?? ""}/${p.name}`, minLength: 1, maxLength: 12 }), fc.array(fc.nat()), (policies, seeds) => {
        for (const version of versions) {
          const ordering = orderingFor(version);
          const keyed = policies.map((p) => ({ order: 100, name: p.name, tieBreak: ordering.calicoKey(p) }));
          expect(new Set(keyed.map((k) => k.tieBreak)).size).toBe(keyed.length);
          const shuffled = [...keyed];
          seeds.forEach((seed, i) => {
            const j = seed % shuffled.length;
            const k = i % shuffled.length;
            [shuffled[j], shuffled[k]] = [shuffled[k]!, shuffled[j]!];
          });
          expect([...shuffled].sort(compareOrder)).toEqual([...keyed].sort(compareOrder));
        }
      }),
    );
  });
});
