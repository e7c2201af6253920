/**
 * bench:parallel — whether this machine's second core would speed a scan split across two
 * threads or processes. Each workload runs once over the whole corpus in one process,
 * then as two processes at once over half the files each; the slower of the pair over the
 * single run says what splitting the work gives (0.5 on two free cores). Workloads:
 * a loop that allocates nothing (the cores themselves), the js-yaml parse floor, and
 * Palisade's Pod Security scan. Fresh processes, alternating, median of five turns.
 *
 * Usage: npm run bench:parallel   (needs the corpus: npm run bench:scan once; writes bench/results/parallel.md)
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { corpus, option, requireCorpus, root } from "./common.js";

const RUNS = Number(option("runs") ?? 5);
type Kind = "cpu" | "js-yaml" | "scan";

/** A child that runs one workload over DIR and prints its own milliseconds. */
function script(kind: Kind, dir: string): string {
  return `
    const { readdirSync, readFileSync } = await import("node:fs");
    const files = readdirSync(${JSON.stringify(dir)}).filter((f) => f.endsWith(".yaml")).sort().map((f) => ${JSON.stringify(dir)} + "/" + f);
    const kind = ${JSON.stringify(kind)};
    let work;
    if (kind === "cpu") {
      // As many iterations per file as keep it near the parse's time; no allocation at all.
      work = () => { let x = 0; for (let i = 0; i < files.length * 150000; i++) x = (x + i * 7) % 1000003; return x; };
    } else if (kind === "js-yaml") {
      const jsYaml = (await import("js-yaml")).default;
      work = () => { for (const f of files) jsYaml.loadAll(readFileSync(f, "utf8"), () => {}); };
    } else {
      const api = await import(${JSON.stringify(join(root, "dist/bundle/api.js"))});
      api.keepYoungGenerationSmall();
      work = async () => { await api.scanStreaming({ paths: [${JSON.stringify(dir)}] }, {}, [api.podSecurityFamily]); };
    }
    const t0 = process.hrtime.bigint();
    await work();
    process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
  `;
}

function run(kind: Kind, dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script(kind, dir)], { cwd: root });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`${kind} failed: ${err}`))));
  });
}

/** The corpus's files split in two directories of links, first half and second half. */
function halves(): [string, string] {
  const files = readdirSync(corpus).filter((f) => f.endsWith(".yaml")).sort();
  const dirs = [join(root, "bench/out/half-a"), join(root, "bench/out/half-b")] as [string, string];
  dirs.forEach((dir, i) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const part = i === 0 ? files.slice(0, files.length / 2) : files.slice(files.length / 2);
    for (const f of part) symlinkSync(join(corpus, f), join(dir, f));
  });
  return dirs;
}

requireCorpus();
const [a, b] = halves();
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const rows: string[] = [];
for (const kind of ["cpu", "js-yaml", "scan"] as const) {
  const whole: number[] = [];
  const pair: number[] = [];
  for (let turn = 0; turn < RUNS; turn++) {
    whole.push(await run(kind, corpus));
    // Each child times its own work, after its imports: the pair's work ends with the slower of the two.
    pair.push(Math.max(...(await Promise.all([run(kind, a), run(kind, b)]))));
  }
  rows.push(`${kind}|${median(whole).toFixed(0)}|${median(pair).toFixed(0)}`);
}
const NAMES: Record<Kind, string> = { cpu: "arithmetic loop, no allocation", "js-yaml": "js-yaml loadAll (bench:scan's floor)", scan: "Palisade, Pod Security only (scanStreaming)" };
const lines = [
  "## parallel",
  "",
  `Command: \`npm run bench:parallel\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. Each workload over the whole corpus in one process, then as two processes at once over half the files each (medians of ${RUNS} alternating turns; each process times its own work, after its imports; the pair's time is the slower one's). The pair's time over the single run is what splitting the work across the two cores gives: 0.5 would be a perfect split.`,
  "",
  "| workload | one process, all files (ms) | two at once, half each (ms) | split / single |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map((row) => {
    const [kind, whole, pair] = row.split("|") as [Kind, string, string];
    return `| ${NAMES[kind]} | ${whole} | ${pair} | ${(Number(pair) / Number(whole)).toFixed(2)} |`;
  }),
];
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/parallel.md"), lines.join("\n") + "\n");
console.log(lines.join("\n"));
rmSync(a, { recursive: true, force: true });
rmSync(b, { recursive: true, force: true });
