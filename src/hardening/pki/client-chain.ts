/**
 * Whether a certificate chains to kube-apiserver's client CA (--client-ca-file) as Go's
 * x509.Verify builds chains for kube-apiserver's X.509 authenticator (crypto/x509 verify.go:
 * Verify, buildChains, isValid; x509.go: CheckSignatureFrom; parser.go: extensions are read
 * from version 3 certificates only). One model for both users: pki/system-masters leaves time
 * out on purpose (expiry and not-yet-valid have rules of their own, and a system:masters
 * certificate that authenticates once the clock is right is worth reporting now), while the
 * authenticator model (access/authn/x509.ts) gives a time and wants the reason a chain fails.
 *
 * What is matched: a certificate that is itself in the bundle is its own chain; otherwise a
 * parent is a certificate whose subject is the child's issuer as the same DER bytes (Go's
 * CertPool looks parents up by RawIssuer, so a UTF8String and a PrintableString of one name do
 * not match), tried in Go's order: roots before intermediates, each pool's candidates by
 * subjectKeyId against the child's authorityKeyId (potential-parents.ts); that may sign (CheckSignatureFrom:
 * a version 3 certificate needs basicConstraints CA, a version 1 or 2 one has no extensions to
 * ask; a keyUsage other than Go's 0 needs keyCertSign), whose key verifies the child's signature
 * (not SHA-1 or MD5, refused since Go 1.18; not an RSA key under 1024 bits, refused since Go
 * 1.24). Then isValid: within its validity (when a time is given), basicConstraints CA for an
 * intermediate (a version 1 certificate may be a root, never an intermediate), and its pathLen
 * respected. Intermediates may be any certificate given: a CA certificate is public, so whoever
 * holds a client certificate and its key can present any of them. As Go does, every chain is
 * built and then dropped when it fails certificate policy validation (certificate-policies.ts),
 * allows no client authentication by extended key usage (chain-key-usage.ts) or breaks a name
 * constraint (name-constraints.ts). A certificate Go's parser refuses takes part in no chain (Go
 * never loads it): a subjectAltName, nameConstraints or policy extension it cannot parse, a
 * critical authorityKeyIdentifier, a duplicated extension (critical-extensions.ts), a malformed
 * basicConstraints (a negative pathLen included), keyUsage or extKeyUsage
 * (signing-extensions.ts), a subjectKeyIdentifier or authorityKeyIdentifier it cannot read
 * (certificate-identity.ts). Any certificate with a critical extension Go does not handle is
 * refused in any place, as isValid refuses it.
 */
import type { CertificateFacts } from "../x509.js";
import { certificateVersion } from "./certificate-extensions.js";
import { certificatePoliciesViolation } from "./certificate-policies.js";
import { goParseRefusal, unhandledCriticalExtensions } from "./critical-extensions.js";
import { certificatesRefusingClientAuth } from "./chain-key-usage.js";
import { identityOf, type CertificateIdentity } from "./certificate-identity.js";
import { nameConstraintsViolation } from "./name-constraints.js";
import { ParentPool } from "./potential-parents.js";
import { KEY_USAGE_CERT_SIGN, signingExtensionsOf, signingExtensionsRefusal } from "./signing-extensions.js";

/** Go's maxChainSignatureChecks: the work one verification may do. */
const MAX_SIGNATURE_CHECKS = 100;
/** Go 1.24's crypto/rsa refuses to verify with a smaller key (GODEBUG rsa1024min). */
export const MIN_RSA_BITS = 1024;

export type ChainCertificate = Pick<CertificateFacts, "certificate" | "weakSignature">;

export type ChainVerification = { chain: ChainCertificate[] } | { reason: string };

/** Why Go's parser refuses the certificate, so that it never loads it, or undefined. */
export function goRefusal(facts: ChainCertificate): string | undefined {
  const identity = identityOf(facts);
  return goParseRefusal(facts) ?? signingExtensionsRefusal(facts) ?? ("refusal" in identity ? identity.refusal : undefined);
}

/** Only asked of a certificate goRefusal let through. */
function identity(facts: ChainCertificate): CertificateIdentity {
  const reading = identityOf(facts);
  if ("refusal" in reading) throw new Error(`internal error: certificate ${JSON.stringify(subjectOf(facts))} reached chain building unparsed`);
  return reading.identity;
}

/**
 * Why CheckSignatureFrom refuses `parent` before it looks at the signature, or undefined: a
 * version 3 certificate without basicConstraints, or with it but not a CA; a keyUsage that is not
 * 0 and leaves out keyCertSign (Go's KeyUsage 0, an absent or an empty keyUsage, asks nothing).
 * A version 1 or 2 certificate has neither, so it may sign (isValid still refuses it as an
 * intermediate). isValid itself ignores keyUsage; this is the one place Go reads it.
 */
export function cannotSign(parent: ChainCertificate): string | undefined {
  const read = signingExtensionsOf(parent);
  if ("refusal" in read) return read.refusal;
  if (certificateVersion(parent.certificate.raw) === 3 && !read.basicConstraintsValid) return "it is not a CA (it has no basicConstraints)";
  if (read.basicConstraintsValid && !read.isCA) return "it is not a CA (basicConstraints)";
  if (read.keyUsage !== 0 && (read.keyUsage & KEY_USAGE_CERT_SIGN) === 0) return "its keyUsage does not include keyCertSign";
  return undefined;
}

/** Subjects as Palisade prints them elsewhere: "CN=x, O=y". */
export function subjectOf(facts: ChainCertificate): string {
  return facts.certificate.subject.split("\n").join(", ");
}

/** Go's CheckSignatureFrom(parent) on child: why it fails, or undefined when the signature is good. */
function signatureProblem(child: ChainCertificate, parent: ChainCertificate): string | undefined {
  const refusal = cannotSign(parent);
  if (refusal) return `certificate ${JSON.stringify(subjectOf(parent))} may not sign certificates: ${refusal}`;
  if (child.weakSignature !== undefined) return `certificate ${JSON.stringify(subjectOf(child))} is signed with ${hashOf(child.weakSignature)} (${child.weakSignature}), which Go refuses as insecure`;
  const key = parent.certificate.publicKey;
  const bits = rsaKeyTooSmall(parent);
  if (bits !== undefined) return `certificate ${JSON.stringify(subjectOf(parent))} has an RSA key of ${bits} bits, which Go refuses below ${MIN_RSA_BITS}`;
  try {
    return child.certificate.verify(key) ? undefined : `the signature of ${JSON.stringify(subjectOf(child))} does not verify with the key of ${JSON.stringify(subjectOf(parent))}`;
  } catch {
    return `the signature of ${JSON.stringify(subjectOf(child))} cannot be checked with the key of ${JSON.stringify(subjectOf(parent))}`;
  }
}

/** The size of the certificate's RSA key when Go 1.24's crypto/rsa refuses to verify with it, or undefined. */
export function rsaKeyTooSmall(facts: ChainCertificate): number | undefined {
  const key = facts.certificate.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return (key.asymmetricKeyType === "rsa" || key.asymmetricKeyType === "rsa-pss") && bits !== undefined && bits < MIN_RSA_BITS ? bits : undefined;
}

function hashOf(signatureAlgorithm: string): string {
  return /md5/i.test(signatureAlgorithm) ? "MD5" : /md2/i.test(signatureAlgorithm) ? "MD2" : "SHA-1";
}

/**
 * Go's alreadyInChain: the same raw subject, raw public key info and subjectAltName value is the
 * same CA (it stops cross-signing loops). As in Go, the first certificate in the chain with that
 * subject and key decides when only one of the two has a subjectAltName: not the same.
 */
function alreadyInChain(candidate: CertificateIdentity, chain: readonly ChainCertificate[]): boolean {
  for (const c of chain) {
    const other = identity(c);
    if (!other.rawSubject.equals(candidate.rawSubject) || !other.rawSubjectPublicKeyInfo.equals(candidate.rawSubjectPublicKeyInfo)) continue;
    if (!candidate.subjectAltName && !other.subjectAltName) return true;
    if (!candidate.subjectAltName || !other.subjectAltName) return false;
    if (candidate.subjectAltName.equals(other.subjectAltName)) return true;
  }
  return false;
}

type Role = "leaf" | "intermediate" | "root";

/** Go's isValid for a certificate about to take `role` at the end of `chain` (leaf first): why not, or undefined. */
function invalidity(candidate: ChainCertificate, role: Role, chain: readonly ChainCertificate[], now: Date | undefined): string | undefined {
  const name = `${role === "root" ? "trust anchor" : "certificate"} ${JSON.stringify(subjectOf(candidate))}`;
  // Go's isValid asks this first, of the presented certificate and the root too.
  const unhandled = unhandledCriticalExtensions(candidate);
  if (unhandled) return `${name} is refused: ${unhandled}`;
  if (now) {
    const notBefore = new Date(candidate.certificate.validFrom);
    const notAfter = new Date(candidate.certificate.validTo);
    if (now < notBefore) return `${name} is not valid before ${notBefore.toISOString()}`;
    if (now > notAfter) return `${name} expired at ${notAfter.toISOString()}`;
  }
  const read = signingExtensionsOf(candidate);
  if ("refusal" in read) return `${name} cannot be parsed by Go: ${read.refusal}`;
  if (role === "intermediate" && !(read.basicConstraintsValid && read.isCA)) return `${name} signed another certificate but is not a CA`;
  // Go counts every certificate between the leaf and this one, self-issued ones too.
  const below = chain.length - 1;
  if (read.maxPathLen !== undefined && below > read.maxPathLen) return `${name} allows ${read.maxPathLen} intermediate CA(s) below it (pathLen), the chain has ${below}`;
  return undefined;
}

/**
 * Go's Verify for KeyUsages [ClientAuth]: `leaf` verified to one of `roots` (the client-CA
 * bundle), through any of `intermediates`; time is checked only when `now` is given. Every chain
 * is built, as Go's buildChains does, then filtered (filterChains); the first left is the chain.
 * When no chain is built, the reason is the last candidate refused by isValid, else "unknown
 * authority" with the first signature problem met as a hint.
 */
export function verifyClientChain(leaf: ChainCertificate, roots: readonly ChainCertificate[], intermediates: readonly ChainCertificate[], now?: Date): ChainVerification {
  const leafUnparsable = goRefusal(leaf);
  if (leafUnparsable) return { reason: `certificate ${JSON.stringify(subjectOf(leaf))} cannot be parsed by Go: ${leafUnparsable}` };
  const leafProblem = invalidity(leaf, "leaf", [], now);
  if (leafProblem) return { reason: leafProblem };
  // Go never loads a certificate it cannot parse, so it is no candidate at all.
  const parsable = (pool: readonly ChainCertificate[]) => pool.filter((c) => goRefusal(c) === undefined);
  const trusted = new ParentPool(parsable(roots));
  const presented = new ParentPool(parsable(intermediates));
  let signatureChecks = 0;
  // Go's CertPool: by the raw issuer bytes, in findPotentialParents' key-id order (potential-parents.ts).
  const build = (chain: readonly ChainCertificate[]): { chains: ChainCertificate[][]; reason: string } => {
    const child = chain[chain.length - 1] as ChainCertificate;
    const chains: ChainCertificate[][] = [];
    let reason: string | undefined;
    let hint: string | undefined;
    const childIdentity = identity(child);
    const candidates = [...trusted.potentialParents(childIdentity).map((p) => ({ ...p, role: "root" as const })), ...presented.potentialParents(childIdentity).map((p) => ({ ...p, role: "intermediate" as const }))];
    for (const { certificate: c, identity: parentIdentity, role } of candidates) {
      // buildChains' considerCandidate counts every candidate first, since Go 1.25.9 and 1.26.2
      // (CVE-2026-32280), and only then skips one whose key Go did not load or that is already in the chain.
      if (++signatureChecks > MAX_SIGNATURE_CHECKS) {
        reason = "signature check attempts limit reached while verifying certificate chain";
        continue;
      }
      if (!parentIdentity.publicKeyLoadedByGo || alreadyInChain(parentIdentity, chain)) continue;
      const badSignature = signatureProblem(child, c);
      if (badSignature) {
        hint ??= badSignature;
        continue;
      }
      const invalid = invalidity(c, role, chain, now);
      if (invalid) {
        reason = invalid;
        continue;
      }
      if (role === "root") {
        chains.push([...chain, c]);
        continue;
      }
      const deeper = build([...chain, c]);
      chains.push(...deeper.chains);
      reason = deeper.reason;
    }
    return { chains, reason: reason ?? `certificate signed by unknown authority ${JSON.stringify(child.certificate.issuer.split("\n").join(", "))}${hint ? ` (possibly because ${hint})` : ""}` };
  };
  const leafInBundle = parsable(roots).some((root) => root.certificate.raw.equals(leaf.certificate.raw));
  const built = leafInBundle ? { chains: [[leaf]], reason: "" } : build([leaf]);
  if (built.chains.length === 0) return { reason: built.reason };
  return filterChains(built.chains);
}

/**
 * What Go 1.26's Verify does with the chains built, in its order: a chain that fails policy
 * validation is dropped, then one whose extended key usages do not allow client authentication
 * (chain-key-usage.ts), then one that breaks a name constraint. The first chain left is the chain;
 * with none, the error Verify gives: the first name-constraint failure when a chain got that far;
 * else "incompatible key usage" when no chain failed over policies; else the counts of both.
 */
function filterChains(chains: readonly ChainCertificate[][]): ChainVerification {
  let violation: string | undefined;
  let policyProblem: string | undefined;
  let usageProblem: string | undefined;
  let invalidPolicies = 0;
  let incompatibleUsage = 0;
  for (const chain of chains) {
    const policies = certificatePoliciesViolation(chain);
    if (policies) {
      invalidPolicies++;
      policyProblem ??= policies;
      continue;
    }
    const [refusing] = certificatesRefusingClientAuth(chain);
    if (refusing) {
      incompatibleUsage++;
      const role = chain.length > 1 && refusing === chain[chain.length - 1] ? "trust anchor" : "certificate";
      usageProblem ??= `${role} ${JSON.stringify(subjectOf(refusing))} does not allow client authentication (extended key usage)`;
      continue;
    }
    const problem = nameConstraintsViolation(chain);
    if (!problem) return { chain };
    violation ??= problem;
  }
  if (violation) return { reason: violation };
  if (incompatibleUsage > 0 && invalidPolicies === 0) return { reason: `certificate specifies an incompatible key usage: ${usageProblem}` };
  const details = [
    ...(incompatibleUsage > 0 ? [`${incompatibleUsage} candidate chains with incompatible key usage (${usageProblem})`] : []),
    `${invalidPolicies} candidate chains with invalid policies (${policyProblem})`,
  ];
  return { reason: `no valid chains built: ${details.join(", ")}` };
}

/**
 * Whether `leaf` verifies to one of `roots` (the client-CA bundle) for client authentication,
 * through any of `intermediates`, at any time. The leaf's user is client-auth.ts's to judge.
 */
export function chainsToClientCa(leaf: ChainCertificate, roots: readonly ChainCertificate[], intermediates: readonly ChainCertificate[]): boolean {
  return "chain" in verifyClientChain(leaf, roots, intermediates);
}
