/**
 * The webhook's namespace watch against the stand-in API server (real HTTPS, bearer token):
 * two `palisade serve` processes (one of them with two workers) judge a pod in a namespace
 * created before they started by its real labels and agree; a label change reaches both; a
 * compacted history (410 Gone) makes them list again; an unreachable API server keeps a
 * server not ready, answering 503, without crashing. Runs the built CLI (npm test builds first).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { inClusterConnection, kubeconfigConnection } from "../../src/adapters/kube/connection.js";
import { syncClusterState } from "../../src/adapters/kube/cluster-sync.js";
import { startApiServer, TOKENS, type StandInApiServer } from "../support/api-server.js";
import { freePort, startServe, type ServeProcess } from "../support/serve-process.js";
import { namespace, pod, reviewBody } from "../admission/fixtures.js";

const PRIVILEGED = { "pod-security.kubernetes.io/enforce": "privileged" };
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
let api: StandInApiServer;
let dir: string;
const servers: ServeProcess[] = [];

function config(name: string, kubeconfig: string, workers: number): string {
  const file = join(dir, `${name}.yaml`);
  // PSA's default (baseline) applies where a namespace has no label: a privileged CNI pod is denied there.
  writeFileSync(file, `apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver: {workers: ${workers}, logLevel: info, kubeconfig: ${kubeconfig}}\npolicies:\n  podSecurity: {mode: enforce}\n`);
  return file;
}

const cniPod = (name: string, namespace = "cni") => pod(name, namespace, { hostNetwork: true, containers: [{ name: "agent", image: "cni:1", securityContext: { privileged: true } }] });
async function verdict(server: ServeProcess, name: string, namespace?: string): Promise<{ allowed: boolean; status?: { code: number; message: string } }> {
  const res = await server.call("/validate", reviewBody(cniPod(name, namespace)));
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { response: { allowed: boolean; status?: { code: number; message: string } } }).response;
}
const allowed = async (server: ServeProcess, name: string) => (await verdict(server, name)).allowed;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "palisade-watch-"));
  // The namespace exists before any webhook starts: no admission request ever told them of it.
  api = await startApiServer({ dir, objects: [namespace("cni", PRIVILEGED), namespace("shop")] });
  servers.push(await startServe(config("one", api.kubeconfig, 1), { extra: ["--self-signed", "localhost"] }));
  servers.push(await startServe(config("two", api.kubeconfig, 2), { extra: ["--self-signed", "localhost"] }));
  for (const server of servers) await server.until("readiness", async () => (await server.call("/readyz")).status === 200);
}, 90_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await api?.close();
});

describe("the webhook's namespace watch", () => {
  it("judges a pod in a namespace created before the webhook by its labels, the same on every replica and worker", async () => {
    for (const server of servers) for (let i = 0; i < 4; i++) expect(await allowed(server, `early-${i}`)).toBe(true);
    // Only the namespace watch asked the API server: list, then watch from the list's version.
    expect(api.requests.some((r) => r.startsWith("GET /api/v1/namespaces?limit=500"))).toBe(true);
    expect(api.requests.some((r) => /^GET \/api\/v1\/namespaces\?watch=true&resourceVersion=1000/.test(r))).toBe(true);
  });

  it("reads a namespace the watch has not delivered yet from the API server before judging a pod in it, as PSA does", async () => {
    // Created a moment ago: its watch event has not arrived, and no replica saw its CREATE.
    api.put(namespace("fresh", PRIVILEGED), { withholdEvent: true });
    for (const server of servers) for (let i = 0; i < 3; i++) expect(await verdict(server, `fresh-${i}`, "fresh")).toMatchObject({ allowed: true, auditAnnotations: { "pod-security-enforce-policy": "privileged:latest" } });
    expect(api.requests).toContain("GET /api/v1/namespaces/fresh");
    // One that does not exist is what PSA answers for it: an internal error, not a verdict at a default level.
    const missing = await verdict(servers[0]!, "nowhere-0", "nowhere");
    expect(missing.allowed).toBe(false);
    expect(missing.status?.code).toBe(500);
    expect(missing.status?.message).toContain('failed to lookup namespace "nowhere"');
  });

  it("sees a label change through the watch", async () => {
    api.put(namespace("cni", { "pod-security.kubernetes.io/enforce": "baseline" }));
    for (const server of servers) await server.until("the label change", async () => !(await allowed(server, "after-change")) && !(await allowed(server, "after-change-2")));
    api.put(namespace("cni", PRIVILEGED));
    for (const server of servers) await server.until("the label change back", async () => (await allowed(server, "back")) && (await allowed(server, "back-2")));
  }, 60_000);

  it("lists again after 410 Gone, and misses nothing changed meanwhile", async () => {
    const lists = () => api.requests.filter((r) => r.startsWith("GET /api/v1/namespaces?limit=500")).length;
    const before = lists();
    api.compact();
    // Changed after compaction: only a new list (or a watch from its version) shows it.
    api.put(namespace("cni", { "pod-security.kubernetes.io/enforce": "restricted" }));
    for (const server of servers) await server.until("the change after compaction", async () => !(await allowed(server, "compacted")) && !(await allowed(server, "compacted-2")));
    // One server with one process, one with two workers: three watches list again.
    expect(lists() - before).toBeGreaterThanOrEqual(3);
    for (const server of servers) expect(server.output()).toContain("watch expired (410 Gone); listing again");
  }, 60_000);

  it("stays not ready and answers 503 while the API server is unreachable, without crashing", async () => {
    const port = await freePort(); // nothing listens there
    const kubeconfig = join(dir, "unreachable.kubeconfig");
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${Buffer.from(api.caPem).toString("base64")}}}]\nusers: [{name: u, user: {token: ${TOKENS.admin}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const server = await startServe(config("unreachable", kubeconfig, 1), { extra: ["--self-signed", "localhost"] });
    servers.push(server);
    await server.until("two failed attempts", async () => (server.output().match(/cannot list\/watch the API server; retrying/g) ?? []).length >= 2);
    expect((await server.call("/readyz")).status).toBe(503);
    const res = await server.call("/validate", reviewBody(cniPod("unjudged")));
    expect(res.status).toBe(503);
    expect(res.text).toContain("has not yet listed the cluster's namespaces");
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toContain(TOKENS.admin);
  }, 60_000);

  it("reads the API server as a pod does: service-account token and ca.crt, KUBERNETES_SERVICE_HOST/PORT", async () => {
    const sa = mkdtempSync(join(tmpdir(), "palisade-sa-"));
    writeFileSync(join(sa, "token"), `${TOKENS.admin}\n`);
    writeFileSync(join(sa, "ca.crt"), api.caPem);
    const url = new URL(api.url);
    const connection = inClusterConnection({ KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port }, sa)!;
    const state = new ClusterState();
    const sync = syncClusterState(state, connection, { nodes: true, logger: quiet });
    try {
      for (let i = 0; i < 100 && !sync.ready(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(sync.ready()).toBe(true);
      expect(state.namespaceLabels("shop")).toEqual({ "kubernetes.io/metadata.name": "shop" });
      api.remove("Namespace", "shop");
      for (let i = 0; i < 100 && state.namespaceLabels("shop"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(state.namespaceLabels("shop")).toBeUndefined();
    } finally {
      sync.stop();
    }
    expect(inClusterConnection({}, sa)).toBeUndefined();
    expect(() => inClusterConnection({ KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }, join(sa, "missing"))).toThrow(/service-account token .*missing\/token: ENOENT/);
    expect(() => kubeconfigConnection(join(dir, "one.yaml"))).toThrow(/current-context/);
  });
});
