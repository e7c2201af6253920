/**
 * The posture as a terminal reads it: one row per workload, weakest first, with its
 * score on each pillar and the deduction that costs it most; `wide` adds every
 * deduction and fact under its row.
 */
import { createColors } from "picocolors";
import { SEVERITIES } from "../findings/types.js";
import { isLiveFile } from "../k8s/types.js";
import { printable, printableLineStart } from "../report/printable.js";
import { POSTURE_PILLARS, workloadName, type Deduction, type PostureReport, type WorkloadPosture } from "./types.js";

type Colors = ReturnType<typeof createColors>;

function paintScore(c: Colors, score: number, text: string): string {
  if (score >= 90) return c.green(text);
  if (score >= 75) return c.cyan(text);
  if (score >= 50) return c.yellow(text);
  return c.red(text);
}

/** The deduction that costs the workload most, on its weakest pillar. */
export function costliest(w: WorkloadPosture): Deduction | undefined {
  const pillar = POSTURE_PILLARS.find((p) => w.pillars[p].score === w.score);
  return pillar ? w.pillars[pillar].deductions[0] : undefined;
}

function where(d: Deduction): string {
  if (!d.position) return "";
  return isLiveFile(d.position.file) ? ` (${printable(d.position.file)})` : ` (${printable(d.position.file)}:${d.position.line}:${d.position.column})`;
}

/** `-5`, `+10`, `new`, or nothing when the score is the baseline's. */
function change(w: WorkloadPosture): string {
  if (w.baselineScore === undefined) return "new";
  const delta = w.score - w.baselineScore;
  return delta === 0 ? "" : delta > 0 ? `+${delta}` : String(delta);
}

/** Workloads weakest first, then by name: the order of every report. */
export function byScore(workloads: readonly WorkloadPosture[]): WorkloadPosture[] {
  return [...workloads].sort((a, b) => a.score - b.score || (workloadName(a.ref) < workloadName(b.ref) ? -1 : 1));
}

export function renderPostureText(report: PostureReport, options: { color: boolean; wide: boolean }): string {
  const c = createColors(options.color);
  const rows = byScore(report.workloads);
  const compared = report.baseline !== undefined;
  const header = ["WORKLOAD", "SCORE", ...(compared ? ["CHANGE"] : []), "GRADE", ...POSTURE_PILLARS.map((p) => p.toUpperCase()), "WEAKEST BECAUSE"];
  const table = rows.map((w) => {
    const worst = costliest(w);
    return [printableLineStart(workloadName(w.ref)), String(w.score), ...(compared ? [change(w)] : []), w.grade, ...POSTURE_PILLARS.map((p) => String(w.pillars[p].score)), worst ? `${worst.ruleId}${worst.count > 1 ? ` (x${worst.count})` : ""}` : "-"];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] as string).length)));
  const line = (cells: string[], score?: number) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] as number);
        return score !== undefined && i >= 1 && i <= (compared ? 3 : 2) ? paintScore(c, score, padded) : padded;
      })
      .join("  ");
  const out: string[] = [];
  out.push(c.bold(line(header)));
  rows.forEach((w, k) => {
    out.push(line(table[k] as string[], w.score));
    if (!options.wide) return;
    for (const p of POSTURE_PILLARS) {
      for (const d of w.pillars[p].deductions) out.push(`    ${c.dim(`-${d.points}`.padStart(4))} ${p}: ${d.ruleId}${d.count > 1 ? ` (x${d.count})` : ""}: ${printable(d.reason)}${c.dim(where(d))}`);
    }
    for (const fact of w.facts) out.push(`    ${c.dim("   ·")} ${printable(fact)}`);
  });
  if (rows.length === 0) out.push(report.namespace === undefined ? "No workloads in the input." : `No workloads in namespace ${printable(report.namespace)}.`);
  out.push("");
  const s = report.summary;
  const grades = (["A", "B", "C", "D", "F"] as const).map((g) => `${g} ${s.grades[g]}`).join(" · ");
  out.push(`${s.workloads} workload${s.workloads === 1 ? "" : "s"}${report.namespace === undefined ? "" : ` in ${printable(report.namespace)}`} from ${printable(report.source)}, mean score ${s.meanScore}: ${grades}`);
  const weakest = POSTURE_PILLARS.filter((p) => s.weakestPillar[p] > 0).map((p) => `${p} ${s.weakestPillar[p]}`);
  if (weakest.length > 0) out.push(`Weakest pillar: ${weakest.join(", ")}`);
  const cluster = [...SEVERITIES].reverse().filter((sev) => s.clusterFindings[sev] > 0).map((sev) => `${s.clusterFindings[sev]} ${sev}`);
  if (cluster.length > 0) out.push(`Findings about the platform, namespaces and policies rather than one workload: ${cluster.join(", ")} (palisade scan lists them)`);
  const b = report.baseline;
  if (b) {
    out.push(`Against ${printable(b.file)} (${printable(b.source)}${b.generatedAt ? `, ${b.generatedAt.slice(0, 10)}` : ""}): mean score ${b.meanScore} -> ${s.meanScore}; ${b.lower.length} lower, ${b.weaker.length > 0 ? `${b.weaker.length} weaker on a pillar, ` : ""}${b.higher.length} higher, ${b.added.length} new, ${b.removed.length} gone`);
    if (b.lower.length > 0) out.push(c.red(`Lower than before: ${printable(b.lower.join(", "))}`));
    if (b.weaker.length > 0) out.push(c.red(`Weaker on a pillar, its score held by a weaker one: ${printable(b.weaker.map((w) => `${w.workload} (${w.pillars.join(", ")})`).join(", "))}`));
    if (b.removed.length > 0) out.push(`Gone since: ${printable(b.removed.join(", "))}`);
  }
  if (!options.wide && rows.length > 0) out.push(c.dim("Every deduction and its place: -o wide; the graph and the details: -o html > posture.html"));
  return out.join("\n") + "\n";
}
