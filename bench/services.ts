/**
 * bench:services — `palisade netpol matrix --services` against the workload matrix it is
 * read from: `netpol matrix -o json` of the same cluster is the floor, measured in the same
 * run. A generated cluster: WORKLOADS Deployments in 20 namespaces, each behind a Service
 * whose port 80 forwards to the pods' named port http (8080); every namespace isolated for
 * ingress, open to its own namespace and to one neighbour on http, so about a tenth of the
 * pairs connect (over a million rows at 4,000 workloads). Whole processes, output to
 * /dev/null, median of RUNS alternating turns, with peak RSS.
 *
 * Usage: npm run bench:services [-- --workloads 4000 --runs 3]   (writes bench/results/services.md)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { medianSample, option, root, timeProcess, workloadWithService, writeResult, type Sample } from "./common.js";

const WORKLOADS = Number(option("workloads") ?? 4000);
const RUNS = Number(option("runs") ?? 3);
const NAMESPACES = 20;

function clusterText(workloads: number): string {
  const docs: string[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ns${n}}\n`);
    docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: isolate, namespace: ns${n}}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {}}, {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ns${(n + 1) % NAMESPACES}}}}]
    ports: [{port: http}]
`);
  }
  for (let i = 0; i < workloads; i++) docs.push(...workloadWithService(i, `ns${i % NAMESPACES}`));
  return docs.join("---\n");
}

const dir = join(root, "bench/out");
mkdirSync(dir, { recursive: true });
const file = join(dir, `services-${WORKLOADS}.yaml`);
writeFileSync(file, clusterText(WORKLOADS));
const bin = join(root, "bin/palisade.js");
const rows: Array<[string, string[]]> = [
  ["floor: `palisade netpol matrix FILE -o json`", ["netpol", "matrix", file, "-o", "json"]],
  ["`palisade netpol matrix FILE --services -o json`", ["netpol", "matrix", file, "--services", "-o", "json"]],
  ["`palisade netpol matrix FILE --services` (text)", ["netpol", "matrix", file, "--services"]],
];
const samples: Sample[][] = rows.map(() => []);
for (let turn = 0; turn < RUNS; turn++) rows.forEach(([, args], i) => samples[i]!.push(timeProcess([process.execPath, bin, ...args])));
const medians = samples.map(medianSample);
const floor = medians[0]!.seconds;
writeResult(
  "services",
  [
    "# bench:services",
    "",
    `Command: \`npm run bench:services -- --workloads ${WORKLOADS} --runs ${RUNS}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. ${WORKLOADS} Deployments in ${NAMESPACES} namespaces, one Service each (port 80 to the named port http), each namespace open to itself and one neighbour on http. Whole processes, output to /dev/null, median of ${RUNS} alternating turns.`,
    "",
    "| run | wall | × the matrix | peak RSS |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(([name], i) => `| ${name} | ${medians[i]!.seconds.toFixed(2)} s | ${(medians[i]!.seconds / floor).toFixed(2)}× | ${medians[i]!.maxRssMb.toFixed(0)} MB |`),
    "",
  ].join("\n"),
);
