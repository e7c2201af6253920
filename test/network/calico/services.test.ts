/**
 * Calico's `services` rule match. What Calico takes (libcalico-go's validators), and what
 * Felix matches: a destination Service is the (address, protocol, port) of each endpoint in
 * its EndpointSlices, each with its slice's ports, ready or not, never the cluster IP; a
 * source Service is the endpoints' addresses. Cases follow Felix's own (calc_graph_fv_test:
 * a slice of 10.0.0.1 on TCP 80, an egress rule to it, an ingress rule from it).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { checkCalico } from "../../../src/network/calico/family.js";
import { allowed, compile, external, packet, pod } from "./fixtures.js";

const SLICE = `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec:
  clusterIP: 10.96.0.10
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: svc-1, namespace: default, labels: {kubernetes.io/service-name: svc}}
addressType: IPv4
ports: [{port: 80, protocol: TCP}]
endpoints:
- addresses: [10.0.0.1]
- addresses: [10.0.0.2]
  conditions: {ready: false}
`;

const client = pod("default", "client", { app: "client" }, { ips: ["10.0.1.1"] });
const backend = pod("default", "backend", { app: "backend" }, { ips: ["10.0.0.1"] });

function egressTo(services: string, extra = ""): string {
  return `${SLICE}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: svc-policy}
spec:
  selector: app == 'client'
  types: [Egress]
  egress: [{action: Allow, destination: {services: ${services}}}${extra}]
`;
}

describe("a destination Service is its endpoints' addresses at their slice's ports", () => {
  const { tiers, refused } = compile(egressTo("{name: svc, namespace: default}"));

  it("allows the endpoint at the slice's port only, after translation", () => {
    expect(refused).toEqual([]);
    expect(allowed(tiers, packet(client, backend, "TCP", 80))).toBe(true);
    // The Service's own port and the cluster IP are what kube-proxy translates away.
    expect(allowed(tiers, packet(client, backend, "TCP", 8080))).toBe(false);
    expect(allowed(tiers, packet(client, external("10.96.0.10"), "TCP", 8080))).toBe(false);
    expect(allowed(tiers, packet(client, backend, "UDP", 80))).toBe(false);
    expect(allowed(tiers, packet(client, backend, "ICMP"))).toBe(false);
    expect(allowed(tiers, packet(client, pod("default", "other", {}, { ips: ["10.0.0.9"] }), "TCP", 80))).toBe(false);
  });

  it("tells the slice's addresses apart from other outside addresses on the side the rule names them", () => {
    const policy = tiers.flatMap((t) => t.policies)[0];
    expect(policy?.cidrs?.("egress")).toEqual(expect.arrayContaining(["10.0.0.1/32", "10.0.0.2/32"]));
    expect(policy?.cidrs?.("ingress")).toEqual([]);
  });

  it("holds endpoints that are not ready, and addresses outside every pod", () => {
    expect(allowed(tiers, packet(client, external("10.0.0.2"), "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(client, external("10.0.0.3"), "TCP", 80))).toBe(false);
  });

  it("names the Service in the rule's description", () => {
    expect(tiers.flatMap((t) => t.policies)[0]?.rules?.("egress")[0]?.description).toBe("egress[0] Allow to services default/svc");
  });
});

describe("a Service with a selector is read as the EndpointSlice controller writes its slices", () => {
  const yaml = `
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: web, port: 443, targetPort: https}, {name: stats, port: 9000, protocol: UDP, targetPort: 9102}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: to-api, namespace: shop}
spec:
  selector: app == 'client'
  egress: [{action: Allow, destination: {services: {name: api}}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-api, namespace: shop}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, protocol: TCP, source: {services: {name: api}}, destination: {ports: [5432]}}]
`;
  const { tiers, refused } = compile(yaml);
  const shopClient = pod("shop", "client", { app: "client" });
  const v1 = pod("shop", "api-v1", { app: "api" }, { ports: [{ name: "https", port: 8443, protocol: "TCP" }] });
  const v2 = pod("shop", "api-v2", { app: "api" }, { ports: [{ name: "https", port: 9443, protocol: "TCP" }] });
  const bare = pod("shop", "api-bare", { app: "api" });
  const db = pod("shop", "db", { app: "db" });

  it("resolves a named target port on each pod, and takes a numeric one as it is", () => {
    expect(refused).toEqual([]);
    expect(allowed(tiers, packet(shopClient, v1, "TCP", 8443))).toBe(true);
    expect(allowed(tiers, packet(shopClient, v1, "TCP", 9443))).toBe(false);
    expect(allowed(tiers, packet(shopClient, v2, "TCP", 9443))).toBe(true);
    expect(allowed(tiers, packet(shopClient, v2, "UDP", 9102))).toBe(true);
    // A pod that does not declare the name is no endpoint of that port, but of the numeric one.
    expect(allowed(tiers, packet(shopClient, bare, "TCP", 8443))).toBe(false);
    expect(allowed(tiers, packet(shopClient, bare, "UDP", 9102))).toBe(true);
    // The namespace defaults to the policy's own: a pod of another namespace is not selected.
    expect(allowed(tiers, packet(shopClient, pod("other", "api", { app: "api" }, { ports: [{ name: "https", port: 8443, protocol: "TCP" }] }), "TCP", 8443))).toBe(false);
  });

  it("as a source, every selected pod is in the set, whatever its ports", () => {
    expect(allowed(tiers, packet(bare, db, "TCP", 5432))).toBe(true);
    expect(allowed(tiers, packet(v1, db, "TCP", 5432))).toBe(true);
    expect(allowed(tiers, packet(shopClient, db, "TCP", 5432))).toBe(false);
    expect(allowed(tiers, packet(v1, db, "TCP", 5433))).toBe(false);
  });
});

describe("what Calico's validators refuse", () => {
  const policy = (kind: string, rules: string): string => `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata: {name: p${kind === "NetworkPolicy" ? ", namespace: a" : ""}}\nspec:\n${rules}`;
  it.each([
    ["no name", policy("NetworkPolicy", "  egress: [{action: Allow, destination: {services: {namespace: a}}}]"), "spec.egress.0.destination.services.name", /must specify a service name/],
    ["a bad name", policy("NetworkPolicy", "  egress: [{action: Allow, destination: {services: {name: Web_1}}}]"), "spec.egress.0.destination.services.name", /not a valid name/],
    ["with a selector", policy("NetworkPolicy", "  egress: [{action: Allow, destination: {selector: all(), services: {name: s}}}]"), "spec.egress.0.destination", /Selector\/NotSelector and Services/],
    ["with a namespaceSelector", policy("NetworkPolicy", "  ingress: [{action: Allow, source: {namespaceSelector: all(), services: {name: s}}}]"), "spec.ingress.0.source", /NamespaceSelector and Services/],
    ["with serviceAccounts", policy("NetworkPolicy", "  ingress: [{action: Allow, source: {serviceAccounts: {names: [x]}, services: {name: s}}}]"), "spec.ingress.0.source", /ServiceAccounts and Services/],
    ["with nets", policy("NetworkPolicy", "  egress: [{action: Allow, destination: {nets: [10.0.0.0/8], services: {name: s}}}]"), "spec.egress.0.destination", /Nets\/NotNets and Services/],
    ["with destination ports", policy("NetworkPolicy", "  egress: [{action: Allow, protocol: TCP, destination: {ports: [80], services: {name: s}}}]"), "spec.egress.0.destination.ports", /cannot specify ports with a service selector/],
    ["with destination notPorts", policy("NetworkPolicy", "  egress: [{action: Allow, protocol: TCP, destination: {notPorts: [80], services: {name: s}}}]"), "spec.egress.0.destination.notPorts", /cannot specify notports/],
    ["as an egress source", policy("NetworkPolicy", "  egress: [{action: Allow, source: {services: {name: s}}}]"), "spec.egress.0.source.services", /not allowed in egress rule source/],
    ["as an ingress destination", policy("NetworkPolicy", "  ingress: [{action: Allow, destination: {services: {name: s}}}]"), "spec.ingress.0.destination.services", /not allowed in ingress rule destination/],
    ["without a namespace in a GlobalNetworkPolicy", policy("GlobalNetworkPolicy", "  egress: [{action: Allow, destination: {services: {name: s}}}]"), "spec.egress.0.destination.services.namespace", /must specify a namespace/],
    ["without a namespace in a StagedGlobalNetworkPolicy", policy("StagedGlobalNetworkPolicy", "  ingress: [{action: Allow, source: {services: {name: s}}}]"), "spec.ingress.0.source.services.namespace", /must specify a namespace/],
    ["an unknown field", policy("NetworkPolicy", "  egress: [{action: Allow, destination: {services: {name: s, port: 80}}}]"), "spec.egress.0.destination.services.port", /unknown field "port"/],
  ])("%s", (_name, yaml, path, message) => {
    const match = compile(yaml).refused.find((r) => r.path.join(".") === path);
    expect(match?.reason).toBe("invalid");
    expect(match?.message).toMatch(message);
  });

  it("takes source ports and destination ports beside a source Service", () => {
    expect(compile(policy("NetworkPolicy", "  ingress: [{action: Allow, protocol: TCP, source: {services: {name: s}, ports: [80]}, destination: {ports: [443]}}]")).refused).toEqual([]);
  });
});

describe("EndpointSlices and ExternalName Services", () => {
  it("reads slices by their service-name label even without the Service object, as Felix does", () => {
    const { tiers, notices } = compile(egressTo("{name: svc, namespace: default}").replace(/apiVersion: v1\nkind: Service\n[\s\S]*?---\n/, ""));
    expect(notices).toEqual([]);
    expect(allowed(tiers, packet(client, backend, "TCP", 80))).toBe(true);
    expect(allowed(tiers, packet(client, backend, "TCP", 81))).toBe(false);
  });

  it("gives an ExternalName Service no endpoints, whatever its selector", () => {
    const yaml = `
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: db.example.com, selector: {app: backend}, ports: [{port: 80}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  selector: app == 'client'
  types: [Egress]
  egress: [{action: Allow, destination: {services: {name: ext, namespace: default}}}]
`;
    const { tiers, notices } = compile(yaml);
    expect(notices.map((n) => n.message)).toEqual([expect.stringContaining("names Service default/ext as a destination, and it is an ExternalName Service, which has no endpoints")]);
    expect(allowed(tiers, packet(client, pod("default", "b", { app: "backend" }, { ips: ["10.0.0.1"], ports: [{ port: 80, protocol: "TCP" }] }), "TCP", 80))).toBe(false);
  });
});

describe("a Service without ports", () => {
  const yaml = `
apiVersion: v1
kind: Service
metadata: {name: peers, namespace: default}
spec: {clusterIP: None, selector: {app: backend}}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p, namespace: default}
spec:
  selector: app == 'client' || app == 'backend'
  types: [Ingress, Egress]
  egress: [{action: Allow, destination: {services: {name: peers}}}]
  ingress: [{action: Allow, source: {services: {name: peers}}}]
`;
  const dir = mkdtempSync(join(tmpdir(), "palisade-calico-noports-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("matches nothing as a destination, and says so; as a source its pods still count", async () => {
    const set = compile(yaml);
    const peer = pod("default", "b", { app: "backend" }, { ips: ["10.0.0.1"], ports: [{ port: 80, protocol: "TCP" }] });
    expect(allowed(set.tiers, packet(client, peer, "TCP", 80))).toBe(false);
    expect(allowed(set.tiers, packet(peer, pod("default", "b2", { app: "backend" }, { ips: ["10.0.0.2"] }), "TCP", 80, { srcIp: "10.0.0.1" }))).toBe(false);
    expect(set.notices.map((n) => [n.topic, n.path?.join(".")])).toEqual([["service-without-ports", "spec.egress.0.destination.services"]]);
    const file = join(dir, "policy.yaml");
    writeFileSync(file, yaml);
    const findings = checkCalico(await loadSnapshot({ paths: [file] })).filter((f) => f.ruleId === "calico/service-without-ports");
    expect(findings.map((f) => [f.severity, f.position?.line])).toEqual([["medium", 13]]);
    expect(findings[0]?.message).toMatch(/names Service default\/peers as a destination, and it has no ports \(headless Services often have none\)/);
  });

  it("says so of a Service without a selector whose EndpointSlices list no ports", () => {
    const portless = egressTo("{name: svc, namespace: default}").replace("ports: [{port: 80, protocol: TCP}]\n", "");
    expect(portless).not.toContain("protocol: TCP}]");
    const set = compile(portless);
    expect(set.notices.map((n) => n.message)).toEqual([expect.stringContaining("names Service default/svc as a destination, and its EndpointSlices list no ports")]);
    expect(allowed(set.tiers, packet(client, backend, "TCP", 80))).toBe(false);
  });
});

describe("a Service the input lacks", () => {
  const yaml = egressTo("{name: svc, namespace: defualt}");
  const dir = mkdtempSync(join(tmpdir(), "palisade-calico-svc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("matches nothing, as Felix's empty set does, and says so where the rule names it", async () => {
    const set = compile(yaml);
    expect(set.refused).toEqual([]);
    expect(allowed(set.tiers, packet(client, backend, "TCP", 80))).toBe(false);
    expect(set.notices.map((n) => [n.topic, n.path?.join(".")])).toEqual([["service-not-in-input", "spec.egress.0.destination.services"]]);
    const file = join(dir, "policy.yaml");
    writeFileSync(file, yaml);
    const findings = checkCalico(await loadSnapshot({ paths: [file] }));
    const finding = findings.find((f) => f.ruleId === "calico/service-not-in-input");
    expect(finding?.message).toMatch(/names Service defualt\/svc, which is not in the input/);
    // The `services` key of the rule, in the policy's document (after the Service and its slice).
    expect(finding?.position?.line).toBe(yaml.split("\n").findIndex((l) => l.includes("egress: [{action: Allow")) + 1);
  });
});
