/**
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy fields against their CRDs
 * (network-policy-api v0.1.7): unknown fields at every level are reported with what was most
 * likely meant, and the policy is evaluated as the API server stores it, without them.
 */
import { describe, expect, it } from "vitest";
import type { FieldPath, K8sObject } from "../../src/k8s/types.js";
import { formatFieldPath } from "../../src/k8s/types.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { checkFields } from "../../src/manifest/field-check.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const API = "policy.networking.k8s.io/v1alpha1";
const unknown = (object: K8sObject) => checkFields(object).unknown.map((u) => ({ path: formatFieldPath(u.path), type: u.type, meant: u.meant }));
const refused = (object: K8sObject) => buildPolicySet([{ object }]).refused.map((r) => `${formatFieldPath(r.path)}: ${r.message}`);

const anp = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: API, kind: "AdminNetworkPolicy", metadata: { name: "a" }, spec: { priority: 1, subject: { namespaces: {} }, ...spec } });
const banp = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: API, kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: { subject: { namespaces: {} }, ...spec } });
const egress = (rule: Record<string, unknown>) => ({ egress: [{ action: "Deny", to: [{ namespaces: {} }], ...rule }] });

describe("unknown fields of AdminNetworkPolicy and BaselineAdminNetworkPolicy", () => {
  it("are found at every level, each with the type that lacks it and the field most likely meant", () => {
    const object = anp({
      subject: { pod: { namespaceSelector: {}, podSelector: {} } },
      ingres: [],
      ingress: [
        {
          action: "Deny",
          from: [{ namespace: {} }, { pods: { namespaceSelector: { matchLabel: { a: "b" } }, podSelecter: {} } }],
          ports: [{ portNumbr: { port: 80 } }, { portRange: { start: 1, ned: 2 } }, { port: 80 }],
        },
      ],
      egress: [{ acton: "Deny", to: [{ network: ["10.0.0.0/8"] }, { pods: { namespaceSelector: { matchExpressions: [{ key: "a", operater: "Exists" }] }, podSelector: {} } }] }],
    });
    expect(unknown(object)).toEqual([
      { path: "spec.subject.pod", type: "AdminNetworkPolicySubject", meant: "pods" },
      { path: "spec.ingres", type: "AdminNetworkPolicySpec", meant: "ingress" },
      { path: "spec.ingress[0].from[0].namespace", type: "AdminNetworkPolicyIngressPeer", meant: "namespaces" },
      { path: "spec.ingress[0].from[1].pods.namespaceSelector.matchLabel", type: "LabelSelector", meant: "matchLabels" },
      { path: "spec.ingress[0].from[1].pods.podSelecter", type: "NamespacedPod", meant: "podSelector" },
      { path: "spec.ingress[0].ports[0].portNumbr", type: "AdminNetworkPolicyPort", meant: "portNumber" },
      { path: "spec.ingress[0].ports[1].portRange.ned", type: "PortRange", meant: "end" },
      // NetworkPolicy's port form: the field one level down.
      { path: "spec.ingress[0].ports[2].port", type: "AdminNetworkPolicyPort", meant: "portNumber.port" },
      { path: "spec.egress[0].acton", type: "AdminNetworkPolicyEgressRule", meant: "action" },
      { path: "spec.egress[0].to[0].network", type: "AdminNetworkPolicyEgressPeer", meant: "networks" },
      { path: "spec.egress[0].to[1].pods.namespaceSelector.matchExpressions[0].operater", type: "LabelSelectorRequirement", meant: "operator" },
    ]);
  });

  it("hold each kind to its own fields: egress peers are not ingress peers, a BANP has no priority nor domainNames", () => {
    expect(unknown(anp({ ingress: [{ action: "Deny", from: [{ networks: ["10.0.0.0/8"] }] }] })).map((u) => u.path)).toEqual(["spec.ingress[0].from[0].networks"]);
    expect(unknown(anp(egress({ to: [{ domainNames: ["example.com"] }, { nodes: {} }] })))).toEqual([]);
    const baseline = banp({ priority: 3, egress: [{ action: "Deny", to: [{ domainNames: ["example.com"] }] }] });
    expect(unknown(baseline).map((u) => `${u.path} (${u.type})`)).toEqual(["spec.priority (BaselineAdminNetworkPolicySpec)", "spec.egress[0].to[0].domainNames (BaselineAdminNetworkPolicyEgressPeer)"]);
  });

  it("include metadata and top-level typos, but not status, labels or a served version's free maps", () => {
    const object = { ...anp({}), metadata: { name: "a", label: { x: "y" }, labels: { anything: "goes" } }, sepc: {}, status: { anything: 1 } } as K8sObject;
    expect(unknown(object).map((u) => `${u.path}: ${u.meant}`)).toEqual(["metadata.label: labels", "sepc: spec"]);
    // Another version is no object of these CRDs: its fields are not judged (policy-set refuses it).
    expect(unknown({ ...anp({ bogus: 1 }), apiVersion: "policy.networking.k8s.io/v1alpha2" })).toEqual([]);
  });

  it("are manifest/unknown-field findings with the key's line and column, and say whose API lacks the field", () => {
    const text = `apiVersion: ${API}
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Deny
    to:
    - namespaces: {}
      zzz: 1
`;
    const objects = parseYamlFile("anp.yaml", text).objects;
    const findings = manifestFamily.check({ ...emptySnapshot(), objects }, {});
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: "manifest/unknown-field", fieldPath: "spec.egress[0].to[0].zzz", position: { file: "anp.yaml", line: 11, column: 7 } });
    expect(findings[0]!.message).toBe(
      "spec.egress[0].to[0].zzz is not a field of AdminNetworkPolicyEgressPeer in the network-policy-api v0.1.7 CRD: kubectl apply refuses the object, and clients that do not validate drop the field silently",
    );
  });
});

const pod = (namespace: string, app: string, ips: string[] = []): PodEndpoint => ({
  kind: "pod",
  namespace,
  name: app,
  labels: { app },
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  ips,
  ports: [{ name: "http", port: 80, protocol: "TCP" }],
});

describe("an AdminNetworkPolicy is evaluated as the API server stores it", () => {
  const web = pod("shop", "web");
  const other = pod("other", "client");
  const allowed = (object: K8sObject, src: PodEndpoint, port = 80) => {
    const set = buildPolicySet([{ object }]);
    expect(set.refused).toEqual([]);
    return evaluateConnection(set.tiers, { src, dst: web, protocol: "TCP", port }).allowed;
  };

  it("a NetworkPolicy-style selector beside a peer's field is dropped: the peer is wider than written, not refused", () => {
    // kubectl --validate=false or a client that does not validate: podSelector is pruned, what is left denies every namespace.
    const object = anp({ ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }, { namespaces: {}, podSelector: { matchLabels: { app: "none" } } }] }] });
    expect(allowed(object, other)).toBe(false);
  });

  it("a misspelt ports matches every port", () => {
    const object = anp({ ingress: [{ action: "Deny", from: [{ namespaces: {} }], prots: [{ portNumber: { port: 443, protocol: "TCP" } }] }] });
    expect(allowed(object, other, 80)).toBe(false);
  });

  it("a peer whose only field is misspelt is empty, which the schema refuses (minProperties 1)", () => {
    expect(refused(anp({ ingress: [{ action: "Deny", from: [{ namespace: {} }] }] }))).toEqual(["spec.ingress[0].from[0]: Invalid value: a peer must set exactly one of namespaces, pods"]);
  });
});

describe("AdminNetworkPolicy validation matches the CRDs' schema and CEL rules", () => {
  const messages = (object: K8sObject): string[] => refused(object);
  const at = (object: K8sObject): FieldPath[] => buildPolicySet([{ object }]).refused.map((r) => r.path);

  it("refuses a named port beside networks, nodes or domainNames peers (the egress rule's CEL rule), naming the kind's own peers", () => {
    const named = { ports: [{ namedPort: "http" }] };
    expect(messages(anp(egress({ to: [{ networks: ["10.0.0.0/8"] }], ...named })))).toEqual([
      'spec.egress[0]: Invalid value: "object": networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames',
    ]);
    expect(messages(banp(egress({ to: [{ namespaces: {} }, { nodes: {} }], ...named })))).toEqual([
      'spec.egress[0]: Invalid value: "object": networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes',
    ]);
    expect(messages(anp(egress({ to: [{ namespaces: {} }], ...named })))).toEqual([]);
  });

  it("holds networks to CEL's isCIDR, at most 43 characters, and no CIDR twice", () => {
    const networks = (...list: string[]) => messages(anp(egress({ to: [{ networks: list }] })));
    expect(networks("10.0.0.1/8", "fd00::/8", "::/0", "0.0.0.0/0")).toEqual([]);
    expect(networks("010.0.0.0/8")).toEqual(['spec.egress[0].to[0].networks[0]: Invalid value: "010.0.0.0/8": Invalid CIDR format provided']);
    expect(networks("10.0.0.0/08")).toHaveLength(1);
    expect(networks("::ffff:10.0.0.0/104")).toHaveLength(1);
    expect(networks("fe80::1%eth0/64")).toHaveLength(1);
    expect(networks("10.0.0.0")).toHaveLength(1);
    expect(networks("10.0.0.0/8", "10.0.0.0/8")).toEqual(['spec.egress[0].to[0].networks[1]: Duplicate value: "10.0.0.0/8"']);
    // A valid address, but longer than the schema's maxLength.
    expect(networks("0000:0000:0000:0000:0000:0000:100.200.100.200/128")).toEqual(["spec.egress[0].to[0].networks[0]: Too long: may not be more than 43 bytes"]);
  });

  it("accepts domainNames as the API server does, but cannot evaluate them; a bad name is the API server's refusal", () => {
    expect(messages(anp(egress({ action: "Allow", to: [{ domainNames: ["*.example.com", "kubernetes.io"] }] })))).toEqual([
      "spec.egress[0].to[0].domainNames: the API server accepts this (its CRD does not check it), but the addresses a domain name stands for are known only at run time, so Palisade cannot evaluate a domainNames peer",
    ]);
    expect(messages(anp(egress({ action: "Allow", to: [{ domainNames: ["example.*"] }] })))[0]).toMatch(/^spec\.egress\[0\]\.to\[0\]\.domainNames\[0\]: Invalid value: "example\.\*": should match the DomainName pattern/);
  });

  it("says which refusals are the API server's and which only Palisade's", () => {
    expect(messages(anp({ ingress: [{ action: "Deny", from: [{ namespaces: {} }], ports: [{ portNumber: { protocol: "ICMP", port: 1 } }] }] }))[0]).toMatch(/Unsupported value: "ICMP": the API server accepts this/);
    expect(messages(anp({ subject: { namespaces: { matchExpressions: [{ key: "a", operator: "Inn" }] } } }))[0]).toMatch(/^spec\.subject\.namespaces\.matchExpressions\[0\]\.operator: Invalid value: "Inn": not a valid selector operator: the API server accepts this/);
    expect(messages(anp({ subject: { namespaces: { matchExpressions: [{ key: "a" }] } } }))).toContain("spec.subject.namespaces.matchExpressions[0].operator: Required value: operator is required");
    expect(messages(anp({ ingress: [{ from: [{ namespaces: {} }] }] }))).toEqual(["spec.ingress[0].action: Required value: action is required (Allow, Deny, Pass)"]);
    expect(messages({ ...anp({}), spec: { subject: { namespaces: {} } } })).toEqual(["spec.priority: Required value: priority is required"]);
  });

  it("reports a malformed selector with the schema's messages, not a crash", () => {
    const selector = { matchLabels: { app: 1 }, matchExpressions: [{ operator: "In", values: "x" }, "Exists"] };
    expect(messages(anp({ subject: { namespaces: selector } }))).toEqual([
      "spec.subject.namespaces.matchLabels.app: Invalid value: 1: must be a string",
      "spec.subject.namespaces.matchExpressions[0].key: Required value: key is required",
      "spec.subject.namespaces.matchExpressions[0].values: Invalid value: values must be a list of strings",
      "spec.subject.namespaces.matchExpressions[1]: Invalid value: a requirement must be an object",
    ]);
  });

  it("counts a rule name's characters as the schema's maxLength does, not UTF-16 units", () => {
    const rule = (name: string) => anp({ ingress: [{ name, action: "Deny", from: [{ namespaces: {} }] }] });
    expect(messages(rule("🔒".repeat(100)))).toEqual([]);
    expect(at(rule("🔒".repeat(101)))).toEqual([["spec", "ingress", 0, "name"]]);
  });

  it("refuses more than 100 rules", () => {
    const rules = Array.from({ length: 101 }, () => ({ action: "Deny", from: [{ namespaces: {} }] }));
    expect(messages(anp({ ingress: rules }))).toEqual(["spec.ingress: Too many: 101: must have at most 100 rules"]);
  });
});
