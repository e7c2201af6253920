/**
 * The credentials kube-apiserver serves with and accepts: its serving certificate, the CA it
 * authenticates client certificates with, and the keys it verifies service-account tokens with.
 */
import { booleanFlag, flag, flagRules, type FlagRule } from "./flag-rule.js";

const rule = flagRules("kube-apiserver");

export const CREDENTIAL_RULES: readonly FlagRule[] = [
  rule(
    "serving-certificate",
    "kube-apiserver serves a self-signed certificate",
    "medium",
    "network",
    "Without --tls-cert-file and --tls-private-key-file, kube-apiserver generates a self-signed certificate in --cert-dir (SecureServingOptions.MaybeDefaultWithSelfSignedCerts) that no client's CA vouches for: clients either skip verification or cannot connect (CIS 1.2.24).",
    "Set --tls-cert-file and --tls-private-key-file to a certificate the cluster CA signs (kubeadm: /etc/kubernetes/pki/apiserver.crt and .key).",
    (c) => {
      const cert = flag(c, "tls-cert-file");
      const key = flag(c, "tls-private-key-file");
      if (cert && key) return undefined;
      if (!cert && !key) return { message: "--tls-cert-file and --tls-private-key-file are not set: kube-apiserver serves a self-signed certificate no client can verify" };
      const set = (cert ?? key)!;
      return { message: `--${set.name} is set without --${cert ? "tls-private-key-file" : "tls-cert-file"}: kube-apiserver cannot load the pair and refuses to start`, flag: set };
    },
  ),
  rule(
    "client-ca",
    "Client certificates are not accepted",
    "medium",
    "identity",
    "Without --client-ca-file, kube-apiserver authenticates no X.509 client certificate: kubelets, the controller manager and the scheduler cannot use the certificates kubeadm gives them, and fall back to long-lived tokens or fail (CIS 1.2.25).",
    "Set --client-ca-file to the cluster CA (kubeadm: /etc/kubernetes/pki/ca.crt).",
    (c) => (flag(c, "client-ca-file") ? undefined : { message: "--client-ca-file is not set: no client certificate authenticates" }),
  ),
  rule(
    "service-account-key",
    "No key verifies service-account tokens, so kube-apiserver refuses to start",
    "medium",
    "identity",
    "--service-account-key-file names the public keys service-account tokens are verified with (CIS 1.2.22). Unset, kube-apiserver refuses to start: it falls back to the key of --tls-private-key-file only when --service-account-signing-key-file is unset too (options Complete), and since v1.20 a server without a signing key (or, from v1.32, a signing endpoint) is refused itself (validateTokenRequest: \"--service-account-signing-key-file, --service-account-issuer, and --api-audiences should be specified together\"); with one, \"service-account-key-file is a required flag\".",
    "Set --service-account-key-file to the public key whose private half signs tokens (kubeadm: /etc/kubernetes/pki/sa.pub), with --service-account-signing-key-file.",
    (c) => {
      // An external signer (--service-account-signing-endpoint) hands out the verifying keys itself.
      if (flag(c, "service-account-key-file") || flag(c, "service-account-signing-endpoint")) return undefined;
      // The serving key stands in only without a signing key, which kube-apiserver refuses since v1.20 (validateTokenRequest).
      if (!flag(c, "service-account-signing-key-file")) return { message: "--service-account-key-file and --service-account-signing-key-file are not set: kube-apiserver refuses to start (no service-account token can be issued)" };
      return { message: "--service-account-key-file is not set, and nothing stands in for it: kube-apiserver refuses to start" };
    },
  ),
  rule(
    "extend-token-expiration",
    "Service-account tokens are valid for a year",
    "low",
    "identity",
    "--service-account-extend-token-expiration (default true) makes the projected tokens the kubelet asks for with the default one-hour lifetime (3607s) valid for a year, so that old clients that never reread the file keep working: a token stolen from a pod then works for a year (CIS 1.2.30).",
    "Set --service-account-extend-token-expiration=false once the service-account token metrics show no stale tokens in use.",
    (c) => booleanFlag(c, "service-account-extend-token-expiration", false, true, "projected service-account tokens requested for an hour stay valid for a year"),
  ),
];
