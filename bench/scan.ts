/**
 * bench:scan — scan throughput against the YAML-parse floor of the same files, measured in
 * the same run, on the shared corpus (../shared/bench/gen-corpus.py DIR 1000 10).
 *
 * Each measurement runs in a fresh child process (so peak RSS is the scan's own), five
 * times, the workloads taking turns; the median is reported. In-process rows time the work
 * after node has started (loading the shipped bundle included); whole-process rows time the
 * real CLI as a user runs it. Usage: npm run bench:scan [-- --files 1000 --per 10 --runs 5]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const FILES = arg("files", 1000);
const PER = arg("per", 10);
const RUNS = arg("runs", 5);

interface Sample {
  seconds: number;
  maxRssMb: number;
  objects: number;
}

function corpus(): string {
  const dir = join(root, "bench/out", `corpus-${FILES}x${PER}`);
  if (!existsSync(join(dir, `f${String(FILES - 1).padStart(4, "0")}.yaml`))) {
    const generator = resolve(process.env.PALISADE_SHARED_DIR ?? join(root, "../shared"), "bench/gen-corpus.py");
    if (!existsSync(generator)) throw new Error(`corpus generator not found at ${generator} (set PALISADE_SHARED_DIR)`);
    mkdirSync(dir, { recursive: true });
    execFileSync("python3", [generator, dir, String(FILES), String(PER)], { stdio: "inherit" });
  }
  return dir;
}

/** A child that runs one workload and reports its own time and peak memory. */
function measure(kind: "js-yaml" | "yaml" | "scan" | "scan-pss", dir: string): Sample {
  const script = `
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = ${JSON.stringify(dir)};
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort().map((f) => join(dir, f));
    const t0 = process.hrtime.bigint();
    let objects = 0;
    if (${JSON.stringify(kind)} === "js-yaml") {
      const jsYaml = (await import("js-yaml")).default;
      for (const f of files) jsYaml.loadAll(readFileSync(f, "utf8"), (d) => { if (d) objects++; });
    } else if (${JSON.stringify(kind)} === "yaml") {
      const { parseAllDocuments } = await import("yaml");
      for (const f of files) for (const d of parseAllDocuments(readFileSync(f, "utf8"))) { if (d.toJS()) objects++; }
    } else {
      // The bundle the package ships (what the CLI runs), not the unbundled tsc output.
      const { scanStreaming, renderJsonPieces, writePieces, podSecurityFamily, keepYoungGenerationSmall } = await import(${JSON.stringify(join(root, "dist/bundle/api.js"))});
      const { openSync, closeSync } = await import("node:fs");
      const families = ${JSON.stringify(kind)} === "scan-pss" ? [podSecurityFamily] : undefined;
      // As the CLI does before it scans: a process that runs one scan keeps its young generation small.
      keepYoungGenerationSmall();
      // As the CLI scans: loading and judging in one pass.
      const { result } = await scanStreaming({ paths: [dir] }, {}, families);
      // As the CLI does with -o json: rendered piece by piece and written out (here to /dev/null).
      const sink = openSync("/dev/null", "w");
      writePieces(sink, renderJsonPieces(result));
      closeSync(sink);
      objects = result.stats.objects;
      if (result.findings.length === 0) throw new Error("no findings: the benchmark would measure nothing");
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, objects }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

/**
 * Whole processes, as a user runs them (node start-up included on both sides): the parse
 * floor as `node -e` with js-yaml, and `palisade scan DIR -o json > /dev/null`. Wall time
 * and peak RSS from GNU time.
 */
function measureProcess(kind: "js-yaml" | "cli" | "cli-pss", dir: string): Sample {
  const floorScript = `const fs = require("node:fs"); const y = require("js-yaml"); const d = ${JSON.stringify(dir)}; let n = 0;
    for (const f of fs.readdirSync(d).filter((f) => f.endsWith(".yaml")).sort()) y.loadAll(fs.readFileSync(d + "/" + f, "utf8"), (x) => { if (x) n++; });
    process.stderr.write("objects " + n + "\\n");`;
  const cli = [process.execPath, join(root, "bin/palisade.js"), "scan", dir, "-o", "json", "--fail-on", "none"];
  const command = kind === "js-yaml" ? [process.execPath, "-e", floorScript] : kind === "cli-pss" ? [...cli, "--rules", "pss/*"] : cli;
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...command], { cwd: root, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  const m = /(\d+\.\d+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${kind} (whole process) failed: ${r.stderr.slice(-500)}`);
  const objects = kind === "js-yaml" ? Number(/objects (\d+)/.exec(r.stderr)?.[1]) : 0;
  return { seconds: Number(m[1]), maxRssMb: Number(m[2]) / 1024, objects };
}

function median(samples: Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)] as Sample;
}

function startup(command: string[], runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, command, { cwd: root });
    if (r.status !== 0) throw new Error(`${command.join(" ")} failed`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function runScanBench(): string {
  const dir = corpus();
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).length;
  const bytes = readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
  // Interleaved: this VM's speed drifts ±15% from one minute to the next, and a floor
  // measured in a slow minute against a scan in a fast one (or the reverse) says nothing.
  const samples: Record<"js-yaml" | "scan-pss" | "scan" | "floorProcess" | "cliProcess" | "cliPssProcess", Sample[]> = { "js-yaml": [], "scan-pss": [], scan: [], floorProcess: [], cliProcess: [], cliPssProcess: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const kind of ["js-yaml", "scan-pss", "scan"] as const) samples[kind].push(measure(kind, dir));
    samples.floorProcess.push(measureProcess("js-yaml", dir));
    samples.cliProcess.push(measureProcess("cli", dir));
    samples.cliPssProcess.push(measureProcess("cli-pss", dir));
  }
  const results: Record<string, Sample> = {
    "js-yaml": median(samples["js-yaml"]),
    "scan-pss": median(samples["scan-pss"]),
    scan: median(samples.scan),
    yaml: measure("yaml", dir),
  };
  const floor = results["js-yaml"] as Sample;
  const processFloor = median(samples.floorProcess);
  const processCli = { ...median(samples.cliProcess), objects: processFloor.objects };
  const processCliPss = { ...median(samples.cliPssProcess), objects: processFloor.objects };
  const processRow = (name: string, s: Sample) =>
    `| ${name} | ${s.objects} | ${s.seconds.toFixed(2)} | ${Math.round(s.objects / s.seconds).toLocaleString("en-US")} | ${(s.seconds / processFloor.seconds).toFixed(2)}× | ${Math.round(s.maxRssMb)} |`;
  const row = (name: string, s: Sample) =>
    `| ${name} | ${s.objects} | ${s.seconds.toFixed(2)} | ${Math.round(s.objects / s.seconds).toLocaleString("en-US")} | ${(s.seconds / floor.seconds).toFixed(2)}× | ${Math.round(s.maxRssMb)} |`;
  const nodeStart = startup(["-e", ""]);
  const cliStart = startup([join(root, "bin/palisade.js"), "--version"]);
  const lines = [
    `Corpus: ${files} files, ${(bytes / 1e6).toFixed(1)} MB, generated by shared/bench/gen-corpus.py DIR ${FILES} ${PER}. Median of ${RUNS} interleaved runs (floor, Pod Security only, every family, then the three whole processes), each in a fresh process; the yaml reference once.`,
    "",
    "| workload | objects | seconds | objects/s | × js-yaml floor | peak RSS MB |",
    "| --- | --- | --- | --- | --- | --- |",
    row("js-yaml loadAll (parse floor, no positions)", floor),
    row("palisade scan, Pod Security only (load + judge + positions + JSON)", results["scan-pss"] as Sample),
    row("palisade scan, every rule family", results.scan as Sample),
    row("yaml parseAllDocuments + toJS (full positioned AST, reference)", results.yaml as Sample),
    "",
    "Whole processes, as a user runs them (node start-up on both sides; GNU time's wall clock and peak RSS):",
    "",
    "| workload | objects | seconds | objects/s | × floor process | peak RSS MB |",
    "| --- | --- | --- | --- | --- | --- |",
    `| \`node -e\` js-yaml loadAll of every file (floor) | ${processFloor.objects} | ${processFloor.seconds.toFixed(2)} | ${Math.round(processFloor.objects / processFloor.seconds).toLocaleString("en-US")} | 1.00× | ${Math.round(processFloor.maxRssMb)} |`,
    processRow("`palisade scan DIR -o json > /dev/null` (every rule family)", processCli),
    processRow("`palisade scan DIR --rules 'pss/*' -o json > /dev/null` (Pod Security only)", processCliPss),
    "",
    `CLI start-up (median of 15): \`node -e ""\` ${nodeStart.toFixed(0)} ms; \`palisade --version\` ${cliStart.toFixed(0)} ms (${(cliStart / nodeStart).toFixed(2)}×).`,
  ];
  return lines.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = runScanBench();
  console.log(report);
  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/scan.md"), `# bench:scan\n\nCommand: \`npm run bench:scan\` (${new Date().toISOString().slice(0, 10)})\n\n${report}\n`);
}
