/**
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy semantics from the network-policy-api
 * spec: ANPs before NetworkPolicy by priority, Pass hands over to NetworkPolicy, the BANP
 * only decides what NetworkPolicy left alone; and CRD validation.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const pod = (namespace: string, app: string): PodEndpoint => ({
  kind: "pod",
  namespace,
  name: app,
  labels: { app },
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  ips: [],
  ports: [{ name: "http", port: 80, protocol: "TCP" }],
});
const web = pod("shop", "web");
const db = pod("shop", "db");
const probe = pod("monitoring", "probe");

const anp = (name: string, priority: number, action: string, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: "policy.networking.k8s.io/v1alpha1",
  kind: "AdminNetworkPolicy",
  metadata: { name },
  spec: {
    priority,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } },
    ingress: [{ name: `${action}-from-shop`, action, from: [{ namespaces: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }], ...extra }],
  },
});
const banp = (action: string): K8sObject => ({
  apiVersion: "policy.networking.k8s.io/v1alpha1",
  kind: "BaselineAdminNetworkPolicy",
  metadata: { name: "default" },
  spec: { subject: { namespaces: {} }, ingress: [{ action, from: [{ namespaces: {} }] }] },
});
const denyAllNp: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
const allowWebNp: K8sObject = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-web", namespace: "shop" },
  spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] },
};

function verdict(objects: K8sObject[], src = web, dst = db, port = 80) {
  const set = buildPolicySet(objects.map((object) => ({ object })));
  expect(set.refused).toEqual([]);
  return evaluateConnection(set.tiers, { src, dst, protocol: "TCP", port });
}

describe("AdminNetworkPolicy tiers", () => {
  it("an ANP Allow wins over a NetworkPolicy that would deny", () => {
    const d = verdict([denyAllNp, anp("allow", 10, "Allow")]);
    expect(d.allowed).toBe(true);
    expect(d.ingress.policy).toBe("AdminNetworkPolicy/allow");
  });
  it("an ANP Deny wins over a NetworkPolicy that would allow", () => {
    const d = verdict([allowWebNp, anp("deny", 10, "Deny")]);
    expect(d.allowed).toBe(false);
    expect(d.ingress.tier).toBe("adminnetworkpolicy");
  });
  it("the lower priority number decides first", () => {
    expect(verdict([anp("a-deny", 5, "Deny"), anp("b-allow", 1, "Allow")]).allowed).toBe(true);
    expect(verdict([anp("a-deny", 1, "Deny"), anp("b-allow", 5, "Allow")]).allowed).toBe(false);
  });
  it("Pass hands the decision to NetworkPolicy, and skips lower-precedence ANPs", () => {
    const d = verdict([anp("pass", 1, "Pass"), anp("deny", 5, "Deny"), allowWebNp]);
    expect(d.allowed).toBe(true);
    expect(d.ingress.passedBy).toEqual(["AdminNetworkPolicy/pass"]);
    expect(d.ingress.policy).toBe("NetworkPolicy/shop/allow-web");
    expect(verdict([anp("pass", 1, "Pass"), denyAllNp]).allowed).toBe(false);
  });
  it("the BANP decides only where no NetworkPolicy selects the pod", () => {
    expect(verdict([banp("Deny")]).allowed).toBe(false);
    expect(verdict([banp("Deny"), allowWebNp]).allowed).toBe(true);
    expect(verdict([banp("Allow"), denyAllNp]).allowed).toBe(false);
    expect(verdict([anp("pass", 1, "Pass"), banp("Deny")]).ingress.tier).toBe("baselineadminnetworkpolicy");
  });
  it("rules match their ports only; namedPort resolves on the destination pod", () => {
    const ports = { ports: [{ namedPort: "http" }] };
    expect(verdict([anp("deny", 1, "Deny", ports)], web, db, 80).allowed).toBe(false);
    expect(verdict([anp("deny", 1, "Deny", ports)], web, db, 81).allowed).toBe(true);
  });
  it("peers outside the selected namespaces are not matched", () => {
    expect(verdict([anp("deny", 1, "Deny")], probe, db).allowed).toBe(true);
  });
});

describe("AdminNetworkPolicy validation", () => {
  const refused = (object: K8sObject): string[] => buildPolicySet([{ object }]).refused.map((r) => r.message);
  it("refuses a priority out of 0..1000", () => {
    expect(refused(anp("x", 1001, "Allow")).join()).toMatch(/priority/);
  });
  it("refuses Pass in a BANP and a BANP not named default", () => {
    expect(refused(banp("Pass")).join()).toMatch(/Unsupported value: "Pass"/);
    expect(refused({ ...banp("Allow"), metadata: { name: "other" } }).join()).toMatch(/named "default"/);
  });
  it("refuses a peer with two kinds, an empty peer list and a reversed port range", () => {
    const two = anp("x", 1, "Allow");
    (two.spec as { ingress: { from: unknown[] }[] }).ingress[0]!.from = [{ namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }];
    expect(refused(two).join()).toMatch(/exactly one/);
    const none = anp("x", 1, "Allow");
    (none.spec as { ingress: { from: unknown[] }[] }).ingress[0]!.from = [];
    expect(refused(none).join()).toMatch(/from 1 to 100 peers/);
    expect(refused(anp("x", 1, "Allow", { ports: [{ portRange: { start: 90, end: 80 } }] })).join()).toMatch(/the API server accepts this .*start must be less than end/);
  });
});
