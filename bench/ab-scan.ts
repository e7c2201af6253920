/**
 * bench:ab-scan — is a change to the scan faster? On a shared VM whose speed drifts ±15%
 * from one minute to the next, only runs interleaved with a baseline answer that. This
 * times the scan's phases (import, load, judge, their sum "scan", render) for two builds of Palisade in
 * alternating fresh processes on the shared corpus, and prints min and median per phase.
 *
 *   git worktree add /tmp/base HEAD~1 && (cd /tmp/base && ln -s $PWD/node_modules . && npm run build)
 *   npm run build && node dist/bench/ab-scan.js --base /tmp/base [--runs 9] [--all]
 *
 * --all runs every rule family (as the CLI does); the default is Pod Security only.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { corpus, option, requireCorpus, root } from "./common.js";

const base = option("base");
const runs = Number(option("runs") ?? 7);
const allFamilies = process.argv.includes("--all");

/** One scan in this process, timed by phase; prints `phase ms` pairs. */
function phaseScript(build: string): string {
  return `
    const t0 = process.hrtime.bigint();
    const api = await import(${JSON.stringify(join(build, "dist/bundle/api.js"))});
    const { openSync, closeSync } = await import("node:fs");
    const t1 = process.hrtime.bigint();
    // As the CLI does before it scans (builds from before it had this call skip it).
    api.keepYoungGenerationSmall?.();
    const families = ${allFamilies ? "undefined" : "[api.podSecurityFamily]"};
    let result;
    let t2;
    if (api.scanStreaming) {
      // Loading and judging are one pass (as the CLI scans): "load" is all of it, "judge" 0.
      result = (await api.scanStreaming({ paths: [${JSON.stringify(corpus)}] }, {}, families)).result;
      t2 = process.hrtime.bigint();
    } else {
      // A base build from before the streaming scan.
      const snapshot = await api.loadSnapshot({ paths: [${JSON.stringify(corpus)}] });
      t2 = process.hrtime.bigint();
      result = api.runScan(snapshot, {}, families);
    }
    const t3 = process.hrtime.bigint();
    const sink = openSync("/dev/null", "w");
    api.writePieces(sink, api.renderJsonPieces(result));
    closeSync(sink);
    const t4 = process.hrtime.bigint();
    const ms = (a, b) => (Number(b - a) / 1e6).toFixed(1);
    const cpu = process.cpuUsage();
    console.log(["import", ms(t0, t1), "load", ms(t1, t2), "judge", ms(t2, t3), "scan", ms(t1, t3), "render", ms(t3, t4), "total", ms(t0, t4),
      "cpu", ((cpu.user + cpu.system) / 1000).toFixed(1), "rssMB", (process.resourceUsage().maxRSS / 1024).toFixed(1), "findings", result.findings.length].join(" "));
  `;
}

function runOnce(build: string): Map<string, number> {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", phaseScript(build)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scan with ${build} failed: ${r.stderr.slice(-500)}`);
  const words = r.stdout.trim().split(/\s+/);
  const phases = new Map<string, number>();
  for (let i = 0; i + 1 < words.length; i += 2) phases.set(words[i]!, Number(words[i + 1]));
  return phases;
}

function summary(samples: Array<Map<string, number>>): string {
  const names = [...(samples[0]?.keys() ?? [])];
  return names
    .map((name) => {
      const values = samples.map((s) => s.get(name)!).sort((a, b) => a - b);
      const median = values[Math.floor(values.length / 2)]!;
      return name === "findings" ? `findings ${median}` : `${name} ${values[0]!.toFixed(0)}/${median.toFixed(0)}`;
    })
    .join(" | ");
}

if (!base || !existsSync(join(base, "dist/bundle/api.js"))) {
  console.error("usage: node dist/bench/ab-scan.js --base DIR [--runs N] [--all]\n  DIR: another checkout of Palisade, built (dist/bundle/api.js)");
  process.exit(2);
}
requireCorpus();
const samples: Record<"base" | "this", Array<Map<string, number>>> = { base: [], this: [] };
for (let i = 0; i < runs; i++) {
  samples.base.push(runOnce(resolve(base)));
  samples.this.push(runOnce(root));
}
console.log(`${runs} alternating runs each, ${allFamilies ? "every family" : "Pod Security only"}; min/median ms per phase`);
console.log(`base  ${summary(samples.base)}`);
console.log(`this  ${summary(samples.this)}`);
