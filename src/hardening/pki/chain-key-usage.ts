/**
 * Go's checkChainForKeyUsage (crypto/x509 verify.go) for the one usage kube-apiserver's X.509
 * authenticator asks, ExtKeyUsageClientAuth (k8s.io/apiserver x509.DefaultVerifyOptions). Verify
 * runs it on each chain once chains are built, not while building them, so a certificate whose
 * extended key usage refuses client authentication still takes part in chains, which are then
 * dropped ("certificate specifies an incompatible key usage"). Go walks every certificate of the
 * chain, root first: one without the extension (or with an empty SEQUENCE, which Go reads the
 * same) allows anything, one listing anyExtendedKeyUsage allows anything, any other must list
 * clientAuth. Unknown usages count as a list that does not allow it. With a single usage asked,
 * the nesting Go does across the chain comes down to that test of each certificate.
 */
import { signingExtensionsOf, type SigningExtensions } from "./signing-extensions.js";
import type { DerCertificate } from "./certificate-extensions.js";

/** The usages Palisade's models ask of a chain: kube-apiserver, etcd and kubelets verify clients; client-go verifies servers (Verify's default). */
export const EXT_KEY_USAGE = { clientAuth: "1.3.6.1.5.5.7.3.2", serverAuth: "1.3.6.1.5.5.7.3.1" } as const;
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

/** Whether a certificate's extended key usages (as Go reads them) let it take part in a chain asked for `usage`. */
export function extKeyUsagesAllow({ extKeyUsages }: Pick<SigningExtensions, "extKeyUsages">, usage: keyof typeof EXT_KEY_USAGE): boolean {
  return extKeyUsages.length === 0 || extKeyUsages.includes(EXT_KEY_USAGE[usage]) || extKeyUsages.includes(ANY_EXTENDED_KEY_USAGE);
}

/** Whether a certificate's extended key usages (as Go reads them) let it take part in client authentication. */
export function extKeyUsagesAllowClientAuth(read: Pick<SigningExtensions, "extKeyUsages">): boolean {
  return extKeyUsagesAllow(read, "clientAuth");
}

/** The certificates of `chain` (root first, as Go walks it) whose extended key usage leaves out client authentication. */
export function certificatesRefusingClientAuth<T extends DerCertificate>(chain: readonly T[]): T[] {
  return [...chain].reverse().filter((facts) => {
    const read = signingExtensionsOf(facts);
    return "refusal" in read || !extKeyUsagesAllowClientAuth(read);
  });
}
