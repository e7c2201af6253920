/**
 * The synthetic cluster bench:netpol and bench:dataplane share: namespaces of 200 pods and
 * 20 apps (replicas share labels), a default-deny per namespace, then per-app policies with
 * a named-port pod peer, a namespace+pod peer with a port range, an ipBlock with except,
 * and egress to another app and to DNS. Deterministic, so runs compare.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { K8sObject } from "../src/k8s/types.js";
import type { PodEndpoint } from "../src/network/model.js";

const APPS_PER_NAMESPACE = 20;
const PODS_PER_NAMESPACE = 200;

/** A deterministic cluster: namespaces of 20 apps, replicas share labels, policies per app. */
export function cluster(podCount: number, policyCount: number): { pods: PodEndpoint[]; policies: K8sObject[] } {
  const namespaces = Math.max(1, Math.ceil(podCount / PODS_PER_NAMESPACE));
  const pods: PodEndpoint[] = [];
  for (let i = 0; i < podCount; i++) {
    const ns = `ns${i % namespaces}`;
    const app = Math.floor(i / namespaces) % APPS_PER_NAMESPACE;
    pods.push({
      kind: "pod",
      namespace: ns,
      name: `pod${i}`,
      labels: { app: `app${app}`, tier: ["web", "api", "db"][app % 3]!, "pod-template-hash": "abc" },
      namespaceLabels: { "kubernetes.io/metadata.name": ns, team: `team${(i % namespaces) % 7}` },
      ips: [],
      ports: [
        { name: "http", port: 8080, protocol: "TCP" },
        { name: "metrics", port: 9090, protocol: "TCP" },
      ],
      workload: `Deployment/pod${i}`,
    });
  }
  const policies: K8sObject[] = [];
  for (let ns = 0; ns < namespaces && policies.length < policyCount; ns++) {
    policies.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: `ns${ns}` }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
  }
  for (let k = 0; policies.length < policyCount; k++) {
    const ns = k % namespaces;
    const app = Math.floor(k / namespaces) % APPS_PER_NAMESPACE;
    const caller = (app + 1) % APPS_PER_NAMESPACE;
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `allow-${app}-${k}`, namespace: `ns${ns}` },
      spec: {
        podSelector: { matchLabels: { app: `app${app}` } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: `app${caller}` } } }], ports: [{ port: "http" }] },
          { from: [{ namespaceSelector: { matchLabels: { team: `team${k % 7}` } }, podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] } }], ports: [{ port: 9000 + (k % 100), endPort: 9100 }] },
          { from: [{ ipBlock: { cidr: `10.${k % 250}.0.0/16`, except: [`10.${k % 250}.1.0/24`] } }], ports: [{ port: 8080 }] },
        ],
        egress: [
          { to: [{ podSelector: { matchLabels: { app: `app${(app + APPS_PER_NAMESPACE - 1) % APPS_PER_NAMESPACE}` } } }], ports: [{ port: 8080 }] },
          { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
        ],
      },
    });
  }
  return { pods, policies };
}

/**
 * Each size of a synthetic-cluster benchmark in a fresh process, so one size's heap does not
 * weigh on the next. Run as `SCRIPT --one PODS POLICIES`, the script measures that size and
 * prints it as JSON, and this returns undefined; run plainly, it returns the rows in order.
 */
export function eachSizeInFreshProcess<R>(scriptUrl: string, sizes: readonly (readonly [number, number])[], measure: (pods: number, policies: number) => R, progress: (row: R) => string): R[] | undefined {
  const args = process.argv.slice(2);
  if (args[0] === "--one") {
    process.stdout.write(JSON.stringify(measure(Number(args[1]), Number(args[2]))) + "\n");
    return undefined;
  }
  const script = fileURLToPath(scriptUrl);
  return sizes.map(([pods, policies]) => {
    const row = JSON.parse(execFileSync(process.execPath, [script, "--one", String(pods), String(policies)], { encoding: "utf8", maxBuffer: 1 << 20 })) as R;
    process.stderr.write(`${pods} pods x ${policies} policies: ${progress(row)}\n`);
    return row;
  });
}
