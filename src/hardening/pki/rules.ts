/** The rules of `palisade pki`: what is wrong with a cluster's certificates and keys. */
import type { Pillar, Rule, Severity } from "../../findings/types.js";

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string): Rule {
  return { id: `pki/${id}`, title, family: "pki", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/setup/best-practices/certificates/" } };
}

export const PKI_RULES: readonly Rule[] = [
  rule(
    "expired",
    "A certificate has expired",
    "high",
    "platform",
    "An expired certificate no longer authenticates its component (kube-apiserver to etcd or kubelets, the controller manager, the front proxy): the control plane stops working, and the usual quick fix is to turn verification off.",
    "Renew it: `kubeadm certs renew all` (then restart the control-plane static pods), or your CA's process.",
  ),
  rule(
    "expiring",
    "A certificate expires within 30 days",
    "low",
    "platform",
    "kubeadm's certificates last one year and are renewed only by an upgrade or `kubeadm certs renew`: a cluster left alone for a year stops on the day they expire.",
    "Renew it before it expires (`kubeadm certs renew all`), and watch expiry (`palisade pki --fail-on low` in a cron job).",
  ),
  rule(
    "not-yet-valid",
    "A certificate that is not valid yet",
    "medium",
    "platform",
    "A certificate whose validity starts after now (notBefore in the future) is refused like an expired one (Go's x509.Verify), as a component's own certificate, a client's, or a CA of either's chain: what uses it fails until then. It was issued with a future start, or the clock of the machine that issued it runs ahead of this node's.",
    "Check the clocks (NTP) of this node and of the machine that issued the certificate; reissue it with a start that is not in the future (`kubeadm certs renew NAME`).",
  ),
  rule(
    "weak-key",
    "A certificate with a weak key",
    "medium",
    "platform",
    "RSA keys below 2048 bits (and elliptic curves below 256 bits) can be broken: the key of a CA forged, and with it any identity in the cluster.",
    "Reissue it with an RSA key of 2048 bits or more, or ECDSA P-256 (kubeadm: ClusterConfiguration encryptionAlgorithm).",
  ),
  rule(
    "weak-signature",
    "A certificate signed with SHA-1 or MD5",
    "medium",
    "platform",
    "SHA-1 and MD5 signatures can be forged by collision: a certificate with the same signature and other contents can be made. Go's crypto/x509 refuses SHA-1 signatures since Go 1.18, so Kubernetes components reject such certificates too. A self-signed certificate is not reported: its own signature is never checked (it is trusted as itself, as a root), so its hash does not matter.",
    "Reissue it signed with SHA-256 or better.",
  ),
  rule(
    "system-masters",
    "A client certificate in group system:masters",
    "high",
    "identity",
    "kube-apiserver lets group system:masters do everything before RBAC or any authorization webhook is asked, and a certificate cannot be revoked: whoever holds its key is cluster-admin until the CA is rotated. A CA certificate counts too: kube-apiserver does not require a client certificate to be a leaf (Go's x509.Verify), and ignores its keyUsage; only an extended key usage without clientAuth, or an empty CommonName, keeps a certificate from authenticating. Only a certificate that chains to kube-apiserver's client CA (--client-ca-file) is let in: with that CA known (palisade pki --client-ca-file, or ca.crt in a kubeadm directory), a certificate signed by another CA (kubeadm's etcd clients, in system:masters in older releases, signed by etcd/ca.crt) is not reported; unknown, every such certificate is, and the finding says the chain was assumed. kubeadm stopped putting admin.conf in system:masters in v1.29.",
    "Keep system:masters certificates offline for break-glass use; give people and tools identities in ordinary groups bound to cluster-admin (kubeadm: kubeadm:cluster-admins), which RBAC can take away.",
  ),
  rule(
    "unverified-issuer",
    "A certificate not signed by the CA it names",
    "medium",
    "platform",
    "A certificate whose issuer is a CA of this directory, but whose signature that CA's key does not verify, was signed by another key: it is left over from an old CA, or forged, and every component that checks it refuses it.",
    "Reissue it from the CA it names, or remove it.",
  ),
  rule(
    "ca-cannot-sign",
    "A CA bundle holds a certificate Go never accepts as an issuer",
    "medium",
    "platform",
    "A certificate in a CA bundle a component trusts (kube-apiserver's --client-ca-file and the kubelet's clientCAFile, kubeadm's ca.crt; etcd's --trusted-ca-file, etcd/ca.crt; kube-apiserver's --requestheader-client-ca-file, front-proxy-ca.crt; or the file given with --client-ca-file) that Go's crypto/x509 never accepts as the issuer of a certificate: a version 3 certificate that is not a CA by basicConstraints, or whose keyUsage leaves out keyCertSign (CheckSignatureFrom refuses it as a parent); one with a critical extension Go does not handle (Verify refuses it anywhere, as a root too); an RSA key under 1024 bits (Go 1.24 verifies no signature with it); an extension Go cannot parse (the certificate is never loaded, and etcd and Kubernetes components refuse the whole file over it). Certificates that chain only to it are refused. A bundle none of whose certificates Go accepts authenticates nobody, and one Go cannot parse is refused as a whole: both are reported at high severity. A certificate that may not sign but is otherwise sound is still trusted for itself (Go's Verify takes a presented certificate that is in the roots as a chain of one, without checking any signature): it is reported at info level as a pinned certificate, unless certificates of the directory were signed by it, which Go refuses.",
    "Replace the certificate in the bundle with the CA that signs its clients: a CA certificate (basicConstraints CA:TRUE, keyUsage keyCertSign), with an RSA key of 2048 bits or more or ECDSA P-256, without critical extensions Go does not handle (kubeadm: `kubeadm init phase certs ca`, then reissue what it signs). Keep a pinned client certificate in the bundle only on purpose.",
  ),
  rule(
    "key-permissions",
    "A private key others can read or replace",
    "high",
    "identity",
    "A private key that anyone but its owner may read lets every local user (and every container that mounts the directory) impersonate the component it belongs to, or sign certificates if it is a CA's; one they may write can be swapped for theirs. kubeadm writes keys with mode 0600.",
    "chmod 600 the key file, owned by root.",
  ),
  rule(
    "key-mismatch",
    "A private key that does not match its certificate",
    "medium",
    "platform",
    "A key file beside a certificate of the same name (apiserver.key and apiserver.crt), or a key in the same file as a certificate (kubelet-client-current.pem), that is not the certificate's key: one of the two was replaced without the other, and the component that loads the pair fails to start. Likewise a public key file beside a private key of the same name (kubeadm's sa.pub and sa.key) that holds none of its key: kube-apiserver (--service-account-key-file) then refuses every service-account token kube-controller-manager signs.",
    "Reissue the pair together (kubeadm: `kubeadm certs renew NAME` writes the certificate and its key), or restore the key that belongs to the certificate.",
  ),
  rule(
    "unreadable",
    "A certificate or key file that cannot be loaded",
    "medium",
    "platform",
    "A certificate or private key file that is not PEM (binary data, or a DER certificate), is empty, holds a block cut off before its END line or with corrupt base64, or a block whose DER does not parse (for Go: a certificate with a negative serial number, a critical subjectKeyIdentifier or a repeated extension, which Go's crypto/x509 refuses though other tools load it), an elliptic-curve private key with explicit parameters or on a curve other than P-224, P-256, P-384 and P-521, an encrypted private key paired with a certificate (components read no passphrase), a symbolic link that leads nowhere, or a file over 1 MiB, which Palisade does not read: the component that loads it fails to start (Go skips a damaged block without a word, so a bundle keeps working without the certificate it lost, and fails when it was the only one).",
    "Replace the file with the certificate or key it should hold (kubeadm: `kubeadm certs renew` rewrites a certificate and its key); convert a DER certificate with `openssl x509 -inform der -in FILE -out FILE.pem`.",
  ),
];
