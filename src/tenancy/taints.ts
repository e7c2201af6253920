/**
 * Taints and tolerations exactly as Kubernetes matches them (core/v1 Toleration.ToleratesTaint,
 * component-helpers FindMatchingUntoleratedTaint, the scheduler's TaintToleration filter and
 * the taint-eviction controller's minimum toleration time). Proven against
 * conformance/taints/cases.json. Pure: no I/O.
 */
import { parseInt64 } from "../k8s/go-strconv.js";

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute" | string;

export interface Taint {
  key: string;
  value?: string;
  effect?: TaintEffect;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: number | null;
}

export interface MatchOptions {
  /**
   * The alpha TaintTolerationComparisonOperators gate: with it off (the default, as in
   * every released Kubernetes), a Gt/Lt toleration tolerates nothing.
   */
  comparisonOperators?: boolean;
}

export interface TolerationResult {
  tolerated: boolean;
  /** Set when a Gt/Lt comparison met a value that is not an int64 (upstream logs it). */
  error?: string;
}

/** One toleration against one taint. Empty effect or key in the toleration match anything. */
export function toleratesTaint(toleration: Toleration, taint: Taint, options: MatchOptions = {}): TolerationResult {
  const tolerationEffect = toleration.effect ?? "";
  const tolerationKey = toleration.key ?? "";
  if (tolerationEffect !== "" && tolerationEffect !== (taint.effect ?? "")) return { tolerated: false };
  if (tolerationKey !== "" && tolerationKey !== taint.key) return { tolerated: false };
  switch (toleration.operator ?? "") {
    case "":
    case "Equal":
      return { tolerated: (toleration.value ?? "") === (taint.value ?? "") };
    case "Exists":
      return { tolerated: true };
    case "Gt":
    case "Lt": {
      if (!options.comparisonOperators) return { tolerated: false };
      const bound = parseInt64(toleration.value ?? "");
      if (bound === undefined) return { tolerated: false, error: `toleration value ${JSON.stringify(toleration.value ?? "")} is not an integer` };
      const actual = parseInt64(taint.value ?? "");
      if (actual === undefined) return { tolerated: false, error: `taint ${taint.key} value ${JSON.stringify(taint.value ?? "")} is not an integer` };
      return { tolerated: toleration.operator === "Gt" ? actual > bound : actual < bound };
    }
    default:
      return { tolerated: false };
  }
}

/** Some toleration in the list tolerates the taint; a parse error is dropped once a later one matches. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint, options: MatchOptions = {}): TolerationResult {
  let error: string | undefined;
  for (const toleration of tolerations) {
    const result = toleratesTaint(toleration, taint, options);
    if (result.tolerated) return { tolerated: true };
    error ??= result.error;
  }
  return error === undefined ? { tolerated: false } : { tolerated: false, error };
}

export type TaintFilter = (taint: Taint) => boolean;

/** The first taint passing `filter` that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(
  tolerations: readonly Toleration[],
  taints: readonly Taint[],
  filter: TaintFilter | undefined,
  options: MatchOptions = {},
): { taint: Taint | undefined; error?: string } {
  for (const taint of taints) {
    if (filter && !filter(taint)) continue;
    const result = tolerationsTolerateTaint(tolerations, taint, options);
    if (!result.tolerated) return result.error === undefined ? { taint } : { taint, error: result.error };
  }
  return { taint: undefined };
}

/** The scheduler's TaintToleration Filter counts only NoSchedule and NoExecute taints. */
export const schedulingTaints: TaintFilter = (taint) => taint.effect === "NoSchedule" || taint.effect === "NoExecute";

/** Can a pod with these tolerations be scheduled onto a node with these taints? */
export function schedulable(tolerations: readonly Toleration[], taints: readonly Taint[], options: MatchOptions = {}): boolean {
  return findUntoleratedTaint(tolerations, taints, schedulingTaints, options).taint === undefined;
}

/** Taint identity when adding or removing taints: key and effect, value ignored. */
export function taintMatchesTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && (a.effect ?? "") === (b.effect ?? "");
}

export function taintMatchesTaintByKey(a: Taint, b: Taint): boolean {
  return a.key === b.key;
}

/** `key=value:Effect`, `key:Effect`, or `key` when value and effect are both empty. */
export function taintToString(taint: Taint): string {
  const value = taint.value ?? "";
  const effect = taint.effect ?? "";
  if (value === "") return effect === "" ? taint.key : `${taint.key}:${effect}`;
  return `${taint.key}=${value}:${effect}`;
}

/**
 * How long a pod may stay on a node after a NoExecute taint, given the tolerations that
 * matched it: 0 = evict now (no toleration used, or a non-positive bound), -1 = forever,
 * else the smallest tolerationSeconds.
 */
export function minTolerationSeconds(usedTolerations: readonly Toleration[]): number {
  if (usedTolerations.length === 0) return 0;
  let min: number | undefined;
  for (const toleration of usedTolerations) {
    const seconds = toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    if (seconds <= 0) return 0;
    if (min === undefined || seconds < min) min = seconds;
  }
  return min ?? -1;
}
