import type { Finding } from "../findings/types.js";
import { describeRef, objectRef, type FieldPath, type LoadedObject, type LoadProblem } from "../k8s/types.js";
import { describeUndecodable, UNDECODABLE_HINT, undecodableFields } from "../manifest/undecodable.js";
import { podTemplate } from "../k8s/workloads.js";
import { admissionPod } from "./admission-pod.js";
import { admitPod, EVERY_POLICY_USABLE, serviceAccountOf, type AdmissionResult, type MayUse } from "./admit.js";
import { formatFieldError, type FieldError } from "./field-errors.js";
import { semanticEqual, type PodJson } from "./pod.js";
import { podRequester, withoutUserNote } from "./pod-requester.js";
import { isPodSecurityPolicy, readPodSecurityPolicy, type PodSecurityPolicy } from "./policy.js";
import { createProvider } from "./provider.js";
import { PSP_RULES } from "./rules.js";
import { validatePolicy } from "./validate.js";

/** `spec.containers[0].securityContext` or `metadata.annotations[a/b.c]` as path parts. */
export function parseFieldPath(text: string): FieldPath {
  const parts: Array<string | number> = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(/^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return parts;
}

export interface LoadedPolicies {
  policies: PodSecurityPolicy[];
  /** psp/invalid-policy findings: shape, validation and provider errors, each at its field. */
  findings: Finding[];
}

/** Read every PodSecurityPolicy among loaded objects; invalid ones are reported and left out. */
export function loadPolicies(objects: readonly LoadedObject[]): LoadedPolicies {
  const policies: PodSecurityPolicy[] = [];
  const findings: Finding[] = [];
  // The cluster holds one PodSecurityPolicy per name: a second definition replaces the first
  // (kubectl apply), so both are never tried. A copy that is the same (a file given twice)
  // is dropped; a different one is an input problem, and the later definition is used.
  const firstByName = new Map<string, { loaded: LoadedObject; policy: PodSecurityPolicy }>();
  for (const loaded of objects) {
    if (!isPodSecurityPolicy(loaded.object)) continue;
    const { policy, errors } = readPodSecurityPolicy(loaded.object);
    const earlier = policy.name !== "" ? firstByName.get(policy.name) : undefined;
    if (earlier) {
      if (semanticEqual(earlier.policy, policy)) continue;
      const at = earlier.loaded.source.position;
      findings.push(policyFinding(loaded, `PodSecurityPolicy ${JSON.stringify(policy.name)} is defined again, differently (first at ${at.file}:${at.line}): the cluster holds one object per name, so only this later definition would exist; keep one`, ["metadata", "name"]));
      const i = policies.indexOf(earlier.policy);
      if (i >= 0) policies.splice(i, 1);
    }
    if (policy.name !== "") firstByName.set(policy.name, { loaded, policy });
    const all: FieldError[] = [...errors, ...validatePolicy(policy)];
    const provider = all.length === 0 ? createProvider(policy) : undefined;
    const providerError = provider && "error" in provider ? provider.error : undefined;
    for (const e of all) {
      findings.push(policyFinding(loaded, formatFieldError(e), parseFieldPath(e.field)));
    }
    if (providerError) findings.push(policyFinding(loaded, providerError, ["spec"]));
    if (all.length === 0 && !providerError) policies.push(policy);
  }
  return { policies, findings };
}

function policyFinding(loaded: LoadedObject, message: string, path: FieldPath): Finding {
  const rule = PSP_RULES.invalidPolicy;
  return {
    ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message,
    object: objectRef(loaded.object), fieldPath: path.length ? formatPath(path) : undefined, position: loaded.source.locate(path),
    remediation: rule.docs.remediation,
  };
}

function formatPath(path: FieldPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : /[./]/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The pod a workload would create, as PSP admission sees it (admission-pod.ts). */
export function podForAdmission(loaded: LoadedObject): { pod: PodJson; prefix: FieldPath } | undefined {
  const template = podTemplate(loaded.object);
  if (!template) return undefined;
  return { pod: admissionPod(loaded.object, template), prefix: template.path };
}

/** Dotted paths of every leaf that differs between two JSON values. */
function changedLeaves(before: unknown, after: unknown, path: FieldPath): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (isObj(after) && (isObj(before) || before === undefined)) {
    const b = (before ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(b), ...Object.keys(after)]);
    return [...keys].flatMap((k) => changedLeaves(b[k], after[k], [...path, Array.isArray(after) ? Number(k) : k]));
  }
  return [formatPath(path)];
}

/**
 * Workloads with a field the API server cannot decode (a string where a securityContext
 * belongs): never admitted or refused by a policy, since they never reach admission. They
 * are input problems, and checkWorkloads leaves them out.
 */
export function undecodableWorkloads(objects: readonly LoadedObject[]): LoadProblem[] {
  return objects.flatMap((loaded) =>
    podTemplate(loaded.object)
      ? undecodableFields(loaded.object).map((w): LoadProblem => ({ kind: "invalid-object", message: `${describeRef(objectRef(loaded.object))}: ${describeUndecodable(w)}`, position: loaded.source.locate(w.path), hint: UNDECODABLE_HINT }))
      : [],
  );
}

/**
 * Findings for every workload in `objects` against `policies`. `user` is who applies the
 * manifests: the requester of a bare Pod, while a template's pods are requested by the
 * controller that creates them (pod-requester.ts), so `user`'s `use` permission counts for
 * bare Pods only, and a template's findings say it was judged without it.
 */
export function checkWorkloads(policies: readonly PodSecurityPolicy[], objects: readonly LoadedObject[], mayUse: MayUse = EVERY_POLICY_USABLE, user?: string): Finding[] {
  const findings: Finding[] = [];
  for (const loaded of objects) {
    const target = podForAdmission(loaded);
    if (!target || undecodableFields(loaded.object).length > 0) continue;
    const requester = podRequester(loaded.object);
    const requestedBy = requester.by === "user" ? user : requester.serviceAccount;
    const result: AdmissionResult = admitPod(policies, { pod: target.pod, ...(requestedBy ? { user: requestedBy } : {}) }, mayUse);
    // Without RBAC every policy is usable: whose permission counts changes nothing then.
    const note = requester.by === "controller" && user && mayUse !== EVERY_POLICY_USABLE ? withoutUserNote(requester, user, serviceAccountOf(target.pod, undefined)) : "";
    const judged = requester.by === "controller" && note ? { requester: requester.serviceAccount ?? requester.controller, userNotCounted: user } : {};
    const ref = objectRef(loaded.object);
    const at = (path: FieldPath) => ({ fieldPath: formatPath([...target.prefix, ...path]) || undefined, position: loaded.source.locate([...target.prefix, ...path]) });
    if (!result.allowed) {
      const rule = PSP_RULES.notAdmitted;
      for (const refusal of result.refusals) {
        const base = { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, object: ref, remediation: rule.docs.remediation, properties: { policy: refusal.policy, ...judged } };
        if (refusal.errors.length === 0) findings.push({ ...base, message: `not admitted: ${refusal.message}${note}`, ...at([]) });
        for (const e of refusal.errors) {
          findings.push({ ...base, message: `not admitted by PodSecurityPolicy ${JSON.stringify(refusal.policy)}: ${formatFieldError(e)}${note}`, ...at(parseFieldPath(e.field)) });
        }
      }
      if (result.refusals.length === 0) findings.push({ ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, object: ref, message: `${result.message ?? "not admitted"}${note}`, ...(note ? { properties: judged } : {}), ...at([]) });
    } else if (result.mutated) {
      const rule = PSP_RULES.admittedAfterDefaulting;
      const changed = changedLeaves(target.pod, result.pod, []).filter((p) => p !== "metadata.annotations[kubernetes.io/psp]");
      findings.push({
        ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, object: ref, remediation: rule.docs.remediation,
        message: `admitted by PodSecurityPolicy ${JSON.stringify(result.policy)} after it sets ${changed.join(", ")}${note}`,
        properties: { policy: result.policy, patch: result.patch, ...judged },
        ...at([]),
      });
    }
  }
  return findings;
}
