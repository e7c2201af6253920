/**
 * bench:posture — `palisade posture` on the shared corpus (10,000 workloads), against the
 * scan it runs first: `palisade scan DIR -o json` of the same files is the floor, measured
 * in the same run. The ratio is what linking findings to workloads, the RBAC worth of each
 * token and who may reach each workload (10^8 pairs) cost on top of the scan. Whole
 * processes, alternating, five turns each; the median is reported with peak RSS.
 *
 * Usage: npm run bench:posture   (needs the corpus: npm run bench:scan once; writes bench/results/posture.md)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { corpus, medianSample as median, option, requireCorpus, root, timeProcess, type Sample } from "./common.js";

const RUNS = Number(option("runs") ?? 5);
const run = (args: string[]): Sample => timeProcess([process.execPath, join(root, "bin/palisade.js"), ...args]);

/**
 * The corpus as a zero-trust cluster keeps it: every namespace isolated (a default deny
 * both ways but DNS, and an allow from its own namespace). Links to the corpus files, plus
 * one file of policies.
 */
function isolatedCorpus(): string {
  const dir = `${corpus}-isolated`;
  mkdirSync(dir, { recursive: true });
  const namespaces = new Set<string>();
  for (const file of readdirSync(corpus).filter((f) => f.endsWith(".yaml"))) {
    for (const m of readFileSync(join(corpus, file), "utf8").matchAll(/^ {2}namespace: (\S+)$/gm)) namespaces.add(m[1]!);
    if (!existsSync(join(dir, file))) symlinkSync(join(corpus, file), join(dir, file));
  }
  const policies = [...namespaces].sort().map(
    (ns) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ${ns}}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol: UDP}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-own-namespace, namespace: ${ns}}
spec:
  podSelector: {}
  ingress: [{from: [{podSelector: {}}]}]
`,
  );
  writeFileSync(join(dir, "zz-isolation.yaml"), policies.join("---\n"));
  return dir;
}

requireCorpus();
const isolated = isolatedCorpus();
const rows: Array<[string, string[]]> = [
  ["floor: `palisade scan DIR -o json`", ["scan", corpus, "-o", "json", "--fail-on", "none"]],
  ["`palisade posture DIR -o json`", ["posture", corpus, "-o", "json"]],
  ["`palisade posture DIR -o html`", ["posture", corpus, "-o", "html"]],
  ["`palisade posture DIR` (text table)", ["posture", corpus]],
  ["`palisade posture DIR -o json`, every namespace isolated", ["posture", isolated, "-o", "json"]],
];
const samples: Sample[][] = rows.map(() => []);
for (let turn = 0; turn < RUNS; turn++) rows.forEach(([, args], i) => samples[i]!.push(run(args)));
const medians = samples.map(median);
const floor = medians[0]!.seconds;
const lines = [
  "## posture",
  "",
  `Command: \`npm run bench:posture\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. Corpus: shared/bench/gen-corpus.py DIR 1000 10 (10,000 workloads in 1,000 files, 50 namespaces); "every namespace isolated" adds to it a default deny (but DNS) and an allow from its own namespace in each namespace, as a zero-trust cluster has them. Whole processes, output to /dev/null, median of ${RUNS} alternating turns.`,
  "",
  "| run | wall | × the scan | peak RSS |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map(([name], i) => `| ${name} | ${medians[i]!.seconds.toFixed(2)} s | ${(medians[i]!.seconds / floor).toFixed(2)}× | ${medians[i]!.maxRssMb.toFixed(0)} MB |`),
  "",
];
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/posture.md"), lines.join("\n"));
console.log(lines.join("\n"));
