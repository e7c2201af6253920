/**
 * Whether kube-apiserver's X.509 authenticator (k8s.io/apiserver/pkg/authentication/request/x509)
 * would take a certificate as a user, given a --client-ca-file it chains to or holds. It verifies
 * the presented certificate with Go's x509.Verify for ExtKeyUsageClientAuth, then maps the last
 * subject CommonName to the user and the Organizations to groups (CommonNameUserConversion).
 *
 * Go's Verify does not ask the presented certificate to be a leaf: a CA certificate is accepted
 * like any other (and a CA that is itself in the client-CA bundle ends its own chain), and the
 * keyUsage extension is ignored altogether. What does stop it: an extended key usage without
 * clientAuth or anyExtendedKeyUsage (no EKU at all means any usage), an empty CommonName,
 * which maps to no user, and what Go refuses of the certificate itself, whatever the chain: a
 * subjectAltName, nameConstraints or other extension its parser refuses, and a critical
 * extension it does not handle (critical-extensions.ts), a nameConstraints it cannot check or
 * an unknown private OID alike.
 */
import type { X509Certificate } from "node:crypto";
import { SYSTEM_MASTERS } from "../../access/rbac/types.js";
import type { CertificateFacts } from "../x509.js";
import { extKeyUsagesAllowClientAuth } from "./chain-key-usage.js";
import { goParseRefusal, unhandledCriticalExtensions } from "./critical-extensions.js";
import { signingExtensionsOf, signingExtensionsRefusal } from "./signing-extensions.js";

/** Go's pkix.Name keeps the last CommonName of a subject that carries several. */
function lastCommonName(certificate: X509Certificate): string {
  const names = certificate.subject.split("\n").filter((part) => part.startsWith("CN="));
  return names.length > 0 ? names[names.length - 1]!.slice(3) : "";
}

/**
 * Whether the extended key usage lets the certificate take part in client authentication, as Go
 * checks each certificate of a chain (chain-key-usage.ts): read from the DER as Go reads it, since
 * Node takes an empty extKeyUsage for "no usage" and a malformed one for none at all.
 */
export function allowsClientAuth(certificate: X509Certificate): boolean {
  const read = signingExtensionsOf({ certificate });
  return !("refusal" in read) && extKeyUsagesAllowClientAuth(read);
}

/** Why kube-apiserver would never take this certificate as a user, or undefined when it would (chain permitting). */
export function notAClientCertificate(certificate: X509Certificate): string | undefined {
  const unparsable = goParseRefusal({ certificate }) ?? signingExtensionsRefusal({ certificate });
  if (unparsable) return `Go cannot parse it: ${unparsable}`;
  if (!allowsClientAuth(certificate)) return "its extended key usage does not allow client authentication";
  const unhandled = unhandledCriticalExtensions({ certificate });
  if (unhandled) return unhandled;
  if (lastCommonName(certificate) === "") return "its subject has no CommonName, which maps to no user";
  return undefined;
}

/**
 * Whether kube-apiserver would take the certificate as a user of group system:masters, chain
 * permitting: the one judgement behind pki/system-masters and kubeconfig/system-masters.
 */
export function authenticatesAsSystemMasters(facts: Pick<CertificateFacts, "organizations" | "certificate">): boolean {
  return facts.organizations.includes(SYSTEM_MASTERS) && notAClientCertificate(facts.certificate) === undefined;
}
