/**
 * A posture against an earlier one (`palisade posture --baseline old.json`): which
 * workloads score lower, higher, are new or are gone, so CI can refuse a change that
 * weakens any workload (`--fail-on-drop`). Workloads are matched by namespace, kind and name.
 */
import { UserError } from "../errors.js";
import { POSTURE_SCHEMA_VERSION, workloadName, type BaselineComparison, type PosturePillar, type PostureReport, type WorkloadPosture } from "./types.js";

interface BaselineWorkload {
  ref: { kind: string; name: string; namespace?: string };
  score: number;
  pillars?: unknown;
}

function isBaselineWorkload(value: unknown): value is BaselineWorkload {
  if (typeof value !== "object" || value === null) return false;
  const { ref, score } = value as Record<string, unknown>;
  return typeof score === "number" && typeof ref === "object" && ref !== null && typeof (ref as Record<string, unknown>).kind === "string" && typeof (ref as Record<string, unknown>).name === "string";
}

/** The baseline's workloads, or a UserError naming the file when it is not a posture report. */
function baselineWorkloads(baseline: unknown, file: string): { workloads: BaselineWorkload[]; source: string; generatedAt: string; meanScore: number } {
  const hint = "give a report written by palisade posture -o json";
  if (typeof baseline !== "object" || baseline === null) throw new UserError(`${file}: not a posture report`, { hint });
  const b = baseline as Record<string, unknown>;
  if (b.schemaVersion !== POSTURE_SCHEMA_VERSION) {
    throw new UserError(`${file}: not a posture report (schemaVersion ${JSON.stringify(b.schemaVersion ?? null)}, expected ${POSTURE_SCHEMA_VERSION})`, { hint: b.schemaVersion === "palisade.dev/scan/v1" ? "that is a scan report: give a report written by palisade posture -o json" : hint });
  }
  if (!Array.isArray(b.workloads) || !b.workloads.every(isBaselineWorkload)) throw new UserError(`${file}: its workloads are not those of a posture report`, { hint });
  const summary = typeof b.summary === "object" && b.summary !== null ? (b.summary as Record<string, unknown>) : {};
  return {
    workloads: b.workloads,
    source: typeof b.source === "string" ? b.source : file,
    generatedAt: typeof b.generatedAt === "string" ? b.generatedAt : "",
    meanScore: typeof summary.meanScore === "number" ? summary.meanScore : 0,
  };
}

/**
 * The report with each workload's earlier score (`baselineScore`, absent for a new one)
 * and what changed. With `namespace`, only that namespace's earlier workloads count as gone.
 */
export function withBaseline(report: PostureReport, baseline: unknown, file: string, namespace?: string): PostureReport {
  const earlier = baselineWorkloads(baseline, file);
  const before = new Map(earlier.workloads.filter((w) => namespace === undefined || (w.ref.namespace ?? "default") === namespace).map((w) => [workloadName(w.ref), w]));
  const comparison: BaselineComparison = { file, source: earlier.source, generatedAt: earlier.generatedAt, meanScore: earlier.meanScore, lower: [], weaker: [], higher: [], added: [], removed: [] };
  const workloads = report.workloads.map((w) => {
    const name = workloadName(w.ref);
    const then = before.get(name);
    before.delete(name);
    if (then === undefined) {
      comparison.added.push(name);
      return w;
    }
    if (w.score < then.score) comparison.lower.push(name);
    else {
      // A workload is scored by its weakest pillar, so a new weakness on another pillar leaves its score as it was.
      const pillars = weakerPillars(w, then);
      if (pillars.length > 0) comparison.weaker.push({ workload: name, pillars });
      else if (w.score > then.score) comparison.higher.push(name);
    }
    return { ...w, baselineScore: then.score };
  });
  comparison.removed = [...before.keys()].sort();
  return { ...report, workloads, baseline: comparison };
}

/** The pillars that score lower than in the baseline's copy of the workload (none when the baseline kept no pillars). */
function weakerPillars(now: WorkloadPosture, then: BaselineWorkload): PosturePillar[] {
  if (typeof then.pillars !== "object" || then.pillars === null) return [];
  const earlier = then.pillars as Record<string, unknown>;
  return (Object.keys(now.pillars) as PosturePillar[]).filter((pillar) => {
    const old = earlier[pillar];
    const score = typeof old === "object" && old !== null ? (old as Record<string, unknown>).score : undefined;
    return typeof score === "number" && now.pillars[pillar].score < score;
  });
}
