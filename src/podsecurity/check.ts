import type { FieldPath } from "../k8s/types.js";
import type { Level } from "./levels.js";
import type { PodView } from "./pod.js";

/** One check's verdict on one pod, worded as PSA words it. */
export interface CheckResult {
  allowed: boolean;
  /** PSA's ForbiddenReason, e.g. `host namespaces`. */
  reason?: string;
  /** PSA's ForbiddenDetail, e.g. `hostNetwork=true`. */
  detail?: string;
  /** The offending fields (or, for a missing field, the object that should hold it). */
  fields?: FieldPath[];
}

export type CheckPodFn = (pod: PodView) => CheckResult;

export interface VersionedCheck {
  /** First Kubernetes minor (1.x) where this behaviour applies. */
  minimumMinor: number;
  check: CheckPodFn;
  /** Baseline checks this restricted check replaces at this version. */
  overrides?: string[];
}

/** A Pod Security check: PSA's record shape — an id, a level, and versioned behaviour. */
export interface Check {
  id: string;
  level: Exclude<Level, "privileged">;
  /** Strictly increasing minimumMinor. */
  versions: VersionedCheck[];
  /** One line for `palisade rules`. */
  title: string;
  remediation: string;
}

export const ALLOWED: CheckResult = Object.freeze({ allowed: true }) as CheckResult;

export function forbidden(reason: string, detail: string, fields: FieldPath[]): CheckResult {
  return { allowed: false, reason, detail, fields };
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `"a", "b"` — PSA's joinQuote (plain quotes, no escaping, as upstream). */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '""' : `"${items.join('", "')}"`;
}

/** Sorted, de-duplicated (Go's sets.String.List()). */
export function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}
