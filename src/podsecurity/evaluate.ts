import type { FieldPath } from "../k8s/types.js";
import { defaultPodForAdmission } from "../k8s/defaults.js";
import { formatVersion, type Level, type Version } from "./levels.js";
import type { PodView } from "./pod.js";
import { checksFor, type RegisteredCheck } from "./registry.js";

export interface Violation {
  checkId: string;
  /** PSA's ForbiddenReason. */
  reason: string;
  /** PSA's ForbiddenDetail. */
  detail: string;
  /** Offending fields, relative to the pod (or the pod template): ["spec", "containers", 0, ...]. */
  fields: FieldPath[];
}

/**
 * Judge a pod at a level and version exactly as Pod Security Admission does, after the
 * API server's defaulting. Pure; [] means allowed. `as: "template"` judges a workload's
 * pod template as admission sees it (PSA's warning on a Deployment), with the defaults
 * the API server gives a template rather than a Pod (see defaults.ts).
 */
export function evaluatePod(level: Level, version: Version, pod: PodView, as: "pod" | "template" = "pod"): Violation[] {
  return evaluateWithChecks(checksFor(level, version), pod, as);
}

/** evaluatePod with the checks of its level and version already looked up (checksFor). */
export function evaluateWithChecks(checks: readonly RegisteredCheck[], pod: PodView, as: "pod" | "template" = "pod"): Violation[] {
  if (checks.length === 0) return [];
  const defaulted = defaultPodForAdmission(pod, as);
  const violations: Violation[] = [];
  for (const { id, check } of checks) {
    const result = check(defaulted);
    if (!result.allowed) {
      violations.push({ checkId: id, reason: result.reason ?? id, detail: result.detail ?? "", fields: result.fields ?? [] });
    }
  }
  return violations;
}

/** `reason (detail), reason (detail)` — PSA's aggregation of failed checks. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(", ");
}

/** The denial PSA returns for a Pod: `violates PodSecurity "restricted:latest": ...`. */
export function psaDenialMessage(level: Level, version: Version, violations: readonly Violation[]): string {
  return `violates PodSecurity "${level}:${formatVersion(version)}": ${describeViolations(violations)}`;
}

/** The warning PSA returns for workloads and for warn mode: `would violate PodSecurity ...`. */
export function psaWarningMessage(level: Level, version: Version, violations: readonly Violation[]): string {
  return `would violate PodSecurity "${level}:${formatVersion(version)}": ${describeViolations(violations)}`;
}
