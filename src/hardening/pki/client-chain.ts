/**
 * Whether a certificate chains to kube-apiserver's client CA (--client-ca-file) as Go's
 * x509.Verify builds chains for kube-apiserver's X.509 authenticator (crypto/x509 verify.go:
 * Verify, buildChains, isValid; x509.go: CheckSignatureFrom). Time is left out on purpose:
 * expiry and not-yet-valid have rules of their own, and a system:masters certificate that
 * authenticates once the clock is right is worth reporting now.
 *
 * What is matched: a certificate that is itself in the bundle is its own chain; otherwise a
 * parent is a certificate whose subject is the child's issuer and whose key verifies the
 * child's signature, and that may sign (basicConstraints CA, or a version 1 certificate
 * without the extension; a keyUsage, when present, with keyCertSign), the child's signature not
 * SHA-1 or MD5 (Go refuses them since 1.18). Each CA of the chain must allow clientAuth in
 * its extended key usage (or have none, or anyExtendedKeyUsage), and respect its pathLen.
 * Intermediates may be any certificate given: a CA certificate is public, so whoever holds a
 * client certificate and its key can present any of them. Not matched: name constraints and
 * unhandled critical extensions, which only ever remove chains.
 */
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate as ParsedCertificate } from "@peculiar/x509";
import type { CertificateFacts } from "../x509.js";
import { allowsClientAuth } from "./client-auth.js";

/** Go's maxChainSignatureChecks: the work one verification may do. */
const MAX_SIGNATURE_CHECKS = 100;

export type ChainCertificate = Pick<CertificateFacts, "certificate" | "weakSignature">;

interface Constraints {
  /** Whether the certificate may sign others, as CheckSignatureFrom asks of a parent. */
  maySign: boolean;
  isCA: boolean;
  pathLength: number | undefined;
}

const constraintsCache = new WeakMap<object, Constraints>();

function constraintsOf(facts: ChainCertificate): Constraints {
  const cached = constraintsCache.get(facts.certificate);
  if (cached) return cached;
  let constraints: Constraints = { maySign: false, isCA: false, pathLength: undefined };
  try {
    const parsed = new ParsedCertificate(facts.certificate.raw);
    const basic = parsed.getExtension(BasicConstraintsExtension);
    const usages = parsed.getExtension(KeyUsagesExtension);
    const isCA = basic?.ca === true;
    const mayUseKeyToSign = !usages || (usages.usages & KeyUsageFlags.keyCertSign) !== 0;
    // RFC 5280 4.2.1.9 as Go reads it: a version 3 certificate needs basicConstraints CA; a version 1 one has no extensions to ask.
    const basicAllows = basic ? isCA : isVersion1(facts.certificate.raw);
    constraints = { maySign: basicAllows && mayUseKeyToSign, isCA, pathLength: isCA ? basic?.pathLength : undefined };
  } catch {
    // A certificate @peculiar/x509 cannot read signs nothing here.
  }
  constraintsCache.set(facts.certificate, constraints);
  return constraints;
}

/** Version 1: the TBSCertificate does not open with the [0] EXPLICIT version field. */
function isVersion1(der: Buffer): boolean {
  const contentStart = (at: number): number => {
    const length = der[at + 1] ?? 0;
    return at + 2 + (length & 0x80 ? length & 0x7f : 0);
  };
  const tbs = contentStart(0);
  return der[contentStart(tbs)] !== 0xa0;
}

function signedBy(child: ChainCertificate, parent: ChainCertificate): boolean {
  if (child.weakSignature !== undefined || !constraintsOf(parent).maySign) return false;
  try {
    return child.certificate.verify(parent.certificate.publicKey);
  } catch {
    return false;
  }
}

/** Go's alreadyInChain, without the SAN comparison: the same subject and key is the same CA. */
function alreadyInChain(candidate: ChainCertificate, chain: readonly ChainCertificate[]): boolean {
  const key = candidate.certificate.publicKey.export({ type: "spki", format: "der" });
  return chain.some((c) => c.certificate.subject === candidate.certificate.subject && c.certificate.publicKey.export({ type: "spki", format: "der" }).equals(key));
}

/** isValid for a CA about to be appended to `chain` (leaf first). */
function validParent(candidate: ChainCertificate, chain: readonly ChainCertificate[], asIntermediate: boolean): boolean {
  const { isCA, pathLength } = constraintsOf(candidate);
  if (!allowsClientAuth(candidate.certificate)) return false;
  if (asIntermediate && !isCA) return false;
  return pathLength === undefined || chain.length - 1 <= pathLength;
}

/**
 * Whether `leaf` verifies to one of `roots` (the client-CA bundle) for client authentication,
 * through any of `intermediates`. The leaf's own usage and user are client-auth.ts's to judge.
 */
export function chainsToClientCa(leaf: ChainCertificate, roots: readonly ChainCertificate[], intermediates: readonly ChainCertificate[]): boolean {
  if (roots.some((root) => root.certificate.raw.equals(leaf.certificate.raw))) return true;
  let signatureChecks = 0;
  const parents = (pool: readonly ChainCertificate[], child: ChainCertificate, chain: readonly ChainCertificate[]) =>
    pool.filter((c) => c.certificate.subject === child.certificate.issuer && !alreadyInChain(c, chain));
  const build = (chain: readonly ChainCertificate[]): boolean => {
    const child = chain[chain.length - 1] as ChainCertificate;
    const tries = (candidate: ChainCertificate) => ++signatureChecks <= MAX_SIGNATURE_CHECKS && signedBy(child, candidate);
    if (parents(roots, child, chain).some((root) => tries(root) && validParent(root, chain, false))) return true;
    return parents(intermediates, child, chain).some((ca) => tries(ca) && validParent(ca, chain, true) && build([...chain, ca]));
  };
  return build([leaf]);
}
