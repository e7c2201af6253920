/**
 * Rebuilds the per-area half of BENCHMARKS.md from bench/results/<name>.md, which each
 * benchmark writes; the hand-written half above "# Per-area results" (goals, soaks, notes)
 * is kept as it is. Usage: npm run bench:report
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const ORDER = ["scan", "reader", "parallel", "peer-monokle", "netpol", "dataplane", "services", "calico-services", "matrix-addresses", "calico", "encryption", "encryption-etcd", "rbac", "quota", "posture", "fix", "webhook"];
const MARKER = "# Per-area results";

const file = join(root, "BENCHMARKS.md");
const current = readFileSync(file, "utf8");
const at = current.indexOf(MARKER);
if (at < 0) throw new Error(`BENCHMARKS.md has no "${MARKER}" heading to rebuild from`);
const sections = ORDER.map((name) =>
  readFileSync(join(root, "bench/results", `${name}.md`), "utf8")
    .trim()
    // One level down: each result file's title becomes a section of BENCHMARKS.md.
    .replace(/^(#+) /gm, "$1# "),
);
writeFileSync(file, `${current.slice(0, at)}${MARKER}\n\nEach section below is written by its benchmark (\`bench/results/<name>.md\`) and copied here by \`npm run bench:report\`.\n\n${sections.join("\n\n")}\n`);
console.log(`BENCHMARKS.md: ${sections.length} per-area sections from bench/results/`);
