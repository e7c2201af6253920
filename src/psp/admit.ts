import type { JsonPatchOperation } from "../findings/types.js";
import { VALIDATED_PSP_ANNOTATION } from "./constants.js";
import { formatFieldError, type FieldError } from "./field-errors.js";
import { semanticEqual, setAnnotation, type PodJson } from "./pod.js";
import type { PodSecurityPolicy } from "./policy.js";
import { createProvider, type Provider } from "./provider.js";
import { diffAsPatch } from "./patch.js";

/**
 * Policy choice as the PodSecurityPolicy admission plugin made it
 * (plugin/pkg/admission/security/podsecuritypolicy): every policy is tried in name order
 * on a copy of the pod; among those the requester or the pod's service account may `use`,
 * the first that admits the pod unchanged wins; otherwise the first that admits it after
 * defaulting. Updates may not change the pod, so on update only an unchanged admission
 * counts, and the policy that admitted the pod before is tried first.
 */

/** The RBAC question, injected: may this user or service account `use` this policy (in the pod's namespace)? */
export type MayUse = (policyName: string, user: string | undefined, serviceAccount: string | undefined, namespace?: string) => boolean;

/** Without RBAC data every policy is usable (the CLI's view of a cluster it cannot see). */
export const EVERY_POLICY_USABLE: MayUse = () => true;

export interface AdmissionRequest {
  pod: PodJson;
  operation?: "create" | "update";
  /** The requesting user, e.g. `alice` or `system:serviceaccount:ns:deployer`. */
  user?: string;
  /** Namespace of the pod, for the service account's full name. */
  namespace?: string;
  /** On update: the `kubernetes.io/psp` annotation the pod was admitted with. */
  validatedPolicyHint?: string;
}

export interface PolicyRefusal {
  policy: string;
  /** Field errors from upstream's strategies, or a provider / authorization reason. */
  errors: FieldError[];
  reason?: "not-usable" | "invalid-policy" | "would-mutate";
  message: string;
}

export interface AdmissionResult {
  allowed: boolean;
  /** Name of the policy that admitted the pod. */
  policy?: string;
  /** The pod as admitted (defaulted, annotated with kubernetes.io/psp); the input when refused. */
  pod: PodJson;
  /** Whether admission changed the pod beyond the kubernetes.io/psp annotation. */
  mutated: boolean;
  /** RFC 6902 patch from the input pod to the admitted pod. */
  patch: JsonPatchOperation[];
  /** Why each policy that was tried did not admit the pod, in the order tried. */
  refusals: PolicyRefusal[];
  /** Upstream's one-line rejection, when refused. */
  message?: string;
}

/**
 * The pod's service account as a user name. The ServiceAccount admission plugin runs first
 * and names `default` when the pod names none (the deprecated `serviceAccount` field, which
 * the API server reads as serviceAccountName when that is empty, counts too); a mirror pod
 * gets none.
 */
export function serviceAccountOf(pod: PodJson, namespace: string | undefined): string | undefined {
  const mirror = pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined;
  const named = pod.spec.serviceAccountName || (typeof pod.spec.serviceAccount === "string" ? pod.spec.serviceAccount : "");
  const sa = named || (mirror ? "" : "default");
  if (!sa) return undefined;
  return `system:serviceaccount:${namespace ?? pod.metadata?.namespace ?? "default"}:${sa}`;
}

export function admitPod(policies: readonly PodSecurityPolicy[], request: AdmissionRequest, mayUse: MayUse = EVERY_POLICY_USABLE): AdmissionResult {
  const original = request.pod;
  const mutationAllowed = (request.operation ?? "create") === "create";
  const hint = request.validatedPolicyHint;
  const ordered = [...policies].sort((a, b) => {
    if (!mutationAllowed && hint !== undefined) {
      if (a.name === hint && b.name !== hint) return -1;
      if (b.name === hint && a.name !== hint) return 1;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  const sa = serviceAccountOf(original, request.namespace);
  const namespace = request.namespace ?? original.metadata?.namespace ?? "default";
  const refused = (pod: PodJson, refusals: PolicyRefusal[], message: string): AdmissionResult => ({
    allowed: false, pod, mutated: false, patch: [], refusals, message,
  });
  const providers: Provider[] = [];
  const refusals: PolicyRefusal[] = [];
  for (const policy of ordered) {
    const provider = createProvider(policy);
    if ("error" in provider) refusals.push({ policy: policy.name, errors: [], reason: "invalid-policy", message: provider.error });
    else providers.push(provider);
  }
  if (providers.length === 0) {
    return refused(original, refusals, policies.length === 0 ? "PodSecurityPolicy: no policies to validate the pod against" : "no providers available to validate pod request");
  }

  let mutatedChoice: { pod: PodJson; policy: string } | undefined;
  for (const provider of providers) {
    const name = provider.policy.name;
    const copy = structuredClone(original);
    provider.mutatePod(copy);
    const errors = provider.validatePod(copy);
    const usable = mayUse(name, request.user, sa, namespace);
    if (errors.length > 0) {
      refusals.push(
        usable
          ? { policy: name, errors, message: `provider ${JSON.stringify(name)}: ${errors.map(formatFieldError).join(", ")}` }
          : { policy: name, errors: [], reason: "not-usable", message: `provider ${JSON.stringify(name)}: Forbidden: not usable by user or serviceaccount` },
      );
      continue;
    }
    const mutated = !semanticEqual(original, copy);
    if (mutated && !mutationAllowed) {
      refusals.push({ policy: name, errors: [], reason: "would-mutate", message: `provider ${JSON.stringify(name)}: admits the pod only by changing it, which an update may not do` });
      continue;
    }
    if (!usable) {
      refusals.push({ policy: name, errors: [], reason: "not-usable", message: `provider ${JSON.stringify(name)}: Forbidden: not usable by user or serviceaccount` });
      continue;
    }
    if (!mutated) return admitted(original, copy, name, false, refusals);
    mutatedChoice ??= { pod: copy, policy: name };
  }
  if (mutatedChoice) {
    // A policy that admits unchanged was not found; the refusals of later policies are moot.
    const before = ordered.findIndex((p) => p.name === mutatedChoice?.policy);
    const earlier = new Set(ordered.slice(0, before).map((p) => p.name));
    return admitted(original, mutatedChoice.pod, mutatedChoice.policy, true, refusals.filter((r) => earlier.has(r.policy)));
  }
  // Upstream only reports the errors of policies the requester could use.
  const reported = refusals.filter((r) => r.errors.length > 0).flatMap((r) => r.errors.map(formatFieldError));
  return refused(original, refusals, `PodSecurityPolicy: unable to admit pod: [${reported.join(", ")}]`);
}

function admitted(original: PodJson, pod: PodJson, policy: string, mutated: boolean, refusals: PolicyRefusal[]): AdmissionResult {
  setAnnotation(pod, VALIDATED_PSP_ANNOTATION, policy);
  return { allowed: true, policy, pod, mutated, patch: diffAsPatch(original, pod), refusals };
}
