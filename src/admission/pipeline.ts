/**
 * Runs the configured policies over one admission request and turns their verdicts into
 * one AdmissionResponse: modes applied (policy.ts), exceptions honoured, mutations chained.
 * Pure: the same function backs the HTTPS server, `palisade scan` and the shared-verdict test.
 */
import fastJsonPatch from "fast-json-patch";
import type { JsonPatchOperation } from "../findings/types.js";
import type { K8sObject } from "../k8s/types.js";
import { matchException, type AdmissionException } from "./exceptions.js";
import { EMPTY_CLUSTER, type AdmissionContext, type AdmissionPolicy, type ClusterView, type PolicyMode, type Violation } from "./policy.js";
import { describeUndecodable, undecodableFields } from "../manifest/undecodable.js";
import { encodePatch, isValidAuditAnnotationKey, ReviewError, type AdmissionRequest, type AdmissionResponse, type StatusDetails } from "./review.js";

export type Outcome = "deny" | "warn" | "audit" | "dry-run" | "excepted" | "patch";

/** One policy decision, for metrics (decisions by policy and rule) and logs. */
export interface DecisionRecord {
  policy: string;
  rule: string;
  outcome: Outcome;
}

export interface AdmissionDecision {
  response: AdmissionResponse;
  records: DecisionRecord[];
  /** Ids of exceptions that covered something in this request. */
  exceptionsUsed: string[];
}

export interface PipelineInput {
  policies: readonly AdmissionPolicy[];
  cluster?: ClusterView;
  exceptions?: readonly AdmissionException[];
  /**
   * Injected clock: exceptions past their expiry no longer apply. A function is called at
   * most once per request, and only when an exception is looked up.
   */
  now: Date | (() => Date);
  /** When the API server stops waiting (performance.now() milliseconds): long checks stay within it. */
  deadline?: number;
}

const NEVER_EXCEPTED = () => false;

/** metav1.StatusReason for the codes policies deny with. */
const STATUS_REASONS: Readonly<Record<number, string>> = { 400: "BadRequest", 403: "Forbidden", 422: "Invalid", 500: "InternalError" };

function contextFor(request: AdmissionRequest, input: PipelineInput, used: Set<string>, records: DecisionRecord[]): AdmissionContext {
  const exceptions = input.exceptions ?? [];
  // No exceptions configured (the common case): nothing to look up, no clock to read.
  if (exceptions.length === 0) return { request, cluster: input.cluster ?? EMPTY_CLUSTER, excepted: NEVER_EXCEPTED, deadline: input.deadline };
  let now = typeof input.now === "function" ? undefined : input.now;
  return {
    request,
    cluster: input.cluster ?? EMPTY_CLUSTER,
    deadline: input.deadline,
    excepted(policy, rule, container) {
      now ??= (input.now as () => Date)();
      const hit = matchException(exceptions, { policy, rule, container, request }, now);
      if (!hit) return false;
      used.add(hit.id);
      records.push({ policy, rule, outcome: "excepted" });
      return true;
    },
  };
}

function describe(violations: readonly Violation[]): string {
  return violations.map((v) => v.message).join("; ");
}

/** Keys become `<webhook>/<key>` at the API server; a key that is not a valid name part is dropped there, so fix it here. */
function auditKey(policy: string, key: string): string {
  const raw = `${policy}-${key}`.replace(/[^-A-Za-z0-9_.]/g, "-").slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
  return isValidAuditAnnotationKey(raw) ? raw : "palisade";
}

function uniqueNonEmpty(list: readonly string[]): string[] {
  if (list.length === 0) return [];
  return [...new Set(list.filter((s) => s.trim() !== ""))];
}

/**
 * A policy's run, with its failure on an object the API server could never have sent (a
 * field of the wrong type: ObjectMeta's are refused when the review is read) said as the
 * 400 it is, naming the field, instead of a 500: policies trust the types the API server
 * decoded. The object is walked only after such a failure.
 */
function judged<T>(request: AdmissionRequest, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ReviewError) throw err;
    for (const [field, object] of [["object", request.object], ["oldObject", request.oldObject]] as const) {
      const wrong = object ? undecodableFields(object)[0] : undefined;
      if (wrong) throw new ReviewError(`request.${field}: ${describeUndecodable(wrong)}`);
    }
    throw err;
  }
}

/** /validate: every policy judges the object; the first enforcing denial decides the status. */
export function validateAdmission(request: AdmissionRequest, input: PipelineInput): AdmissionDecision {
  const used = new Set<string>();
  const records: DecisionRecord[] = [];
  const context = contextFor(request, input, used, records);
  const warnings: string[] = [];
  const audit: Record<string, string> = {};
  const denials: { policy: string; message: string; code: number; details: StatusDetails | undefined }[] = [];
  for (const policy of input.policies) {
    if (policy.appliesTo && !policy.appliesTo(request)) continue;
    const verdict = judged(request, () => policy.validate(context));
    const deny = verdict.deny.length === 0 ? verdict.deny : verdict.deny.filter((v) => !context.excepted(v.policy, v.rule, v.container));
    // dry-run leaves the response as it would be without the policy: its annotations too.
    if (policy.mode !== "dry-run") for (const key in verdict.audit) audit[auditKey(policy.name, key)] = verdict.audit[key]!;
    if (deny.length === 0) {
      if (policy.mode !== "dry-run" && policy.mode !== "audit") warnings.push(...verdict.warn);
      else if (policy.mode === "audit" && verdict.warn.length > 0) audit[auditKey(policy.name, "warnings")] = verdict.warn.join("; ");
      continue;
    }
    const message = verdict.denyMessage ?? describe(deny);
    const outcome = outcomeOf(policy.mode);
    for (const v of deny) records.push({ policy: policy.name, rule: v.rule, outcome });
    switch (policy.mode) {
      case "enforce":
        denials.push({ policy: policy.name, message, code: verdict.denyCode ?? 403, details: verdict.denyDetails });
        break;
      case "warn":
        warnings.push(...verdict.warn, message);
        break;
      case "audit":
        audit[auditKey(policy.name, "violations")] = message;
        break;
      case "dry-run":
        break;
    }
  }
  const response: AdmissionResponse = { uid: request.uid, allowed: denials.length === 0 };
  const first = denials[0];
  if (first) {
    response.status = { status: "Failure", code: first.code, reason: STATUS_REASONS[first.code] ?? "Forbidden", message: denials.map((d) => d.message).join("; ") };
    if (first.details) response.status.details = first.details;
  }
  const finalWarnings = uniqueNonEmpty(warnings);
  if (finalWarnings.length > 0) response.warnings = finalWarnings;
  if (Object.keys(audit).length > 0) response.auditAnnotations = audit;
  return { response, records, exceptionsUsed: used.size === 0 ? [] : [...used].sort() };
}

function outcomeOf(mode: PolicyMode): Outcome {
  return mode === "enforce" ? "deny" : mode;
}

/**
 * /mutate: enforcing policies' patches are chained, each policy seeing the object as the
 * previous ones left it; other modes report what they would have changed.
 */
export function mutateAdmission(request: AdmissionRequest, input: PipelineInput): AdmissionDecision {
  const used = new Set<string>();
  const records: DecisionRecord[] = [];
  const warnings: string[] = [];
  const audit: Record<string, string> = {};
  const patch: JsonPatchOperation[] = [];
  let current: K8sObject | null = request.object;
  for (const policy of input.policies) {
    const mutate = policy.mutate?.bind(policy);
    if (!mutate || current === null) continue;
    if (policy.appliesTo && !policy.appliesTo(request)) continue;
    const context = contextFor({ ...request, object: current }, input, used, records);
    const ops = judged(request, () => mutate(context));
    if (ops.length === 0) continue;
    records.push({ policy: policy.name, rule: "mutation", outcome: policy.mode === "enforce" ? "patch" : outcomeOf(policy.mode) });
    const summary = `${policy.name} would change ${ops.map((op) => `${op.op} ${op.path}`).join(", ")}`;
    if (policy.mode === "enforce") {
      current = applyPatch(current, ops);
      patch.push(...ops);
    } else if (policy.mode === "warn") warnings.push(summary);
    else if (policy.mode === "audit") audit[auditKey(policy.name, "would-patch")] = JSON.stringify(ops);
  }
  const response: AdmissionResponse = { uid: request.uid, allowed: true, ...encodePatch(patch) };
  if (warnings.length > 0) response.warnings = uniqueNonEmpty(warnings);
  if (Object.keys(audit).length > 0) response.auditAnnotations = audit;
  return { response, records, exceptionsUsed: [...used].sort() };
}

/** Apply a patch to a copy (never to the caller's object). */
export function applyPatch(object: K8sObject, ops: readonly JsonPatchOperation[]): K8sObject {
  const copy = structuredClone(object);
  return fastJsonPatch.applyPatch(copy, ops as fastJsonPatch.Operation[], true, true).newDocument as K8sObject;
}
