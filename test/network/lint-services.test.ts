/** `netpol lint` on rules written against a Service: its port in place of its target port, its address in place of its pods. */
import { describe, expect, it } from "vitest";
import { scanStreaming } from "../../src/scan/stream.js";
import { netpolFamily } from "../../src/network/family.js";
import { deploymentYaml, lintYaml, policyYaml, yamlDocs } from "./support.js";

const service = (ns: string, name: string, spec: string) => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec: ${spec}
`;

/** api (container port http 8080) behind Service api 80 -> http, and a client. */
const BASE = [
  deploymentYaml("shop", "api"),
  deploymentYaml("shop", "client", { ports: "[]" }),
  service("shop", "api", "{ clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, 'fd00:96::a'], selector: { app: api }, ports: [{ port: 80, targetPort: http }, { port: 81, targetPort: 9090 }, { port: 53, protocol: UDP, targetPort: 5353 }] }"),
];

const SERVICE_RULES = new Set(["netpol/service-port-not-target", "netpol/peer-is-service-address"]);
const serviceFindings = async (...policies: string[]) => (await lintYaml(yamlDocs(...BASE, ...policies))).filter((f) => SERVICE_RULES.has(f.ruleId));
const ids = async (...policies: string[]): Promise<string[]> => (await serviceFindings(...policies)).map((f) => f.ruleId);
/** Each finding of the two rules as [rule, object, field]. */
const placed = async (...policies: string[]) => (await serviceFindings(...policies)).map((f) => [f.ruleId, f.object?.name, f.fieldPath]);

describe("netpol lint: rules naming a Service", () => {
  it("flags an ingress or egress port that is a Service's port the pods do not listen on, where it is written", async () => {
    const findings = await lintYaml(
      yamlDocs(
        ...BASE,
        policyYaml("shop", "in", "{ podSelector: { matchLabels: { app: api } }, ingress: [{ ports: [{ port: 443 }, { port: 80 }] }] }"),
        policyYaml("shop", "out", "{ podSelector: { matchLabels: { app: client } }, policyTypes: [Egress], egress: [{ to: [{ podSelector: { matchLabels: { app: api } } }], ports: [{ port: 81 }] }] }"),
      ),
    );
    const flagged = findings.filter((f) => f.ruleId === "netpol/service-port-not-target");
    expect(flagged.map((f) => [f.object?.name, f.fieldPath, f.severity])).toEqual([
      ["in", "spec.ingress[0].ports[1].port", "medium"],
      ["out", "spec.egress[0].ports[0].port", "medium"],
    ]);
    expect(flagged[0]!.message).toBe(
      "NetworkPolicy/shop/in ingress rule 0 allows port 80/TCP, a Service's port that these pods declare no container port for: Service shop/api forwards it to 8080 (http) on shop/api[Deployment]. Policies judge the connection after that translation, so this port lets none of the Service's connections in",
    );
    expect(flagged[1]!.message).toContain("forwards it to 9090 on shop/api[Deployment]");
    expect(flagged[0]!.position?.line).toBeGreaterThan(1);
  });

  it("is quiet where the rule is right: the target allowed too, a named or matching port, a pod listening on the port itself, no ports, a protocol or a range", async () => {
    const api = "podSelector: { matchLabels: { app: api } }";
    expect(await ids(policyYaml("shop", "both", `{ ${api}, ingress: [{ ports: [{ port: 80 }, { port: 8080 }] }] }`))).toEqual([]);
    expect(await ids(policyYaml("shop", "named", `{ ${api}, ingress: [{ ports: [{ port: http }] }] }`))).toEqual([]);
    expect(await ids(policyYaml("shop", "wide", `{ ${api}, ingress: [{ ports: [{ port: 80, endPort: 9000 }] }] }`))).toEqual([]);
    expect(await ids(policyYaml("shop", "all", `{ ${api}, ingress: [{ from: [{ podSelector: {} }] }] }`))).toEqual([]);
    // 53/TCP is no port of the Service (its 53 is UDP).
    expect(await ids(policyYaml("shop", "tcp", `{ ${api}, ingress: [{ ports: [{ port: 53 }] }] }`))).toEqual([]);
    // The same port 80 allowed to pods no Service of that port selects, and egress to any destination on 80.
    expect(await ids(policyYaml("shop", "client", "{ podSelector: { matchLabels: { app: client } }, ingress: [{ ports: [{ port: 80 }] }], egress: [{ ports: [{ port: 80 }] }] }"))).toEqual([]);
    // A pod that listens on 80 itself is reached there by its own address.
    const listening = [deploymentYaml("shop", "api", { ports: "[{ name: http, containerPort: 8080 }, { containerPort: 80 }]" }), BASE[1]!, BASE[2]!];
    const quiet = await lintYaml(yamlDocs(...listening, policyYaml("shop", "in", `{ ${api}, ingress: [{ ports: [{ port: 80 }] }] }`)));
    expect(quiet.map((f) => f.ruleId)).not.toContain("netpol/service-port-not-target");
  });

  it("is quiet for a headless Service (nothing translates its port) and a Service of another namespace", async () => {
    const pods = [deploymentYaml("shop", "api"), deploymentYaml("other", "api")];
    const policy = policyYaml("shop", "in", "{ podSelector: { matchLabels: { app: api } }, ingress: [{ ports: [{ port: 80 }] }] }");
    const headless = service("shop", "api", "{ clusterIP: None, selector: { app: api }, ports: [{ port: 80, targetPort: http }] }");
    const elsewhere = service("other", "api", "{ selector: { app: api }, ports: [{ port: 80, targetPort: http }] }");
    const found = await lintYaml(yamlDocs(...pods, headless, elsewhere, policy));
    expect(found.map((f) => f.ruleId)).not.toContain("netpol/service-port-not-target");
  });

  it("flags an egress ipBlock that is one of a Service's addresses, in either family, and not a wider block", async () => {
    const out = (cidr: string) => policyYaml("shop", "out", `{ podSelector: { matchLabels: { app: client } }, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: '${cidr}' } }] }] }`);
    const findings = await lintYaml(yamlDocs(...BASE, out("fd00:96:0::a/128")));
    const flagged = findings.filter((f) => f.ruleId === "netpol/peer-is-service-address");
    expect(flagged.map((f) => f.fieldPath)).toEqual(["spec.egress[0].to[0].ipBlock.cidr"]);
    expect(flagged[0]!.message).toContain("is fd00:96:0::a/128, an address of Service shop/api");
    expect(await ids(out("10.96.0.10/32"))).toEqual(["netpol/peer-is-service-address"]);
    expect(await ids(out("10.96.0.0/16"))).toEqual([]);
    expect(await ids(out("10.96.0.11/32"))).toEqual([]);
  });

  it("finds the same in a streaming scan as in a batch lint", async () => {
    const text = yamlDocs(
      ...BASE,
      policyYaml("shop", "in", "{ podSelector: { matchLabels: { app: api } }, ingress: [{ ports: [{ port: 80 }] }] }"),
      policyYaml("shop", "out", "{ podSelector: { matchLabels: { app: client } }, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: 10.96.0.10/32 } }] }] }"),
      service("shop", "typo", "{ selector: { app: apj }, ports: [{ port: 80, targetPort: http }] }"),
      service("shop", "named", "{ selector: { app: api }, ports: [{ port: 80, targetPort: grpc }] }"),
    );
    const batch = (await lintYaml(text)).map((f) => [f.ruleId, f.fieldPath]);
    const streamed = (await scanStreaming({ paths: ["-"], stdinText: text }, {}, [netpolFamily])).result.findings.map((f) => [f.ruleId, f.fieldPath]);
    // The scan orders findings by file and position; the lint, by rule.
    expect(streamed.sort()).toEqual(batch.sort());
    expect(streamed.map(([id]) => id)).toEqual(expect.arrayContaining(["netpol/service-port-not-target", "netpol/peer-is-service-address", "netpol/service-selects-nothing", "netpol/service-target-port-unknown"]));
    // Where the Services are written, in both.
    const positions = async (findings: Promise<{ ruleId: string; position?: { line: number } }[]>) => (await findings).filter((f) => f.ruleId.startsWith("netpol/service-s") || f.ruleId.startsWith("netpol/service-t")).map((f) => f.position?.line);
    expect(await positions(scanStreaming({ paths: ["-"], stdinText: text }, {}, [netpolFamily]).then((r) => r.result.findings))).toEqual(expect.arrayContaining(await positions(lintYaml(text))));
  });

  it("flags a Service that selects no workload of its namespace, and a named target port no selected pod declares, where each is written", async () => {
    const findings = await lintYaml(
      yamlDocs(
        ...BASE,
        service("shop", "typo", "{ selector: { app: apj }, ports: [{ port: 80 }] }"),
        // No workload of namespace empty is in the input: not blamed.
        service("empty", "elsewhere", "{ selector: { app: api }, ports: [{ port: 80 }] }"),
        // http is TCP on api: a UDP port named http has no endpoints; 9090 by number is not judged.
        service("shop", "ports", "{ selector: { app: api }, ports: [{ name: a, port: 80, targetPort: http }, { name: b, port: 81, protocol: UDP, targetPort: http }, { name: c, port: 82, targetPort: 9090 }, { name: d, port: 83, targetPort: grpc }] }"),
      ),
    );
    const about = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => [f.object?.name, f.fieldPath]);
    expect(about("netpol/service-selects-nothing")).toEqual([["typo", "spec.selector"]]);
    expect(about("netpol/service-target-port-unknown")).toEqual([
      ["ports", "spec.ports[1].targetPort"],
      ["ports", "spec.ports[3].targetPort"],
    ]);
    const selectsNothing = findings.find((f) => f.ruleId === "netpol/service-selects-nothing")!;
    expect(selectsNothing.message).toBe("Service shop/typo's selector app=apj matches none of the 2 workloads of its namespace: it has no endpoints, and connections to it are refused");
    expect(selectsNothing.position?.line).toBeGreaterThan(1);
    expect(findings.find((f) => f.fieldPath === "spec.ports[3].targetPort")!.message).toContain("forwards to the container port named grpc, which none of the workloads it selects (shop/api[Deployment]) declares for TCP");
  });

  describe("in Calico rules", () => {
    const calico = (name: string, spec: string) => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec: ${spec}
`;

    it("flags a destination port that is a Service's port, in ingress and in egress to the Service's pods, where it is written", async () => {
      expect(
        await placed(
          calico("in", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: TCP, destination: { ports: [443, 80] } }] }"),
          calico("out", "{ selector: app == 'client', types: [Egress], egress: [{ action: Allow, protocol: TCP, destination: { selector: app == 'api', ports: [81] } }, { action: Allow, protocol: 17, destination: { selector: app == 'api', ports: [53] } }] }"),
        ),
      ).toEqual([
        ["netpol/service-port-not-target", "in", "spec.ingress[0].destination.ports[1]"],
        ["netpol/service-port-not-target", "out", "spec.egress[0].destination.ports[0]"],
        ["netpol/service-port-not-target", "out", "spec.egress[1].destination.ports[0]"],
      ]);
      const [finding] = (await lintYaml(yamlDocs(...BASE, calico("in", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: TCP, destination: { ports: [80] } }] }")))).filter((f) => f.ruleId === "netpol/service-port-not-target");
      expect(finding?.message).toBe(
        "NetworkPolicy.projectcalico.org/shop/in ingress rule 0 allows port 80/TCP, a Service's port that these pods declare no container port for: Service shop/api forwards it to 8080 (http) on shop/api[Deployment]. Policies judge the connection after that translation, so this port lets none of the Service's connections in",
      );
    });

    it("is quiet where the rule is right, or says nothing of which pods it means", async () => {
      expect(
        await placed(
          calico("both", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: TCP, destination: { ports: [80, 8080] } }] }"),
          calico("named", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: TCP, destination: { ports: [http] } }] }"),
          calico("range", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: TCP, destination: { ports: ['80:9000'] } }] }"),
          calico("anywhere", "{ selector: app == 'client', types: [Egress], egress: [{ action: Allow, protocol: TCP, destination: { ports: [80] } }] }"),
          calico("udp", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: UDP, destination: { ports: [80] } }] }"),
          calico("service", "{ selector: app == 'client', types: [Egress], egress: [{ action: Allow, destination: { services: { name: api } } }] }"),
        ),
      ).toEqual([]);
    });

    it("flags an egress destination net that is one of a Service's addresses, and not a wider one", async () => {
      const out = (nets: string) => calico("out", `{ selector: app == 'client', types: [Egress], egress: [{ action: Allow, destination: { nets: [${nets}] } }] }`);
      expect(await placed(out("'10.96.0.10/32'"))).toEqual([["netpol/peer-is-service-address", "out", "spec.egress[0].destination.nets[0]"]]);
      expect(await placed(out("'10.0.0.0/8', 10.96.0.10"))).toEqual([["netpol/peer-is-service-address", "out", "spec.egress[0].destination.nets[1]"]]);
      expect(await placed(out("'10.96.0.0/16'"))).toEqual([]);
      const [finding] = (await lintYaml(yamlDocs(...BASE, out("'fd00:96::a/128'")))).filter((f) => f.ruleId === "netpol/peer-is-service-address");
      expect(finding?.message).toContain("egress rule 0 destination net 0 is fd00:96::a/128, an address of Service shop/api");
      expect(finding?.message).toContain("so this destination net matches none of the Service's traffic");
    });

    it("finds the same in a streaming scan as in a batch lint", async () => {
      const text = yamlDocs(...BASE, calico("in", "{ selector: app == 'api', ingress: [{ action: Allow, protocol: TCP, destination: { ports: [80] } }] }"), calico("out", "{ selector: app == 'client', types: [Egress], egress: [{ action: Allow, destination: { nets: ['10.96.0.10/32'] } }] }"));
      const batch = (await lintYaml(text)).map((f) => [f.ruleId, f.fieldPath, f.position?.line]);
      const streamed = (await scanStreaming({ paths: ["-"], stdinText: text }, {}, [netpolFamily])).result.findings.map((f) => [f.ruleId, f.fieldPath, f.position?.line]);
      expect(streamed.sort()).toEqual(batch.sort());
      expect(streamed.map(([id]) => id)).toEqual(expect.arrayContaining(["netpol/service-port-not-target", "netpol/peer-is-service-address"]));
    });
  });

  describe("in AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy rules", () => {
    const admin = (kind: string, name: string, spec: string) => `
apiVersion: policy.networking.k8s.io/${kind === "ClusterNetworkPolicy" ? "v1alpha2" : "v1alpha1"}
kind: ${kind}
metadata: { name: ${name} }
spec: ${spec}
`;
    const api = "{ pods: { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: shop } }, podSelector: { matchLabels: { app: api } } } }";

    it("flags a Service's port in ports and protocols, and a Service address among networks, where each is written", async () => {
      expect(
        await placed(
          admin("AdminNetworkPolicy", "anp", `{ priority: 5, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }, ingress: [{ action: Allow, from: [{ namespaces: {} }], ports: [{ portNumber: { port: 443 } }, { portNumber: { protocol: TCP, port: 80 } }] }] }`),
          admin("BaselineAdminNetworkPolicy", "default", `{ subject: { namespaces: {} }, egress: [{ action: Allow, to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }], ports: [{ portNumber: { protocol: UDP, port: 53 } }] }, { action: Deny, to: [{ networks: ['10.0.0.0/8', '10.96.0.10/32'] }] }] }`),
          admin("ClusterNetworkPolicy", "cnp", `{ tier: Admin, priority: 7, subject: { namespaces: {} }, egress: [{ action: Accept, to: [${api}], protocols: [{ tcp: { destinationPort: { number: 81 } } }] }] }`),
        ),
      ).toEqual([
        ["netpol/service-port-not-target", "anp", "spec.ingress[0].ports[1].portNumber.port"],
        ["netpol/service-port-not-target", "default", "spec.egress[0].ports[0].portNumber.port"],
        ["netpol/peer-is-service-address", "default", "spec.egress[1].to[0].networks[1]"],
        ["netpol/service-port-not-target", "cnp", "spec.egress[0].protocols[0].tcp.destinationPort.number"],
      ]);
      const findings = await lintYaml(yamlDocs(...BASE, admin("BaselineAdminNetworkPolicy", "default", `{ subject: { namespaces: {} }, egress: [{ action: Deny, to: [{ networks: ['10.96.0.10/32'] }] }] }`)));
      expect(findings.find((f) => f.ruleId === "netpol/peer-is-service-address")?.message).toBe(
        "BaselineAdminNetworkPolicy/default egress rule 0 peer 0 network 0 is 10.96.0.10/32, an address of Service shop/api: it is translated to a backend pod's address before policies judge the connection, so this network matches none of the Service's traffic",
      );
    });

    it("is quiet where the rule covers the target port, names the port, or picks no pods", async () => {
      expect(
        await placed(
          admin("AdminNetworkPolicy", "both", `{ priority: 5, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }, ingress: [{ action: Allow, from: [{ namespaces: {} }], ports: [{ portNumber: { port: 80 } }, { portRange: { start: 8000, end: 8100 } }] }] }`),
          admin("AdminNetworkPolicy", "named", `{ priority: 6, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }, ingress: [{ action: Allow, from: [{ namespaces: {} }], ports: [{ portNumber: { port: 80 } }, { namedPort: http }] }] }`),
          admin("ClusterNetworkPolicy", "anywhere", `{ tier: Baseline, priority: 7, subject: { namespaces: {} }, egress: [{ action: Deny, to: [{ networks: ['0.0.0.0/0'] }], protocols: [{ tcp: { destinationPort: { number: 80 } } }] }] }`),
        ),
      ).toEqual([]);
    });
  });
});
