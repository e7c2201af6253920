/** `explain` says when a verdict rests on an AdminNetworkPolicy priority tie, and when hostNetwork is why no policy applies. */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { buildEndpoints, findWorkload } from "../../src/network/endpoints.js";
import { explainConnection, renderExplanation } from "../../src/network/explain.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

async function explain(yaml: string, from: string, to: string, port: number) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  const endpoints = buildEndpoints(snapshot);
  const set = buildPolicySet(snapshot.objects.map((o) => ({ object: o.object, where: o })));
  expect(set.refused).toEqual([]);
  return explainConnection(set.tiers, findWorkload(endpoints, from)!.endpoint, findWorkload(endpoints, to)!.endpoint, "TCP", port);
}

const workloads = `
apiVersion: v1
kind: Namespace
metadata: { name: mon }
---
apiVersion: v1
kind: Pod
metadata: { name: prom, namespace: mon, labels: { app: prom } }
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Pod
metadata: { name: api, namespace: app, labels: { app: api } }
spec: { containers: [{ name: c, image: x }] }
`;
const anp = (name: string, priority: number, action: string, port?: number) => `
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: ${name} }
spec:
  priority: ${priority}
  subject: { namespaces: {} }
  ingress: [{ name: r, action: ${action}, from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: mon } } }]${port ? `, ports: [{ portNumber: { port: ${port} } }]` : ""} }]
`;

describe("explain and AdminNetworkPolicy priority ties", () => {
  it("says the verdict depends on the tie when an equal-priority policy would decide otherwise", async () => {
    const e = await explain(workloads + anp("zz-allow", 10, "Allow") + anp("aa-deny", 10, "Deny"), "mon/prom", "app/api", 8080);
    expect(e.allowed).toBe(false);
    expect(e.dependsOnTie).toBe(true);
    expect(e.ingress.tiedWith).toEqual([{ policy: "AdminNetworkPolicy/zz-allow", action: "Allow" }]);
    expect(renderExplanation(e).split("\n").slice(0, 3)).toEqual([
      "mon/prom[Pod] -> app/api[Pod] on 8080/TCP: DENIED (depends on a priority tie: undefined)",
      "  egress  allow  allowed: no policy selects mon/prom[Pod] for egress",
      '  ingress deny   denied by AdminNetworkPolicy/aa-deny ingress rule 0 "r": Deny (tier adminnetworkpolicy); the verdict depends on a priority tie: AdminNetworkPolicy/zz-allow has the same priority and would allow, and equal priorities run in an undefined order',
    ]);
  });

  it("is confident when the equal-priority policy agrees, does not match, or has another priority", async () => {
    for (const others of [anp("zz-deny", 10, "Deny"), anp("zz-allow", 10, "Allow", 9090), anp("zz-allow", 11, "Allow")]) {
      const e = await explain(workloads + anp("aa-deny", 10, "Deny") + others, "mon/prom", "app/api", 8080);
      expect(e.allowed).toBe(false);
      expect(e.dependsOnTie).toBeUndefined();
      expect(e.ingress.tiedWith).toBeUndefined();
    }
  });
});

describe("explain and hostNetwork", () => {
  const hostNetwork = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: mon }
spec:
  selector: { matchLabels: { app: agent } }
  template: { metadata: { labels: { app: agent } }, spec: { hostNetwork: true, containers: [{ name: c, image: x }] } }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: mon, labels: { app: web } }
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: agent, namespace: mon }
spec: { podSelector: { matchLabels: { app: agent } }, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: mon }
spec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Egress], egress: [{ to: [{ podSelector: { matchLabels: { app: agent } } }] }] }
`;
  it("says a hostNetwork side is not governed, and that a selector cannot match a hostNetwork peer", async () => {
    const e = await explain(hostNetwork, "mon/web", "mon/agent", 9100);
    expect(e.ingress.reason).toBe("host-network");
    expect(e.ingress.summary).toBe("allowed: mon/agent[DaemonSet] uses hostNetwork; NetworkPolicy does not govern host-network pods (their traffic is the node's), so no policy applies to ingress to it");
    expect(e.egress.summary).toBe(
      "denied: NetworkPolicy/mon/web selects mon/web[Pod] for egress and no rule allows this connection (tier default drops at its end) (mon/agent uses hostNetwork: selectors never match it, only an ipBlock of its node's address does; between a pod and the node it runs on traffic is always allowed, so this holds for pods on other nodes)",
    );
    const back = await explain(hostNetwork, "mon/agent", "mon/web", 80);
    expect(back.egress.summary).toBe("allowed: mon/agent[DaemonSet] uses hostNetwork; NetworkPolicy does not govern host-network pods (their traffic is the node's), so no policy applies to egress from it");
  });
});
