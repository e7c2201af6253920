/** Workload endpoints: owned Pods folded into their controller, pod IPs, hostNetwork, implied namespaces. */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { buildEndpoints, containerPorts, EndpointsBuilder, findWorkload } from "../../src/network/endpoints.js";

const yaml = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { team: a } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: shop }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      hostNetwork: true
      containers: [{ name: a, image: i, ports: [{ containerPort: 9100, name: metrics }] }]
      initContainers: [{ name: sidecar, image: i, restartPolicy: Always, ports: [{ containerPort: 15001, protocol: UDP }] }, { name: init, image: i, ports: [{ containerPort: 1 }] }]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-7d9f-abcde
  namespace: shop
  labels: { app: web }
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, controller: true, uid: x }]
spec: { containers: [{ name: web, image: i }] }
status: { podIP: 10.0.0.5, podIPs: [{ ip: 10.0.0.5 }, { ip: "fd00::5" }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: web-7d9f-fghij
  namespace: shop
  labels: { app: web }
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, controller: true, uid: x }]
spec: { containers: [{ name: web, image: i }] }
status: { podIP: 10.0.0.6 }
---
apiVersion: v1
kind: Pod
metadata:
  name: etcd-node-1
  namespace: shop
  labels: { component: etcd }
  ownerReferences: [{ apiVersion: v1, kind: Node, name: node-1, controller: true, uid: n }]
spec: { containers: [{ name: etcd, image: i }] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: report }
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata: { labels: { app: report } }
        spec: { containers: [{ name: r, image: i }], restartPolicy: Never }
`;

describe("buildEndpoints", () => {
  it("one endpoint per workload with its labels, ports, IPs and namespace labels", async () => {
    const { workloads, namespaces } = buildEndpoints(await loadSnapshot({ paths: ["-"], stdinText: yaml }));
    expect(workloads.map((w) => `${w.endpoint.namespace}/${w.endpoint.name} ${w.endpoint.workload}`)).toEqual(["shop/agent DaemonSet/agent", "shop/web-7d9f ReplicaSet/web-7d9f", "shop/etcd-node-1 Pod/etcd-node-1", "default/report CronJob/report"]);
    // A static pod's mirror (controlled by its Node) stands for itself: a Node is no workload.
    const [agent, web, , report] = workloads.map((w) => w.endpoint);
    expect(agent!.hostNetwork).toBe(true);
    expect(agent!.ports).toEqual([
      { name: "metrics", port: 9100, protocol: "TCP" },
      { port: 15001, protocol: "UDP" },
    ]);
    expect(web!.ips).toEqual(["10.0.0.5", "fd00::5", "10.0.0.6"]);
    expect(web!.namespaceLabels).toEqual({ team: "a", "kubernetes.io/metadata.name": "shop" });
    expect(report!.namespaceLabels).toEqual({ "kubernetes.io/metadata.name": "default" });
    expect(namespaces.has("default")).toBe(true);
    const endpoints = { workloads, namespaces };
    expect(findWorkload(endpoints, "shop/web-7d9f-fghij")?.endpoint.name).toBe("web-7d9f");
    expect(findWorkload(endpoints, "report")?.endpoint.name).toBe("report");
    expect(findWorkload(endpoints, "shop/nothing")).toBeUndefined();
  });

  it("gives a finished pod (Succeeded, Failed) no address: it released it, and a running pod may hold it now", async () => {
    const pod = (name: string, phase: string, ip: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: a, labels: { app: ${name} } }\nspec: { containers: [{ name: c, image: i }] }\nstatus: { phase: ${phase}, podIP: ${ip}, podIPs: [{ ip: ${ip} }] }\n`;
    const text = [pod("job-x", "Succeeded", "10.77.0.10"), pod("crashed", "Failed", "10.77.0.12"), pod("web", "Running", "10.77.0.10")].join("---\n");
    const { workloads } = buildEndpoints(await loadSnapshot({ paths: ["-"], stdinText: text }));
    expect(workloads.map((w) => [w.endpoint.name, w.endpoint.ips])).toEqual([
      ["job-x", []],
      ["crashed", []],
      ["web", ["10.77.0.10"]],
    ]);
  });

  it("folds Pods into a controller that comes after them, and slims what it keeps", async () => {
    // The ReplicaSet that owns the two web Pods, after them in the input.
    const owner = "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: web-7d9f, namespace: shop }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web, pod-template-hash: 7d9f } }\n    spec: { containers: [{ name: web, image: i }] }\n";
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml + owner });
    const builder = new EndpointsBuilder(new Map([["shop", { team: "a", "kubernetes.io/metadata.name": "shop" }]]), true);
    for (const loaded of snapshot.objects) builder.add(loaded);
    const built = builder.build();
    expect(built.workloads.map((w) => `${w.endpoint.namespace}/${w.endpoint.name} ${w.endpoint.workload}`)).toEqual(["shop/agent DaemonSet/agent", "shop/etcd-node-1 Pod/etcd-node-1", "default/report CronJob/report", "shop/web-7d9f ReplicaSet/web-7d9f"]);
    const web = built.workloads[3]!;
    // The controller's own template, not the Pods' (which lack only the label the controller adds): they were folded into it, with their names and IPs.
    expect(web.endpoint.labels).toEqual({ app: "web", "pod-template-hash": "7d9f" });
    expect(web.podNames).toEqual(["web-7d9f-abcde", "web-7d9f-fghij"]);
    expect(web.endpoint.ips).toEqual(["10.0.0.5", "fd00::5", "10.0.0.6"]);
    // What a finding needs of the object, and nothing of its tree.
    expect(web.source.object).toEqual({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-7d9f", namespace: "shop" } });
    expect(web.source.source.locate([])).toEqual(snapshot.objects.at(-1)!.source.locate([]));
    expect(web.source.source.position).toEqual(snapshot.objects.at(-1)!.source.position);
    // Fields' positions are not kept: asking for one is an error, not a wrong answer.
    expect(() => web.source.source.locate(["spec", "template"])).toThrow(/spec.template was not kept/);
    expect(built).toEqual({ ...buildEndpoints(snapshot), workloads: built.workloads });
    expect(built.workloads.map((w) => w.endpoint)).toEqual(buildEndpoints(snapshot).workloads.map((w) => w.endpoint));
  });

  it("follows owner references up the chain: one workload per Deployment and CronJob, with its Pods' names and IPs", async () => {
    // What `kubectl get all -o yaml` gives: every level of each chain.
    const all = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ns, uid: d1 }
spec:
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x }] } }
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4f8-abcde
  namespace: ns
  labels: { app: web, pod-template-hash: 5d4f8 }
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f8, uid: r1, controller: true }]
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.244.1.5 }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4f8
  namespace: ns
  uid: r1
  ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true }]
spec:
  selector: { matchLabels: { app: web, pod-template-hash: 5d4f8 } }
  template: { metadata: { labels: { app: web, pod-template-hash: 5d4f8 } }, spec: { containers: [{ name: c, image: x }] } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: cj, namespace: ns, uid: c1 }
spec:
  schedule: "* * * * *"
  jobTemplate: { spec: { template: { metadata: { labels: { app: cj } }, spec: { containers: [{ name: c, image: x }], restartPolicy: Never } } } }
---
apiVersion: batch/v1
kind: Job
metadata:
  name: cj-123
  namespace: ns
  ownerReferences: [{ apiVersion: batch/v1, kind: CronJob, name: cj, uid: c1, controller: true }]
spec:
  template: { metadata: { labels: { app: cj } }, spec: { containers: [{ name: c, image: x }], restartPolicy: Never } }
---
apiVersion: v1
kind: Pod
metadata:
  name: cj-123-xyz
  namespace: ns
  labels: { app: cj }
  ownerReferences: [{ apiVersion: batch/v1, kind: Job, name: cj-123, uid: j1, controller: true }]
spec: { containers: [{ name: c, image: x }], restartPolicy: Never }
status: { podIPs: [{ ip: 10.244.2.7 }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: ns }
spec:
  selector: { matchLabels: { app: db } }
  serviceName: db
  template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: c, image: x }] } }
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: ns
  labels: { app: db }
  ownerReferences: [{ apiVersion: apps/v1, kind: StatefulSet, name: db, controller: true }]
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.244.3.9 }
`;
    const { workloads } = buildEndpoints(await loadSnapshot({ paths: ["-"], stdinText: all }));
    expect(workloads.map((w) => [w.endpoint.workload, w.endpoint.labels, w.podNames, w.endpoint.ips])).toEqual([
      ["Deployment/web", { app: "web" }, ["web-5d4f8-abcde"], ["10.244.1.5"]],
      ["CronJob/cj", { app: "cj" }, ["cj-123-xyz"], ["10.244.2.7"]],
      ["StatefulSet/db", { app: "db" }, ["db-0"], ["10.244.3.9"]],
    ]);
    expect(findWorkload({ workloads, namespaces: new Map() }, "ns/cj-123-xyz")?.endpoint.workload).toBe("CronJob/cj");
  });

  it("judges apart a Pod whose own labels or ports depart from its workload's, as policies select each pod by its own labels", async () => {
    const replicaSet = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: web-abc, namespace: a, uid: u1 }\nspec:\n  selector: { matchLabels: { app: web } }\n  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x, ports: [{ name: http, containerPort: 80 }] }] } }\n";
    const pod = (name: string, labels: string, ip: string, port = 80) =>
      `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: a, labels: { ${labels} }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: u1, controller: true }] }\nspec: { containers: [{ name: c, image: x, ports: [{ name: http, containerPort: ${port} }] }] }\nstatus: { podIP: ${ip} }\n`;
    const text = [
      replicaSet,
      // Labels the controller adds are no departure.
      pod("web-abc-1", "app: web, pod-template-hash: abc", "10.77.0.10"),
      // kubectl label pod web-abc-2 quarantine=true
      pod("web-abc-2", "app: web, pod-template-hash: abc, quarantine: 'true'", "10.77.0.11"),
      pod("web-abc-3", "app: web, pod-template-hash: abc", "10.77.0.12", 8080),
    ].join("---\n");
    const endpoints = buildEndpoints(await loadSnapshot({ paths: ["-"], stdinText: text }));
    expect(endpoints.workloads.map((w) => [w.endpoint.workload, w.endpoint.labels, w.endpoint.ports.map((p) => p.port), w.endpoint.ips, w.podNames])).toEqual([
      ["ReplicaSet/web-abc", { app: "web" }, [80], ["10.77.0.10"], ["web-abc-1"]],
      ["Pod/web-abc-2", { app: "web", "pod-template-hash": "abc", quarantine: "true" }, [80], ["10.77.0.11"], ["web-abc-2"]],
      ["Pod/web-abc-3", { app: "web", "pod-template-hash": "abc" }, [8080], ["10.77.0.12"], ["web-abc-3"]],
    ]);
    expect(findWorkload(endpoints, "a/web-abc-2")?.endpoint.workload).toBe("Pod/web-abc-2");
    expect(findWorkload(endpoints, "a/web-abc-1")?.endpoint.workload).toBe("ReplicaSet/web-abc");
  });

  it("stands each object of an owner cycle for itself, and a Pod owned into the cycle with its owner", async () => {
    const loop = (name: string, owner: string) =>
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: ${name}, namespace: ns, ownerReferences: [{ kind: ReplicaSet, name: ${owner}, controller: true }] }\nspec:\n  selector: { matchLabels: { app: ${name} } }\n  template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: c, image: x }] } }\n`;
    const pod = "apiVersion: v1\nkind: Pod\nmetadata: { name: a-1, namespace: ns, labels: { app: a }, ownerReferences: [{ kind: ReplicaSet, name: a, controller: true }] }\nspec: { containers: [{ name: c, image: x }] }\nstatus: { podIP: 10.1.1.1 }\n";
    const { workloads } = buildEndpoints(await loadSnapshot({ paths: ["-"], stdinText: `${loop("a", "b")}---\n${loop("b", "a")}---\n${pod}` }));
    expect(workloads.map((w) => [w.endpoint.workload, w.podNames, w.endpoint.ips])).toEqual([
      ["ReplicaSet/a", ["a-1"], ["10.1.1.1"]],
      ["ReplicaSet/b", [], []],
    ]);
  });
});

describe("container ports the API server refuses", () => {
  it("are left out, never turned into ranges", () => {
    const ports = containerPorts({
      containers: [
        {
          name: "c",
          ports: [
            { containerPort: 99999, name: "http" },
            { containerPort: 0 },
            { containerPort: -5 },
            { containerPort: 1.5 },
            { containerPort: 8080, protocol: "tcp" },
            { containerPort: 7, protocol: "ICMP" },
            { containerPort: "8443" },
            { containerPort: 65535, protocol: "SCTP", name: "top" },
            { containerPort: 1 },
          ],
        },
      ],
    });
    expect(ports).toEqual([
      { port: 65535, protocol: "SCTP", name: "top" },
      { port: 1, protocol: "TCP" },
    ]);
  });
});
