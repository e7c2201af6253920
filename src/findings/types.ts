/**
 * The vocabulary every rule family shares: a Rule says what is checked, a Finding says
 * where a checked object falls short. Both are plain data so that every shell (CLI,
 * webhook, reports) can carry them without knowing which family produced them.
 */

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Zero-trust pillars a finding weakens. */
export const PILLARS = ["identity", "workload", "network", "data", "platform", "supply-chain"] as const;
export type Pillar = (typeof PILLARS)[number];

export interface ObjectRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** 1-based line and column, as editors and SARIF count them. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** RFC 6902 operation, as the fix of a finding and the patch of a mutation. */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

export interface Finding {
  ruleId: string;
  severity: Severity;
  pillar: Pillar;
  message: string;
  /** The object the finding is about, when it is about a Kubernetes object. */
  object?: ObjectRef;
  /** Dotted field path inside the object, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
  fieldPath?: string;
  position?: SourcePosition;
  remediation?: string;
  /** Why the finding matters in this cluster, e.g. "PSA enforce restricted:v1.33 would reject its pods". */
  note?: string;
  /** A JSON patch against the object that resolves the finding, when one exists. */
  fix?: JsonPatchOperation[];
  /** Extra structured facts (level, version, container names...) for JSON consumers. */
  properties?: Record<string, unknown>;
}

export interface RuleDocs {
  /** One paragraph: what the rule checks and why it matters for zero trust. */
  description: string;
  /** What to change to comply. */
  remediation: string;
  /** Upstream reference, when there is one. */
  helpUri?: string;
}

export interface Rule {
  id: string;
  title: string;
  family: string;
  pillar: Pillar;
  severity: Severity;
  docs: RuleDocs;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}
