import { severityRank, type Finding, type JsonPatchOperation, type ObjectRef, type Severity } from "../findings/types.js";
import type { Labels } from "../k8s/labels.js";
import { namespaceLabels, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { podTemplate, type PodTemplate } from "../k8s/workloads.js";
import type { ScanFamily, ScanOptions } from "../scan/family.js";
import { psaClusterConfig, PSA_CONFIG_KINDS, type PsaClusterConfig } from "./cluster-config.js";
import { evaluateWithChecks, type Violation } from "./evaluate.js";
import { objectFixPatch, type ObjectFix } from "./fix-patch.js";
import { checksFor, type RegisteredCheck } from "./registry.js";
import { compareLevels, formatVersion, LATEST, type Level, type Version } from "./levels.js";
import { MODES, namespacePolicy, type Mode, type NamespacePolicy } from "./namespace-levels.js";
import type { PodView } from "./pod.js";
import { NAMESPACE_LABELS_RULE, POD_SECURITY_RULES, ruleIdForCheck } from "./rules.js";

const RULES_BY_CHECK = new Map(POD_SECURITY_RULES.map((r) => [r.id.slice(ruleIdForCheck("").length), r]));

/** Where the level a pod was judged at came from, for the report. */
type LevelSource = "override" | "namespace-labels" | "cluster-default" | "default";

interface Judgement {
  level: Level;
  version: Version;
  mode: Mode | "scan";
  source: LevelSource;
}

/** What every finding made at one judgement shares: computed once per namespace, not per finding. */
interface JudgementText {
  judgement: Judgement;
  /** The checks of its level and version, looked up once. */
  checks: readonly RegisteredCheck[];
  /** Its restricted checks that replace baseline checks, by id, with the checks they replace. */
  replacing: ReadonlyMap<string, readonly RegisteredCheck[]>;
  /** For Pods, and for workloads (whose pods PSA judges). */
  podNote: string;
  workloadNote: string;
  properties: Record<string, unknown>;
}

/** `namespace` is the judged pods' namespace, named in the note when the input does not hold it (so no label could be read). */
function judgementText(judgement: Judgement, namespace: string, inInput: boolean): JudgementText {
  // At the cluster's defaults, the note says so: the namespace itself asks for nothing.
  const judgedAt = `${judgement.level}:${formatVersion(judgement.version)}${judgement.source === "cluster-default" ? " (the cluster's default)" : ""}`;
  const note = (isPod: boolean) =>
    judgement.mode === "enforce"
      ? `PSA enforce ${judgedAt} would reject ${isPod ? "this pod" : "the pods it creates"}`
      : judgement.mode === "warn"
        ? `PSA warn ${judgedAt} would warn`
        : judgement.mode === "audit"
          ? `PSA audit ${judgedAt} would annotate the audit event`
          : judgement.source === "override"
            ? `judged at ${judgedAt} (--level)`
            : inInput
              ? `judged at ${judgedAt} (namespace has no pod-security labels)`
              : `judged at ${judgedAt} (namespace ${namespace} is not in the input, so its pod-security labels are unknown)`;
  const checks = checksFor(judgement.level, judgement.version);
  const replacing = new Map(checks.flatMap((c) => (c.replaces ? [[c.id, c.replaces] as const] : [])));
  return { judgement, checks, replacing, podNote: note(true), workloadNote: note(false), properties: { podSecurity: `${judgement.level}:${formatVersion(judgement.version)}`, mode: judgement.mode, levelSource: judgement.source } };
}

/**
 * What each pod is judged at: `--level` / `--pss-version` when given; otherwise the
 * modes of its namespace's PSA labels (as PSA would), each missing mode at the cluster's
 * PSA defaults when the scanned files hold them. A namespace without labels is judged at
 * those defaults, or, when the files hold no PSA configuration, at the scan's default
 * level (restricted), since a manifest scan that judged unlabelled namespaces as
 * `privileged` (PSA's built-in default) would say nothing. PSA's exempt namespaces are
 * not judged at all.
 */
function judgementsFor(namespace: string, policies: Map<string, NamespacePolicy>, options: ScanOptions, cluster: PsaClusterConfig | undefined): Judgement[] {
  const override = options.podSecurity;
  if (override?.level) {
    return [{ level: override.level, version: override.version ?? LATEST, mode: "scan", source: "override" }];
  }
  if (cluster?.exemptNamespaces.has(namespace)) return [];
  const labelled = policies.get(namespace);
  if (!labelled && !cluster) {
    return [{ level: options.defaultLevel ?? "restricted", version: override?.version ?? LATEST, mode: "scan", source: "default" }];
  }
  const policy = labelled ?? (cluster as PsaClusterConfig).defaults;
  const judgements: Judgement[] = [];
  for (const mode of MODES) {
    const lv = policy[mode];
    if (lv.level === "privileged") continue;
    judgements.push({ level: lv.level, version: override?.version ?? lv.version, mode, source: labelled ? "namespace-labels" : "cluster-default" });
  }
  return judgements;
}

function labelledPolicies(namespaces: ReadonlyMap<string, Labels>, cluster: PsaClusterConfig | undefined): Map<string, NamespacePolicy> {
  const result = new Map<string, NamespacePolicy>();
  for (const [name, labels] of namespaces) {
    if (!Object.keys(labels).some((k) => k.startsWith("pod-security.kubernetes.io/"))) continue;
    result.set(name, namespacePolicy(labels, cluster?.defaults).policy);
  }
  return result;
}

/** Judges objects one at a time, as they load or from a snapshot: the same findings either way. */
class PodSecurityJudge {
  private readonly policies: Map<string, NamespacePolicy>;
  private readonly judgementsByNamespace = new Map<string, JudgementText[]>();
  readonly findings: Finding[] = [];

  constructor(
    private readonly namespaces: ReadonlyMap<string, Labels>,
    private readonly options: ScanOptions,
    private readonly cluster: PsaClusterConfig | undefined,
  ) {
    this.policies = labelledPolicies(namespaces, cluster);
  }

  judge(loaded: LoadedObject): void {
    const template = podTemplate(loaded.object);
    if (!template) {
      if (loaded.object.kind === "Namespace" && loaded.object.apiVersion === "v1") this.judgeLabels(loaded);
      return;
    }
    // PSA does not judge pods of an exempt runtime class (unless --level asks for a verdict anyway).
    const runtimeClass = template.pod.spec.runtimeClassName;
    if (this.cluster && !this.options.podSecurity?.level && typeof runtimeClass === "string" && this.cluster.exemptRuntimeClasses.has(runtimeClass)) return;
    const namespace = loaded.object.metadata?.namespace ?? this.options.defaultNamespace ?? "default";
    let judgements = this.judgementsByNamespace.get(namespace);
    if (!judgements) {
      const inInput = this.namespaces.has(namespace);
      this.judgementsByNamespace.set(namespace, (judgements = judgementsFor(namespace, this.policies, this.options, this.cluster).map((j) => judgementText(j, namespace, inInput))));
    }
    if (judgements.length === 0) return;
    if (judgements.length === 1) {
      // One judgement (no labels, or --level): its violations are the findings, in order.
      const only = judgements[0] as JudgementText;
      const violations = evaluateWithChecks(only.checks, template.pod);
      if (violations.length === 0) return;
      const ref = this.refOf(loaded);
      for (const violation of violations) this.findings.push(toFinding(loaded, template.path, ref, violation, only, replacedSeverity(violation, only, template.pod), this.fixOf(loaded, template, violation, only)));
      return;
    }
    // A check failing in several modes is reported once, at the strictest judgement.
    const byCheck = new Map<string, { violation: Violation; judgement: JudgementText }>();
    for (const judgement of judgements) {
      for (const violation of evaluateWithChecks(judgement.checks, template.pod)) {
        const seen = byCheck.get(violation.checkId);
        if (!seen || strictness(judgement.judgement) > strictness(seen.judgement.judgement)) byCheck.set(violation.checkId, { violation, judgement });
      }
    }
    if (byCheck.size === 0) return;
    const ref = this.refOf(loaded);
    for (const { violation, judgement } of byCheck.values()) this.findings.push(toFinding(loaded, template.path, ref, violation, judgement, replacedSeverity(violation, judgement, template.pod), this.fixOf(loaded, template, violation, judgement)));
  }

  /** The object's fix at one judgement: every finding it resolves carries it (fix-patch.ts). */
  private readonly fixes = new WeakMap<LoadedObject, Map<JudgementText, ObjectFix | undefined>>();

  /** With `fixes` only: planning costs several evaluations of the pod, which a plain scan of 10,000 pods should not pay. */
  private fixOf(loaded: LoadedObject, template: PodTemplate, violation: Violation, judgement: JudgementText): JsonPatchOperation[] | undefined {
    if (!this.options.fixes) return undefined;
    let byJudgement = this.fixes.get(loaded);
    if (!byJudgement) this.fixes.set(loaded, (byJudgement = new Map()));
    if (!byJudgement.has(judgement)) byJudgement.set(judgement, objectFixPatch(loaded.object, template, judgement.judgement.level, judgement.judgement.version));
    const fix = byJudgement.get(judgement);
    return fix?.resolves.has(violation.checkId) ? fix.patch : undefined;
  }

  /**
   * A Namespace's pod-security labels as PSA validates them (api.PolicyToEvaluate): PSA
   * refuses to create a Namespace with an invalid level or version, and on one that has it
   * already reads the value as the fallback the finding names.
   */
  private judgeLabels(loaded: LoadedObject): void {
    const labels = loaded.object.metadata?.labels;
    if (typeof labels !== "object" || labels === null) return;
    // As the API server holds them: label values are strings (a YAML `1` or `true` reads as its text).
    const values = Object.fromEntries(Object.entries(labels as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
    for (const label of namespacePolicy(values).invalid) {
      const expected = label.version ? 'must be "latest" or "v1.x"' : "must be one of privileged, baseline, restricted";
      const fallback = label.fallback === "privileged" ? "privileged (not checked)" : label.fallback;
      const path = ["metadata", "labels", label.key];
      this.findings.push({
        ruleId: NAMESPACE_LABELS_RULE.id,
        severity: NAMESPACE_LABELS_RULE.severity,
        pillar: NAMESPACE_LABELS_RULE.pillar,
        message: `metadata.labels[${label.key}]: Invalid value: ${JSON.stringify(label.value)}: ${expected} (PSA refuses to create this Namespace; on an existing one it reads ${label.mode}${label.version ? "-version" : ""} as ${fallback})`,
        object: objectRef(loaded.object),
        fieldPath: formatFieldPath(path),
        position: loaded.source.locate(path),
        remediation: NAMESPACE_LABELS_RULE.docs.remediation,
      });
    }
  }

  /**
   * Findings of one object share its reference (none is mutated). It is the object as
   * written, as every other family's: a namespace the object leaves out (judged as
   * `default`'s, or --namespace's) is not added, or one object would be two in reports.
   */
  private refOf(loaded: LoadedObject): ObjectRef {
    return objectRef(loaded.object);
  }
}

export function checkPodSecurity(snapshot: Snapshot, options: ScanOptions): Finding[] {
  const judge = new PodSecurityJudge(namespaceLabels(snapshot), options, options.podSecurityCluster ?? psaClusterConfig(snapshot.objects));
  for (const loaded of snapshot.objects) judge.judge(loaded);
  return judge.findings;
}

/** What admission would do matters most (enforce > warn > audit), then the level. */
function strictness(j: Judgement): number {
  const modeRank = j.mode === "enforce" || j.mode === "scan" ? 2 : j.mode === "warn" ? 1 : 0;
  return modeRank * 10 + compareLevels(j.level, "privileged");
}

/**
 * At restricted, a check that replaces a baseline check (restrictedVolumes for
 * hostPathVolumes, capabilities_restricted for capabilities_baseline, ...) is as severe as
 * the baseline check whenever the pod fails that too: a hostPath volume or an added
 * SYS_ADMIN is no less dangerous in a restricted namespace than in a baseline one, and
 * `--fail-on high` must not pass it there. undefined: the rule's own severity.
 */
function replacedSeverity(violation: Violation, judgement: JudgementText, pod: PodView): Severity | undefined {
  const replaced = judgement.replacing.get(violation.checkId);
  if (!replaced) return undefined;
  const own = RULES_BY_CHECK.get(violation.checkId)?.severity ?? "medium";
  let severity: Severity | undefined;
  for (const baseline of replaced) {
    const baselineSeverity = RULES_BY_CHECK.get(baseline.id)?.severity ?? "medium";
    if (severityRank(baselineSeverity) <= severityRank(severity ?? own)) continue;
    // The pod as written: the API server's defaulting (a source-less volume's emptyDir, a
    // hostNetwork pod's hostPorts) changes nothing the replaced checks read.
    if (!baseline.check(pod).allowed) severity = baselineSeverity;
  }
  return severity;
}

/** Findings of one object share its reference, and findings of one judgement its texts (none is mutated). */
function toFinding(loaded: LoadedObject, templatePath: FieldPath, ref: ObjectRef, violation: Violation, judgement: JudgementText, severity?: Severity, fix?: JsonPatchOperation[]): Finding {
  const rule = RULES_BY_CHECK.get(violation.checkId);
  const firstField = violation.fields[0];
  const first = firstField ? (templatePath.length === 0 ? firstField : templatePath.concat(firstField)) : templatePath;
  const finding: Finding = {
    ruleId: rule?.id ?? ruleIdForCheck(violation.checkId),
    severity: severity ?? rule?.severity ?? "medium",
    pillar: "workload",
    // Joined, not templated: a flat string, not a chain of pieces (see formatFieldPath).
    message: [violation.reason, " (", violation.detail, ")"].join(""),
    object: ref,
    fieldPath: formatFieldPath(first),
    position: loaded.source.locate(first),
    remediation: rule?.docs.remediation,
    note: loaded.object.kind === "Pod" ? judgement.podNote : judgement.workloadNote,
    properties: violation.fields.length > 1 ? { ...judgement.properties, otherFields: violation.fields.length - 1 } : judgement.properties,
  };
  // Added after, not spread in: a plain scan's findings keep the one shape they always had.
  if (fix) finding.fix = fix;
  return finding;
}

export const podSecurityFamily: ScanFamily = {
  id: "pod-security",
  rules: POD_SECURITY_RULES,
  check: checkPodSecurity,
  // Namespace labels are known before the first object loads (see InputSummary), and so is PSA's configuration.
  ahead: PSA_CONFIG_KINDS,
  stream(options, input) {
    const judge = new PodSecurityJudge(input.namespaces, options, options.podSecurityCluster ?? psaClusterConfig(PSA_CONFIG_KINDS.flatMap((kind) => input.objectsAhead(kind))));
    return { observe: (loaded) => judge.judge(loaded), finish: () => judge.findings };
  },
};
