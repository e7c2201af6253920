/**
 * A request to the kube-apiserver-client signer for group system:masters: what the
 * CertificateSubjectRestriction admission plugin (plugin/pkg/admission/certificates/
 * subjectrestriction, on by default since v1.19) refuses, with its words. Where the plugin
 * is disabled the API server stores it, and whoever approves it hands out a certificate
 * that kube-apiserver lets do everything before RBAC is asked, until it expires.
 */
import { csrRule, REQUEST_PATH, type CsrState } from "./model.js";
import { KUBE_APISERVER_CLIENT } from "./signers.js";

export const SYSTEM_MASTERS = "system:masters";

/** The plugin's refusal (without the Forbidden status prefix the API server adds). */
export const SUBJECT_RESTRICTION_ERROR = `use of ${KUBE_APISERVER_CLIENT} signer with ${SYSTEM_MASTERS} group is not allowed`;

/** What the request's status says of its certificate (a request read from a cluster). */
const STATE_NOTES: Record<CsrState, string> = {
  pending: "",
  approved: "; it is already approved, so the signer issues its certificate at its next pass",
  issued: "; its certificate has been issued (status.certificate is set)",
  // Neither can turn into a certificate: Denied excludes Approved, the signer skips Failed, and no condition can be removed.
  denied: "; it is denied, so no certificate will be issued for it, but its being stored shows the plugin was off when it was created",
  failed: "; the signer marked it Failed, so no certificate will be issued for it, but its being stored shows the plugin was off when it was created",
};

export const systemMastersRule = csrRule(
  "system-masters",
  "A certificate request for group system:masters",
  "critical",
  "identity",
  "A CertificateSigningRequest for signer kubernetes.io/kube-apiserver-client whose subject has O=system:masters asks for a client certificate in the group kube-apiserver lets do everything, before RBAC or any authorization webhook is asked. The CertificateSubjectRestriction admission plugin refuses such a request (\"use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed\"); it is on by default, but where it was disabled (--disable-admission-plugins) the request is stored, and once someone approves it the certificate is cluster-admin until it expires: a certificate cannot be revoked, and RBAC cannot take the group away.",
  "Request the certificate for an ordinary group bound to the roles it needs (a ClusterRoleBinding to cluster-admin if it must be, which RBAC can take away), and keep CertificateSubjectRestriction enabled.",
  (csr) => {
    if (csr.signerName !== KUBE_APISERVER_CLIENT || !("facts" in csr.request)) return [];
    const { facts } = csr.request;
    if (!facts.organizations.includes(SYSTEM_MASTERS)) return [];
    return [
      {
        path: REQUEST_PATH,
        message: `the request (CN=${JSON.stringify(facts.commonName)}) asks ${KUBE_APISERVER_CLIENT} for group ${SYSTEM_MASTERS}: CertificateSubjectRestriction refuses it ("${SUBJECT_RESTRICTION_ERROR}"); where that plugin is disabled, the certificate issued on approval is cluster-admin past RBAC until it expires, and cannot be revoked${STATE_NOTES[csr.state]}`,
      },
    ];
  },
);
