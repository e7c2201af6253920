/**
 * What a publication opens outside the cluster, port by port: a Service its own ports and
 * node ports, forwarding to its target ports only; a host port its container port; a
 * host-network pod whatever it listens on. Posture must neither say nor count more.
 */
import { describe, expect, it } from "vitest";
import { deployment, postureOf, ruleIds, workload } from "./support.js";

const PUBLISHED = "posture/published-to-every-address";

function service(type: string, ports: string, extra = ""): string {
  return `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: ${type}
${extra}  selector: {app: web}
  ports: ${ports}
---
`;
}

/** Deployment shop/web whose container declares `ports` (YAML flow list). */
function web(ports: string): string {
  return deployment("web", "shop").replace("          resources:", `          ports: ${ports}\n          resources:`);
}

/** Every outside address, but only on `port`. */
function outsideOnly(port: number): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: outside-on-${port}, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: ${port}}]}]
---
`;
}

async function reasonOf(yaml: string, name = "web"): Promise<string | undefined> {
  const report = await postureOf(yaml);
  return workload(report, name).pillars.network.deductions.find((d) => d.ruleId === PUBLISHED)?.reason;
}

describe("posture: what a publication opens", () => {
  it("a LoadBalancer with no policy opens its port, a node port and the pods' target port, not every port", async () => {
    // microservices-demo's frontend-external: port 80 to the pods' 8080, nothing isolating them.
    expect(await reasonOf(service("LoadBalancer", "[{port: 80, targetPort: 8080}]") + web("[{containerPort: 8080}]"))).toBe(
      "published outside the cluster through Service web (LoadBalancer) on port 80/TCP and an allocated node port, and nothing narrows who may connect: every address outside the cluster may connect to its pods on TCP 8080",
    );
  });

  it("names the node ports a Service sets, and none when a LoadBalancer allocates none", async () => {
    const nodePort = await reasonOf(service("NodePort", "[{port: 80, targetPort: 8080, nodePort: 30080}, {port: 53, protocol: UDP}]") + web("[]"));
    expect(nodePort).toContain("through Service web (NodePort) on node port 30080/TCP and an allocated one, and nothing narrows");
    expect(nodePort).toContain("may connect to its pods on TCP 8080,UDP 53");
    const noNodePorts = await reasonOf(service("LoadBalancer", "[{port: 443, targetPort: 8443}]", "  allocateLoadBalancerNodePorts: false\n") + web("[]"));
    expect(noNodePorts).toContain("through Service web (LoadBalancer) on port 443/TCP, and nothing narrows");
    // A node port set by hand is still reserved when allocation is off.
    const named = await reasonOf(service("LoadBalancer", "[{port: 443, targetPort: 8443, nodePort: 30443}]", "  allocateLoadBalancerNodePorts: false\n") + web("[]"));
    expect(named).toContain("on port 443/TCP and node port 30443/TCP,");
  });

  it("a named target port resolves on the pod's container ports of that name and protocol; a name it does not declare forwards nothing", async () => {
    const lb = service("LoadBalancer", "[{port: 80, targetPort: http}]");
    expect(await reasonOf(lb + web("[{name: http, containerPort: 8080}]"))).toContain("may connect to its pods on TCP 8080");
    // The Service port is TCP: a UDP port of that name is not its endpoint (upstream FindPort matches the protocol too).
    const report = await postureOf(lb + web("[{name: http, containerPort: 8080, protocol: UDP}]"));
    expect(ruleIds(workload(report, "web"))).not.toContain(PUBLISHED);
    expect(report.graph.edges.filter((e) => e.source === "outside")).toEqual([]);
  });

  it("policies that admit the outside only on a port the Service does not forward to leave it unreachable from outside", async () => {
    const lb = service("LoadBalancer", "[{port: 80, targetPort: 8080}]");
    const shut = await postureOf(outsideOnly(9090) + lb + web("[{containerPort: 8080}, {containerPort: 9090}]"));
    const w = workload(shut, "web");
    expect(ruleIds(w)).not.toContain(PUBLISHED);
    expect(w.facts).toContain(
      "published outside the cluster through Service web (LoadBalancer) on port 80/TCP and an allocated node port, but its policies admit addresses outside the cluster only on ports that way does not forward to",
    );
    expect(shut.graph.edges.filter((e) => e.source === "outside")).toEqual([]);
    // On the forwarded port they do admit it.
    const open = await postureOf(outsideOnly(8080) + lb + web("[{containerPort: 8080}]"));
    expect(workload(open, "web").pillars.network.deductions.find((d) => d.ruleId === PUBLISHED)?.reason).toContain("may connect to its pods on TCP 8080");
    expect(open.graph.edges.filter((e) => e.source === "outside")).toHaveLength(1);
  });

  it("a host port forwards to its container port; a host-network pod answers on whatever it listens on", async () => {
    const hostPort = await reasonOf(web("[{containerPort: 8080, hostPort: 80}]"));
    expect(hostPort).toBe(
      "published outside the cluster through host port 80/TCP (to container port 8080), and nothing narrows who may connect: every address outside the cluster may connect to its pods on TCP 8080",
    );
    const hostNetwork = await reasonOf(web("[{containerPort: 9100}]").replace("      securityContext: {runAsNonRoot", "      hostNetwork: true\n      securityContext: {runAsNonRoot"));
    expect(hostNetwork).toBe(
      "published outside the cluster through the node's network (hostNetwork), and nothing narrows who may connect: every address outside the cluster may connect to every port it listens on, at its node's addresses",
    );
  });

  it("egress allowed on different ports to different addresses is not every address on every one of them", async () => {
    const egress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: split-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - {to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 443}]}
    - {to: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 80}]}
    - {to: [{ipBlock: {cidr: "::/0"}}], ports: [{port: 443}]}
---
`;
    const report = await postureOf(egress + web("[]"));
    const reason = workload(report, "web").pillars.network.deductions.find((d) => d.ruleId === "posture/egress-to-every-address")?.reason;
    expect(reason).toBe("may connect to every address outside the cluster (each on some of TCP 80,443): a way out for data, and for a compromised process to fetch its tools");
  });

  it("a LoadBalancer's source ranges narrow who may connect; its fact says that kube-proxy leaves its node ports to the nodes' firewall", async () => {
    const ranged = service("LoadBalancer", "[{port: 80, targetPort: 8080}]", "  loadBalancerSourceRanges: [203.0.113.0/24]\n");
    const w = workload(await postureOf(ranged + web("[{containerPort: 8080}]")), "web");
    expect(ruleIds(w)).not.toContain(PUBLISHED);
    expect(w.facts).toContain(
      "published outside the cluster through Service web (LoadBalancer) on port 80/TCP and an allocated node port (kube-proxy does not apply the ranges at its node ports: only the nodes' firewall keeps other addresses out there), to 203.0.113.0/24 only",
    );
    // Without node ports, the ranges are all the way in, and nothing needs saying.
    const closed = workload(await postureOf(ranged.replace("  loadBalancerSourceRanges:", "  allocateLoadBalancerNodePorts: false\n  loadBalancerSourceRanges:") + web("[{containerPort: 8080}]")), "web");
    expect(closed.facts).toContain("published outside the cluster through Service web (LoadBalancer) on port 80/TCP, to 203.0.113.0/24 only");
  });

  it("a Service's external IPs publish its ports there, whatever its type; a headless Service's are not programmed", async () => {
    const external = (type: string, extra = "") => service(type, "[{port: 80, targetPort: 8080}]", `  externalIPs: [198.51.100.10]\n${extra}`);
    expect(await reasonOf(external("ClusterIP") + web("[{containerPort: 8080}]"))).toBe(
      "published outside the cluster through Service web (ClusterIP) at external IP 198.51.100.10 on port 80/TCP, and nothing narrows who may connect: every address outside the cluster may connect to its pods on TCP 8080",
    );
    // Source ranges do not guard external IPs either.
    expect(await reasonOf(external("LoadBalancer", "  allocateLoadBalancerNodePorts: false\n  loadBalancerSourceRanges: [203.0.113.0/24]\n") + web("[{containerPort: 8080}]"))).toContain("through Service web (LoadBalancer) at external IP 198.51.100.10 on port 80/TCP, and nothing narrows");
    const headless = await postureOf(external("ClusterIP", "  clusterIP: None\n") + web("[{containerPort: 8080}]"));
    expect(ruleIds(workload(headless, "web"))).not.toContain(PUBLISHED);
    const inside = await postureOf(service("ClusterIP", "[{port: 80, targetPort: 8080}]") + web("[{containerPort: 8080}]"));
    expect(ruleIds(workload(inside, "web"))).not.toContain(PUBLISHED);
  });
});
