/**
 * The answers Pod Security Admission gives, word for word (pod-security-admission
 * admission/response.go and the apimachinery errors it builds on): the Forbidden status of
 * an enforce denial, the Invalid status of bad namespace labels, the BadRequest status of an
 * undecodable object, and the audit annotation keys. Keys are bare here, as PSA writes
 * them; the pipeline prefixes them with the policy name.
 */
import { formatVersion } from "../../podsecurity/levels.js";
import { LABEL_PREFIX, MODES, type InvalidLabel, type LevelVersion, type NamespacePolicy } from "../../podsecurity/namespace-levels.js";
import type { PolicyVerdict } from "../policy.js";
import type { AdmissionRequest, StatusDetails } from "../review.js";

export const POD_SECURITY_POLICY = "pod-security";

/** api.EnforcedPolicyAnnotationKey, AuditViolationsAnnotationKey, ExemptionReasonAnnotationKey, and the error key. */
export const ENFORCE_POLICY_KEY = "enforce-policy";
export const AUDIT_VIOLATIONS_KEY = "audit-violations";
export const EXEMPT_KEY = "exempt";
export const ERROR_KEY = "error";

/** api.LevelVersion.String(): `restricted:latest`, `baseline:v1.25`. */
// Not memoised in a WeakMap: weak tables keyed by per-request objects make every young-generation
// GC walk them, which costs far more than this formatting.
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${formatVersion(lv.version)}`;
}

export type ExemptionReason = "namespace" | "user" | "runtimeClass";

/** Allowed, saying why the request was not judged (PSA's shared exemption responses). */
export function exemptVerdict(reason: ExemptionReason): PolicyVerdict {
  return { deny: [], warn: [], audit: { [EXEMPT_KEY]: reason } };
}

/** A field error as field.Error prints it: `<field>: Invalid value: "<value>": <detail>`. */
interface FieldError {
  field: string;
  body: string;
}

function labelError(label: InvalidLabel): FieldError {
  // The API server validated label values before admission: no character needs Go's %q escapes beyond JSON's.
  const detail = label.version ? 'must be "latest" or "v1.x"' : "must be one of privileged, baseline, restricted";
  return { field: `metadata.labels[${label.key}]`, body: `Invalid value: ${JSON.stringify(label.value)}: ${detail}` };
}

/** utilerrors.Aggregate's text: one error alone, several (duplicates dropped) in brackets. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}

/** The namespace's label errors as one text, the way PSA compares and reports them. */
export function labelErrorsText(invalid: readonly InvalidLabel[]): string {
  return aggregate(invalid.map(labelError).map((e) => `${e.field}: ${e.body}`));
}

/** The `error` audit annotation of a pod judged in a namespace whose labels PSA cannot read. */
export function policyParseError(invalid: readonly InvalidLabel[]): string {
  return `Failed to parse policy: ${labelErrorsText(invalid)}`;
}

/** GroupResource.String(): `pods`, `deployments.apps`. */
function groupResource(group: string, resource: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}

/** StatusDetails as Go marshals it: empty strings left out. */
function details(name: string, group: string, kind: string, extra: Partial<StatusDetails> = {}): StatusDetails {
  return { ...(name ? { name } : {}), ...(group ? { group } : {}), ...(kind ? { kind } : {}), ...extra };
}

/** apierrors.NewForbidden(resource, name, `violates PodSecurity ...`). */
export function forbiddenStatus(request: AdmissionRequest, reason: string): { message: string; details: StatusDetails } {
  const { group, resource } = request.resource;
  const subject = request.name === "" ? groupResource(group, resource) : `${groupResource(group, resource)} ${JSON.stringify(request.name)}`;
  return { message: `${subject} is forbidden: ${reason}`, details: details(request.name, group, resource) };
}

/** apierrors.NewInvalid(kind, name, label errors): code 422, one cause per label. */
export function invalidLabels(request: AdmissionRequest, invalid: readonly InvalidLabel[]): PolicyVerdict {
  const { group, kind } = request.kind;
  const errors = invalid.map(labelError);
  const message = `${group === "" ? kind : `${kind}.${group}`} ${JSON.stringify(request.name)} is invalid: ${labelErrorsText(invalid)}`;
  return {
    deny: [{ policy: POD_SECURITY_POLICY, rule: "namespace-labels", message }],
    warn: [],
    audit: {},
    denyMessage: message,
    denyCode: 422,
    denyDetails: details(request.name, group, kind, { causes: errors.map((e) => ({ reason: "FieldValueInvalid", message: e.body, field: e.field })) }),
  };
}

/** PSA's errorResponse: the status, and the same text as the `error` audit annotation. */
export function errorVerdict(code: 400 | 500, message: string, auditError = message): PolicyVerdict {
  return { deny: [{ policy: POD_SECURITY_POLICY, rule: code === 400 ? "decode" : "namespace-lookup", message }], warn: [], audit: { [ERROR_KEY]: auditError }, denyMessage: message, denyCode: code };
}

/** api.LevelVersion.Equivalent: both privileged (whose version never matters), or the same level and version. */
function equivalentLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return (a.level === "privileged" && b.level === "privileged") || levelVersionString(a) === levelVersionString(b);
}

/**
 * PSA's exemptNamespaceWarning: the one warning on a Namespace created (or tightened) in an
 * exempt namespace whose labels ask for something the exemption will ignore: nothing when the
 * policy is fully privileged or equivalent to the configured defaults; else every
 * non-privileged mode set by a label of its own, in the order enforce, audit, warn.
 */
export function exemptNamespaceWarning(name: string, policy: NamespacePolicy, defaults: NamespacePolicy, labels: Readonly<Record<string, string>> | undefined): string | undefined {
  if (MODES.every((m) => policy[m].level === "privileged")) return undefined;
  if (MODES.every((m) => equivalentLevelVersion(policy[m], defaults[m]))) return undefined;
  const set = (key: string) => labels !== undefined && Object.hasOwn(labels, key);
  const modes = MODES.filter((m) => policy[m].level !== "privileged" && (set(`${LABEL_PREFIX}${m}`) || set(`${LABEL_PREFIX}${m}-version`)));
  return `namespace ${JSON.stringify(name)} is exempt from Pod Security, and the policy (${modes.map((m) => `${m}=${levelVersionString(policy[m])}`).join(", ")}) will be ignored`;
}
