/**
 * bench:peer-monokle — the peer in ../shared/ANCHORS.md measured side by side: Monokle
 * Validation's Pod Security Standards plugin (parse + validate) against Palisade's Pod
 * Security scan (load + judge + positions + JSON report) on the shared corpus, alternating
 * fresh processes. Monokle is not a dependency of Palisade; install it anywhere first:
 *
 *   npm --prefix /tmp/monokle install @monokle/validation@0.33.0 yaml
 *   npm run build && node dist/bench/peer-monokle.js --monokle /tmp/monokle [--runs 3]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { corpus, option, requireCorpus, root } from "./common.js";

const monokle = option("monokle");
const runs = Number(option("runs") ?? 3);

/** Monokle as its README shows it: resources from each document (the `yaml` AST), then one validate call. */
const monokleScript = (dir: string) => `
  const { readdirSync, readFileSync } = await import("node:fs");
  const t0 = process.hrtime.bigint();
  const { parseAllDocuments } = await import(${JSON.stringify(pathToFileURL(join(dir, "node_modules/yaml/dist/index.js")).href)});
  const { createDefaultMonokleValidator } = await import(${JSON.stringify(pathToFileURL(join(dir, "node_modules/@monokle/validation/lib/index.js")).href)});
  const validator = createDefaultMonokleValidator();
  await validator.preload({ plugins: { "pod-security-standards": true } });
  const resources = [];
  for (const f of readdirSync(${JSON.stringify(corpus)}).filter((x) => x.endsWith(".yaml")).sort()) {
    const text = readFileSync(${JSON.stringify(corpus)} + "/" + f, "utf8");
    parseAllDocuments(text).forEach((doc, i) => {
      const content = doc.toJS();
      if (!content?.kind) return;
      const [start, , end] = doc.range;
      resources.push({ id: f + "#" + i, fileId: f, filePath: f, fileOffset: start, name: content.metadata?.name ?? "", apiVersion: content.apiVersion, kind: content.kind, namespace: content.metadata?.namespace, content, text: text.slice(start, end) });
    });
  }
  const response = await validator.validate({ resources });
  const results = response.runs.reduce((n, r) => n + r.results.length, 0);
  console.log(JSON.stringify({ objects: resources.length, results, seconds: Number(process.hrtime.bigint() - t0) / 1e9, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

/** Palisade as bench:scan's Pod Security row runs it (and as the CLI does). */
const palisadeScript = `
  const t0 = process.hrtime.bigint();
  const api = await import(${JSON.stringify(join(root, "dist/bundle/api.js"))});
  const { openSync, closeSync } = await import("node:fs");
  api.keepYoungGenerationSmall();
  const { result } = await api.scanStreaming({ paths: [${JSON.stringify(corpus)}] }, {}, [api.podSecurityFamily]);
  const sink = openSync("/dev/null", "w");
  api.writePieces(sink, api.renderJsonPieces(result));
  closeSync(sink);
  console.log(JSON.stringify({ objects: result.stats.objects, results: result.findings.length, seconds: Number(process.hrtime.bigint() - t0) / 1e9, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

interface Sample {
  objects: number;
  results: number;
  seconds: number;
  maxRssMb: number;
}

function run(script: string): Sample {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(r.stderr.slice(-800));
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Sample;
}

if (!monokle || !existsSync(join(monokle, "node_modules/@monokle/validation"))) {
  console.error("usage: node dist/bench/peer-monokle.js --monokle DIR [--runs N]\n  DIR: where `npm --prefix DIR install @monokle/validation@0.33.0 yaml` put it");
  process.exit(2);
}
requireCorpus();
const samples: Record<"monokle" | "palisade", Sample[]> = { monokle: [], palisade: [] };
for (let i = 0; i < runs; i++) {
  samples.monokle.push(run(monokleScript(resolve(monokle))));
  samples.palisade.push(run(palisadeScript));
}
const median = (list: Sample[]): Sample => [...list].sort((a, b) => a.seconds - b.seconds)[Math.floor(list.length / 2)]!;
const lines = [`${runs} alternating runs each, median; the shared corpus (10,000 objects).`, "", "| tool | objects/s | seconds | results | peak RSS MB |", "| --- | --- | --- | --- | --- |"];
for (const [name, label] of [["monokle", "Monokle Validation 0.33, Pod Security Standards plugin (parse + validate)"], ["palisade", "Palisade, Pod Security only (load + judge + positions + JSON report)"]] as const) {
  const s = median(samples[name]);
  lines.push(`| ${label} | ${Math.round(s.objects / s.seconds).toLocaleString("en-US")} | ${s.seconds.toFixed(2)} | ${s.results.toLocaleString("en-US")} | ${Math.round(s.maxRssMb)} |`);
}
const report = lines.join("\n");
console.log(report);
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/peer-monokle.md"), `# bench:peer-monokle\n\nCommand: \`node dist/bench/peer-monokle.js --monokle DIR\` (${new Date().toISOString().slice(0, 10)}), Monokle installed in DIR by \`npm --prefix DIR install @monokle/validation@0.33.0 yaml\`\n\n${report}\n`);
