/**
 * bench:quota — quota and LimitRange admission over a synthetic multi-tenant cluster, and
 * exact Quantity arithmetic.
 *
 * Floors (same run, same data):
 *  - evaluate: loading the same manifests into a Snapshot (eemeli/yaml parse + indexing), the
 *    least any tool that reads manifests pays; the ratio is the cost of the quota model on top;
 *  - quantity: JavaScript's parseFloat + addition over the same strings, which is inexact
 *    (0.1 + 0.2) but the cheapest possible number handling; the ratio is the price of exactness.
 *
 * Usage: npm run build && node dist/bench/quota.js   (writes bench/results/quota.md)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { evaluateQuotas } from "../src/access/quota/evaluate.js";
import { loadSnapshot } from "../src/k8s/load.js";
import { addQuantities, parseQuantity, zeroQuantity } from "../src/k8s/quantity.js";

async function time(fn: () => Promise<unknown> | unknown, minMs = 1500): Promise<number> {
  await fn(); // warm up
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    await fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return elapsed / runs;
}

/** Namespaces with a quota and a LimitRange each, and deployments with sidecars and init containers. */
function cluster(namespaces: number, deploymentsPerNamespace: number): string {
  const docs: string[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`);
    docs.push(`apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute, namespace: ${ns}}\nspec:\n  hard: {requests.cpu: '20', requests.memory: 40Gi, limits.memory: 80Gi, pods: '100', count/deployments.apps: '50'}`);
    docs.push(`apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: ${ns}}\nspec:\n  limits:\n  - type: Container\n    default: {memory: 512Mi}\n    defaultRequest: {cpu: 100m, memory: 256Mi}\n    max: {memory: 4Gi}`);
    for (let d = 0; d < deploymentsPerNamespace; d++) {
      docs.push(
        [
          "apiVersion: apps/v1",
          "kind: Deployment",
          `metadata: {name: app-${d}, namespace: ${ns}}`,
          "spec:",
          `  replicas: ${1 + (d % 4)}`,
          `  selector: {matchLabels: {app: app-${d}}}`,
          "  template:",
          `    metadata: {labels: {app: app-${d}}}`,
          "    spec:",
          "      initContainers:",
          "      - {name: mesh, image: mesh, restartPolicy: Always, resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {memory: 32Mi}}}",
          "      - {name: migrate, image: tool, resources: {requests: {cpu: '1', memory: 1Gi}}}",
          "      containers:",
          `      - {name: app, image: app, resources: {requests: {cpu: ${100 + d}m, memory: ${64 + d}Mi}, limits: {memory: 1.5Gi}}}`,
          "      - {name: log, image: log}",
        ].join("\n"),
      );
    }
  }
  return docs.join("\n---\n") + "\n";
}

const NAMESPACES = 100;
const DEPLOYMENTS = 30;
const text = cluster(NAMESPACES, DEPLOYMENTS);
const objects = NAMESPACES * (3 + DEPLOYMENTS);

const loadMs = await time(() => loadSnapshot({ paths: ["-"], stdinText: text }));
const snapshot = await loadSnapshot({ paths: ["-"], stdinText: text });
const evaluateMs = await time(() => evaluateQuotas(snapshot));
const findings = evaluateQuotas(snapshot).findings.length;

const quantities: string[] = [];
for (let i = 0; i < 100_000; i++) quantities.push(i % 3 === 0 ? `${i % 977}m` : i % 3 === 1 ? `0.${i % 97}` : `${i % 10}.${i % 7}`);
let floatSink = 0;
const floatMs = await time(() => {
  let sum = 0;
  for (const q of quantities) sum += q.endsWith("m") ? parseFloat(q) / 1000 : parseFloat(q);
  floatSink += sum;
});
let exactSink = 0n;
const exactMs = await time(() => {
  let sum = zeroQuantity();
  for (const q of quantities) sum = addQuantities(sum, parseQuantity(q));
  exactSink += sum.nanos;
});

const rows = [
  ["evaluate quotas + LimitRanges", `${objects} objects, ${NAMESPACES} namespaces`, `${evaluateMs.toFixed(1)} ms`, `load ${loadMs.toFixed(1)} ms`, `${(evaluateMs / loadMs).toFixed(2)}x`],
  ["parse + add 100k quantities (exact)", "100,000 strings", `${exactMs.toFixed(1)} ms`, `parseFloat ${floatMs.toFixed(2)} ms`, `${(exactMs / floatMs).toFixed(1)}x`],
];
const table = [
  "| what | input | time | floor (same run) | ratio |",
  "| --- | --- | --- | --- | --- |",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
const report = `# bench:quota\n\nCommand: \`npm run build && node dist/bench/quota.js\` (Node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n\n${table}\n\nEvaluation found ${findings} findings. The evaluate ratio is quota work on top of loading; the quantity ratio is the price of exact decimals over (inexact) floats. Checksums: ${floatSink > 0 ? "ok" : "?"}/${exactSink > 0n ? "ok" : "?"}.\n`;
const out = resolve(dirname(fileURLToPath(import.meta.url)), "../../bench/results/quota.md");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(report);
