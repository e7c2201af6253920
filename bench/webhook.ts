/**
 * bench:webhook — `palisade serve` against a no-op HTTPS server that answers a fixed allow,
 * same TLS, same worker count (2, one per core), same client, same run. Reports throughput
 * ratio and p50/p99 latency side by side at 1, 64 and 500 connections (the two servers measured
 * in alternating halves, so drifting load on a shared machine weighs on both), for /validate with a
 * realistic Deployment-generated pod judged by every policy (PSA restricted, tenancy, images,
 * NodeRestriction). Latencies are collected per response in fractional milliseconds (autocannon's
 * own histogram rounds to whole ms).
 *
 *   npm run bench:webhook                       # comparison, ~2 minutes
 *   npm run bench:webhook -- --soak 60          # soak: errors and memory growth over 60 s
 *   node dist/bench/webhook.js --duration 5     # shorter comparison
 */
import { spawn, type ChildProcess } from "node:child_process";
import cluster from "node:cluster";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createCertificateAuthority, issueCertificate } from "../src/adapters/webhook/certificates.js";

/** The slice of autocannon's API used here (it ships no type declarations). */
interface AutocannonResult {
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
}
const autocannon = createRequire(import.meta.url)("autocannon") as (options: Record<string, unknown>) => AutocannonInstance;

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const WORKERS = Number(flag("--workers") ?? 2);
const NOOP_BODY = (uid: string) => `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"${uid}","allowed":true}}`;

/**
 * The floor, as ANCHORS.md defines it: parses the AdmissionReview, echoes request.uid (as a
 * correct webhook must), answers a fixed allow. (A regular expression for the first "uid"
 * would be cheaper but wrong: object metadata and ownerReferences carry uids too.)
 */
async function runNoopServer(port: number): Promise<void> {
  if (cluster.isPrimary) {
    for (let i = 0; i < WORKERS; i++) cluster.fork();
    return;
  }
  const ca = await createCertificateAuthority("bench-noop");
  const cert = await issueCertificate(ca, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
  createServer({ cert: cert.certPem, key: cert.keyPem, minVersion: "TLSv1.2" }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/healthz") return void res.end("ok");
      const text = Buffer.concat(chunks).toString("utf8");
      let uid = "";
      try {
        const review = JSON.parse(text) as { request?: { uid?: unknown } };
        if (typeof review.request?.uid === "string") uid = review.request.uid;
      } catch {
        return void res.writeHead(400).end();
      }
      const body = NOOP_BODY(uid);
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
  }).listen(port, "127.0.0.1");
}

function realisticPod(): Record<string, unknown> {
  const image = (name: string) => `registry.example.com/shop/${name}@sha256:${"3f".repeat(32)}`;
  const container = (name: string, port: number) => ({
    name,
    image: image(name),
    ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
    env: [{ name: "LOG_LEVEL", value: "info" }, { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    livenessProbe: { httpGet: { path: "/healthz", port }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: "/readyz", port }, periodSeconds: 5 },
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, { name: "config", mountPath: "/etc/app", readOnly: true }],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
  });
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "checkout-7d9f8b6c5-x2k4p",
      generateName: "checkout-7d9f8b6c5-",
      namespace: "shop",
      labels: { app: "checkout", "pod-template-hash": "7d9f8b6c5", "app.kubernetes.io/part-of": "shop" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "checkout-7d9f8b6c5", uid: "6c1e3b8e-2f3d-4a57-9c55-0d2d1f1b3a11", controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      serviceAccountName: "checkout",
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
      containers: [container("checkout", 8080), container("metrics-sidecar", 9090)],
      volumes: [{ name: "tmp", emptyDir: {} }, { name: "config", configMap: { name: "checkout-config" } }],
      tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "blue", effect: "NoSchedule" }],
      nodeSelector: { "node-restriction.kubernetes.io/tenant": "blue" },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "checkout" } } }],
    },
  };
}

function reviewBody(): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "5f0c1b9e-3c2a-4f7e-9a51-0d3a7c2b11aa",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      requestKind: { group: "", version: "v1", kind: "Pod" },
      requestResource: { group: "", version: "v1", resource: "pods" },
      namespace: "shop",
      operation: "CREATE",
      userInfo: { username: "system:serviceaccount:kube-system:replicaset-controller-x", uid: "u-1", groups: ["system:serviceaccounts", "system:authenticated"] },
      object: realisticPod(),
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
    },
  });
}

function writeBenchConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "palisade-bench-"));
  writeFileSync(
    join(dir, "config.yaml"),
    `apiVersion: palisade.dev/v1alpha1
kind: WebhookServerConfiguration
server: { workers: ${WORKERS}, logLevel: info, clusterState: [cluster.yaml] }
policies:
  tenancy:
    mode: enforce
    tenants:
      - { name: blue, taint: { key: palisade.dev/tenant, value: blue }, nodeLabel: { key: node-restriction.kubernetes.io/tenant, value: blue } }
      - { name: green, taint: { key: palisade.dev/tenant, value: green }, nodeLabel: { key: node-restriction.kubernetes.io/tenant, value: green } }
  podSecurity: { mode: enforce }
  nodeRestriction: { mode: enforce }
  images: { mode: enforce, allowedRegistries: [registry.example.com], requireDigest: true }
  secrets: { mode: enforce }
`,
  );
  writeFileSync(
    join(dir, "cluster.yaml"),
    `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { palisade.dev/tenant: blue, pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/warn: restricted, pod-security.kubernetes.io/audit: restricted }
`,
  );
  return join(dir, "config.yaml");
}

function get(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", fail);
    req.end();
  });
}

async function waitHealthy(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await get(port, "/healthz")).status === 200) {
        // every worker listening: a few more successes in a row
        await new Promise((r) => setTimeout(r, 1500));
        return;
      }
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server did not become healthy");
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Sample {
  latencies: number[];
  requests: number;
  errors: number;
  non2xx: number;
  seconds: number;
}

async function sample(port: number, connections: number, duration: number, body: string): Promise<Sample> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: `https://127.0.0.1:${port}/validate?timeout=10s`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections,
    duration,
    tlsOptions: { rejectUnauthorized: false },
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode === 200) latencies.push(responseTime);
  });
  const result = await instance;
  return { latencies, requests: result.requests.total, errors: result.errors + result.timeouts, non2xx: result.non2xx, seconds: duration };
}

function summarise(samples: readonly Sample[]): Measured {
  const sorted = Float64Array.from(samples.flatMap((s) => s.latencies)).sort();
  const requests = samples.reduce((n, s) => n + s.requests, 0);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  return { rps: requests / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: samples.reduce((n, s) => n + s.errors, 0), non2xx: samples.reduce((n, s) => n + s.non2xx, 0), requests };
}

async function measure(port: number, connections: number, duration: number, body: string): Promise<Measured> {
  return summarise([await sample(port, connections, duration, body)]);
}

/**
 * Floor and Palisade in alternating halves, floor-Palisade then Palisade-floor (ABBA), each
 * getting `duration` seconds in all: on a shared machine, load that drifts during a cell
 * then weighs on both sides alike instead of on whichever ran second.
 */
async function measurePair(floorPort: number, oursPort: number, connections: number, duration: number, body: string): Promise<{ floor: Measured; ours: Measured }> {
  const half = duration / 2;
  const floor: Sample[] = [];
  const ours: Sample[] = [];
  floor.push(await sample(floorPort, connections, half, body));
  ours.push(await sample(oursPort, connections, half, body));
  ours.push(await sample(oursPort, connections, half, body));
  floor.push(await sample(floorPort, connections, half, body));
  return { floor: summarise(floor), ours: summarise(ours) };
}

function startPalisade(config: string, port: number): ChildProcess {
  return spawn(process.execPath, [join(repoRoot, "bin/palisade.js"), "serve", "--config", config, "--self-signed", "localhost", "--port", String(port)], { stdio: ["ignore", "ignore", "inherit"] });
}

function startNoop(port: number): ChildProcess {
  return spawn(process.execPath, [fileURLToPath(import.meta.url), "--noop", String(port), "--workers", String(WORKERS)], { stdio: ["ignore", "ignore", "inherit"] });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Cumulative bucket counts of one histogram series in a /metrics text (summed over workers by the primary). */
async function histogram(port: number, name: string, endpoint: string): Promise<Map<number, number>> {
  const text = (await get(port, "/metrics")).text;
  const buckets = new Map<number, number>();
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)",endpoint="${endpoint}"\\} (\\S+)$`, "gm");
  for (const m of text.matchAll(pattern)) buckets.set(m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2]));
  return buckets;
}

/**
 * Quantile of the observations made between two scrapes, as Prometheus' histogram_quantile
 * (linear inside the bucket), plus the upper bound of that bucket: the quantile is at most it.
 */
function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): { estimate: number; atMost: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return { estimate: NaN, atMost: NaN };
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! < rank) continue;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    if (!Number.isFinite(upper)) return { estimate: lower, atMost: Infinity };
    const below = i === 0 ? 0 : counts[i - 1]!;
    return { estimate: lower + ((upper - lower) * (rank - below)) / Math.max(1, counts[i]! - below), atMost: upper };
  }
  return { estimate: NaN, atMost: NaN };
}

const POLICY_HISTOGRAM = "palisade_admission_policy_duration_seconds";
const REQUEST_HISTOGRAM = "palisade_webhook_request_duration_seconds";
const ms = (q: { estimate: number; atMost: number }) => `${fmt(q.estimate * 1000, 3)} (≤ ${fmt(q.atMost * 1000, 2)})`;

async function compare(duration: number): Promise<void> {
  const body = reviewBody();
  const config = writeBenchConfig();
  const noop = startNoop(18601);
  const palisade = startPalisade(config, 18602);
  try {
    await Promise.all([waitHealthy(18601, noop), waitHealthy(18602, palisade)]);
    const check = await new Promise<string>((done, fail) => {
      const req = request({ host: "127.0.0.1", port: 18602, path: "/validate", method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(Buffer.concat(chunks).toString()));
      });
      req.on("error", fail);
      req.end(body);
    });
    if (!check.includes('"allowed":true')) throw new Error(`the bench pod is not allowed, so the bench would measure the wrong path: ${check}`);
    const rows: string[] = [];
    // Both servers warmed up alike (JIT, pools) before anything is measured.
    await measure(18601, 16, 3, body);
    await measure(18602, 16, 3, body);
    for (const connections of [1, 64, 500]) {
      const policyBefore = await histogram(18602, POLICY_HISTOGRAM, "/validate");
      const requestBefore = await histogram(18602, REQUEST_HISTOGRAM, "/validate");
      const { floor, ours } = await measurePair(18601, 18602, connections, duration, body);
      const policyP99 = quantileBetween(policyBefore, await histogram(18602, POLICY_HISTOGRAM, "/validate"), 0.99);
      const requestP99 = quantileBetween(requestBefore, await histogram(18602, REQUEST_HISTOGRAM, "/validate"), 0.99);
      rows.push(
        `| ${connections} | ${fmt(floor.rps, 0)} | ${fmt(ours.rps, 0)} | ${fmt((100 * ours.rps) / floor.rps, 1)}% | ${fmt(floor.p50)} | ${fmt(ours.p50)} | ${fmt(floor.p99)} | ${fmt(ours.p99)} | ${fmt(ours.p99 - floor.p99)} | ${ms(policyP99)} | ${ms(requestP99)} | ${floor.errors + floor.non2xx}/${ours.errors + ours.non2xx} |`,
      );
      console.error(rows.at(-1));
    }
    const table = [
      `body: ${Buffer.byteLength(body)} bytes (realistic Deployment pod, all policies enforcing, allowed); ${WORKERS} server workers each; ${duration}s per server per cell, in alternating halves (floor, palisade, palisade, floor) after a 3 s warm-up of each; client in the same 2-core machine`,
      "",
      "End-to-end latencies are the client's (autocannon, per response, fractional ms); the p99 overhead is palisade p99 minus floor p99.",
      `Server-side columns come from palisade's own /metrics histograms over the cell: policy time = \`${POLICY_HISTOGRAM}\` (judging only),`,
      `server time = \`${REQUEST_HISTOGRAM}\` (request received to response written); interpolated p99, and in brackets the bucket bound it is certainly under.`,
      "",
      "| connections | floor req/s | palisade req/s | throughput vs floor | floor p50 ms | palisade p50 ms | floor p99 ms | palisade p99 ms | e2e p99 overhead ms | policy time p99 ms (server) | server time p99 ms | errors floor/palisade |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|",
      ...rows,
    ].join("\n");
    console.log(table);
  } finally {
    await Promise.all([stop(noop), stop(palisade)]);
  }
}

async function memoryBytes(port: number): Promise<number> {
  const text = (await get(port, "/metrics")).text;
  // Aggregated over workers by the primary: the sum of every worker's resident set.
  const m = /^palisade_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function soak(seconds: number): Promise<void> {
  const body = reviewBody();
  const config = writeBenchConfig();
  const palisade = startPalisade(config, 18603);
  try {
    await waitHealthy(18603, palisade);
    await measure(18603, 64, 5, body); // warm-up: JIT, pools, caches
    const before = await memoryBytes(18603);
    const slice = Math.max(5, Math.floor(seconds / 6));
    const samples: string[] = [];
    let total = { requests: 0, errors: 0, non2xx: 0 };
    for (let elapsed = 0; elapsed < seconds; elapsed += slice) {
      const r = await measure(18603, 64, slice, body);
      total = { requests: total.requests + r.requests, errors: total.errors + r.errors, non2xx: total.non2xx + r.non2xx };
      const rss = await memoryBytes(18603);
      samples.push(`| ${elapsed + slice} | ${fmt(r.rps, 0)} | ${fmt(r.p99)} | ${fmt(rss / 1048576, 1)} |`);
      console.error(samples.at(-1));
    }
    const after = await memoryBytes(18603);
    console.log(
      [
        `soak: ${seconds}s at 64 connections, ${total.requests} requests, ${total.errors} errors, ${total.non2xx} non-2xx`,
        `resident memory (all workers): ${fmt(before / 1048576, 1)} MiB after warm-up -> ${fmt(after / 1048576, 1)} MiB (${fmt(((after - before) / before) * 100, 1)}%)`,
        "",
        "| t (s) | req/s | p99 ms | RSS MiB |",
        "|---|---|---|---|",
        ...samples,
      ].join("\n"),
    );
  } finally {
    await stop(palisade);
  }
}

const noopPort = flag("--noop");
if (noopPort !== undefined) {
  await runNoopServer(Number(noopPort));
} else if (flag("--soak") !== undefined) {
  await soak(Number(flag("--soak")));
} else {
  // 20 s per cell: each half then holds ~100k responses, so the 500 first requests that wait
  // behind a storm of new TLS handshakes stay well under the 1% a p99 is made of.
  await compare(Number(flag("--duration") ?? 20));
}
