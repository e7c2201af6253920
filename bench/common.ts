/** What the benchmarks share: where the project is, their flags, the shared corpus, and where results go. */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The shared corpus as bench:scan generates it (../shared/bench/gen-corpus.py DIR 1000 10). */
export const corpus = join(root, "bench/out/corpus-1000x10");

/** The value after `--name` on the command line, if any. */
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Stops with a clear message when the corpus has not been generated yet. */
export function requireCorpus(): void {
  if (existsSync(corpus)) return;
  console.error(`no corpus at ${corpus}: run npm run bench:scan once to generate it`);
  process.exit(2);
}

/** Writes a benchmark's section to bench/results/<name>.md (bench:report copies it into BENCHMARKS.md) and prints it. */
export function writeResult(name: string, markdown: string): void {
  const out = join(root, "bench/results", `${name}.md`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  process.stdout.write(markdown);
}

export interface Sample {
  seconds: number;
  maxRssMb: number;
}

/** One whole process, its output to /dev/null, timed and measured by GNU time. */
export function timeProcess(argv: string[]): Sample {
  const sink = openSync("/dev/null", "w");
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { stdio: ["ignore", sink, "pipe"], encoding: "utf8", maxBuffer: 1 << 26 });
  closeSync(sink);
  const last = r.stderr.trim().split("\n").pop() ?? "";
  const [seconds, kb] = last.split(" ").map(Number);
  if (r.status !== 0 || seconds === undefined || kb === undefined || !Number.isFinite(seconds)) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  return { seconds, maxRssMb: kb / 1024 };
}

/** Each measure's median over the samples, on its own. */
export function medianSample(samples: Sample[]): Sample {
  const by = (key: keyof Sample) => [...samples].sort((a, b) => a[key] - b[key])[Math.floor(samples.length / 2)]![key];
  return { seconds: by("seconds"), maxRssMb: by("maxRssMb") };
}

/** Deployment app`i` in `namespace` (container port http 8080), and its Service (port 80 to http): two YAML documents. */
export function workloadWithService(i: number, namespace: string): string[] {
  return [
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: app${i}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: app${i}}}
  template:
    metadata: {labels: {app: app${i}}}
    spec: {containers: [{name: c, image: registry.example/app@sha256:${"0".repeat(64)}, ports: [{name: http, containerPort: 8080}]}]}
`,
    `apiVersion: v1\nkind: Service\nmetadata: {name: app${i}, namespace: ${namespace}}\nspec: {selector: {app: app${i}}, ports: [{port: 80, targetPort: http}]}\n`,
  ];
}

/** Each input of a benchmark written to bench/out/PREFIX-NAME.yaml, its documents joined; the paths by name. */
export function writeInputs<K extends string>(prefix: string, documents: Record<K, string[]>): Record<K, string> {
  const dir = join(root, "bench/out");
  mkdirSync(dir, { recursive: true });
  const paths = {} as Record<K, string>;
  for (const name of Object.keys(documents) as K[]) {
    paths[name] = join(dir, `${prefix}-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.yaml`);
    writeFileSync(paths[name], documents[name].join("---\n"));
  }
  return paths;
}

/** Every command timed once per turn, turns alternating, so the VM's drift falls on all alike; the median of each. */
export function alternatingMedians(commands: readonly string[][], runs: number): Sample[] {
  const samples: Sample[][] = commands.map(() => []);
  for (let turn = 0; turn < runs; turn++) commands.forEach((argv, i) => samples[i]!.push(timeProcess(argv)));
  return samples.map(medianSample);
}

/** A Calico NetworkPolicy `egress` in `namespace` over all its endpoints: the rules given (YAML flow lines), then Deny. */
export function calicoEgressPolicy(namespace: string, rules: readonly string[]): string {
  return `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: egress, namespace: ${namespace}}
spec:
  selector: all()
  types: [Egress]
  egress:
${rules.map((rule) => `  - ${rule}\n`).join("")}  - {action: Deny}
`;
}
