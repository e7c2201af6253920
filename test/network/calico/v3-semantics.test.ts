import { describe, expect, it } from "vitest";
import { connectionsBetween } from "../../../src/network/connectivity.js";
import { evaluateConnection, evaluateSide } from "../../../src/network/evaluate.js";
import { explainConnection } from "../../../src/network/explain.js";
import { allowed, compile, external, packet, pod } from "./fixtures.js";

const v3 = "apiVersion: projectcalico.org/v3";

describe("policy selection", () => {
  const { tiers } = compile(`
${v3}
kind: NetworkPolicy
metadata: {name: deny-web, namespace: shop}
spec:
  selector: app == 'web'
  ingress: [{action: Deny}]
`);
  it("a namespaced policy selects only pods of its namespace", () => {
    expect(allowed(tiers, packet(external("1.2.3.4"), pod("shop", "w", { app: "web" }), "TCP", 80))).toBe(false);
    expect(allowed(tiers, packet(external("1.2.3.4"), pod("other", "w", { app: "web" }), "TCP", 80))).toBe(true);
  });
  it("an endpoint no policy selects is allowed by its namespace profile", () => {
    const decision = evaluateConnection(tiers, packet(external("1.2.3.4"), pod("shop", "db", { app: "db" }), "TCP", 5432));
    expect(decision.allowed).toBe(true);
    expect(decision.ingress.reason).toBe("no-policy");
  });
  it("hostNetwork pods have no workload endpoint: never selected", () => {
    expect(allowed(tiers, packet(external("1.2.3.4"), pod("shop", "w", { app: "web" }, { hostNetwork: true }), "TCP", 80))).toBe(true);
  });
  it("types default to Egress when only egress rules are given", () => {
    const { policies } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: egress-only}
spec: {egress: [{action: Allow}]}
`);
    expect(policies[0]?.policy.directions).toEqual(["egress"]);
  });
});

describe("rule selectors are scoped as Calico scopes them", () => {
  const { tiers } = compile(`
${v3}
kind: NetworkPolicy
metadata: {name: from-frontend, namespace: shop}
spec:
  selector: app == 'api'
  ingress:
  - action: Allow
    source: {selector: role == 'frontend'}
---
${v3}
kind: NetworkPolicy
metadata: {name: from-team-x, namespace: shop}
spec:
  selector: app == 'api'
  ingress:
  - action: Allow
    source: {namespaceSelector: team == 'x', selector: role == 'monitor'}
---
${v3}
kind: NetworkPolicy
metadata: {name: not-batch, namespace: other}
spec:
  selector: app == 'api'
  ingress:
  - action: Allow
    source: {notSelector: role == 'batch'}
`);
  const api = pod("shop", "api", { app: "api" });
  it("a selector in a namespaced policy matches only the policy's namespace", () => {
    expect(allowed(tiers, packet(pod("shop", "fe", { role: "frontend" }), api, "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(pod("elsewhere", "fe", { role: "frontend" }), api, "TCP", 80))).toBe(false);
  });
  it("a namespaceSelector picks namespaces by their labels", () => {
    expect(allowed(tiers, packet(pod("ops", "m", { role: "monitor" }, { namespaceLabels: { team: "x" } }), api, "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(pod("ops", "m", { role: "monitor" }, { namespaceLabels: { team: "y" } }), api, "TCP", 80))).toBe(false);
  });
  it("notSelector alone still limits a namespaced policy's rule to its namespace", () => {
    const target = pod("other", "api", { app: "api" });
    expect(allowed(tiers, packet(pod("other", "w", { role: "web" }), target, "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(pod("other", "b", { role: "batch" }), target, "TCP", 80))).toBe(false);
    expect(allowed(tiers, packet(pod("third", "w", { role: "web" }), target, "TCP", 80))).toBe(false);
    expect(allowed(tiers, packet(external("8.8.8.8"), target, "TCP", 80))).toBe(false);
  });
});

describe("global policies, network sets and global()", () => {
  const { tiers } = compile(`
${v3}
kind: GlobalNetworkSet
metadata: {name: partners, labels: {kind: partner}}
spec: {nets: [203.0.113.0/24]}
---
${v3}
kind: NetworkSet
metadata: {name: office, namespace: shop, labels: {kind: partner}}
spec: {nets: [198.51.100.0/24]}
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: partners-in}
spec:
  selector: app == 'api'
  ingress:
  - action: Allow
    source: {namespaceSelector: global(), selector: kind == 'partner'}
  - action: Allow
    source: {selector: role == 'frontend'}
`);
  const api = pod("shop", "api", { app: "api" });
  it("global() in a namespaceSelector matches GlobalNetworkSets, not namespaced endpoints", () => {
    expect(allowed(tiers, packet(external("203.0.113.7"), api, "TCP", 443))).toBe(true);
    expect(allowed(tiers, packet(external("198.51.100.7"), api, "TCP", 443))).toBe(false);
    expect(allowed(tiers, packet(pod("shop", "p", { kind: "partner" }), api, "TCP", 443))).toBe(false);
  });
  it("a global policy's rule selector matches pods in every namespace", () => {
    expect(allowed(tiers, packet(pod("a", "fe", { role: "frontend" }), api, "TCP", 443))).toBe(true);
    expect(allowed(tiers, packet(pod("b", "fe", { role: "frontend" }), api, "TCP", 443))).toBe(true);
  });
});

describe("service accounts", () => {
  const { tiers } = compile(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: reporter, namespace: shop, labels: {tier: reporting}}
---
${v3}
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: app == 'db'
  ingress:
  - action: Allow
    protocol: TCP
    source: {serviceAccounts: {names: [api]}}
    destination: {ports: [5432]}
  - action: Allow
    protocol: TCP
    source: {serviceAccounts: {selector: tier == 'reporting'}}
    destination: {ports: [5432]}
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: deny-reporters-out}
spec:
  serviceAccountSelector: tier == 'reporting'
  egress: [{action: Deny, destination: {nets: [0.0.0.0/0]}}]
`);
  const db = pod("shop", "db", { app: "db" });
  it("serviceAccounts.names matches the pod's service account in the policy's namespace", () => {
    expect(allowed(tiers, packet(pod("shop", "a", {}, { serviceAccount: "api" }), db, "TCP", 5432))).toBe(true);
    expect(allowed(tiers, packet(pod("shop", "a", {}, { serviceAccount: "other" }), db, "TCP", 5432))).toBe(false);
    expect(allowed(tiers, packet(pod("elsewhere", "a", {}, { serviceAccount: "api" }), db, "TCP", 5432))).toBe(false);
  });
  it("serviceAccounts.selector and serviceAccountSelector match the ServiceAccount's labels", () => {
    const reporter = pod("shop", "r", {}, { serviceAccount: "reporter", ips: ["10.0.0.9"] });
    expect(evaluateSide(tiers, "ingress", db, packet(reporter, db, "TCP", 5432)).allowed).toBe(true);
    expect(evaluateSide(tiers, "egress", reporter, packet(reporter, external("1.1.1.1"), "TCP", 443)).allowed).toBe(false);
    expect(evaluateSide(tiers, "egress", db, packet(db, external("1.1.1.1"), "TCP", 443)).allowed).toBe(true);
  });
});

describe("order, tiers and actions", () => {
  const yaml = `
${v3}
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
${v3}
kind: Tier
metadata: {name: platform}
spec: {order: 200, defaultAction: Pass}
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: security.quarantine}
spec:
  tier: security
  order: 1
  selector: quarantine == 'true'
  ingress: [{action: Log}, {action: Deny}]
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: security.pass-rest}
spec:
  tier: security
  order: 2
  selector: all()
  ingress: [{action: Pass}]
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: platform.only-dns}
spec:
  tier: platform
  selector: app == 'dns'
  ingress: [{action: Allow, protocol: UDP, destination: {ports: [53]}}]
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: late-allow}
spec:
  selector: app == 'web'
  ingress: [{action: Allow}]
---
${v3}
kind: GlobalNetworkPolicy
metadata: {name: early-deny}
spec:
  order: 10
  selector: app == 'web'
  ingress: [{action: Deny, protocol: TCP, destination: {ports: ['6040:6050']}}]
`;
  const { tiers } = compile(yaml);
  const src = external("192.0.2.1");
  it("a higher tier's Deny decides before lower tiers; Log never decides", () => {
    expect(allowed(tiers, packet(src, pod("a", "q", { quarantine: "true", app: "web" }), "TCP", 80))).toBe(false);
  });
  it("Pass goes to the next tier; a tier with defaultAction Pass passes what it does not decide", () => {
    expect(allowed(tiers, packet(src, pod("a", "dns", { app: "dns" }), "TCP", 80))).toBe(true);
    const decision = evaluateConnection(tiers, packet(src, pod("a", "dns", { app: "dns" }), "TCP", 80));
    expect(decision.ingress.passedBy).toEqual(["GlobalNetworkPolicy/security.pass-rest"]);
  });
  it("policies run by order, unset last; ranges are inclusive", () => {
    const web = pod("a", "web", { app: "web" });
    expect(allowed(tiers, packet(src, web, "TCP", 6040))).toBe(false);
    expect(allowed(tiers, packet(src, web, "TCP", 6050))).toBe(false);
    expect(allowed(tiers, packet(src, web, "TCP", 6051))).toBe(true);
    const decision = evaluateConnection(tiers, packet(src, web, "TCP", 6051));
    expect(decision.ingress.selectedBy).toEqual(["GlobalNetworkPolicy/security.pass-rest", "GlobalNetworkPolicy/early-deny", "GlobalNetworkPolicy/late-allow"]);
  });
  it("tiers carry Calico's orders, the default tier at one million", () => {
    expect(Object.fromEntries(tiers.map((t) => [t.name, [t.order, t.dropAtEndWhenSelected]]))).toEqual({
      default: [1_000_000, true],
      security: [100, true],
      platform: [200, false],
    });
  });
  it("a selected endpoint no rule of the tier decides is dropped at the tier's end", () => {
    const only = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: web-443}
spec:
  selector: app == 'web'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [443]}}]
`).tiers;
    const decision = evaluateConnection(only, packet(src, pod("a", "web", { app: "web" }), "TCP", 80));
    expect(decision.allowed).toBe(false);
    expect(decision.ingress.reason).toBe("end-of-tier");
  });
});

describe("staged policies", () => {
  const set = compile(`
${v3}
kind: StagedGlobalNetworkPolicy
metadata: {name: would-deny}
spec:
  selector: all()
  ingress: [{action: Deny}]
---
${v3}
kind: StagedKubernetesNetworkPolicy
metadata: {name: k, namespace: a}
spec: {podSelector: {}}
`);
  it("are compiled and reported, never enforced", () => {
    expect(set.policies.map((p) => [p.policy.id, p.policy.staged])).toEqual([["StagedGlobalNetworkPolicy/would-deny", true]]);
    expect(allowed(set.tiers, packet(external("1.1.1.1"), pod("a", "x"), "TCP", 80))).toBe(true);
    expect(set.notices.map((n) => n.message)).toEqual([
      "StagedKubernetesNetworkPolicy a/k is staged: reported, not enforced, not evaluated",
      "StagedGlobalNetworkPolicy/would-deny is staged (stagedAction Set): evaluated for reporting, never enforced",
    ]);
  });
});

describe("ports, protocols and ICMP", () => {
  const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: shapes}
spec:
  selector: app == 'svc'
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [http]}}
  - {action: Allow, protocol: UDP, source: {ports: [53]}}
  - {action: Allow, protocol: ICMP, icmp: {type: 8}}
  - {action: Allow, protocol: 47}
  - {action: Allow, notProtocol: TCP, source: {nets: [10.9.0.0/16]}}
`);
  const svc = pod("a", "svc", { app: "svc" }, { ports: [{ name: "http", port: 8080, protocol: "TCP" }] });
  const src = external("192.0.2.1");
  it("a named port resolves on the selected endpoint's declared ports", () => {
    expect(allowed(tiers, packet(src, svc, "TCP", 8080))).toBe(true);
    expect(allowed(tiers, packet(src, svc, "TCP", 80))).toBe(false);
    expect(allowed(tiers, packet(src, svc, "UDP", 8080))).toBe(false);
  });
  it("source ports match the packet's source port", () => {
    expect(allowed(tiers, packet(src, svc, "UDP", 40000, { srcPort: 53 }))).toBe(true);
    expect(allowed(tiers, packet(src, svc, "UDP", 40000, { srcPort: 54 }))).toBe(false);
  });
  it("explain without a source port names the source ports that get the other verdict", () => {
    const { tiers: more } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: source-ports}
spec:
  selector: app == 'svc'
  ingress:
  - {action: Deny, protocol: TCP, source: {notPorts: [53]}, destination: {ports: [22]}}
  - {action: Allow, protocol: TCP, source: {ports: ["1:65535"]}, destination: {ports: [23]}}
  - {action: Allow, protocol: TCP, destination: {ports: [22, 24]}}
`);
    // No source port matches no source-port rule: 22 is allowed, yet denied from every port but 53.
    expect(explainConnection(more, src, svc, "TCP", 22)).toMatchObject({ allowed: true, otherwiseFromSourcePorts: [[0, 52], [54, 65535]] });
    expect(explainConnection(more, src, svc, "TCP", 22, undefined, { sourcePort: 53 }).otherwiseFromSourcePorts).toBeUndefined();
    // A rule on every source port: denied without one, allowed from each.
    expect(explainConnection(more, src, svc, "TCP", 23)).toMatchObject({ allowed: false, otherwiseFromSourcePorts: [[1, 65535]] });
    // Nothing reads the source port of 24.
    expect(explainConnection(more, src, svc, "TCP", 24).otherwiseFromSourcePorts).toBeUndefined();
  });
  it("ICMP type, numeric protocols and notProtocol", () => {
    expect(allowed(tiers, packet(src, svc, "ICMP", undefined, { icmp: { type: 8, code: 0 } }))).toBe(true);
    expect(allowed(tiers, packet(src, svc, "ICMP", undefined, { icmp: { type: 13, code: 0 } }))).toBe(false);
    expect(allowed(tiers, packet(src, svc, 47))).toBe(true);
    expect(allowed(tiers, packet(external("10.9.1.1"), svc, "UDP", 9))).toBe(true);
    expect(allowed(tiers, packet(external("10.9.1.1"), svc, "TCP", 9))).toBe(false);
  });
});

describe("more v3 fields", () => {
  it("a GlobalNetworkPolicy namespaceSelector selects pods of matching namespaces only", () => {
    const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: pci}
spec:
  namespaceSelector: compliance == 'pci'
  ingress: [{action: Deny}]
`);
    const src = external("192.0.2.1");
    expect(allowed(tiers, packet(src, pod("bank", "a", {}, { namespaceLabels: { compliance: "pci" } }), "TCP", 80))).toBe(false);
    expect(allowed(tiers, packet(src, pod("shop", "a"), "TCP", 80))).toBe(true);
  });

  it("ipVersion limits a rule to one IP family", () => {
    const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: v6-only}
spec:
  selector: all()
  ingress: [{action: Allow, ipVersion: 6}]
`);
    expect(allowed(tiers, packet(external("2001:db8::1"), pod("a", "x", {}, { ips: ["fd00::5"] }), "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(external("192.0.2.1"), pod("a", "x", {}, { ips: ["10.0.0.5"] }), "TCP", 80))).toBe(false);
  });

  it("a named ICMP protocol makes the rule one of that IP version, as Felix programs it; a number does not", () => {
    const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: icmp-families}
spec:
  selector: all()
  ingress:
  - {action: Deny, protocol: ICMP}
  - {action: Deny, protocol: ICMPv6}
  - {action: Deny, protocol: 47}
  - {action: Allow}
`);
    const v4 = { src: external("192.0.2.1"), dst: pod("a", "x", {}, { ips: ["10.0.0.5"] }) };
    const v6 = { src: external("2001:db8::1"), dst: pod("a", "y", {}, { ips: ["fd00::5"] }) };
    // ICMP carried in IPv6 (next header 1) and ICMPv6 in IPv4: no rule of that family names them.
    expect(allowed(tiers, packet(v6.src, v6.dst, 1))).toBe(true);
    expect(allowed(tiers, packet(v4.src, v4.dst, 58))).toBe(true);
    expect(allowed(tiers, packet(v4.src, v4.dst, 1))).toBe(false);
    expect(allowed(tiers, packet(v6.src, v6.dst, 58))).toBe(false);
    expect(allowed(tiers, packet(v6.src, v6.dst, 47))).toBe(false);
    // The set engine holds the same, for a dual-stack peer too: the family is in the set, not read from the peer's first address.
    const dual = pod("b", "dual", {}, { ips: ["10.0.0.6", "fd00::6"] });
    for (const [{ src, dst }, family, protocol, expected] of [[v6, 6, 1, true], [v4, 4, 58, true], [v4, 4, 1, false], [v6, 6, 58, false]] as const) {
      expect(connectionsBetween(tiers, src, dst).has(protocol, undefined, { family }), `${protocol} in IPv${family}`).toBe(expected);
      expect(connectionsBetween(tiers, dual, dst).has(protocol, undefined, { family }), `${protocol} in IPv${family} from a dual-stack pod`).toBe(expected);
    }
  });

  it("a rule's CIDRs make it a rule of their IP version, even notNets alone, as Felix filters them", () => {
    const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: v6-outside}
spec:
  selector: all()
  ingress:
  - {action: Deny, protocol: TCP, source: {notNets: ["fd00::/8"]}}
  - {action: Deny, protocol: ICMP, source: {notNets: ["fd00::/8"]}}
  - {action: Allow}
`);
    const v4 = pod("a", "x", {}, { ips: ["10.0.0.5"] });
    const v6 = pod("a", "y", {}, { ips: ["fd00::5"] });
    // Not in fd00::/8 reads "every other IPv6 address": an IPv4 peer is not one.
    expect(allowed(tiers, packet(external("192.0.2.1"), v4, "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(external("2001:db8::1"), v6, "TCP", 80))).toBe(false);
    expect(allowed(tiers, packet(external("fd00::9"), v6, "TCP", 80))).toBe(true);
    // ICMP names IPv4 and the CIDRs IPv6: Felix programs the rule in neither family.
    expect(allowed(tiers, packet(external("192.0.2.1"), v4, "ICMP", undefined, { icmp: { type: 8, code: 0 } }))).toBe(true);
    expect(connectionsBetween(tiers, external("192.0.2.1"), v4).isAll()).toBe(true);
    expect(connectionsBetween(tiers, external("2001:db8::1"), v6).has("TCP", 80)).toBe(false);
  });

  it("notICMP with a code excludes only that type and code", () => {
    const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: icmp}
spec:
  selector: all()
  ingress: [{action: Allow, protocol: ICMP, notICMP: {type: 3, code: 4}}]
`);
    const dst = pod("a", "x");
    const icmp = (type: number, code: number) => packet(external("192.0.2.1"), dst, "ICMP", undefined, { icmp: { type, code } });
    expect(allowed(tiers, icmp(3, 4))).toBe(false);
    expect(allowed(tiers, icmp(3, 3))).toBe(true);
    expect(allowed(tiers, icmp(8, 4))).toBe(true);
  });

  it("a packet object reused with a new port is evaluated afresh", () => {
    const { tiers } = compile(`
${v3}
kind: GlobalNetworkPolicy
metadata: {name: web}
spec:
  selector: all()
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [443]}}]
`);
    const p = packet(external("192.0.2.1"), pod("a", "x"), "TCP", 443);
    expect(allowed(tiers, p)).toBe(true);
    p.port = 80;
    expect(allowed(tiers, p)).toBe(false);
  });
});
