/**
 * bench:reader — how the scan's loader (k8s/parse.ts: documents split, read by the block
 * reader with every key's position, wrapped as objects) compares with the js-yaml floor of
 * bench:scan, on the same texts read beforehand: the parse alone, no import, no file
 * reading, no judging. It shows how much of the 1.3× bench:scan allows loading already
 * takes. Fresh processes, alternating, five turns each; medians.
 *
 * Usage: npm run bench:reader   (needs the corpus: npm run bench:scan once; writes bench/results/reader.md)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { corpus, option, requireCorpus, root } from "./common.js";

const RUNS = Number(option("runs") ?? 5);
type Kind = "js-yaml" | "loader";

/** Milliseconds to parse every corpus file, in a fresh process, after reading them all. */
function measure(kind: Kind): number {
  const script = `
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = ${JSON.stringify(corpus)};
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort().map((f) => join(dir, f));
    const texts = files.map((f) => readFileSync(f, "utf8"));
    let objects = 0;
    let parse;
    if (${JSON.stringify(kind)} === "js-yaml") {
      const jsYaml = (await import("js-yaml")).default;
      parse = (file, text) => jsYaml.loadAll(text, (d) => { if (d) objects++; });
    } else {
      const { parseYamlFile } = await import(${JSON.stringify(join(root, "dist/src/k8s/parse.js"))});
      parse = (file, text) => { objects += parseYamlFile(file, text).objects.length; };
    }
    const t0 = process.hrtime.bigint();
    texts.forEach((text, i) => parse(files[i], text));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (objects !== 10000) throw new Error("expected 10,000 objects, got " + objects);
    process.stdout.write(String(ms));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr}`);
  return Number(r.stdout);
}

requireCorpus();
const samples: Record<Kind, number[]> = { "js-yaml": [], loader: [] };
for (let turn = 0; turn < RUNS; turn++) for (const kind of ["js-yaml", "loader"] as const) samples[kind].push(measure(kind));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(samples["js-yaml"]);
const loader = median(samples.loader);
const lines = [
  "## reader",
  "",
  `Command: \`npm run bench:reader\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. The corpus's 1,000 files (10,000 objects), read into memory first; only the parse is timed. Fresh processes, alternating, median of ${RUNS}.`,
  "",
  "| parse | ms | × js-yaml |",
  "| --- | ---: | ---: |",
  `| js-yaml loadAll (bench:scan's floor, no positions) | ${floor.toFixed(0)} | 1.00× |`,
  `| Palisade's loader (documents split, block reader, every key's position, objects wrapped) | ${loader.toFixed(0)} | ${(loader / floor).toFixed(2)}× |`,
  "",
];
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/reader.md"), lines.join("\n"));
console.log(lines.join("\n"));
