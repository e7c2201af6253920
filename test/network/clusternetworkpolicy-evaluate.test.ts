/**
 * ClusterNetworkPolicy semantics (clusternetworkpolicy_types.go): tier Admin before
 * NetworkPolicy and tier Baseline after it; lower priority first within a tier; Accept and
 * Deny decide, Pass leaves the tier (Admin: to NetworkPolicy; Baseline: to the default
 * allow); equal priorities make a verdict that depends on them undefined; and the tiers sit
 * where Calico v3.32 puts kube-admin and kube-baseline.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { compileCalico, mergeTiers } from "../../src/network/calico/tiers.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import type { Endpoint, Protocol, Tier } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { external, objects, pod } from "./calico/fixtures.js";

const web = pod("shop", "web", { app: "web" }, { ips: ["10.1.0.5"] });
const db = pod("shop", "db", { app: "db" }, { ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "dns", port: 53, protocol: "UDP" }] });
const probe = pod("monitoring", "probe", { app: "probe" }, { namespaceLabels: { team: "ops" } });

const fromShop = [{ namespaces: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }];
const toDb = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } };
function cnp(name: string, tier: "Admin" | "Baseline", priority: number, action: string, rule: Record<string, unknown> = {}, subject: Record<string, unknown> = toDb): K8sObject {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name },
    spec: { tier, priority, subject, ingress: [{ name: `${action}-rule`, action, from: fromShop, ...rule }] },
  };
}
const npDenyAll: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
const npAllowWeb: K8sObject = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-web", namespace: "shop" },
  spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] },
};

function tiersOf(list: K8sObject[]): Tier[] {
  const set = buildPolicySet(list.map((object) => ({ object })));
  expect(set.refused).toEqual([]);
  return set.tiers;
}
function decide(list: K8sObject[] | Tier[], src: Endpoint = web, dst: Endpoint = db, protocol: Protocol = "TCP", port = 80) {
  const tiers = list.length > 0 && "policies" in list[0]! ? (list as Tier[]) : tiersOf(list as K8sObject[]);
  return evaluateConnection(tiers, { src, dst, protocol, port });
}

describe("ClusterNetworkPolicy tier Admin", () => {
  it("Accept wins over a NetworkPolicy that denies", () => {
    const d = decide([npDenyAll, cnp("accept", "Admin", 10, "Accept")]);
    expect([d.allowed, d.ingress.policy, d.ingress.ruleDescription]).toEqual([true, "ClusterNetworkPolicy/accept", 'ingress rule 0 "Accept-rule": Accept']);
  });

  it("Deny wins over a NetworkPolicy that allows", () => {
    const d = decide([npAllowWeb, cnp("deny", "Admin", 10, "Deny")]);
    expect([d.allowed, d.ingress.policy]).toEqual([false, "ClusterNetworkPolicy/deny"]);
  });

  it("Pass hands over to NetworkPolicy, skipping later Admin policies", () => {
    const pass = cnp("pass", "Admin", 5, "Pass");
    const deny = cnp("deny", "Admin", 10, "Deny");
    const withNp = decide([npAllowWeb, pass, deny]);
    expect([withNp.allowed, withNp.ingress.policy, withNp.ingress.passedBy]).toEqual([true, "NetworkPolicy/shop/allow-web", ["ClusterNetworkPolicy/pass"]]);
    expect(decide([npDenyAll, pass, deny]).ingress.reason).toBe("end-of-tier");
  });

  it("lower priority runs first", () => {
    expect(decide([cnp("a", "Admin", 5, "Accept"), cnp("d", "Admin", 10, "Deny")]).allowed).toBe(true);
    expect(decide([cnp("a", "Admin", 15, "Accept"), cnp("d", "Admin", 10, "Deny")]).allowed).toBe(false);
  });

  it("an Admin Accept on egress still leaves the destination's ingress to decide", () => {
    const egress: K8sObject = {
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      kind: "ClusterNetworkPolicy",
      metadata: { name: "out" },
      spec: { tier: "Admin", priority: 1, subject: { namespaces: {} }, egress: [{ action: "Accept", to: [toDb] }] },
    };
    const d = decide([egress, npDenyAll]);
    expect([d.egress.allowed, d.egress.policy, d.ingress.allowed]).toEqual([true, "ClusterNetworkPolicy/out", false]);
  });
});

describe("ClusterNetworkPolicy tier Baseline", () => {
  it("decides only what NetworkPolicy left undecided", () => {
    const deny = cnp("deny", "Baseline", 10, "Deny");
    expect(decide([deny]).ingress.policy).toBe("ClusterNetworkPolicy/deny");
    expect(decide([deny]).allowed).toBe(false);
    const withNp = decide([deny, npAllowWeb]);
    expect([withNp.allowed, withNp.ingress.policy]).toEqual([true, "NetworkPolicy/shop/allow-web"]);
  });

  it("Accept allows, and lower priority runs first", () => {
    expect(decide([cnp("a", "Baseline", 1, "Accept"), cnp("d", "Baseline", 2, "Deny")]).ingress.policy).toBe("ClusterNetworkPolicy/a");
    expect(decide([cnp("a", "Baseline", 3, "Accept"), cnp("d", "Baseline", 2, "Deny")]).allowed).toBe(false);
  });

  it("Pass goes to the default allow, skipping later Baseline policies", () => {
    const d = decide([cnp("pass", "Baseline", 1, "Pass"), cnp("deny", "Baseline", 2, "Deny")]);
    expect([d.allowed, d.ingress.reason, d.ingress.passedBy]).toEqual([true, "no-policy", ["ClusterNetworkPolicy/pass"]]);
  });

  it("an Admin Pass falls through NetworkPolicy (not selecting) to Baseline", () => {
    const d = decide([cnp("pass", "Admin", 1, "Pass"), cnp("deny", "Baseline", 1, "Deny")]);
    expect([d.allowed, d.ingress.policy]).toEqual([false, "ClusterNetworkPolicy/deny"]);
  });
});

describe("ClusterNetworkPolicy subjects and peers", () => {
  it("subject by namespaces selects every pod of the namespaces", () => {
    const bySpace = cnp("ns", "Admin", 1, "Deny", {}, { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } });
    expect(decide([bySpace]).allowed).toBe(false);
    expect(decide([bySpace], web, probe).allowed).toBe(true);
  });

  it("subject by pods without namespaceSelector selects matching pods of every namespace", () => {
    const any = cnp("pods", "Admin", 1, "Deny", {}, { pods: { podSelector: { matchLabels: { app: "probe" } } } });
    expect(decide([any], web, probe).allowed).toBe(false);
    expect(decide([any]).allowed).toBe(true);
  });

  it("ingress peers by pods with a namespaceSelector", () => {
    const fromOps = cnp("ops", "Admin", 1, "Deny", { from: [{ pods: { namespaceSelector: { matchLabels: { team: "ops" } }, podSelector: {} } }] });
    expect(decide([fromOps], probe, db).allowed).toBe(false);
    expect(decide([fromOps], web, db).allowed).toBe(true);
  });

  it("host-network pods are neither subject nor namespaces peer", () => {
    const onHost = pod("shop", "db", { app: "db" }, { hostNetwork: true });
    expect(decide([cnp("deny", "Admin", 1, "Deny")], web, onHost).allowed).toBe(true);
    // Asked directly too (lint and the matrix ask the policy, not only evaluateConnection).
    const [compiled] = buildPolicySet([{ object: cnp("deny", "Admin", 1, "Deny") }]).policies;
    expect([compiled?.policy.selects(db), compiled?.policy.selects(onHost)]).toEqual([true, false]);
    const hostClient = pod("shop", "agent", {}, { hostNetwork: true });
    expect(decide([cnp("deny", "Admin", 1, "Deny")], hostClient, db).ingress.reason).toBe("no-policy");
  });

  it("egress to networks matches external addresses and pods by IP, and 0.0.0.0/0 pods of unknown IP", () => {
    const egress = (networks: string[]): K8sObject => ({
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      kind: "ClusterNetworkPolicy",
      metadata: { name: "out" },
      spec: { tier: "Admin", priority: 1, subject: { pods: { podSelector: { matchLabels: { app: "probe" } } } }, egress: [{ action: "Deny", to: [{ networks }] }] },
    });
    expect(decide([egress(["203.0.113.0/24"])], probe, external("203.0.113.9")).allowed).toBe(false);
    expect(decide([egress(["203.0.113.0/24"])], probe, external("198.51.100.1")).allowed).toBe(true);
    expect(decide([egress(["10.1.0.0/16"])], probe, web).allowed).toBe(false);
    expect(decide([egress(["10.1.0.0/16"])], probe, db).allowed).toBe(true);
    expect(decide([egress(["0.0.0.0/0"])], probe, db).allowed).toBe(false);
  });
});

describe("ClusterNetworkPolicy protocols", () => {
  it("a destination port number or range of one protocol", () => {
    const tcp80 = cnp("tcp", "Admin", 1, "Deny", { protocols: [{ tcp: { destinationPort: { number: 80 } } }] });
    expect(decide([tcp80], web, db, "TCP", 80).allowed).toBe(false);
    expect(decide([tcp80], web, db, "TCP", 81).allowed).toBe(true);
    expect(decide([tcp80], web, db, "UDP", 80).allowed).toBe(true);
    const udpRange = cnp("udp", "Admin", 1, "Deny", { protocols: [{ udp: { destinationPort: { range: { start: 50, end: 60 } } } }] });
    expect([49, 50, 60, 61].map((port) => decide([udpRange], web, db, "UDP", port).allowed)).toEqual([true, false, false, true]);
    const sctp = cnp("sctp", "Admin", 1, "Deny", { protocols: [{ sctp: { destinationPort: { number: 9 } } }] });
    expect(decide([sctp], web, db, "SCTP", 9).allowed).toBe(false);
  });

  it("a named port resolves on the destination pod with the container port's protocol", () => {
    const named = cnp("named", "Admin", 1, "Deny", { protocols: [{ destinationNamedPort: "dns" }] });
    expect(decide([named], web, db, "UDP", 53).allowed).toBe(false);
    expect(decide([named], web, db, "TCP", 53).allowed).toBe(true);
    expect(decide([cnp("named", "Admin", 1, "Deny", { protocols: [{ destinationNamedPort: "metrics" }] })], web, db, "TCP", 80).allowed).toBe(true);
  });

  it("without protocols every protocol matches, ICMP included", () => {
    expect(evaluateConnection(tiersOf([cnp("all", "Admin", 1, "Deny")]), { src: web, dst: db, protocol: "ICMP" }).allowed).toBe(false);
  });
});

describe("ClusterNetworkPolicy priority ties", () => {
  it("two Admin policies of one priority that decide differently make the verdict rest on the tie", () => {
    const d = decide([cnp("a", "Admin", 7, "Accept"), cnp("b", "Admin", 7, "Deny")]);
    expect(d.ingress.policy).toBe("ClusterNetworkPolicy/a");
    expect(d.ingress.tiedWith).toEqual([{ policy: "ClusterNetworkPolicy/b", action: "Deny" }]);
  });

  it("so do two Baseline policies of one priority", () => {
    const d = decide([cnp("a", "Baseline", 7, "Deny"), cnp("b", "Baseline", 7, "Pass")]);
    expect(d.ingress.tiedWith).toEqual([{ policy: "ClusterNetworkPolicy/b", action: "Pass" }]);
  });

  it("no tie when priorities differ, or when the other policy does not match", () => {
    expect(decide([cnp("a", "Admin", 7, "Accept"), cnp("b", "Admin", 8, "Deny")]).ingress.tiedWith).toBeUndefined();
    expect(decide([cnp("a", "Admin", 7, "Accept"), cnp("b", "Admin", 7, "Deny", { from: [{ namespaces: { matchLabels: { team: "none" } } }] })]).ingress.tiedWith).toBeUndefined();
  });

  it("an AdminNetworkPolicy and an Admin ClusterNetworkPolicy share the tier, so equal priorities tie", () => {
    const anp: K8sObject = {
      apiVersion: "policy.networking.k8s.io/v1alpha1",
      kind: "AdminNetworkPolicy",
      metadata: { name: "anp" },
      spec: { priority: 7, subject: { namespaces: {} }, ingress: [{ action: "Allow", from: [{ namespaces: {} }] }] },
    };
    const d = decide([anp, cnp("c", "Admin", 7, "Deny")]);
    expect(d.ingress.tiedWith?.length).toBe(1);
    expect(decide([anp, cnp("c", "Admin", 6, "Deny")]).ingress.policy).toBe("ClusterNetworkPolicy/c");
  });
});

describe("ClusterNetworkPolicy among Calico tiers (v3.32: kube-admin 1,000, kube-baseline 10,000,000)", () => {
  function merged(calicoYaml: string, list: K8sObject[]): Tier[] {
    const calico = compileCalico(objects(calicoYaml).map((object) => ({ object })));
    expect(calico.refused).toEqual([]);
    return mergeTiers(tiersOf(list), calico.tiers);
  }
  const calicoAllow = (tierOrder: number) => `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: ${tierOrder}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.allow-db}
spec: {tier: security, order: 500, selector: "app == 'db'", ingress: [{action: Allow}]}
`;

  it("a Calico tier at order 500 runs before the CNP Admin tier: its Allow wins", () => {
    const d = decide(merged(calicoAllow(500), [cnp("deny", "Admin", 1, "Deny")]));
    expect([d.allowed, d.ingress.policy]).toEqual([true, "GlobalNetworkPolicy/security.allow-db"]);
  });

  it("a Calico tier at order 2,000 runs after it: the CNP Admin Deny wins", () => {
    const d = decide(merged(calicoAllow(2000), [cnp("deny", "Admin", 1, "Deny")]));
    expect([d.allowed, d.ingress.policy]).toEqual([false, "ClusterNetworkPolicy/deny"]);
  });

  it("the CNP tiers take the ANP tiers' orders, and a Baseline CNP comes after Calico's default tier", () => {
    const tiers = merged(calicoAllow(2000), [cnp("a", "Admin", 1, "Deny"), cnp("b", "Baseline", 1, "Deny")]);
    const order = (id: string) => tiers.find((t) => t.policies.some((p) => p.id === id))?.order;
    expect([order("ClusterNetworkPolicy/a"), order("ClusterNetworkPolicy/b")]).toEqual([1_000, 10_000_000]);
    const defaultTier = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-db}
spec: {order: 100, selector: "app == 'db'", ingress: [{action: Allow}]}
`;
    expect(decide(merged(defaultTier, [cnp("b", "Baseline", 1, "Deny")])).ingress.policy).toBe("GlobalNetworkPolicy/allow-db");
  });
});
