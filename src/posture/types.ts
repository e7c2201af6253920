/**
 * The zero-trust posture of a snapshot: for every workload, a trust score on each of the
 * four pillars a workload has (who it is, what it may do on its node, who it talks to,
 * what data it holds), each lowered by named, located deductions so that every point
 * lost can be traced to a finding or a fact and fixed.
 */
import type { Finding, ObjectRef, Severity, SourcePosition } from "../findings/types.js";

export const POSTURE_PILLARS = ["identity", "workload", "network", "data"] as const;
export type PosturePillar = (typeof POSTURE_PILLARS)[number];

export const POSTURE_SCHEMA_VERSION = "palisade.dev/posture/v1";

export interface Deduction {
  pillar: PosturePillar;
  /** Points this deduction takes from 100 on its own (see scoring.ts). */
  points: number;
  severity: Severity;
  /** A finding's rule id, or a posture fact's id (posture/...). */
  ruleId: string;
  /** What lowers the score, in words. */
  reason: string;
  /** Findings of this rule folded into this one deduction (a rule costs once per workload). */
  count: number;
  position?: SourcePosition;
  fieldPath?: string;
  remediation?: string;
}

/** Where a field of a workload's pod is: its place in the file and its path from the object's root. */
export type PodFieldLocator = (podPath: ReadonlyArray<string | number>) => { position?: SourcePosition; fieldPath: string };

export interface PillarScore {
  score: number;
  deductions: Deduction[];
}

export interface WorkloadPosture {
  ref: ObjectRef;
  /** Where the workload is defined. */
  position?: SourcePosition;
  serviceAccount: string;
  /** The weakest pillar's score: a workload is as trusted as its weakest side. */
  score: number;
  grade: Grade;
  pillars: Record<PosturePillar, PillarScore>;
  /** Facts that inform the scores without costing points (e.g. "reads Secrets ..."). */
  facts: string[];
  /** The workload's score in the baseline report (--baseline), when it was there. */
  baselineScore?: number;
}

/** A workload's name in every report, the baseline's matching and the graph: `namespace/Kind/name`. */
export function workloadName(ref: { kind: string; name: string; namespace?: string | undefined }): string {
  return `${ref.namespace ?? "default"}/${ref.kind}/${ref.name}`;
}

/** What changed since a baseline report (`palisade posture --baseline FILE`); workloads by `namespace/Kind/name`. */
export interface BaselineComparison {
  file: string;
  source: string;
  generatedAt: string;
  meanScore: number;
  lower: string[];
  /** Workloads whose score held but one of whose other pillars scores lower, with those pillars. */
  weaker: Array<{ workload: string; pillars: PosturePillar[] }>;
  higher: string[];
  added: string[];
  removed: string[];
}

export type Grade = "A" | "B" | "C" | "D" | "F";

export interface GraphNode {
  id: string;
  label: string;
  /** The namespace compound node this node sits in, if any. */
  parent?: string;
  kind: "workload" | "namespace" | "outside";
  /** The workload's (or, for a namespace, its weakest workload's) score. */
  score?: number;
  /** For workload nodes: the workload's `namespace/Kind/name`, as WorkloadPosture names it. */
  workload?: string;
  /**
   * With -n: a workload (or namespace) of another namespace, drawn only because it may
   * connect to or be reached from the reported one. Not among the report's workloads.
   */
  outOfScope?: true;
}

export interface GraphEdge {
  source: string;
  target: string;
  /** Ports in words ("8080/TCP", "all"), or a count of workload pairs on a namespace graph. */
  label: string;
}

export interface PostureGraph {
  /** "workloads" when every workload is a node; "namespaces" when there were too many and namespaces stand for them. */
  level: "workloads" | "namespaces";
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Why the graph is at namespace level, when it is. */
  note?: string;
}

export interface PostureReport {
  schemaVersion: typeof POSTURE_SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** What was read: files and directories, or `<cluster CTX>`. */
  source: string;
  generatedAt: string;
  /** With -n: the one namespace reported; the summary, workloads, findings and graph are its. */
  namespace?: string;
  summary: {
    workloads: number;
    /** Mean of the workloads' scores, rounded. */
    meanScore: number;
    grades: Record<Grade, number>;
    /** How many workloads have each pillar as their weakest. */
    weakestPillar: Record<PosturePillar, number>;
    /** Findings not about one workload: the platform, namespaces, RBAC objects, policies. */
    clusterFindings: Record<Severity, number>;
  };
  workloads: WorkloadPosture[];
  /** Findings about the platform and objects other than workloads, as the scan reported them. */
  clusterFindings: Finding[];
  graph: PostureGraph;
  baseline?: BaselineComparison;
}
