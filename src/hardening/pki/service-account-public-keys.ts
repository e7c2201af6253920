/**
 * The verifying half of a service-account key pair: kube-controller-manager signs tokens with
 * X.key (--service-account-private-key-file; kubeadm's sa.key) and kube-apiserver verifies them
 * with the keys of X.pub (--service-account-key-file; kubeadm's sa.pub), read with client-go's
 * keyutil.ParsePublicKeysPEM. That reader ignores block types and tries each block's DER as an
 * RSA private key (PKCS #1 or #8), a PKIX public key or a certificate, and an EC private key,
 * keeping RSA and ECDSA keys only (a PKCS #1 RSA PUBLIC KEY is not among them). A .pub beside a
 * .key holding none of its key means every token the controller manager signs is refused.
 */
import { serviceAccountPublicKeys } from "../../access/authn/service-account-keys.js";

/** The SubjectPublicKeyInfo DER of each RSA or ECDSA key kube-apiserver would read from the text (the one keyutil reading, service-account-keys.ts). */
export function publicKeysOf(text: string): Buffer[] {
  return serviceAccountPublicKeys(text).map((key) => key.export({ type: "spki", format: "der" }));
}
