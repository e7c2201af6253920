/**
 * Kubernetes NetworkPolicies and Calico policies of equal order in the default tier, ordered
 * as Felix orders them (felix/calc/policy_sorter.go PolKVLess): equal orders are broken by
 * "<name>/<namespace>/<kind>", where a Kubernetes policy is named `knp.default.<name>` with
 * kind KubernetesNetworkPolicy, and a policy without order runs after every ordered one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import { compileCalico, mergeTiers } from "../../../src/network/calico/tiers.js";
import { compile, external, objects, packet, pod } from "./fixtures.js";

const web = pod("shop", "web", { app: "web" });
const from = external("203.0.113.5");

function kubernetesPolicy(name: string): string {
  return `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}]}]}
`;
}

function decide(kubernetesYaml: string, calicoYaml: string) {
  const k8s = buildPolicySet(objects(kubernetesYaml).map((object) => ({ object })));
  expect(k8s.refused).toEqual([]);
  const calico = compile(calicoYaml);
  expect(calico.refused).toEqual([]);
  return evaluateConnection(mergeTiers(k8s.tiers, calico.tiers), packet(from, web, "TCP", 80));
}

const denyAt = (kind: string, name: string, order: string): string => `
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: {name: ${name}${kind.endsWith("GlobalNetworkPolicy") ? "" : ", namespace: shop"}}
spec: {${order}selector: "app == 'web'", ingress: [{action: Deny, source: {nets: [203.0.113.0/24]}}]}
`;

describe("order 1000: a Calico policy against knp.default.<name>", () => {
  it("a Calico deny named to sort before knp.default.a ('b') runs first and denies", () => {
    const decision = decide(kubernetesPolicy("a"), denyAt("GlobalNetworkPolicy", "b", "order: 1000, "));
    expect(decision.allowed).toBe(false);
    expect(decision.ingress.policy).toBe("GlobalNetworkPolicy/b");
  });

  it("a Calico deny named to sort after knp.default.zz ('l') runs second: the Kubernetes allow decides", () => {
    const decision = decide(kubernetesPolicy("zz"), denyAt("NetworkPolicy", "l", "order: 1000, "));
    expect(decision.allowed).toBe(true);
    expect(decision.ingress.policy).toBe("NetworkPolicy/shop/zz");
  });

  it("the same names flip the verdict when the Kubernetes name moves across the Calico one", () => {
    // "ka" < "knp.default.x" but "kz" > it: only the name's place against the prefixed name counts.
    expect(decide(kubernetesPolicy("x"), denyAt("NetworkPolicy", "ka", "order: 1000, ")).allowed).toBe(false);
    expect(decide(kubernetesPolicy("x"), denyAt("NetworkPolicy", "kz", "order: 1000, ")).allowed).toBe(true);
  });

  it("a Calico deny without order runs after every Kubernetes policy, whatever its name", () => {
    const decision = decide(kubernetesPolicy("zz"), denyAt("GlobalNetworkPolicy", "a", ""));
    expect(decision.allowed).toBe(true);
    expect(decision.ingress.policy).toBe("NetworkPolicy/shop/zz");
    // Port 81: the Kubernetes policy does not allow it, so the unordered deny is reached.
    const k8s = buildPolicySet(objects(kubernetesPolicy("zz")).map((object) => ({ object })));
    const tiers = mergeTiers(k8s.tiers, compile(denyAt("GlobalNetworkPolicy", "a", "")).tiers);
    expect(evaluateConnection(tiers, packet(from, web, "TCP", 81)).ingress.policy).toBe("GlobalNetworkPolicy/a");
  });

  it("a staged Calico deny sorting first never decides", () => {
    const decision = decide(kubernetesPolicy("a"), denyAt("StagedGlobalNetworkPolicy", "b", "order: 1000, "));
    expect(decision.allowed).toBe(true);
    expect(decision.ingress.policy).toBe("NetworkPolicy/shop/a");
  });
});

describe("ties among Calico policies: the key string, separator included", () => {
  const allowAt = (name: string, order: string): string => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec: {${order}selector: "app == 'web'", ingress: [{action: Allow}]}
`;

  it("'a-b' runs before 'a' ('-' sorts before the '/' that ends a name)", () => {
    const set = compile(`${denyAt("GlobalNetworkPolicy", "a", "order: 1000, ")}---${allowAt("a-b", "order: 1000, ")}`);
    const decision = evaluateConnection(set.tiers, packet(from, web, "TCP", 80));
    expect(decision.ingress.policy).toBe("GlobalNetworkPolicy/a-b");
    expect(decision.allowed).toBe(true);
  });

  it("two policies without order tie the same way", () => {
    const set = compile(`${denyAt("GlobalNetworkPolicy", "a", "")}---${allowAt("a.b", "")}`);
    expect(evaluateConnection(set.tiers, packet(from, web, "TCP", 80)).ingress.policy).toBe("GlobalNetworkPolicy/a.b");
  });

  it("a GlobalNetworkPolicy runs before a same-named NetworkPolicy (empty namespace first), in either input order", () => {
    const global = denyAt("GlobalNetworkPolicy", "x", "order: 1000, ");
    const namespaced = `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: x, namespace: shop}
spec: {order: 1000, selector: "app == 'web'", ingress: [{action: Allow}]}
`;
    for (const text of [`${global}---${namespaced}`, `${namespaced}---${global}`]) {
      const decision = evaluateConnection(compile(text).tiers, packet(from, web, "TCP", 80));
      expect(decision.ingress.policy).toBe("GlobalNetworkPolicy/x");
      expect(decision.allowed).toBe(false);
    }
  });
});

describe("property: Kubernetes and Calico policies of the default tier", () => {
  const name = fc.stringMatching(/^[a-z]([-a-z0-9]{0,3}[a-z0-9])?$/);
  const calicoEntry = fc.record({
    name,
    global: fc.boolean(),
    order: fc.option(fc.constantFrom(999, 1000, 1001), { nil: undefined }),
    action: fc.constantFrom("Allow", "Deny"),
  });

  it("the first policy by (order, unset last, Felix's key) decides", () => {
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 3 }), fc.uniqueArray(calicoEntry, { minLength: 1, maxLength: 4, selector: (e) => `${e.global}/${e.name}` }), (k8sNames, calico) => {
        const sources: K8sObject[] = [
          ...k8sNames.map((n) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: n, namespace: "shop" }, spec: { podSelector: {}, ingress: [{}] } })),
          ...calico.map((c) => ({
            apiVersion: "projectcalico.org/v3",
            kind: c.global ? "GlobalNetworkPolicy" : "NetworkPolicy",
            metadata: c.global ? { name: c.name } : { name: c.name, namespace: "shop" },
            spec: { ...(c.order === undefined ? {} : { order: c.order }), selector: "all()", ingress: [{ action: c.action }] },
          })),
        ];
        const candidates = [
          ...k8sNames.map((n) => ({ id: `NetworkPolicy/shop/${n}`, order: 1000 as number | undefined, key: `knp.default.${n}/shop/KubernetesNetworkPolicy`, allows: true })),
          ...calico.map((c) => ({
            id: c.global ? `GlobalNetworkPolicy/${c.name}` : `NetworkPolicy.projectcalico.org/shop/${c.name}`,
            order: c.order,
            key: c.global ? `${c.name}//GlobalNetworkPolicy` : `${c.name}/shop/NetworkPolicy`,
            allows: c.action === "Allow",
          })),
        ];
        const expected = [...candidates].sort((a, b) => {
          const oa = a.order ?? Infinity;
          const ob = b.order ?? Infinity;
          return oa !== ob ? oa - ob : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
        })[0]!;
        const k8s = buildPolicySet(sources.map((object) => ({ object })));
        const tiers = mergeTiers(k8s.tiers, compileCalico(sources.map((object) => ({ object }))).tiers);
        const decision = evaluateConnection(tiers, packet(from, web, "TCP", 80));
        expect(decision.ingress.policy).toBe(expected.id);
        expect(decision.allowed).toBe(expected.allows);
      }),
      { numRuns: 200 },
    );
  });
});
