/** `palisade netpol explain --to` a Service: by name or by address, each backend explained on its target port. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ServiceExplanation } from "../../src/network/service-explain.js";
import { repoRoot } from "../support/conformance.js";
import { runNetpol } from "./cli-run.js";

const CLUSTER = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: img}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api, track: stable}}
  template:
    metadata: {labels: {app: api, track: stable}}
    spec: {containers: [{name: c, image: img, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-canary, namespace: shop}
spec:
  selector: {matchLabels: {app: api, track: canary}}
  template:
    metadata: {labels: {app: api, track: canary}}
    spec: {containers: [{name: c, image: img, ports: [{name: http, containerPort: 9000}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch, role: api-like}}
    spec: {containers: [{name: c, image: img}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.10
  selector: {app: api}
  loadBalancerSourceRanges: [198.51.100.0/24]
  externalIPs: [192.0.2.77]
  ports: [{name: web, port: 80, targetPort: http, nodePort: 30080}]
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}]}}
---
apiVersion: v1
kind: Service
metadata: {name: api-local, namespace: shop}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  internalTrafficPolicy: Local
  selector: {app: api, track: stable}
  ports: [{port: 8000, targetPort: 8080, nodePort: 30081}]
---
apiVersion: v1
kind: Node
metadata: {name: worker-1}
status: {addresses: [{type: InternalIP, address: 192.0.2.1}, {type: Hostname, address: worker-1}]}
---
apiVersion: v1
kind: Service
metadata: {name: search, namespace: shop}
spec:
  externalName: search.example.com
  type: ExternalName
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
`;

function manifests(): string {
  const file = join(mkdtempSync(join(tmpdir(), "palisade-svc-")), "cluster.yaml");
  writeFileSync(file, CLUSTER);
  return file;
}

describe("netpol explain --to a Service", () => {
  it("explains each backend on its own target port, and says how many let the connection through", async () => {
    const file = manifests();
    const text = await runNetpol("explain", file, "--from", "shop/web", "--to", "svc/api", "-n", "shop", "--port", "80");
    expect(text.code).toBe(0);
    expect(text.out).toContain("shop/web[Deployment] -> Service shop/api on 80/TCP (to target port http): ALLOWED to 1 of 2 backends");
    expect(text.out).toContain("shop/web[Deployment] -> shop/api[Deployment] on 8080/TCP: ALLOWED");
    expect(text.out).toContain("shop/web[Deployment] -> shop/api-canary[Deployment] on 9000/TCP: DENIED");
    const json = await runNetpol("explain", file, "--from", "shop/web", "--to", "shop/svc/api", "--port", "80/TCP", "-o", "json");
    const answer = JSON.parse(json.out) as ServiceExplanation;
    expect(answer).toMatchObject({ service: "shop/api", port: 80, protocol: "TCP", targetPort: "http", via: "selector", allowedTo: 1 });
    expect(answer.backends.map((b) => [b.endpoint, b.port, b.explanation.allowed])).toEqual([["shop/api[Deployment]", 8080, true], ["shop/api-canary[Deployment]", 9000, false]]);
  });

  it("takes a Service's cluster IP for the Service, and notes the masquerade an outside client gets", async () => {
    const file = manifests();
    const fromPod = await runNetpol("explain", file, "--from", "shop/batch", "--to", "10.96.0.10", "--port", "80", "-o", "json");
    expect(JSON.parse(fromPod.out)).toMatchObject({ service: "shop/api", address: "10.96.0.10", allowedTo: 0 });
    const outside = await runNetpol("explain", file, "--from", "198.51.100.1", "--to", "svc/api", "-n", "shop");
    expect(outside.out).toContain("DENIED to all 2 backends");
    expect(outside.out).toMatch(/note: externalTrafficPolicy is Cluster: kube-proxy masquerades a connection to an external destination to the address of the node it passes, so ingress policies see that node, not 198\.51\.100\.1/);
    // From outside, a cluster IP is no way in.
    const clusterIpFromOutside = await runNetpol("explain", file, "--from", "198.51.100.1", "--to", "10.96.0.10", "-o", "json");
    expect((JSON.parse(clusterIpFromOutside.out) as ServiceExplanation).notes).toEqual([expect.stringMatching(/^a cluster IP answers inside the cluster only: 198\.51\.100\.1 reaches this Service through its external addresses or node ports$/)]);
  });

  it("drops a client outside loadBalancerSourceRanges at the load balancer's address, and only there", async () => {
    const file = manifests();
    const outside = await runNetpol("explain", file, "--from", "203.0.113.99", "--to", "203.0.113.10");
    expect(outside.out).toMatch(/^203\.0\.113\.99 -> Service shop\/api at 203\.0\.113\.10 on 80\/TCP \(to target port http\): DROPPED by kube-proxy \(loadBalancerSourceRanges\)\n/);
    expect(outside.out).toContain("note: kube-proxy drops it at the load balancer's address: 203.0.113.99 is outside loadBalancerSourceRanges (198.51.100.0/24)");
    const json = JSON.parse((await runNetpol("explain", file, "--from", "203.0.113.99", "--to", "203.0.113.10", "-o", "json")).out) as ServiceExplanation;
    expect(json).toMatchObject({ droppedBy: "loadBalancerSourceRanges", allowedTo: 0, entry: "external-address" });
    // Inside the ranges: judged by the policies; at an external IP or a node port the ranges do not apply.
    const inside = JSON.parse((await runNetpol("explain", file, "--from", "198.51.100.1", "--to", "203.0.113.10", "-o", "json")).out) as ServiceExplanation;
    expect(inside.droppedBy).toBeUndefined();
    for (const to of ["192.0.2.77", "192.0.2.1"]) {
      const other = JSON.parse((await runNetpol("explain", file, "--from", "203.0.113.99", "--to", to, "--port", to === "192.0.2.1" ? "30080" : "80", "-o", "json")).out) as ServiceExplanation;
      expect({ to, droppedBy: other.droppedBy, service: other.service }).toEqual({ to, droppedBy: undefined, service: "shop/api" });
    }
    // A pod whose address the manifests do not give: said, not guessed.
    const pod = JSON.parse((await runNetpol("explain", file, "--from", "shop/web", "--to", "203.0.113.10", "-o", "json")).out) as ServiceExplanation;
    expect(pod.droppedBy).toBeUndefined();
    expect(pod.notes[0]).toMatch(/admits only loadBalancerSourceRanges \(198\.51\.100\.0\/24\), and the client's address is not known here/);
  });

  it("takes a node's address at a node port, and a load balancer's address, for the Service, with the masquerade a pod gets there too", async () => {
    const file = manifests();
    const nodePort = JSON.parse((await runNetpol("explain", file, "--from", "shop/web", "--to", "192.0.2.1", "--port", "30080", "-o", "json")).out) as ServiceExplanation;
    expect(nodePort).toMatchObject({ service: "shop/api", entry: "node-port", port: 30080, targetPort: "http", allowedTo: 1 });
    expect(nodePort.backends.map((b) => b.port)).toEqual([8080, 9000]);
    expect(nodePort.notes.join("\n")).toMatch(/masquerades a connection to a node port .* not the pod/);
    const balancer = JSON.parse((await runNetpol("explain", file, "--from", "shop/web", "--to", "203.0.113.10", "-o", "json")).out) as ServiceExplanation;
    expect(balancer).toMatchObject({ service: "shop/api", entry: "external-address", allowedTo: 1 });
    expect(balancer.notes.join("\n")).toMatch(/externalTrafficPolicy is Cluster/);
    expect(balancer.notes.join("\n")).toMatch(/admits only loadBalancerSourceRanges/);
    // By name (its cluster IP) a pod keeps its address: no note.
    expect((JSON.parse((await runNetpol("explain", file, "--from", "shop/web", "--to", "shop/svc/api", "-o", "json")).out) as ServiceExplanation).notes).toEqual([]);
    // externalTrafficPolicy and internalTrafficPolicy Local.
    const local = JSON.parse((await runNetpol("explain", file, "--from", "198.51.100.1", "--to", "192.0.2.1", "--port", "30081", "-o", "json")).out) as ServiceExplanation;
    expect(local).toMatchObject({ service: "shop/api-local", entry: "node-port", port: 30081 });
    expect(local.notes).toEqual(["externalTrafficPolicy is Local: only the backends on the node the connection arrives at serve it, and they see the client's own address"]);
    const inside = JSON.parse((await runNetpol("explain", file, "--from", "shop/web", "--to", "svc/api-local", "-n", "shop", "--port", "8000", "-o", "json")).out) as ServiceExplanation;
    expect(inside.notes).toEqual([expect.stringMatching(/^internalTrafficPolicy is Local: only the backends on the client's own node serve it/)]);
    // A node's address at a port no Service opens there is the node itself: outside the cluster.
    const notNodePort = JSON.parse((await runNetpol("explain", file, "--from", "shop/web", "--to", "192.0.2.1", "--port", "22", "-o", "json")).out) as { to: string };
    expect(notNodePort.to).toBe("192.0.2.1");
  });

  it("keeps the workloads of a namespace called svc reachable as svc/NAME, on both sides", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "palisade-svc-")), "svc-namespace.yaml");
    writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: svc}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: svc}\nspec: {containers: [{name: c, image: i}]}\n");
    const r = await runNetpol("explain", file, "--from", "svc/a", "--to", "svc/b", "-o", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ from: "svc/a[Pod]", to: "svc/b[Pod]", allowed: true });
  });

  it("exits 2 with what to give instead: a port the Service lacks, an ExternalName, an unknown Service, a Service as the source", async () => {
    const file = manifests();
    const cases: [string[], RegExp][] = [
      [["--from", "shop/web", "--to", "svc/api", "-n", "shop", "--port", "8080"], /Service shop\/api has no port 8080\/TCP[\s\S]*its ports: 80\/TCP/],
      [["--from", "shop/web", "--to", "shop/svc/search"], /ExternalName: DNS answers with search\.example\.com[\s\S]*hint: give --to the address/],
      [["--from", "shop/web", "--to", "shop/svc/nope"], /no Service nope in namespace shop[\s\S]*e\.g\. shop\/svc\/api/],
      [["--from", "shop/web", "--to", "shop/svc/"], /--to shop\/svc\/: no Service name after svc\/[\s\S]*hint: give svc\/NAME/],
      [["--from", "shop/svc/api", "--to", "shop/web"], /a Service is no source/],
      [["--from", "10.96.0.10", "--to", "shop/web"], /a Service is no source/],
      [["--from", "shop/web", "--to", "svc/api", "-n", "shop", "--port", "/ICMP"], /forwards TCP, UDP and SCTP ports only/],
    ];
    for (const [args, message] of cases) {
      const r = await runNetpol("explain", file, ...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toMatch(message);
    }
    // An error about a Service points at where it is written.
    const noPort = await runNetpol("explain", file, "--from", "shop/web", "--to", "svc/api", "-n", "shop", "--port", "8080");
    expect(noPort.err).toContain(`${file}:`);
    expect(noPort.err).toMatch(/cluster\.yaml:\d+:\d+: Service shop\/api has no port 8080\/TCP/);
  });
});

describe("netpol matrix --services", () => {
  it("lists who may use each Service port and through which backends, in text, JSON and CSV, and names the Services it leaves out", async () => {
    const file = manifests();
    const text = await runNetpol("matrix", file, "--services");
    expect(text.code).toBe(0);
    expect(text.out).toContain("shop/web[Deployment] => svc shop/api 80/TCP : 1 of 2 backends (shop/api[Deployment] on 8080)\n");
    expect(text.out).toContain("shop/web[Deployment] => svc shop/api-local 8000/TCP : its backend (shop/api[Deployment] on 8080)\n");
    // api-in admits web alone, to both api workloads: nobody else gets a row, the canary not to its own Service either.
    expect(text.out.split("\n").filter((line) => line !== "" && !line.startsWith("shop/web[Deployment] => "))).toEqual([]);
    expect(text.err).toContain("warning: Service shop/search left out: an ExternalName: DNS answers with search.example.com");
    const json = JSON.parse((await runNetpol("matrix", file, "--services", "-o", "json")).out) as { services: number; connections: { from: string; service: string; allowed: unknown[]; backends: number }[] };
    expect(json.services).toBe(3);
    expect(json.connections).toContainEqual({ from: "shop/web[Deployment]", service: "shop/api", port: 80, protocol: "TCP", allowed: [{ endpoint: "shop/api[Deployment]", port: 8080 }], backends: 2 });
    const csv = (await runNetpol("matrix", file, "--services", "-o", "csv")).out.split("\n");
    expect(csv[0]).toBe("from,service,port,allowed_backends,backends");
    expect(csv).toContain("shop/web[Deployment],shop/api,80/TCP,1,2");
  });

  it("keeps the rows of one namespace with -n, and says when the input has no Service", async () => {
    const file = manifests();
    const other = await runNetpol("matrix", file, "--services", "-n", "default");
    expect(other.code).toBe(2);
    const cluster = join(repoRoot, "examples/cluster");
    const all = (await runNetpol("matrix", cluster, "--services", "-o", "json")).out;
    const payments = (await runNetpol("matrix", cluster, "--services", "-n", "payments", "-o", "json")).out;
    type Rows = { connections: { from: string; service: string }[] };
    const inPayments = (row: { from: string; service: string }) => row.from.startsWith("payments/") || row.service.startsWith("payments/");
    expect((JSON.parse(payments) as Rows).connections).toEqual((JSON.parse(all) as Rows).connections.filter(inPayments));
    expect((JSON.parse(payments) as Rows).connections.length).toBeGreaterThan(2);
    expect((JSON.parse(all) as Rows).connections.some((row) => !inPayments(row))).toBe(true);
    const none = join(mkdtempSync(join(tmpdir(), "palisade-svc-")), "none.yaml");
    writeFileSync(none, CLUSTER.split("---\n").filter((doc) => !/kind: Service\n/.test(doc)).join("---\n"));
    const empty = await runNetpol("matrix", none, "--services");
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/--services: the input holds no Service/);
  });
});
