/**
 * ClusterNetworkPolicy (v1alpha2) validated as its CRD validates it (clusternetworkpolicy_types.go:
 * required fields, enums, bounds, list sizes, exactly-one-of, CEL rules), plus the values the
 * API server accepts but Palisade cannot evaluate (domainNames, nodes), refused by name.
 * Hostile input (wrong types anywhere) gives refusals, never a crash.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { validateClusterNetworkPolicy } from "../../src/network/clusternetworkpolicy/validate.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const base = (spec: Record<string, unknown>, name: unknown = "p"): K8sObject => ({
  apiVersion: "policy.networking.k8s.io/v1alpha2",
  kind: "ClusterNetworkPolicy",
  metadata: { name } as K8sObject["metadata"],
  spec: { tier: "Admin", priority: 10, subject: { namespaces: {} }, ...spec },
});
const ingress = (rule: Record<string, unknown>) => base({ ingress: [{ action: "Deny", from: [{ namespaces: {} }], ...rule }] });
const egress = (rule: Record<string, unknown>) => base({ egress: [{ action: "Deny", to: [{ namespaces: {} }], ...rule }] });
const problems = (object: K8sObject) => validateClusterNetworkPolicy(object).map((p) => [p.path.join("."), p.message]);
const paths = (object: K8sObject) => validateClusterNetworkPolicy(object).map((p) => p.path.join("."));

describe("ClusterNetworkPolicy validation", () => {
  it("accepts a full valid policy", () => {
    const ok = base({
      ingress: [{ name: "a", action: "Accept", from: [{ pods: { podSelector: { matchLabels: { app: "x" } } } }], protocols: [{ tcp: { destinationPort: { number: 80 } } }, { destinationNamedPort: "http" }] }],
      egress: [{ action: "Pass", to: [{ networks: ["10.0.0.0/8", "fd00::/8"] }], protocols: [{ udp: { destinationPort: { range: { start: 1000, end: 2000 } } } }, { sctp: { destinationPort: { number: 9 } } }] }],
    });
    expect(problems(ok)).toEqual([]);
  });

  it("refuses missing metadata.name, spec, tier, priority and subject", () => {
    expect(paths({ apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: {} })).toEqual(["metadata.name", "spec"]);
    const empty: K8sObject = { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name: "p" }, spec: {} };
    expect(problems(empty)).toEqual([
      ["spec.tier", "Required value: tier is required (Admin, Baseline)"],
      ["spec.priority", "Required value: priority is required"],
      ["spec.subject", "Required value: subject is required"],
    ]);
  });

  it("refuses a tier outside the enum, and priorities outside 0-1000 or not integers", () => {
    expect(problems(base({ tier: "Developer" }))).toEqual([["spec.tier", 'Unsupported value: "Developer": supported values: "Admin", "Baseline"']]);
    for (const priority of [-1, 1001, 1.5, "5"]) expect(paths(base({ priority }))).toEqual(["spec.priority"]);
    expect(problems(base({ priority: 0 }))).toEqual([]);
    expect(problems(base({ priority: 1000 }))).toEqual([]);
  });

  it("refuses a subject with none or both of namespaces and pods, and pods without podSelector", () => {
    expect(problems(base({ subject: {} }))).toEqual([["spec.subject", "Invalid value: subject must set exactly one of namespaces, pods"]]);
    expect(paths(base({ subject: { namespaces: {}, pods: { podSelector: {} } } }))).toEqual(["spec.subject"]);
    expect(problems(base({ subject: { pods: { namespaceSelector: {} } } }))).toEqual([["spec.subject.pods.podSelector", "Required value: a label selector is required"]]);
  });

  it("refuses rules without action, with an action outside Accept/Deny/Pass, or ANP's Allow", () => {
    expect(paths(ingress({ action: undefined }))).toEqual(["spec.ingress.0.action"]);
    expect(problems(ingress({ action: "Allow" }))).toEqual([["spec.ingress.0.action", 'Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"']]);
  });

  it("refuses a rule name over 100 characters, counted in characters", () => {
    expect(paths(ingress({ name: "x".repeat(101) }))).toEqual(["spec.ingress.0.name"]);
    expect(paths(ingress({ name: "é".repeat(100) }))).toEqual([]);
  });

  it("bounds rules, peers and protocols to 25 items, and peers and protocols to at least 1", () => {
    const rule = { action: "Deny", from: [{ namespaces: {} }] };
    expect(problems(base({ ingress: Array.from({ length: 26 }, () => rule) }))).toEqual([["spec.ingress", "Too many: 26: must have at most 25 items"]]);
    expect(paths(base({ ingress: Array.from({ length: 25 }, () => rule) }))).toEqual([]);
    expect(paths(ingress({ from: [] }))).toEqual(["spec.ingress.0.from"]);
    expect(paths(ingress({ from: Array.from({ length: 26 }, () => ({ namespaces: {} })) }))).toEqual(["spec.ingress.0.from"]);
    expect(paths(egress({ to: undefined }))).toEqual(["spec.egress.0.to"]);
    expect(paths(ingress({ protocols: [] }))).toEqual(["spec.ingress.0.protocols"]);
  });

  it("refuses a peer with no field or two, and egress-only peers in ingress (pruned, so none left)", () => {
    expect(problems(ingress({ from: [{}] }))).toEqual([["spec.ingress.0.from.0", "Invalid value: a peer must set exactly one of namespaces, pods"]]);
    expect(paths(egress({ to: [{ namespaces: {}, networks: ["10.0.0.0/8"] }] }))).toEqual(["spec.egress.0.to.0"]);
    expect(paths(ingress({ from: [{ networks: ["10.0.0.0/8"] }] }))).toEqual(["spec.ingress.0.from.0"]);
  });

  it("checks networks as isCIDR() and the list as a set of at most 25", () => {
    expect(problems(egress({ to: [{ networks: ["10.0.0.1"] }] }))).toEqual([["spec.egress.0.to.0.networks.0", 'Invalid value: "10.0.0.1": Invalid CIDR format provided']]);
    expect(paths(egress({ to: [{ networks: ["010.0.0.0/8"] }] }))).toEqual(["spec.egress.0.to.0.networks.0"]);
    expect(paths(egress({ to: [{ networks: ["::ffff:10.0.0.0/104"] }] }))).toEqual(["spec.egress.0.to.0.networks.0"]);
    expect(problems(egress({ to: [{ networks: ["10.0.0.0/8", "10.0.0.0/8"] }] }))).toEqual([["spec.egress.0.to.0.networks.1", 'Duplicate value: "10.0.0.0/8"']]);
    expect(paths(egress({ to: [{ networks: [] }] }))).toEqual(["spec.egress.0.to.0.networks"]);
    expect(paths(egress({ to: [{ networks: Array.from({ length: 26 }, (_, i) => `10.${i}.0.0/16`) }] }))).toEqual(["spec.egress.0.to.0.networks"]);
    expect(problems(egress({ to: [{ networks: [`${"0".repeat(1)}:${"0:".repeat(20)}0/8`] }] }))[0]?.[1]).toBe("Too long: may not be more than 43 bytes");
  });

  it("refuses domainNames by name: the API server accepts them, Palisade cannot evaluate them", () => {
    expect(problems(egress({ action: "Accept", to: [{ domainNames: ["*.example.com"] }] }))).toEqual([
      ["spec.egress.0.to.0.domainNames", "the API server accepts this (its CRD does not check it), but the addresses a domain name stands for are known only at run time, so Palisade cannot evaluate a domainNames peer"],
    ]);
    expect(problems(egress({ to: [{ domainNames: ["bad..name"] }] }))[0]?.[0]).toBe("spec.egress.0.to.0.domainNames.0");
  });

  it("refuses nodes peers by name, after checking their selector", () => {
    expect(problems(egress({ to: [{ nodes: {} }] }))[0]?.[1]).toMatch(/^the API server accepts this .*cannot evaluate a nodes peer$/);
    expect(paths(egress({ to: [{ nodes: { matchLabels: 5 } }] }))).toEqual(["spec.egress.0.to.0.nodes.matchLabels"]);
  });

  it("refuses a protocol with none or two of tcp/udp/sctp/destinationNamedPort, and tcp without destinationPort", () => {
    expect(problems(ingress({ protocols: [{}] }))).toEqual([["spec.ingress.0.protocols.0", "Invalid value: a protocol must set exactly one of tcp, udp, sctp, destinationNamedPort"]]);
    expect(paths(ingress({ protocols: [{ tcp: { destinationPort: { number: 1 } }, udp: { destinationPort: { number: 1 } } }] }))).toEqual(["spec.ingress.0.protocols.0"]);
    expect(problems(ingress({ protocols: [{ tcp: {} }] }))).toEqual([["spec.ingress.0.protocols.0.tcp", "Invalid value: tcp must set destinationPort"]]);
  });

  it("refuses ports outside 1-65535, number and range together, and a range whose start is not below its end (CEL)", () => {
    expect(paths(ingress({ protocols: [{ tcp: { destinationPort: { number: 0 } } }] }))).toEqual(["spec.ingress.0.protocols.0.tcp.destinationPort.number"]);
    expect(paths(ingress({ protocols: [{ udp: { destinationPort: { number: 65536 } } }] }))).toEqual(["spec.ingress.0.protocols.0.udp.destinationPort.number"]);
    expect(paths(ingress({ protocols: [{ tcp: { destinationPort: { number: 80, range: { start: 1, end: 2 } } } }] }))).toEqual(["spec.ingress.0.protocols.0.tcp.destinationPort"]);
    expect(problems(ingress({ protocols: [{ sctp: { destinationPort: { range: { start: 90, end: 90 } } } }] }))).toEqual([
      ["spec.ingress.0.protocols.0.sctp.destinationPort.range", 'Invalid value: "object": Start port must be less than End port'],
    ]);
    expect(paths(ingress({ protocols: [{ tcp: { destinationPort: { range: { start: 1 } } } }] }))).toEqual(["spec.ingress.0.protocols.0.tcp.destinationPort.range.end"]);
  });

  it("refuses a named port no container port can have, and one towards networks (the egress CEL rule)", () => {
    expect(problems(ingress({ protocols: [{ destinationNamedPort: "Not_A_Port" }] }))[0]?.[1]).toMatch(/^Invalid value: "Not_A_Port": the API server accepts this .*no container port can have this name/);
    expect(problems(egress({ to: [{ networks: ["10.0.0.0/8"] }], protocols: [{ destinationNamedPort: "http" }] }))).toEqual([
      ["spec.egress.0", 'Invalid value: "object": networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames'],
    ]);
  });

  it("refuses a selector that does not parse, saying the API server accepts it", () => {
    expect(problems(base({ subject: { namespaces: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] } } }))[0]?.[1]).toMatch(/the API server accepts this/);
  });

  it("validates the object as stored: unknown fields pruned, so a typo beside a peer field is no second field", () => {
    expect(paths(ingress({ from: [{ namespaces: {}, podSelector: { matchLabels: { app: "x" } } }] }))).toEqual([]);
    expect(paths(base({ subject: { namespaces: {}, extra: 1 } }))).toEqual([]);
  });

  it("gives refusals, not crashes, for wrong types anywhere", () => {
    const hostile: unknown[] = [null, 5, "x", [], true, { a: 1 }];
    for (const value of hostile) {
      for (const object of [
        base({ spec: value }),
        base({ subject: value }),
        base({ ingress: value }),
        base({ egress: [value] }),
        ingress({ from: value }),
        ingress({ from: [value] }),
        ingress({ from: [{ pods: value }] }),
        ingress({ from: [{ namespaces: { matchExpressions: value } }] }),
        ingress({ protocols: value }),
        ingress({ protocols: [{ tcp: value }] }),
        ingress({ protocols: [{ tcp: { destinationPort: value } }] }),
        ingress({ protocols: [{ udp: { destinationPort: { range: value } } }] }),
        egress({ to: [{ networks: value }] }),
        egress({ to: [{ networks: [value] }] }),
        egress({ to: [{ domainNames: value }] }),
        base({}, value),
        { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name: "p" }, spec: value } as K8sObject,
      ]) {
        expect(() => buildPolicySet([{ object }])).not.toThrow();
        const set = buildPolicySet([{ object }]);
        // Either refused with a path, or (a null field is dropped, an unknown one pruned) compiled.
        expect(set.refused.length + set.policies.length).toBeGreaterThan(0);
        for (const r of set.refused) expect(r.message).not.toBe("");
      }
    }
  });

  it("refuses ClusterNetworkPolicy in a version the API server does not serve", () => {
    const v1alpha1 = { ...base({}), apiVersion: "policy.networking.k8s.io/v1alpha1" };
    const set = buildPolicySet([{ object: v1alpha1 }]);
    expect(set.refused.map((r) => [r.path.join("."), r.message])).toEqual([
      ["apiVersion", 'Invalid value: "policy.networking.k8s.io/v1alpha1": the API server serves ClusterNetworkPolicy only as policy.networking.k8s.io/v1alpha2, so it refuses this object and enforces nothing of it'],
    ]);
  });

  it("refuses two ClusterNetworkPolicies of one name", () => {
    const set = buildPolicySet([{ object: base({}) }, { object: base({ priority: 5 }) }]);
    expect(set.refused.map((r) => r.path.join("."))).toEqual(["metadata.name"]);
  });
});
