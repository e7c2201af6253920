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
 * parent is a certificate whose subject is the child's issuer, that may sign (a version 3
 * certificate needs basicConstraints CA; a version 1 or 2 one has no extensions to ask; a
 * keyUsage, when present, needs keyCertSign), whose key verifies the child's signature (not
 * SHA-1 or MD5, refused since Go 1.18; not an RSA key under 1024 bits, refused since Go 1.24).
 * Then isValid: within its validity (when a time is given), clientAuth in its extended key
 * usage (or none, or anyExtendedKeyUsage), basicConstraints CA for an intermediate (a
 * version 1 certificate may be a root, never an intermediate), and its pathLen respected.
 * Intermediates may be any certificate given: a CA certificate is public, so whoever holds a
 * client certificate and its key can present any of them. As Go does, every chain is built and
 * then dropped when it fails certificate policy validation (certificate-policies.ts) or breaks a
 * name constraint (name-constraints.ts); one whose subjectAltName, nameConstraints or policy
 * extensions Go cannot parse takes part in no chain (Go never loads it). Any certificate
 * with a critical extension Go does not handle is refused in any place, as isValid refuses it
 * (critical-extensions.ts); one Go's parser refuses over its extensions (a critical
 * authorityKeyIdentifier, a duplicated extension) takes part in no chain.
 */
import type { CertificateFacts } from "../x509.js";
import { allowsClientAuth } from "./client-auth.js";
import { certificateVersion, extensionsOf } from "./certificate-extensions.js";
import { certificatePoliciesViolation } from "./certificate-policies.js";
import { goParseRefusal, unhandledCriticalExtensions } from "./critical-extensions.js";
import { DerReader, TAG } from "./der-reader.js";
import { nameConstraintsViolation } from "./name-constraints.js";

/** Go's maxChainSignatureChecks: the work one verification may do. */
const MAX_SIGNATURE_CHECKS = 100;
const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";
/** Go 1.24's crypto/rsa refuses to verify with a smaller key (GODEBUG rsa1024min). */
const MIN_RSA_BITS = 1024;

export type ChainCertificate = Pick<CertificateFacts, "certificate" | "weakSignature">;

export type ChainVerification = { chain: ChainCertificate[] } | { reason: string };

interface Constraints {
  /** Why CheckSignatureFrom refuses it as a parent, or undefined when it may sign. */
  cannotSign: string | undefined;
  /** Go's BasicConstraintsValid && IsCA, which isValid asks of an intermediate. */
  isCA: boolean;
  pathLength: number | undefined;
  /** Whether Go reads its extensions at all: only version 3 certificates have them. */
  hasExtensions: boolean;
}

const constraintsCache = new WeakMap<object, Constraints>();

/** keyUsage's keyCertSign, bit 5 of the BIT STRING (the third bit of its first octet after the unused-bits count). */
const KEY_CERT_SIGN = 0x04;

/**
 * basicConstraints and keyUsage read from the extension bytes as Go's parser reads them
 * (parseBasicConstraintsExtension: an optional BOOLEAN, then an optional INTEGER, a negative
 * pathLen constraining nothing), so that a CA is not lost to a stricter reader refusing some other
 * extension Go takes (a policy qualifier Go never looks at). Undefined when they cannot be read.
 */
function readSigningExtensions(facts: ChainCertificate): { isCA: boolean; pathLength: number | undefined; keyUsage: Uint8Array | undefined } | undefined {
  const extensions = extensionsOf(facts);
  if (!extensions) return undefined;
  let isCA = false;
  let pathLength: number | undefined;
  let keyUsage: Uint8Array | undefined;
  for (const { type, value } of extensions) {
    if (type === BASIC_CONSTRAINTS) {
      const fields = new DerReader(new Uint8Array(value)).read(TAG.SEQUENCE);
      if (!fields) return undefined;
      const reader = new DerReader(fields);
      if (reader.peekTag(TAG.BOOLEAN)) {
        const flag = reader.read(TAG.BOOLEAN);
        if (!flag || flag.length !== 1 || (flag[0] !== 0 && flag[0] !== 0xff)) return undefined;
        isCA = flag[0] === 0xff;
      }
      if (reader.peekTag(TAG.INTEGER)) {
        const length = reader.readInt64(TAG.INTEGER);
        if (length === undefined) return undefined;
        pathLength = length >= 0n ? Number(length) : undefined;
      }
    } else if (type === KEY_USAGE) {
      const bits = new DerReader(new Uint8Array(value)).read(TAG.BIT_STRING);
      if (!bits || bits.length === 0) return undefined;
      keyUsage = bits.subarray(1);
    }
  }
  return { isCA, pathLength, keyUsage };
}

function constraintsOf(facts: ChainCertificate): Constraints {
  const cached = constraintsCache.get(facts.certificate);
  if (cached) return cached;
  let constraints: Constraints = { cannotSign: "it cannot be read", isCA: false, pathLength: undefined, hasExtensions: false };
  if (certificateVersion(facts.certificate.raw) < 3) {
    constraints = { cannotSign: undefined, isCA: false, pathLength: undefined, hasExtensions: false };
  } else {
    const read = readSigningExtensions(facts);
    if (read) {
      const { isCA, keyUsage } = read;
      // RFC 5280 4.2.1.9 as Go reads it: a version 3 certificate signs only with basicConstraints CA.
      const cannotSign = !isCA ? "it is not a CA (basicConstraints)" : keyUsage && ((keyUsage[0] ?? 0) & KEY_CERT_SIGN) === 0 ? "its keyUsage does not include keyCertSign" : undefined;
      constraints = { cannotSign, isCA, pathLength: isCA ? read.pathLength : undefined, hasExtensions: true };
    }
  }
  constraintsCache.set(facts.certificate, constraints);
  return constraints;
}

/** Subjects as Palisade prints them elsewhere: "CN=x, O=y". */
export function subjectOf(facts: ChainCertificate): string {
  return facts.certificate.subject.split("\n").join(", ");
}

/** Go's CheckSignatureFrom(parent) on child: why it fails, or undefined when the signature is good. */
function signatureProblem(child: ChainCertificate, parent: ChainCertificate): string | undefined {
  const { cannotSign } = constraintsOf(parent);
  if (cannotSign) return `certificate ${JSON.stringify(subjectOf(parent))} may not sign certificates: ${cannotSign}`;
  if (child.weakSignature !== undefined) return `certificate ${JSON.stringify(subjectOf(child))} is signed with ${hashOf(child.weakSignature)} (${child.weakSignature}), which Go refuses as insecure`;
  const key = parent.certificate.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if ((key.asymmetricKeyType === "rsa" || key.asymmetricKeyType === "rsa-pss") && bits !== undefined && bits < MIN_RSA_BITS) {
    return `certificate ${JSON.stringify(subjectOf(parent))} has an RSA key of ${bits} bits, which Go refuses below ${MIN_RSA_BITS}`;
  }
  try {
    return child.certificate.verify(key) ? undefined : `the signature of ${JSON.stringify(subjectOf(child))} does not verify with the key of ${JSON.stringify(subjectOf(parent))}`;
  } catch {
    return `the signature of ${JSON.stringify(subjectOf(child))} cannot be checked with the key of ${JSON.stringify(subjectOf(parent))}`;
  }
}

function hashOf(signatureAlgorithm: string): string {
  return /md5/i.test(signatureAlgorithm) ? "MD5" : /md2/i.test(signatureAlgorithm) ? "MD2" : "SHA-1";
}

/** Go's alreadyInChain: the same subject, key and subjectAltName is the same CA (it stops cross-signing loops). */
function alreadyInChain(candidate: ChainCertificate, chain: readonly ChainCertificate[]): boolean {
  const key = candidate.certificate.publicKey.export({ type: "spki", format: "der" });
  return chain.some(
    (c) =>
      c.certificate.subject === candidate.certificate.subject &&
      c.certificate.subjectAltName === candidate.certificate.subjectAltName &&
      c.certificate.publicKey.export({ type: "spki", format: "der" }).equals(key),
  );
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
  const { isCA, pathLength, hasExtensions } = constraintsOf(candidate);
  if (hasExtensions && !allowsClientAuth(candidate.certificate)) return `${name} does not allow client authentication (extended key usage)`;
  if (role === "intermediate" && !isCA) return `${name} signed another certificate but is not a CA`;
  const below = chain.length - 1;
  if (pathLength !== undefined && below > pathLength) return `${name} allows ${pathLength} intermediate CA(s) below it (pathLen), the chain has ${below}`;
  return undefined;
}

/**
 * Go's Verify for KeyUsages [ClientAuth]: `leaf` verified to one of `roots` (the client-CA
 * bundle), through any of `intermediates`; time is checked only when `now` is given. Every chain
 * is built, as Go's buildChains does, then those that fail policy validation, and then those that
 * break a name constraint, are dropped; the first left is the chain. On failure the reason Go's
 * error would give: the first name-constraint violation of a chain with valid policies, else the
 * count of chains with invalid policies (with why the first failed), when chains were built; else
 * the last candidate refused by isValid, else "unknown authority" with the first signature problem
 * met as a hint.
 */
export function verifyClientChain(leaf: ChainCertificate, roots: readonly ChainCertificate[], intermediates: readonly ChainCertificate[], now?: Date): ChainVerification {
  const leafUnparsable = goParseRefusal(leaf);
  if (leafUnparsable) return { reason: `certificate ${JSON.stringify(subjectOf(leaf))} cannot be parsed by Go: ${leafUnparsable}` };
  const leafProblem = invalidity(leaf, "leaf", [], now);
  if (leafProblem) return { reason: leafProblem };
  if (roots.some((root) => root.certificate.raw.equals(leaf.certificate.raw))) return { chain: [leaf] };
  // Go never loads a certificate it cannot parse, so it is no candidate at all.
  const parsable = (pool: readonly ChainCertificate[]) => pool.filter((c) => goParseRefusal(c) === undefined);
  const trusted = parsable(roots);
  const presented = parsable(intermediates);
  let signatureChecks = 0;
  const parents = (pool: readonly ChainCertificate[], child: ChainCertificate, chain: readonly ChainCertificate[]) =>
    pool.filter((c) => c.certificate.subject === child.certificate.issuer && !alreadyInChain(c, chain));
  const build = (chain: readonly ChainCertificate[]): { chains: ChainCertificate[][]; reason: string } => {
    const child = chain[chain.length - 1] as ChainCertificate;
    const chains: ChainCertificate[][] = [];
    let reason: string | undefined;
    let hint: string | undefined;
    const candidates = [...parents(trusted, child, chain).map((c) => ({ c, role: "root" as const })), ...parents(presented, child, chain).map((c) => ({ c, role: "intermediate" as const }))];
    for (const { c, role } of candidates) {
      if (++signatureChecks > MAX_SIGNATURE_CHECKS) {
        reason = "signature check attempts limit reached while verifying certificate chain";
        continue;
      }
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
  const built = build([leaf]);
  if (built.chains.length === 0) return { reason: built.reason };
  // Go 1.26's order: a chain that fails policy validation is dropped before its names are checked,
  // and a name-constraint failure, when some chain got that far, is the error Verify gives.
  let violation: string | undefined;
  let policyProblem: string | undefined;
  let invalidPolicies = 0;
  for (const chain of built.chains) {
    const policies = certificatePoliciesViolation(chain);
    if (policies) {
      invalidPolicies++;
      policyProblem ??= policies;
      continue;
    }
    const problem = nameConstraintsViolation(chain);
    if (!problem) return { chain };
    violation ??= problem;
  }
  return { reason: violation ?? `no valid chains built: ${invalidPolicies} candidate chains with invalid policies (${policyProblem})` };
}

/**
 * Whether `leaf` verifies to one of `roots` (the client-CA bundle) for client authentication,
 * through any of `intermediates`, at any time. The leaf's user is client-auth.ts's to judge.
 */
export function chainsToClientCa(leaf: ChainCertificate, roots: readonly ChainCertificate[], intermediates: readonly ChainCertificate[]): boolean {
  return "chain" in verifyClientChain(leaf, roots, intermediates);
}
