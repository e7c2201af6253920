/** Workload endpoints: owned Pods folded into their controller, pod IPs, hostNetwork, implied namespaces. */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { buildEndpoints, EndpointsBuilder, findWorkload } from "../../src/network/endpoints.js";

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

  it("folds Pods into a controller that comes after them, and slims what it keeps", async () => {
    // The ReplicaSet that owns the two web Pods, after them in the input.
    const owner = "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: web-7d9f, namespace: shop }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web, tier: front } }\n    spec: { containers: [{ name: web, image: i }] }\n";
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml + owner });
    const builder = new EndpointsBuilder(new Map([["shop", { team: "a", "kubernetes.io/metadata.name": "shop" }]]), true);
    for (const loaded of snapshot.objects) builder.add(loaded);
    const built = builder.build();
    expect(built.workloads.map((w) => `${w.endpoint.namespace}/${w.endpoint.name} ${w.endpoint.workload}`)).toEqual(["shop/agent DaemonSet/agent", "shop/etcd-node-1 Pod/etcd-node-1", "default/report CronJob/report", "shop/web-7d9f ReplicaSet/web-7d9f"]);
    const web = built.workloads[3]!;
    // The controller's own template, not the Pods': they were folded into it.
    expect(web.endpoint.labels).toEqual({ app: "web", tier: "front" });
    expect(web.podNames).toEqual([]);
    expect(web.endpoint.ips).toEqual([]);
    // What a finding needs of the object, and nothing of its tree.
    expect(web.source.object).toEqual({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-7d9f", namespace: "shop" } });
    expect(web.source.source.locate([])).toEqual(snapshot.objects.at(-1)!.source.locate([]));
    expect(web.source.source.position).toEqual(snapshot.objects.at(-1)!.source.position);
    // Fields' positions are not kept: asking for one is an error, not a wrong answer.
    expect(() => web.source.source.locate(["spec", "template"])).toThrow(/spec.template was not kept/);
    expect(built).toEqual({ ...buildEndpoints(snapshot), workloads: built.workloads });
    expect(built.workloads.map((w) => w.endpoint)).toEqual(buildEndpoints(snapshot).workloads.map((w) => w.endpoint));
  });
});
