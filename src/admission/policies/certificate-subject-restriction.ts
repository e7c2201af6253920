/**
 * CertificateSubjectRestriction as kube-apiserver's plugin applies it
 * (plugin/pkg/admission/certificates/subjectrestriction): a new CertificateSigningRequest
 * for signer kubernetes.io/kube-apiserver-client may not ask for group system:masters, the
 * group kube-apiserver lets do everything before RBAC. The plugin is on by default; this
 * policy keeps the rule where it was turned off (or on a control plane one cannot
 * configure). Messages are the plugin's, in its Forbidden status format; the request's
 * content is never shown.
 */
import { preloadCsrReader, readCsrRequest } from "../../hardening/csr/request.js";
import { KUBE_APISERVER_CLIENT } from "../../hardening/csr/signers.js";
import { SUBJECT_RESTRICTION_ERROR, SYSTEM_MASTERS } from "../../hardening/csr/system-masters.js";
import { isRecord } from "../../k8s/types.js";
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import type { AdmissionRequest } from "../review.js";
import { CSR_GROUP, CSR_RESOURCE } from "./node-restriction-csr.js";
import { forbiddenMessage } from "./node-restriction.js";

export const CERTIFICATE_SUBJECT_RESTRICTION_POLICY = "certificate-subject-restriction";

/** The plugin handles CREATE of the resource itself (no subresource) only. */
function appliesTo(request: AdmissionRequest): boolean {
  return request.operation === "CREATE" && request.resource.group === CSR_GROUP && request.resource.resource === CSR_RESOURCE && request.subResource === "";
}

/** The plugin's refusal of one request, or undefined. */
function refusal(request: AdmissionRequest): { rule: string; error: string } | undefined {
  const spec = isRecord(request.object?.spec) ? request.object.spec : {};
  if (spec.signerName !== KUBE_APISERVER_CLIENT) return undefined;
  const reading = readCsrRequest(spec.request);
  if ("problem" in reading) return { rule: "parse", error: `failed to parse CSR: ${reading.problem}` };
  if (reading.facts.organizations.includes(SYSTEM_MASTERS)) return { rule: "system-masters", error: SUBJECT_RESTRICTION_ERROR };
  return undefined;
}

export function certificateSubjectRestrictionPolicy(mode: PolicyMode): AdmissionPolicy {
  return {
    name: CERTIFICATE_SUBJECT_RESTRICTION_POLICY,
    mode,
    appliesTo,
    // The request parser takes a few hundred milliseconds to load: not on a request's time.
    warmUp: preloadCsrReader,
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      if (!appliesTo(context.request)) return verdict;
      const refused = refusal(context.request);
      if (refused) verdict.deny.push({ policy: CERTIFICATE_SUBJECT_RESTRICTION_POLICY, rule: refused.rule, message: forbiddenMessage(context.request, refused.error) });
      return verdict;
    },
  };
}
