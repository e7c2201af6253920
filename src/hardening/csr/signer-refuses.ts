/**
 * A request that kube-controller-manager's signer for its signerName will never sign
 * (signers.ts): the kubelet signers' subject, SAN and usage rules, the kube-apiserver-client
 * signer's usages. The API server stores such a request; once approved, the signer marks it
 * Failed with the error below, and no certificate is issued.
 */
import { csrRule, REQUEST_PATH, USAGES_PATH, usagesOf } from "./model.js";
import { apiserverClientRefusal, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING, kubeletClientRefusal, kubeletServingRefusal, type SignerRefusal } from "./signers.js";

export const signerRefusesRule = csrRule(
  "signer-refuses",
  "A certificate request its signer will refuse to sign",
  "medium",
  "identity",
  "kube-controller-manager signs requests for the kubernetes.io signers only when they have the form the signer exists for: kubernetes.io/kube-apiserver-client-kubelet wants O=system:nodes alone, CN=system:node:<name>, no SANs and the usages digital signature, client auth (and key encipherment for RSA keys); kubernetes.io/kubelet-serving wants O=system:nodes, CN=system:node:<name>, a DNS or IP SAN, no email or URI SAN, and digital signature, server auth (and key encipherment); kubernetes.io/kube-apiserver-client wants client auth, with digital signature and key encipherment allowed and nothing else. The API server stores any request; once approved, the signer marks one that breaks these rules Failed (reason SignerValidationFailure) and issues nothing, and the csrapproving controller never auto-approves a kubelet client request that breaks them. A request that asks for more than its signer gives (SANs on a client certificate, another node's name) is worth a look.",
  "Write the request as the signer expects it (the message names the first rule it breaks), or use a signer of your own for other certificates.",
  (csr) => {
    if (!("facts" in csr.request)) return [];
    const usages = usagesOf(csr);
    if (!usages) return [];
    let refusal: SignerRefusal | undefined;
    if (csr.signerName === KUBE_APISERVER_CLIENT_KUBELET) refusal = kubeletClientRefusal(csr.request.facts, usages);
    else if (csr.signerName === KUBELET_SERVING) refusal = kubeletServingRefusal(csr.request.facts, usages);
    else if (csr.signerName === KUBE_APISERVER_CLIENT) refusal = apiserverClientRefusal(usages);
    if (!refusal) return [];
    return [
      {
        path: refusal.field === "usages" ? USAGES_PATH : REQUEST_PATH,
        message: `kube-controller-manager's ${String(csr.signerName)} signer refuses to sign it: ${refusal.error} (the request is marked Failed, reason SignerValidationFailure, once approved)`,
      },
    ];
  },
);
