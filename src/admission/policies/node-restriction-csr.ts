/**
 * NodeRestriction's rule for CertificateSigningRequests a node creates (admitCSR in
 * plugin/pkg/admission/noderestriction/admission.go, since v1.31): a request to the
 * kubelet-serving or kube-apiserver-client-kubelet signer must have CN=system:node:<its own
 * name> exactly, so that a compromised kubelet cannot ask for another node's certificate.
 * Upstream lets the feature gate AllowInsecureKubeletCertificateSigningRequests (off by
 * default since v1.31) turn the check off; this policy always applies it. Other fields are
 * the signer's to judge (src/hardening/csr/signers.ts).
 */
import { isRecord } from "../../k8s/types.js";
import { readCsrRequest } from "../../hardening/csr/request.js";
import { KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING } from "../../hardening/csr/signers.js";
import type { AdmissionRequest } from "../review.js";
import type { NodeRefusal } from "./node-restriction-pods.js";

export const CSR_GROUP = "certificates.k8s.io";
export const CSR_RESOURCE = "certificatesigningrequests";

export function admitCsrRequest(node: string, request: AdmissionRequest): NodeRefusal | undefined {
  if (request.operation !== "CREATE") return undefined;
  const spec = isRecord(request.object?.spec) ? request.object.spec : {};
  if (spec.signerName !== KUBELET_SERVING && spec.signerName !== KUBE_APISERVER_CLIENT_KUBELET) return undefined;
  const reading = readCsrRequest(spec.request);
  if ("problem" in reading) return { rule: "csr", error: `unable to parse csr: ${reading.problem}` };
  const own = `system:node:${node}`;
  if (reading.facts.commonName !== own) return { rule: "csr", error: `can only create a node CSR with CN=${own}` };
  return undefined;
}
