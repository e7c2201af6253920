/**
 * PodSecurityPolicy as the admission plugin applied it, over src/psp: on /mutate a pod is
 * defaulted by the first usable policy that admits it (the patch carries the defaults and the
 * kubernetes.io/psp annotation); on /validate it must be admitted unchanged. Only pods, no
 * subresources, as upstream. An update that leaves the spec and annotations (what PSP
 * judges: seccomp and AppArmor live there) as they were is not judged again: upstream let
 * owner-reference and finalizer updates through; labels and status are no more a risk, and
 * a pod admitted before the policy must still be able to finish terminating.
 */
import { admitPod, EVERY_POLICY_USABLE, type MayUse } from "../../psp/admit.js";
import type { PodJson } from "../../psp/pod.js";
import type { PodSecurityPolicy } from "../../psp/policy.js";
import { VALIDATED_PSP_ANNOTATION } from "../../psp/constants.js";
import type { JsonPatchOperation } from "../../findings/types.js";
import type { AdmissionRequest, UserInfo } from "../review.js";
import { isDeepStrictEqual } from "node:util";
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { emptyVerdict, type AdmissionContext, type AdmissionPolicy, type PolicyMode } from "../policy.js";

export const PSP_POLICY = "pod-security-policy";

/** Pods only (no subresources), created or updated, as the PSP admission plugin. */
function appliesTo(request: AdmissionRequest): boolean {
  return request.resource.group === "" && request.resource.resource === "pods" && request.subResource === "" && (request.operation === "CREATE" || request.operation === "UPDATE");
}

function podOf(context: AdmissionContext): PodJson | undefined {
  const { request } = context;
  if (!appliesTo(request)) return undefined;
  const object = request.object;
  if (!object || !isRecord(object.spec)) return undefined;
  if (request.operation === "UPDATE" && unchangedForPsp(object, request.oldObject)) return undefined;
  return object as PodJson;
}

function unchangedForPsp(object: K8sObject, old: K8sObject | null): boolean {
  if (!old) return false;
  return isDeepStrictEqual(object.spec, old.spec) && isDeepStrictEqual(object.metadata?.annotations ?? {}, old.metadata?.annotations ?? {});
}

/** Which policies a request may `use`: RBAC's answer for its user and groups, or every policy. */
export type PolicyUse = (userInfo: UserInfo) => MayUse;

export interface PodSecurityPolicyAdmission extends AdmissionPolicy {
  /** The policies it chooses among, so a shell with RBAC data can rebuild it with `use` checks. */
  readonly podSecurityPolicies: readonly PodSecurityPolicy[];
}

export function isPodSecurityPolicyAdmission(policy: AdmissionPolicy): policy is PodSecurityPolicyAdmission {
  return policy.name === PSP_POLICY && "podSecurityPolicies" in policy;
}

export function podSecurityPolicyPolicy(policies: readonly PodSecurityPolicy[], mode: PolicyMode, use: PolicyUse = () => EVERY_POLICY_USABLE): PodSecurityPolicyAdmission {
  return {
    name: PSP_POLICY,
    mode,
    podSecurityPolicies: policies,
    appliesTo,
    mutate(context): JsonPatchOperation[] {
      const pod = podOf(context);
      if (!pod || context.request.operation !== "CREATE") return [];
      const result = admitPod(policies, { pod, operation: "create", user: context.request.userInfo.username, namespace: context.request.namespace }, use(context.request.userInfo));
      return result.allowed ? result.patch : [];
    },
    validate(context) {
      const verdict = emptyVerdict();
      const pod = podOf(context);
      if (!pod) return verdict;
      const hint = pod.metadata?.annotations?.[VALIDATED_PSP_ANNOTATION];
      const result = admitPod(
        policies,
        { pod, operation: "update", user: context.request.userInfo.username, namespace: context.request.namespace, ...(hint ? { validatedPolicyHint: hint } : {}) },
        use(context.request.userInfo),
      );
      if (!result.allowed) verdict.deny.push({ policy: PSP_POLICY, rule: "unable-to-admit", message: result.message ?? "PodSecurityPolicy: unable to admit pod" });
      return verdict;
    },
  };
}
