/**
 * SubjectAccessReview (authorization.k8s.io v1 and v1beta1) for the authorization webhook:
 * explicit guardrail denials first (`denied: true` short-circuits every later authorizer),
 * then the injected authorizer (RBAC). "Not allowed" without `denied` is no opinion.
 */
import { isRecord } from "../../k8s/types.js";
import { ReviewError } from "../review.js";

export const SAR_VERSIONS = ["authorization.k8s.io/v1", "authorization.k8s.io/v1beta1"] as const;

export interface ResourceAttributes {
  namespace: string;
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface SubjectAccessRequest {
  apiVersion: (typeof SAR_VERSIONS)[number];
  user: string;
  groups: string[];
  uid: string;
  resource?: ResourceAttributes;
  nonResource?: { path: string; verb: string };
}

export interface AccessDecision {
  allowed: boolean;
  denied: boolean;
  reason: string;
  /** The rule that decided (guardrail id, `rbac`, or `no-opinion`), for metrics. */
  rule: string;
}

/** Anything that can say whether a user may do something (RBAC in production). */
export interface AccessAuthorizer {
  authorize(request: SubjectAccessRequest): { allowed: boolean; reason: string };
}

/** A deny rule RBAC cannot express. */
export interface Guardrail {
  id: string;
  /** A reason when the guardrail denies the request. */
  check(request: SubjectAccessRequest): string | undefined;
}

function field(record: Record<string, unknown>, name: string, where: string): string {
  const value = record[name];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new ReviewError(`${where}.${name} must be a string`);
  return value;
}

export function parseSubjectAccessReview(body: unknown): SubjectAccessRequest {
  if (!isRecord(body)) throw new ReviewError("body must be a JSON object (a SubjectAccessReview)");
  const apiVersion = body.apiVersion as SubjectAccessRequest["apiVersion"];
  if (!SAR_VERSIONS.includes(apiVersion) || body.kind !== "SubjectAccessReview") throw new ReviewError(`expected kind SubjectAccessReview with apiVersion ${SAR_VERSIONS.join(" or ")}`);
  const spec = body.spec;
  if (!isRecord(spec)) throw new ReviewError("spec is required");
  // v1beta1 spells the groups field `group`.
  const groupsField = apiVersion === "authorization.k8s.io/v1beta1" ? "group" : "groups";
  const groups = spec[groupsField] ?? [];
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === "string")) throw new ReviewError(`spec.${groupsField} must be a list of strings`);
  const request: SubjectAccessRequest = { apiVersion, user: field(spec, "user", "spec"), groups: groups as string[], uid: field(spec, "uid", "spec") };
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (isRecord(ra) === isRecord(nra)) throw new ReviewError("exactly one of spec.resourceAttributes and spec.nonResourceAttributes must be set");
  if (isRecord(ra)) {
    const where = "spec.resourceAttributes";
    request.resource = {
      namespace: field(ra, "namespace", where),
      verb: field(ra, "verb", where),
      group: field(ra, "group", where),
      version: field(ra, "version", where),
      resource: field(ra, "resource", where),
      subresource: field(ra, "subresource", where),
      name: field(ra, "name", where),
    };
  } else if (isRecord(nra)) {
    request.nonResource = { path: field(nra, "path", "spec.nonResourceAttributes"), verb: field(nra, "verb", "spec.nonResourceAttributes") };
  }
  return request;
}

export function decideAccess(request: SubjectAccessRequest, guardrails: readonly Guardrail[], authorizer: AccessAuthorizer | undefined): AccessDecision {
  for (const guardrail of guardrails) {
    const reason = guardrail.check(request);
    if (reason !== undefined) return { allowed: false, denied: true, reason: `denied by guardrail ${guardrail.id}: ${reason}`, rule: guardrail.id };
  }
  if (!authorizer) return { allowed: false, denied: false, reason: "no authorizer configured: no opinion", rule: "no-opinion" };
  const result = authorizer.authorize(request);
  return result.allowed ? { allowed: true, denied: false, reason: result.reason, rule: "rbac" } : { allowed: false, denied: false, reason: result.reason, rule: "no-opinion" };
}

export function subjectAccessReviewResponse(request: SubjectAccessRequest, decision: AccessDecision): Record<string, unknown> {
  const status: Record<string, unknown> = { allowed: decision.allowed, reason: decision.reason };
  if (decision.denied) status.denied = true;
  return { apiVersion: request.apiVersion, kind: "SubjectAccessReview", status };
}
