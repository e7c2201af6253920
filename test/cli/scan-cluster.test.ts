/**
 * `palisade scan --cluster`: the real kubectl against a stand-in API server (real HTTPS,
 * discovery and paged lists; see support/api-server.ts). The live scan of the example
 * cluster must find what the scan of its files finds, once per problem.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import type { PostureReport } from "../../src/posture/types.js";
import { bootstrapPolicyObjects } from "../../src/access/rbac/bootstrap.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { startApiServer, TOKENS, type StandInApiServer } from "../support/api-server.js";
import { repoRoot } from "../support/conformance.js";
import { hasKubectl } from "../support/kubectl.js";
import { makeRequest } from "../hardening/csr/support.js";

const bin = join(repoRoot, "bin/palisade.js");

const home = mkdtempSync(join(tmpdir(), "palisade-cluster-"));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous: the stand-in API server answers from this process while the CLI runs. */
function palisade(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      // kubectl keeps its discovery cache under HOME: one of the test's own.
      { cwd: repoRoot, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, CI: "true", FORCE_COLOR: "0", HOME: home, KUBECONFIG: "", ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

let uid = 0;
const nextUid = () => `11111111-0000-4000-8000-${String(++uid).padStart(12, "0")}`;

/** What controllers make from a template: the same pod spec, owned by its maker. */
function madeBy(owner: K8sObject, kind: string, apiVersion: string, name: string, spec: unknown): K8sObject {
  const ownerUid = (owner.metadata as { uid: string }).uid;
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: owner.metadata?.namespace, uid: nextUid(), labels: owner.metadata?.labels, ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata?.name, uid: ownerUid, controller: true, blockOwnerDeletion: true }] },
    spec,
  } as K8sObject;
}

type Template = { metadata?: unknown; spec: unknown };

/**
 * The example cluster as an API server would hold it: namespaced objects in their
 * namespace, the kube-apiserver's static pod as its Node's mirror pod, and what the
 * controllers made (ReplicaSets, Jobs, pods), plus a Secret and a ConfigMap the scan must
 * never ask for.
 */
async function liveExampleCluster(): Promise<{ objects: K8sObject[]; controlled: number }> {
  const snapshot = await loadSnapshot({ paths: [join(repoRoot, "examples/cluster")] });
  const objects: K8sObject[] = [];
  const node: K8sObject = { apiVersion: "v1", kind: "Node", metadata: { name: "control-plane-1", uid: nextUid() }, spec: {} };
  objects.push(node);
  let controlled = 0;
  let podNumber = 0;
  for (const { object } of snapshot.objects) {
    if (["EncryptionConfiguration", "Config", "KubeletConfiguration"].includes(object.kind ?? "")) continue; // files, not API objects
    const copy = structuredClone(object) as K8sObject & { spec?: Record<string, unknown> };
    copy.metadata = { ...copy.metadata, uid: nextUid() };
    if (!["Namespace", "ClusterRole", "ClusterRoleBinding"].includes(copy.kind ?? "")) copy.metadata.namespace ??= "default";
    if (copy.kind === "Pod") copy.metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name: "control-plane-1", uid: node.metadata?.uid, controller: true }];
    objects.push(copy);
    const template = (copy.spec?.template ?? (copy.spec?.jobTemplate as { spec?: { template?: Template } } | undefined)?.spec?.template) as Template | undefined;
    if (!template) continue;
    const pods = (owner: K8sObject, count: number) => {
      for (let i = 0; i < count; i++) {
        // Running pods have addresses (a hostNetwork pod its node's): network answers find their workload by them.
        const hostNetwork = (template.spec as { hostNetwork?: boolean }).hostNetwork === true;
        const podIP = hostNetwork ? "192.168.10.1" : `10.244.${++podNumber >> 8}.${podNumber & 255}`;
        const pod = { ...madeBy(owner, "Pod", "v1", `${owner.metadata?.name}-${i}`, template.spec), status: { podIP } } as K8sObject;
        // A pod carries its template's labels, not its owner's own.
        pod.metadata = { ...pod.metadata, labels: (template.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {} };
        objects.push(pod);
      }
      controlled += count;
    };
    if (copy.kind === "Deployment") {
      const replicaSet = madeBy(copy, "ReplicaSet", "apps/v1", `${copy.metadata.name}-5d9f`, { replicas: 2, template });
      objects.push(replicaSet);
      controlled++;
      pods(replicaSet, 2);
    } else if (copy.kind === "CronJob") {
      const job = madeBy(copy, "Job", "batch/v1", `${copy.metadata.name}-29000000`, { template });
      objects.push(job);
      controlled++;
      pods(job, 1);
    } else {
      pods(copy, 2);
    }
  }
  objects.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "payments" }, data: { password: Buffer.from("hunter2-live").toString("base64") } });
  objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "payments" }, data: { mode: "live" } });
  return { objects, controlled };
}

/** A finding without where it was read: the same problem, whether in a file or a live object. */
const problem = (f: Finding) => JSON.stringify([f.ruleId, f.object?.kind, f.object?.namespace ?? "default", f.object?.name, f.fieldPath, f.message]);

/**
 * What a live cluster does not hold as the files do: fields the API server would have
 * dropped (the manifest family), a kubeconfig (a client's file), the kubelet's
 * configuration (a file on each node), and the EncryptionConfiguration, a file on the control plane (so the live scan says the
 * kube-apiserver's config went unchecked instead).
 */
const FILE_ONLY = /^(manifest\/|encryption\/|kubeconfig\/|kubelet\/|apiserver\/encryption-config-unchecked$)/;

describe.skipIf(!hasKubectl)("palisade scan --cluster (real kubectl, stand-in API server)", () => {
  let server: StandInApiServer;
  let controlled = 0;
  let liveObjects: K8sObject[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-apiserver-"));
    mkdirSync(join(home, ".kube"), { recursive: true });
    const live = await liveExampleCluster();
    controlled = live.controlled;
    liveObjects = live.objects;
    // A live cluster has the default roles and bindings (cluster-admin, admin, system:*) too.
    const defaults = bootstrapPolicyObjects().map((object) => structuredClone(object) as K8sObject);
    // The control-plane node's kubelet, as /configz shows it (defaults applied): read-only port open.
    const kubeletConfigs = { "control-plane-1": { authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" } }, authorization: { mode: "Webhook" }, readOnlyPort: 10255, protectKernelDefaults: true, seccompDefault: true, rotateCertificates: true } };
    server = await startApiServer({ dir, objects: [...live.objects, ...defaults], forbiddenToRestricted: ["clusterroles", "clusterrolebindings"], pageSize: 20, kubeletConfigs });
  });
  afterAll(async () => server?.close());

  it("finds in the live cluster what it finds in the files, once per problem, not once per replica", async () => {
    const files = await palisade(["scan", "examples/cluster", "-o", "json", "--fail-on", "none"]);
    const live = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-A", "-o", "json", "--fail-on", "none"]);
    expect(live.stderr).toBe("");
    expect(live.code).toBe(0);
    const fromFiles = (JSON.parse(files.stdout) as { findings: Finding[] }).findings.filter((f) => !FILE_ONLY.test(f.ruleId)).map(problem);
    const report = JSON.parse(live.stdout) as { findings: Finding[]; summary: Record<string, unknown> };
    const fromCluster = report.findings.filter((f) => !FILE_ONLY.test(f.ruleId)).map(problem);
    // The API server decoded live objects already: no field check second-guesses it.
    expect(report.findings.filter((f) => f.ruleId.startsWith("manifest/"))).toEqual([]);
    expect(fromFiles.length).toBeGreaterThan(20);
    expect(fromCluster.sort()).toEqual(fromFiles.sort());
    expect(report.summary).toMatchObject({ skippedControlled: controlled, cluster: "<cluster admin>", files: 0 });
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, "docs/scan-report.schema.json"), "utf8")));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    // Findings name the cluster they were read from, by its context.
    expect(new Set(report.findings.map((f) => f.position?.file))).toEqual(new Set(["<cluster admin>"]));
  });

  it("never asks for Secrets or ConfigMaps, and follows kubectl's paging to whole lists", async () => {
    server.requests.length = 0;
    const live = await palisade(["scan", "--context", "admin", "--kubeconfig", server.kubeconfig, "-A"]);
    expect(live.code).toBe(1);
    const lists = server.requests.filter((r) => !/^GET \/(api|apis)(\/[^/]+)?(\/v1)?(\?.*)?$/.test(r));
    expect(lists.some((r) => r.includes("continue="))).toBe(true);
    expect(server.requests.filter((r) => /secrets|configmaps/.test(r))).toEqual([]);
    expect(live.stdout).not.toContain("hunter2");
    expect(live.stdout).toMatch(/live objects judged through the controller that made them/);
    expect(live.stdout).toMatch(/ findings \(.*\) in \d+ of \d+ objects, read from <cluster admin>\./);
    // Text output gives no lines for live objects: they would be lines of a List nobody sees.
    expect(live.stdout).toMatch(/^ {2}Deployment\/storefront\/web$/m);
    expect(live.stdout).toMatch(/^ {4} {8} (low|medium|high|critical) /m);
    expect(live.stdout).not.toMatch(/^ {4}\d+:\d+/m);
  });

  it("reads one namespace with -n, as kubectl get -n does", async () => {
    server.requests.length = 0;
    const live = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-n", "payments", "-o", "json", "--fail-on", "none"]);
    expect(live.code).toBe(0);
    const findings = (JSON.parse(live.stdout) as { findings: Finding[] }).findings;
    const namespaces = new Set(findings.map((f) => f.object?.namespace).filter((ns) => ns !== undefined));
    expect(findings.length).toBeGreaterThan(0);
    expect([...namespaces]).toEqual(["payments"]);
    // Other namespaces' quotas and workloads were not read: they are not judged empty.
    expect(new Set(findings.filter((f) => f.object?.kind === "Namespace").map((f) => f.object?.name))).toEqual(new Set(["payments"]));
    expect(server.requests.some((r) => r.startsWith("GET /apis/apps/v1/namespaces/payments/deployments"))).toBe(true);
  });

  it("uses the context's namespace when neither -n nor -A is given, as kubectl does", async () => {
    const live = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-o", "json", "--fail-on", "none"]);
    const findings = (JSON.parse(live.stdout) as { findings: Finding[] }).findings;
    const namespaces = new Set(findings.map((f) => (f.object?.kind === "Namespace" ? f.object.name : f.object?.namespace)).filter((ns) => ns !== undefined));
    expect([...namespaces]).toEqual(["storefront"]);
  });

  it("scans what it may list and says what it may not (exit 2), with kubectl's reason", async () => {
    const live = await palisade(["scan", "--kubeconfig", server.kubeconfig, "--context", "restricted", "-A", "-o", "json", "--fail-on", "none"]);
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/<cluster restricted>.*kubectl: .*clusterroles.* is forbidden/);
    expect(live.stderr).toMatch(/kubectl auth can-i list/);
    const report = JSON.parse(live.stdout) as { findings: Finding[]; summary: { problems: number } };
    expect(report.summary.problems).toBe(2);
    expect(report.findings.some((f) => f.ruleId.startsWith("pss/"))).toBe(true);
    expect(report.findings.some((f) => f.object?.kind === "ClusterRole")).toBe(false);
  });

  it("refuses a cluster it cannot read with one clear line and no token in it", async () => {
    const stranger = await palisade(["scan", "--kubeconfig", server.kubeconfig, "--context", "stranger"]);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/could not reach the cluster: error: You must be logged in to the server/);
    expect(stranger.stderr).not.toContain(TOKENS.stranger);
    expect(stranger.stderr).not.toMatch(/\n\s+at /);
    const missing = await palisade(["scan", "--kubeconfig", server.kubeconfig, "--context", "nowhere"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/context "nowhere" does not exist/);
  });

  it("says when kubectl is not installed", async () => {
    const empty = mkdtempSync(join(tmpdir(), "palisade-no-kubectl-"));
    const run = await palisade(["scan", "--cluster"], { PATH: empty });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot scan a cluster: kubectl is not installed/);
  });

  it("answers RBAC questions from the live cluster's roles and bindings, as from the same objects in files", async () => {
    const question = ["rbac", "who-can", "get", "secrets", "-n", "storefront", "-o", "json"];
    const files = await palisade([...question, "-f", "examples/cluster", "--bootstrap"]);
    const live = await palisade([...question, "--kubeconfig", server.kubeconfig]);
    expect(live.stderr).toBe("");
    const subjects = (run: Run) => (JSON.parse(run.stdout) as { subjects: Array<{ subject: unknown; binding: unknown; rule: unknown }> }).subjects.map((s) => JSON.stringify([s.subject, s.binding])).sort();
    expect(subjects(live).length).toBeGreaterThan(3);
    expect(subjects(live)).toEqual(subjects(files));
    const canI = await palisade(["rbac", "can-i", "get", "secrets", "-n", "storefront", "--as", "system:serviceaccount:storefront:default", "--kubeconfig", server.kubeconfig]);
    expect(canI.code).toBe(0);
    expect(canI.stdout).toMatch(/^yes/);
  });

  it("gives no RBAC answer over a cluster whose roles it may not all read", async () => {
    const run = await palisade(["rbac", "who-can", "get", "secrets", "--kubeconfig", server.kubeconfig, "--context", "restricted"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/clusterroles.* is forbidden/);
    expect(run.stderr).toMatch(/no answer given/);
    expect(run.stdout).toBe("");
    const bootstrap = await palisade(["rbac", "who-can", "get", "secrets", "--cluster", "--bootstrap"]);
    expect(bootstrap.code).toBe(2);
    expect(bootstrap.stderr).toMatch(/--bootstrap with --cluster/);
  });

  it("computes the network matrix and explains connections from the live cluster, as from the files", async () => {
    const files = await palisade(["netpol", "matrix", "examples/cluster", "-o", "json"]);
    const live = await palisade(["netpol", "matrix", "--kubeconfig", server.kubeconfig, "-o", "json"]);
    expect(live.stderr).toBe("");
    const matrix = JSON.parse(live.stdout) as { workloads: number; connections: unknown[] };
    expect(matrix.workloads).toBeGreaterThan(5);
    // One answer differs, rightly: live, the node exporter has an address (its node's), and the
    // ETL worker's egress to 0.0.0.0/0 reaches it; the files give it none to reach.
    const known = { allowed: "all", from: "analytics/etl-worker[Deployment]", to: "monitoring/node-exporter[DaemonSet]" };
    expect(matrix.connections).toContainEqual(known);
    const fromFiles = JSON.parse(files.stdout) as { workloads: number; connections: unknown[] };
    expect(fromFiles.connections).not.toContainEqual(known);
    expect({ ...matrix, connections: (matrix.connections as Array<typeof known>).filter((c) => c.from !== known.from || c.to !== known.to) }).toEqual(fromFiles);
    const question = ["netpol", "explain", "--from", "storefront/web", "--to", "storefront/cart", "--port", "8080/TCP", "-o", "json"];
    const explainFiles = await palisade([...question, "examples/cluster"]);
    const explainLive = await palisade([...question, "--kubeconfig", server.kubeconfig]);
    expect(explainLive.stderr).toBe("");
    // The same answer; where it was decided is a file's line from the files, an object's field live.
    type Side = { at?: string[] };
    const withoutPlaces = (text: string) => {
      const e = JSON.parse(text) as { ingress?: Side; egress?: Side };
      for (const side of [e.ingress, e.egress]) delete side?.at;
      return e;
    };
    expect(withoutPlaces(explainLive.stdout)).toEqual(withoutPlaces(explainFiles.stdout));
    const liveAt = JSON.parse(explainLive.stdout) as { ingress: Side; egress: Side };
    expect(liveAt.egress.at?.length).toBeGreaterThan(0);
    for (const at of [...(liveAt.ingress.at ?? []), ...(liveAt.egress.at ?? [])]) expect(at).toMatch(/^NetworkPolicy\/storefront\/[a-z0-9-]+( spec\.(ingress|egress)\[\d+\])?$/);
    expect((JSON.parse(explainFiles.stdout) as { egress: Side }).egress.at?.[0]).toMatch(/^examples\/cluster\/50-network\.yaml:\d+:1$/);
    // A pod's address names its Deployment, as the workload its ReplicaSet's pods belong to.
    const webPod = liveObjects.find((o) => o.kind === "Pod" && o.metadata?.name?.startsWith("web-5d9f-")) as K8sObject & { status: { podIP: string } };
    const byAddress = await palisade(["netpol", "explain", "--from", webPod.status.podIP, "--to", "storefront/cart", "--port", "8080/TCP", "--kubeconfig", server.kubeconfig, "-o", "json"]);
    expect(byAddress.stderr).toBe("");
    expect(JSON.parse(byAddress.stdout)).toMatchObject({ allowed: (JSON.parse(explainFiles.stdout) as { allowed: boolean }).allowed });
    expect(byAddress.stdout).toContain('"storefront/web');
    // Services are read too: one asked about by name gets the answer the files give.
    const toService = ["netpol", "explain", "--from", "198.51.100.1", "--to", "storefront/svc/web", "--port", "80", "-o", "json"];
    const serviceLive = await palisade([...toService, "--kubeconfig", server.kubeconfig]);
    expect(serviceLive.stderr).toBe("");
    const verdicts = (text: string) => (JSON.parse(text) as { backends: { endpoint: string; port: number; explanation: { allowed: boolean } }[] }).backends.map((b) => [b.endpoint, b.port, b.explanation.allowed]);
    expect(verdicts(serviceLive.stdout)).toEqual(verdicts((await palisade([...toService, "examples/cluster"])).stdout));
    expect(verdicts(serviceLive.stdout)).toEqual([["storefront/web[Deployment]", 8080, true]]);
  });

  it("says on a terminal that it is waiting for kubectl, and clears the line before the report", async () => {
    // script(1) gives the CLI a terminal; CI must be unset, or no progress is shown at all.
    const command = [process.execPath, bin, "scan", "--kubeconfig", server.kubeconfig, "-A", "--summary", "--fail-on", "none"].map((arg) => `'${arg}'`).join(" ");
    const { CI: _ci, ...env } = process.env;
    const run = await new Promise<string>((resolve) => execFile("script", ["-qec", command, "/dev/null"], { cwd: repoRoot, encoding: "utf8", env: { ...env, HOME: home, KUBECONFIG: "", TERM: "xterm" } }, (_err, stdout) => resolve(stdout)));
    expect(run).toContain("scanning: reading the current context's cluster with kubectl…");
    // Each later line clears the one before, and the last is cleared before the report.
    const clear = "\r" + String.fromCharCode(27) + "\\[2K";
    expect(run).toMatch(new RegExp(`kubectl…${clear}(scanning \\[#*-*\\] \\d+/\\d+${clear})*\\S*\\d+\\S* findings`));
  });

  it("reads AdminNetworkPolicies and Calico's policies, tiers and network sets where the cluster serves them, from Calico's API server or its CRDs", async () => {
    const examples = ["examples/network-shop.yaml", "examples/network-calico-tiers.yaml"];
    const objects = (await loadSnapshot({ paths: examples.map((file) => join(repoRoot, file)) })).objects.map(({ object }) => {
      const copy = structuredClone(object) as K8sObject;
      const clusterScoped = ["Namespace", "Tier", "GlobalNetworkPolicy", "StagedGlobalNetworkPolicy", "GlobalNetworkSet", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"];
      if (!clusterScoped.includes(copy.kind ?? "")) copy.metadata = { ...copy.metadata, namespace: copy.metadata?.namespace ?? "default" };
      return copy;
    });
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(["Namespace", "ServiceAccount", "Deployment", "StatefulSet", "NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "Tier", "GlobalNetworkPolicy", "StagedGlobalNetworkPolicy", "GlobalNetworkSet"]));
    const calico = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-calico-")), objects });
    try {
      const files = await palisade(["netpol", "matrix", ...examples, "-o", "json"]);
      const live = await palisade(["netpol", "matrix", "--kubeconfig", calico.kubeconfig, "-o", "json"]);
      expect(live.stderr).toBe("");
      expect(JSON.parse(live.stdout)).toEqual(JSON.parse(files.stdout));
      const rules = ["--rules", "netpol/*,calico/*", "-o", "json", "--fail-on", "none"];
      const scanFiles = await palisade(["scan", ...examples, ...rules]);
      const scanLive = await palisade(["scan", "--kubeconfig", calico.kubeconfig, "-A", ...rules]);
      const found = (run: Run) => (JSON.parse(run.stdout) as { findings: Finding[] }).findings.map(problem).sort();
      expect(found(scanLive).length).toBeGreaterThan(0);
      expect(found(scanLive)).toEqual(found(scanFiles));
      expect(calico.requests.some((r) => r.startsWith("GET /apis/projectcalico.org/v3/stagedglobalnetworkpolicies"))).toBe(true);
    } finally {
      await calico.close();
    }
    // Calico without its API server: the same objects in its CRDs (crd.projectcalico.org/v1).
    const crdObjects = objects.map((o) => (o.apiVersion === "projectcalico.org/v3" ? { ...o, apiVersion: "crd.projectcalico.org/v1" } : o));
    const crds = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-calico-crd-")), objects: crdObjects, calicoAsCrds: true });
    try {
      const files = await palisade(["netpol", "matrix", ...examples, "-o", "json"]);
      const live = await palisade(["netpol", "matrix", "--kubeconfig", crds.kubeconfig, "-o", "json"]);
      expect(live.stderr).toBe("");
      expect(JSON.parse(live.stdout)).toEqual(JSON.parse(files.stdout));
      expect(crds.requests.some((r) => r.startsWith("GET /apis/crd.projectcalico.org/v1/globalnetworkpolicies"))).toBe(true);
    } finally {
      await crds.close();
    }
  });

  it("matches Calico rules that name Services against the live cluster's Services and EndpointSlices, as against the files", async () => {
    const example = join(repoRoot, "examples/network-calico-services.yaml");
    const objects = (await loadSnapshot({ paths: [example] })).objects.map(({ object }) => {
      const copy = structuredClone(object) as K8sObject;
      if (copy.kind !== "Namespace") copy.metadata = { ...copy.metadata, namespace: copy.metadata?.namespace ?? "default" };
      return copy;
    });
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(["Namespace", "Deployment", "Service", "EndpointSlice", "NetworkPolicy"]));
    const cluster = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-calico-services-")), objects });
    try {
      const files = await palisade(["netpol", "matrix", example, "-o", "json"]);
      const live = await palisade(["netpol", "matrix", "--kubeconfig", cluster.kubeconfig, "-o", "json"]);
      expect(live.stderr).toBe("");
      expect(JSON.parse(live.stdout)).toEqual(JSON.parse(files.stdout));
      // The API server's address, from the kubernetes Service's EndpointSlice in the cluster.
      const toApiServer = await palisade(["netpol", "explain", "--kubeconfig", cluster.kubeconfig, "--from", "shop/storefront", "--to", "172.18.0.2", "--port", "6443", "-o", "json"]);
      expect((JSON.parse(toApiServer.stdout) as { allowed: boolean }).allowed).toBe(true);
      expect(cluster.requests.some((r) => r.startsWith("GET /apis/discovery.k8s.io/v1/endpointslices"))).toBe(true);
    } finally {
      await cluster.close();
    }
  });

  it("orders equal-order Calico policies as the cluster's Calico release does, read from its ClusterInformation", async () => {
    const pod = (app: string): K8sObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: app, namespace: "prod", labels: { app } }, spec: { containers: [{ name: "c", image: "x" }] } });
    const fromClient = (action: string) => [{ action, source: { selector: "app == 'client'" } }];
    // Tied at order 100: v3.29-v3.31 run the global deny first, v3.32+ the namespaced allow.
    const objects: K8sObject[] = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } },
      pod("web"),
      pod("client"),
      { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "b-deny" }, spec: { order: 100, selector: "app == 'web'", ingress: fromClient("Deny") } },
      { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "a-allow", namespace: "prod" }, spec: { order: 100, selector: "app == 'web'", ingress: fromClient("Allow") } },
    ];
    const clusterInformation: K8sObject = { apiVersion: "projectcalico.org/v3", kind: "ClusterInformation", metadata: { name: "default" }, spec: { calicoVersion: "v3.30.2" } };
    const explain = ["netpol", "explain", "--from", "prod/client", "--to", "prod/web", "-o", "json"];
    for (const [served, allowed, note] of [[[...objects, clusterInformation], false, false], [objects, true, true]] as const) {
      const cluster = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-calico-version-")), objects: [...served] });
      try {
        const run = await palisade([...explain, "--kubeconfig", cluster.kubeconfig]);
        expect((JSON.parse(run.stdout) as { allowed: boolean }).allowed).toBe(allowed);
        expect(run.stderr.includes("give --calico-version")).toBe(note);
      } finally {
        await cluster.close();
      }
    }
  });

  it("with --kubelets, judges each node's kubelet configuration read through the node proxy", async () => {
    server.requests.length = 0;
    const live = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-A", "--kubelets", "--rules", "kubelet/*", "-o", "json", "--fail-on", "none"]);
    expect(live.stderr).toBe("");
    const report = JSON.parse(live.stdout) as { findings: Finding[]; summary: { skippedControlled: number } };
    expect(report.findings.map((f) => `${f.ruleId} ${f.object?.kind}/${f.object?.name} ${f.fieldPath}`)).toEqual(["kubelet/read-only-port KubeletConfiguration/control-plane-1 readOnlyPort"]);
    expect(report.summary.skippedControlled).toBe(controlled);
    expect(server.requests.some((r) => r.startsWith("GET /api/v1/nodes/control-plane-1/proxy/configz"))).toBe(true);
    // Without the flag, no node is asked; a user without nodes/proxy gets a problem per node, and the rest of the scan.
    server.requests.length = 0;
    await palisade(["scan", "--kubeconfig", server.kubeconfig, "-A", "--summary", "--fail-on", "none"]);
    expect(server.requests.some((r) => r.includes("/proxy/"))).toBe(false);
    const restricted = await palisade(["scan", "--kubeconfig", server.kubeconfig, "--context", "restricted", "-A", "--kubelets", "-o", "json", "--fail-on", "none"]);
    expect(restricted.code).toBe(2);
    expect(restricted.stderr).toMatch(/node control-plane-1's kubelet configuration: Error from server \(Forbidden\).*nodes\/proxy/);
    expect(restricted.stderr).toMatch(/hint: the scan misses this node's kubelet: reading it needs get on nodes\/proxy/);
  });

  it("posture --cluster scores the live workloads as their files, but for what only files hold", async () => {
    const files = JSON.parse((await palisade(["posture", "examples/cluster", "-o", "json"])).stdout) as PostureReport;
    const live = await palisade(["posture", "--kubeconfig", server.kubeconfig, "-o", "json"]);
    expect(live.stderr).toBe("");
    expect(live.code).toBe(0);
    const report = JSON.parse(live.stdout) as PostureReport;
    expect(report.source).toMatch(/^<cluster .+>$/);
    // Secrets stored in plaintext are known from the EncryptionConfiguration, a file on the control plane.
    const fileOnly = (ruleId: string) => FILE_ONLY.test(ruleId) || ruleId === "posture/secrets-plaintext-at-rest";
    // The live cluster does not show whether it encrypts Secrets: its workloads that read them say so.
    const atRestUnknown = (fact: string) => fact.startsWith("whether the cluster encrypts them at rest is unknown");
    const view = (r: PostureReport) =>
      r.workloads
        .map((w) => [`${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`, w.serviceAccount, Object.values(w.pillars).flatMap((p) => p.deductions.filter((d) => !fileOnly(d.ruleId)).map((d) => `${d.ruleId} x${d.count}: ${d.reason}`)), w.facts.filter((f) => !atRestUnknown(f))])
        .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    expect(view(report)).toEqual(view(files));
    const readers = (r: PostureReport) => r.workloads.filter((w) => w.facts.some((f) => f.startsWith("reads Secrets"))).map((w) => w.ref.name);
    expect(report.workloads.filter((w) => w.facts.some(atRestUnknown)).map((w) => w.ref.name)).toEqual(readers(report));
    expect(readers(report).length).toBeGreaterThan(0);
    expect(files.workloads.filter((w) => w.facts.some(atRestUnknown))).toEqual([]);
    expect(report.workloads.length).toBe(files.workloads.length);
    // Not once per replica: a Deployment is one workload, whatever its ReplicaSets and pods.
    const edges = (r: PostureReport) => r.graph.edges.map((e) => `${r.graph.nodes.find((n) => n.id === e.source)?.label}>${r.graph.nodes.find((n) => n.id === e.target)?.label}:${e.label}`).sort();
    expect(edges(report)).toEqual(edges(files));
    expect(live.stdout).not.toContain("hunter2-live");
  });

  it("posture --cluster reads Gateway API routes, Gateways and ReferenceGrants: a route publishes its backends as in the files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-gateway-"));
    const file = join(dir, "gateway.yaml");
    writeFileSync(
      file,
      `apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: example
  listeners: [{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
    - backendRefs: [{name: web, port: 80}, {name: api, namespace: infra, port: 80}, {name: admin, namespace: infra, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: shop-to-api, namespace: infra}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service, name: api}]
` +
        ["shop/web", "infra/api", "infra/admin"]
          .map((id) => {
            const [namespace, name] = id.split("/");
            return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${name}}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: registry.example.com/${name}:1}]
`;
          })
          .join(""),
    );
    const objects = (await loadSnapshot({ paths: [file] })).objects.map(({ object }) => structuredClone(object) as K8sObject);
    const gateway = await startApiServer({ dir, objects });
    try {
      const published = (run: Run) =>
        (JSON.parse(run.stdout) as PostureReport).workloads
          .map((w) => [w.ref.name, w.pillars.network.deductions.find((d) => d.ruleId === "posture/published-to-every-address")?.reason.replace(/:.*/, "")])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      const files = await palisade(["posture", file, "-o", "json"]);
      const live = await palisade(["posture", "--kubeconfig", gateway.kubeconfig, "-o", "json"]);
      expect(live.stderr).toBe("");
      expect(published(live)).toEqual([
        // No ReferenceGrant lets the route reach admin in another namespace.
        ["admin", undefined],
        ["api", "published outside the cluster through HTTPRoute shop (Gateway infra/public) to Service infra/api, and nothing narrows who may connect"],
        ["web", "published outside the cluster through HTTPRoute shop (Gateway infra/public) to Service web, and nothing narrows who may connect"],
      ]);
      expect(published(live)).toEqual(published(files));
      expect(gateway.requests.some((r) => r.startsWith("GET /apis/gateway.networking.k8s.io/v1/referencegrants"))).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it("reads CertificateSigningRequests: a pending request for system:masters is found in the live cluster", async () => {
    const masters = await makeRequest({ subject: "CN=mallory, O=system:masters" });
    const plain = await makeRequest({ subject: "CN=alice, O=devs" });
    const csr = (name: string, pem: string): K8sObject => ({
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name, uid: nextUid() },
      spec: { signerName: "kubernetes.io/kube-apiserver-client", request: Buffer.from(pem).toString("base64"), usages: ["client auth"], username: "mallory" },
    });
    const cluster = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-csr-")), objects: [csr("mallory-admin", masters), csr("alice", plain)] });
    try {
      const live = await palisade(["scan", "--kubeconfig", cluster.kubeconfig, "-A", "-o", "json"]);
      expect(live.stderr).toBe("");
      expect(live.code).toBe(1);
      const findings = (JSON.parse(live.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId.startsWith("csr/"));
      expect(findings.map((f) => [f.ruleId, f.object?.name, f.fieldPath])).toEqual([["csr/system-masters", "mallory-admin", "spec.request"]]);
      // The request itself (base64 of its PEM) is never printed.
      expect(live.stdout).not.toContain(Buffer.from(masters).toString("base64").slice(0, 40));
      expect(cluster.requests.some((r) => r.startsWith("GET /apis/certificates.k8s.io/v1/certificatesigningrequests"))).toBe(true);
    } finally {
      await cluster.close();
    }
  });

  it("quota --cluster fills the live quotas with the workloads at their declared replicas, beside the controller's status.used", async () => {
    const example = join(repoRoot, "examples/access-quota-tenants.yaml");
    const objects = (await loadSnapshot({ paths: [example] })).objects.map(({ object }) => {
      const copy = structuredClone(object) as K8sObject;
      if (copy.kind !== "ResourceQuota") return copy;
      // As the quota controller keeps it; and a count of Secrets, which the read never asks for.
      (copy.spec as { hard: Record<string, string> }).hard["count/secrets"] = "20";
      return { ...copy, status: { hard: (copy.spec as { hard: unknown }).hard, used: { "requests.cpu": "450m", pods: "3", "count/secrets": "7" } } };
    });
    const quotas = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-quota-")), objects });
    try {
      const files = await palisade(["quota", example, "-o", "json"]);
      const live = await palisade(["quota", "--kubeconfig", quotas.kubeconfig, "-o", "json"]);
      expect(live.stderr).toBe("");
      // The example's workloads exceed its quota: exit 1 from the cluster as from the files.
      expect([live.code, files.code]).toEqual([1, 1]);
      type Report = { namespaces: Array<{ namespace: string; pods: number; rejectedPods: number; quotas: Array<{ used: Record<string, string>; reported?: Record<string, string>; notRead?: string[] }> }>; findings: Finding[] };
      const fromFiles = JSON.parse(files.stdout) as Report;
      const fromCluster = JSON.parse(live.stdout) as Report;
      expect(fromCluster.namespaces.map((n) => [n.namespace, n.pods, n.rejectedPods, n.quotas.map((q) => q.used)])).toEqual(fromFiles.namespaces.map((n) => [n.namespace, n.pods, n.rejectedPods, n.quotas.map((q) => q.used)]));
      expect(fromCluster.findings.map(problem).sort()).toEqual(fromFiles.findings.map(problem).sort());
      const tenantA = fromCluster.namespaces.find((n) => n.namespace === "tenant-a")?.quotas[0];
      expect(tenantA?.reported).toEqual({ "count/secrets": "7", pods: "3", "requests.cpu": "450m" });
      expect(tenantA?.notRead).toEqual(["count/secrets"]);
      const table = await palisade(["quota", "--kubeconfig", quotas.kubeconfig]);
      expect(table.stdout).toMatch(/tenant-a +compute +count\/secrets +not read +7 +20 /);
      expect(table.stdout).toMatch(/tenant-a +compute +requests\.cpu +860m +450m +1 /);
      expect(quotas.requests.filter((r) => /\/(secrets|configmaps)\b/.test(r))).toEqual([]);
    } finally {
      await quotas.close();
    }
  });

  it("quota --cluster refuses pods whose RuntimeClass the cluster does not have, which files cannot know", async () => {
    const deployment = (name: string, runtimeClassName: string): K8sObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "team", uid: `uid-${name}` },
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { runtimeClassName, containers: [{ name: "c", image: "x", resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "64Mi" } } }] } } },
    });
    const objects: K8sObject[] = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } },
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler: "runsc" },
      deployment("sandboxed", "gvisor"),
      deployment("typo", "gvsior"),
    ];
    const cluster = await startApiServer({ dir: mkdtempSync(join(tmpdir(), "palisade-runtimeclass-")), objects });
    try {
      const live = await palisade(["quota", "--kubeconfig", cluster.kubeconfig, "-o", "json"]);
      expect(live.stderr).toBe("");
      const refused = (JSON.parse(live.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === "quota/runtime-class-not-found");
      expect(refused.map((f) => [f.object?.name, f.fieldPath, f.message])).toEqual([["typo", "spec.template.spec.runtimeClassName", 'pod rejected: RuntimeClass "gvsior" not found']]);
      // A scan reads no RuntimeClasses, so it cannot tell: nothing is refused there.
      const scan = await palisade(["scan", "--kubeconfig", cluster.kubeconfig, "-A", "-o", "json", "--fail-on", "none"]);
      expect((JSON.parse(scan.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === "quota/runtime-class-not-found")).toEqual([]);
    } finally {
      await cluster.close();
    }
  });

  it("--save writes what the cluster read gave as YAML, one file per namespace and kind, and points findings at its lines", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "palisade-save-")), "snapshot");
    const live = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-A", "-o", "json", "--fail-on", "none"]);
    const saved = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-A", "--save", dir, "-o", "json", "--fail-on", "none"]);
    expect(saved.code).toBe(0);
    expect(saved.stderr).toMatch(new RegExp(`^saved what <cluster admin> holds \\(Secrets and ConfigMaps are never read\\) to \\d+ files in ${dir}\\n$`));
    const findings = (JSON.parse(saved.stdout) as { findings: Finding[] }).findings;
    // The same problems as the live scan, now each at a line of a saved file. Files get the
    // field checks live objects are spared (the API server ran them); this stand-in, unlike
    // a real one, keeps the example's misspelt field, which they find.
    const checkedOnFiles = (f: Finding) => f.ruleId.startsWith("manifest/");
    expect(findings.filter((f) => !checkedOnFiles(f)).map(problem).sort()).toEqual((JSON.parse(live.stdout) as { findings: Finding[] }).findings.map(problem).sort());
    expect(findings.filter(checkedOnFiles).map((f) => f.fieldPath)).toEqual(["spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem"]);
    for (const f of findings) {
      expect(f.position?.file.startsWith(`${dir}/`), f.ruleId).toBe(true);
      expect(f.position?.line).toBeGreaterThan(0);
    }
    const privileged = findings.find((f) => f.ruleId === "pss/privileged" && f.object?.name === "etl-worker");
    expect(privileged?.position?.file).toBe(join(dir, "analytics", "deployment.apps.yaml"));
    expect(readFileSync(privileged!.position!.file, "utf8").split("\n")[privileged!.position!.line - 1]).toMatch(/^\s+privileged: true/);
    // Saved as Kubernetes reads it back: scanning the files later finds the same, at the same places.
    const again = await palisade(["scan", dir, "-o", "json", "--fail-on", "none"]);
    expect((JSON.parse(again.stdout) as { findings: Finding[] }).findings).toEqual(findings);
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" });
    expect(files).toContain(join("_cluster", "clusterrole.rbac.authorization.k8s.io.yaml"));
    expect(files.filter((f) => /secret|configmap/i.test(f))).toEqual([]);
    // Readable by the user alone, as the cluster is not readable by everyone.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "analytics")).mode & 0o777).toBe(0o700);
    expect(statSync(privileged!.position!.file).mode & 0o777).toBe(0o600);
    for (const f of files.filter((name) => name.endsWith(".yaml"))) expect(readFileSync(join(dir, f), "utf8")).not.toContain("hunter2-live");
    // A directory in use is refused before the cluster is read; so is --save without a cluster.
    const twice = await palisade(["scan", "--kubeconfig", server.kubeconfig, "-A", "--save", dir]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--save .*: the directory is not empty/);
    const noCluster = await palisade(["scan", "examples/cluster", "--save", dir]);
    expect(noCluster.code).toBe(2);
    expect(noCluster.stderr).toMatch(/--save writes what a live cluster read gave: it needs --cluster/);
  });

  it("on a terminal, --save's line clears the waiting line before it", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "palisade-save-tty-")), "snapshot");
    const command = [process.execPath, bin, "scan", "--kubeconfig", server.kubeconfig, "-A", "--save", dir, "--summary", "--fail-on", "none"].map((arg) => `'${arg}'`).join(" ");
    const { CI: _ci, ...env } = process.env;
    const run = await new Promise<string>((resolve) => execFile("script", ["-qec", command, "/dev/null"], { cwd: repoRoot, encoding: "utf8", env: { ...env, HOME: home, KUBECONFIG: "", TERM: "xterm" } }, (_err, stdout) => resolve(stdout)));
    const clear = "\r" + String.fromCharCode(27) + "[2K";
    expect(run).toContain(`kubectl…${clear}saved what <cluster admin> holds`);
  });

  it("posture, quota, rbac and netpol take --save as scan does: the same answers, from the files it wrote", async () => {
    const base = mkdtempSync(join(tmpdir(), "palisade-save-all-"));
    const withSave = async (name: string, args: string[]) => {
      const dir = join(base, name);
      const run = await palisade([...args, "--kubeconfig", server.kubeconfig, "--save", dir]);
      expect(run.stderr, name).toMatch(new RegExp(`^saved what <cluster admin> holds \\(Secrets and ConfigMaps are never read\\) to \\d+ files in ${dir}\\n`));
      expect(readdirSync(dir).length, name).toBeGreaterThan(0);
      return { run, plain: await palisade([...args, "--kubeconfig", server.kubeconfig]) };
    };
    const posture = await withSave("posture", ["posture", "-o", "json"]);
    const report = JSON.parse(posture.run.stdout) as PostureReport;
    // The report names the cluster it read, and points deductions at the saved files' lines.
    expect(report.source).toBe("<cluster admin>");
    const deductions = report.workloads.flatMap((w) => Object.values(w.pillars).flatMap((p) => p.deductions));
    expect(deductions.filter((d) => d.position?.file.startsWith(join(base, "posture"))).length).toBeGreaterThan(0);
    // The same deductions, but for the field checks files get (see the scan's --save test).
    const charged = (r: PostureReport) =>
      r.workloads
        .flatMap((w) => Object.values(w.pillars).flatMap((p) => p.deductions.filter((d) => !d.ruleId.startsWith("manifest/")).map((d) => `${w.ref.namespace}/${w.ref.name} ${d.ruleId} ${d.reason}`)))
        .sort();
    expect(charged(report)).toEqual(charged(JSON.parse(posture.plain.stdout) as PostureReport));
    const quota = await withSave("quota", ["quota", "-o", "json"]);
    expect(JSON.parse(quota.run.stdout).namespaces).toEqual(JSON.parse(quota.plain.stdout).namespaces);
    const rbac = await withSave("rbac", ["rbac", "who-can", "get", "secrets", "-n", "payments", "-o", "json"]);
    // The same answer; each grant's position now a line of a saved file.
    const positions: string[] = [];
    const withoutPositions = (text: string) => JSON.parse(text, (key, value: unknown) => (key === "position" ? (positions.push(String(value)), undefined) : value)) as unknown;
    expect(withoutPositions(rbac.run.stdout)).toEqual(withoutPositions(rbac.plain.stdout));
    expect(positions.filter((p) => p.startsWith(join(base, "rbac"))).length).toBeGreaterThan(0);
    const netpol = await withSave("netpol", ["netpol", "matrix", "-o", "json"]);
    expect(JSON.parse(netpol.run.stdout)).toEqual(JSON.parse(netpol.plain.stdout));
    // Without a cluster, --save is refused as in scan.
    const refused = await palisade(["quota", "examples/cluster", "--save", join(base, "none")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--save writes what a live cluster read gave: it needs --cluster/);
  });

  it("-A alone reads the current kubeconfig's cluster; beside files it reads nothing unless the cluster is asked for by name", async () => {
    const current = { KUBECONFIG: server.kubeconfig };
    type Summary = { summary: { cluster?: string; files: number } };
    const alone = await palisade(["scan", "-A", "-o", "json", "--fail-on", "none"], current);
    expect(alone.code).toBe(0);
    expect((JSON.parse(alone.stdout) as Summary).summary).toMatchObject({ cluster: "<cluster admin>", files: 0 });
    server.requests.length = 0;
    const besideFiles = await palisade(["scan", "examples/cluster", "-A"], current);
    expect(besideFiles.code).toBe(2);
    expect(besideFiles.stdout).toBe("");
    expect(besideFiles.stderr).toMatch(/hint: files are scanned in every namespace already; drop -A, or add --cluster to scan the cluster as well/);
    expect(server.requests).toEqual([]);
    const asked = await palisade(["scan", "examples/cluster", "-A", "--cluster", "-o", "json", "--fail-on", "none"], current);
    expect(asked.code).toBe(0);
    const both = (JSON.parse(asked.stdout) as Summary).summary;
    expect(both.cluster).toBe("<cluster admin>");
    expect(both.files).toBeGreaterThan(0);
  });

  it("refuses -n with -A", async () => {
    const run = await palisade(["scan", "-A", "-n", "payments"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/-n and -A both given/);
  });
});
