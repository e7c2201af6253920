/**
 * manifest/fails-validation, Services: pkg/apis/core/validation ValidateService and its
 * helpers after SetDefaults_Service (pkg/apis/core/v1/defaults.go), with the cluster-IP
 * checks the Service storage makes first while allocating (initIPFamilyFields, which runs
 * ValidateServiceClusterIPsRelatedFields and refuses with those errors alone).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { conformancePath, repoRoot } from "../support/conformance.js";

async function refusals(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/fails-validation");
}

const texts = async (yaml: string) => (await refusals(yaml)).map((f) => f.message.replace(/ \(the API server refuses the object: .*\)$/, ""));

/** A Service named web, its spec given as YAML lines under `spec:`. */
const service = (spec: string, metadata = "  name: web") => `apiVersion: v1
kind: Service
metadata:
${metadata}
spec:
${spec}
`;

const PORT_80 = "  ports: [{port: 80}]";
const PORT_RANGE = "must be between 1 and 65535, inclusive";
const NOT_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const NOT_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
const LABEL_FORMAT = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_FORMAT = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE_FORMAT = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const PREFIX_FORMAT = `prefix part ${SUBDOMAIN_FORMAT}`;

describe("ports", () => {
  it("a Service needs ports, unless it is headless or ExternalName", async () => {
    const [found] = await refusals(service("  selector: {app: web}"));
    expect([found?.fieldPath, found?.message.split(" (the API")[0]]).toEqual(["spec.ports", "spec.ports: Required value"]);
    expect(await texts(service("  clusterIP: None\n  selector: {app: web}"))).toEqual([]);
    expect(await texts(service("  type: ExternalName\n  externalName: db.example.com"))).toEqual([]);
    expect(await texts(service("  ports: []\n  type: NodePort"))).toEqual(["spec.ports: Required value"]);
  });

  it("a port is 1-65535, and an unset targetPort takes its value (and its error)", async () => {
    expect(await texts(service("  ports: [{port: 70000}]"))).toEqual([`spec.ports[0].port: Invalid value: 70000: ${PORT_RANGE}`, `spec.ports[0].targetPort: Invalid value: 70000: ${PORT_RANGE}`]);
    expect(await texts(service("  ports: [{targetPort: 8080}]"))).toEqual([`spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`]);
    expect(await texts(service("  ports: [{port: 80, targetPort: 0}]"))).toEqual([]);
  });

  it("the protocol is TCP, UDP or SCTP, in capitals (empty is TCP)", async () => {
    expect(await texts(service("  ports: [{name: a, port: 53, protocol: udp}, {name: b, port: 80, protocol: ''}]"))).toEqual([`spec.ports[0].protocol: Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"`]);
  });

  it("a targetPort is a port number or an IANA service name", async () => {
    expect(await texts(service("  ports: [{port: 80, targetPort: 70000}]"))).toEqual([`spec.ports[0].targetPort: Invalid value: 70000: ${PORT_RANGE}`]);
    expect(await texts(service("  ports: [{port: 80, targetPort: http_port}]"))).toEqual([`spec.ports[0].targetPort: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`]);
    expect(await texts(service("  ports: [{port: 80, targetPort: '8080'}]"))).toEqual([`spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)`]);
  });

  it("several ports each need a name, a DNS-1123 label, unique", async () => {
    expect(await texts(service("  ports: [{name: http, port: 80}, {port: 443}]"))).toEqual(["spec.ports[1].name: Required value"]);
    expect(await texts(service("  ports: [{name: Http, port: 80}]"))).toEqual([`spec.ports[0].name: Invalid value: "Http": ${LABEL_FORMAT}`]);
    expect(await texts(service("  ports: [{name: web, port: 80}, {name: web, port: 443}]"))).toEqual(['spec.ports[1].name: Duplicate value: "web"']);
  });

  it("no two ports share a port number and protocol", async () => {
    const found = await refusals(service("  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 80, protocol: UDP}\n  - {name: c, port: 80, targetPort: 8080}"));
    expect(found.map((f) => [f.fieldPath, f.message.split(" (the API")[0], f.position?.line])).toEqual([
      ["spec.ports[2]", 'spec.ports[2]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}', 9],
    ]);
  });

  it("an appProtocol is a qualified name", async () => {
    expect(await texts(service("  ports: [{port: 80, appProtocol: kubernetes.io/h2c}]"))).toEqual([]);
    expect(await texts(service("  ports: [{port: 80, appProtocol: HTTP/2}]"))).toEqual([`spec.ports[0].appProtocol: Invalid value: "HTTP/2": ${PREFIX_FORMAT}`]);
  });
});

describe("node ports", () => {
  it("a ClusterIP Service may not ask for a nodePort, and repeats within the Service are refused", async () => {
    expect(await texts(service("  ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30080}]"))).toEqual([
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      "spec.ports[1].nodePort: Duplicate value: 30080",
    ]);
  });

  it("a NodePort Service's nodePorts are the allocator's to judge (its range is the cluster's)", async () => {
    expect(await texts(service("  type: NodePort\n  ports: [{name: a, port: 53, nodePort: 30053}, {name: b, port: 53, protocol: UDP, nodePort: 30053}]"))).toEqual([]);
  });
});

describe("types", () => {
  it("the type is one of four, capitalized as written", async () => {
    expect(await texts(service(`  type: Nodeport\n${PORT_80}`))).toEqual([`spec.type: Unsupported value: "Nodeport": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`]);
  });

  it("an ExternalName Service needs a DNS name, and no cluster IPs or families", async () => {
    expect(await texts(service("  type: ExternalName"))).toEqual(["spec.externalName: Required value"]);
    expect(await texts(service("  type: ExternalName\n  externalName: https://db.example.com"))).toEqual([`spec.externalName: Invalid value: "https://db.example.com": ${SUBDOMAIN_FORMAT}`]);
    expect(await texts(service("  type: ExternalName\n  externalName: db.example.com.\n  clusterIP: None\n  ipFamilies: [IPv4]\n  ipFamilyPolicy: SingleStack"))).toEqual([
      "spec.clusterIPs: Forbidden: may not be set for ExternalName services",
      "spec.ipFamilies: Forbidden: may not be set for ExternalName services",
      "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services",
    ]);
  });

  it("a NodePort or LoadBalancer Service may not be headless", async () => {
    const [found] = await refusals(service(`  type: NodePort\n  clusterIP: None\n${PORT_80}`));
    expect([found?.fieldPath, found?.message.split(" (the API")[0]]).toEqual(["spec.clusterIP", `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`]);
    expect(await texts(service(`  type: LoadBalancer\n  clusterIPs: [None]\n  clusterIP: None\n${PORT_80}`))).toEqual([`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`]);
  });

  it("allocateLoadBalancerNodePorts, loadBalancerClass and loadBalancerSourceRanges are for LoadBalancers", async () => {
    expect(await texts(service(`  type: NodePort\n  allocateLoadBalancerNodePorts: false\n  loadBalancerClass: example.com/vip\n  loadBalancerSourceRanges: [10.0.0.0/8]\n${PORT_80}`))).toEqual([
      "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
      "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
      "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'",
    ]);
    expect(await texts(service(`  type: LoadBalancer\n  loadBalancerClass: Example.com/vip\n${PORT_80}`))).toEqual([`spec.loadBalancerClass: Invalid value: "Example.com/vip": ${PREFIX_FORMAT}`]);
  });

  it("source ranges are CIDRs, space around them allowed, in the field or its annotation", async () => {
    expect(await texts(service(`  type: LoadBalancer\n  loadBalancerSourceRanges: [' 10.0.0.0/8 ', 10.0.0.0/33, 10.1/16]\n${PORT_80}`))).toEqual([
      `spec.LoadBalancerSourceRanges[1]: Invalid value: "10.0.0.0/33": ${NOT_CIDR}`,
      `spec.LoadBalancerSourceRanges[2]: Invalid value: "10.1/16": ${NOT_CIDR}`,
    ]);
    const annotated = (type: string) => service(`  type: ${type}\n${PORT_80}`, "  name: web\n  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: '10.0.0.0/8, 192.168.0.0/40'}");
    expect(await texts(annotated("ClusterIP"))).toEqual([
      "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Forbidden: may only be used when `type` is 'LoadBalancer'",
      `metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "192.168.0.0/40": ${NOT_CIDR}`,
    ]);
  });
});

describe("cluster IPs and families, judged while allocating", () => {
  it("a clusterIP that is no IP is refused alone, before the object's validation (its name too)", async () => {
    const found = await refusals(service("  clusterIP: 10.0.0\n  ports: [{port: 0}]", "  name: Web"));
    expect(found.map((f) => [f.fieldPath, f.message.split(" (the API")[0], f.position?.line])).toEqual([["spec.clusterIP", `spec.clusterIPs[0]: Invalid value: "10.0.0": ${NOT_IP}`, 6]]);
  });

  it("clusterIPs start with clusterIP, and are not given without it", async () => {
    expect(await texts(service(`  clusterIP: 10.0.0.1\n  clusterIPs: [10.0.0.2]\n${PORT_80}`))).toEqual(['spec.clusterIPs: Invalid value: ["10.0.0.2"]: first value must match `clusterIP`']);
    expect(await texts(service(`  clusterIPs: [10.0.0.2]\n${PORT_80}`))).toEqual(['spec.clusterIPs: Invalid value: ["10.0.0.2"]: must be empty when `clusterIP` is not specified']);
  });

  it("at most two cluster IPs, one of each family, and None only alone", async () => {
    const dual = (ips: string) => service(`  clusterIP: ${ips.split(",")[0]}\n  clusterIPs: [${ips}]\n  ipFamilyPolicy: RequireDualStack\n${PORT_80}`);
    expect(await texts(dual("10.0.0.1,10.0.0.2"))).toEqual(['spec.clusterIPs: Invalid value: ["10.0.0.1","10.0.0.2"]: may specify no more than one IP for each IP family']);
    expect(await texts(dual("None,fd00::1"))).toEqual(['spec.clusterIPs: Invalid value: ["None","fd00::1"]: \'None\' must be the first and only value']);
    expect(await texts(dual("10.0.0.1,fd00::1,10.0.0.2"))).toEqual(['spec.clusterIPs: Invalid value: ["10.0.0.1","fd00::1","10.0.0.2"]: may only hold up to 2 values']);
  });

  it("families are IPv4 or IPv6, each once, matching the cluster IPs", async () => {
    expect(await texts(service(`  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [ipv4, IPv6, IPv6]\n${PORT_80}`))).toEqual([
      `spec.ipFamilies[0]: Unsupported value: "ipv4": supported values: "IPv4", "IPv6"`,
      'spec.ipFamilies[2]: Duplicate value: "IPv6"',
    ]);
    expect(await texts(service(`  clusterIP: 10.0.0.1\n  ipFamilies: [IPv6]\n${PORT_80}`))).toEqual(["spec.clusterIPs[0]: Invalid value: \"10.0.0.1\": expected an IPv6 value as indicated by `ipFamilies[0]`"]);
    expect(await texts(service(`  ipFamilyPolicy: DualStack\n${PORT_80}`))).toEqual([`spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"`]);
  });

  it("two families or cluster IPs need a dual-stack policy (an unset one is SingleStack)", async () => {
    expect(await texts(service(`  ipFamilies: [IPv4, IPv6]\n${PORT_80}`))).toEqual([`spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified`]);
    const [found] = await refusals(service(`  clusterIP: 10.0.0.1\n  clusterIPs: [10.0.0.1, "fd00::1"]\n  ipFamilyPolicy: SingleStack\n${PORT_80}`));
    expect([found?.fieldPath, found?.message.split(" (the API")[0]]).toEqual(["spec.ipFamilyPolicy", `spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified`]);
  });
});

describe("traffic, affinity, addresses and selector", () => {
  it("externalTrafficPolicy is for externally accessible Services, Cluster or Local", async () => {
    expect(await texts(service(`  externalTrafficPolicy: Local\n${PORT_80}`))).toEqual([`spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`]);
    expect(await texts(service(`  externalTrafficPolicy: Local\n  externalIPs: [203.0.113.7]\n${PORT_80}`))).toEqual([]);
    expect(await texts(service(`  type: NodePort\n  externalTrafficPolicy: local\n${PORT_80}`))).toEqual([`spec.externalTrafficPolicy: Unsupported value: "local": supported values: "Cluster", "Local"`]);
  });

  it("healthCheckNodePort only for a LoadBalancer with Local traffic", async () => {
    expect(await texts(service(`  type: NodePort\n  healthCheckNodePort: 30100\n${PORT_80}`))).toEqual(["spec.healthCheckNodePort: Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"]);
    expect(await texts(service(`  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 30100\n${PORT_80}`))).toEqual([]);
  });

  it("internalTrafficPolicy is Cluster or Local", async () => {
    expect(await texts(service(`  internalTrafficPolicy: Node\n${PORT_80}`))).toEqual([`spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"`]);
  });

  it("sessionAffinity is ClientIP or None, a ClientIP timeout 1-86400 seconds", async () => {
    expect(await texts(service(`  sessionAffinity: clientIP\n${PORT_80}`))).toEqual([`spec.sessionAffinity: Unsupported value: "clientIP": supported values: "ClientIP", "None"`]);
    expect(await texts(service(`  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 90000}}\n${PORT_80}`))).toEqual(["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400"]);
    expect(await texts(service(`  sessionAffinity: None\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n${PORT_80}`))).toEqual([]);
  });

  it("external IPs are IPs, not unspecified, loopback or link-local", async () => {
    expect(await texts(service(`  externalIPs: [1.2.3, 0.0.0.0, 127.0.0.1, "fe80::1", 224.0.0.5]\n${PORT_80}`))).toEqual([
      `spec.externalIPs[0]: Invalid value: "1.2.3": ${NOT_IP}`,
      'spec.externalIPs[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
      'spec.externalIPs[2]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'spec.externalIPs[3]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'spec.externalIPs[4]: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ]);
  });

  it("the selector is a map of labels", async () => {
    expect(await texts(service(`  selector: {app: web server}\n${PORT_80}`))).toEqual([`spec.selector: Invalid value: "web server": ${LABEL_VALUE_FORMAT}`]);
  });

  it("the topology-mode annotation matches the deprecated topology-aware-hints one", async () => {
    const metadata = "  name: web\n  annotations: {service.kubernetes.io/topology-mode: Auto, service.kubernetes.io/topology-aware-hints: auto}";
    expect(await texts(service(PORT_80, metadata))).toEqual([`metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Auto": must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified`]);
  });
});

describe("valid Services", () => {
  it("every type, headless, named ports, ExternalName and dual-stack pass", async () => {
    const valid = [
      service("  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}, {name: https, port: 443, targetPort: 8443, appProtocol: https}]"),
      service("  type: NodePort\n  externalTrafficPolicy: Local\n  ports: [{port: 80, nodePort: 30080}]"),
      service("  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  loadBalancerClass: example.com/vip\n  loadBalancerSourceRanges: [203.0.113.0/24, '2001:db8::/32']\n  ports: [{port: 443}]"),
      service("  type: ExternalName\n  externalName: db.example.com.\n  ports: [{port: 5432}]"),
      service("  clusterIP: None\n  selector: {app: db}\n  ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53}]"),
      service("  clusterIP: None\n  ipFamilies: [IPv6, IPv4]"),
      service("  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10, 'fd00::a']\n  ipFamilies: [IPv4, IPv6]\n  ipFamilyPolicy: RequireDualStack\n  ports: [{port: 53}]"),
      service("  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv4, IPv6]\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86400}}\n  internalTrafficPolicy: Local\n  ports: [{port: 80}]"),
      // The legacy parser reads leading zeros as decimal and takes IPv4-mapped IPv6.
      service("  clusterIP: 010.096.000.010\n  externalIPs: ['::ffff:203.0.113.9']\n  ports: [{port: 80}]"),
      service("  ports: [{port: 80}]", "  name: web"),
    ];
    for (const yaml of valid) expect(await texts(yaml), yaml).toEqual([]);
  });

  it("finds nothing in the examples, the bundled cluster, the deployment and the conformance data's Services", async () => {
    const paths = [join(repoRoot, "examples"), join(repoRoot, "deploy")];
    const netpol = conformancePath("netpol/np-guard-connlist");
    if (netpol) paths.push(netpol);
    const snapshot = await loadSnapshot({ paths });
    const services = snapshot.objects.filter((o) => o.object.apiVersion === "v1" && o.object.kind === "Service");
    expect(services.length).toBeGreaterThan(netpol ? 30 : 10);
    const found = manifestFamily.check({ ...snapshot, objects: services }, {}).filter((f) => f.ruleId === "manifest/fails-validation");
    expect(found.map((f) => `${f.object?.name}: ${f.message}`)).toEqual([]);
  });
});
