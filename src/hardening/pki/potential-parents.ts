/**
 * A pool of certificates as Go's CertPool holds them for Verify (cert_pool.go): each
 * certificate once (AddCert skips one whose DER it already holds, so a presented chain that
 * repeats an intermediate costs no extra signature check), found by the raw DER of its subject.
 * findPotentialParents takes the certificates whose RawSubject is the child's RawIssuer, byte
 * for byte, and orders them by how plausible they are: the subjectKeyId equals the child's
 * authorityKeyId first (both absent counts as equal, as bytes.Equal of two empty slices),
 * then those where only one of the two is present, then those where both are and differ; in
 * pool order within each group. The order decides which chain buildChains finds first, which
 * error it ends with, and where its budget of signature checks runs out.
 */
import type { DerCertificate } from "./certificate-extensions.js";
import { identityOf, type CertificateIdentity } from "./certificate-identity.js";

export interface Identified<T> {
  certificate: T;
  identity: CertificateIdentity;
}

export class ParentPool<T extends DerCertificate> {
  private readonly byName = new Map<string, Identified<T>[]>();

  /** Certificates whose identity cannot be read are left out: Go's parser refuses them, so no pool holds them. */
  constructor(certificates: readonly T[]) {
    const held = new Set<string>();
    for (const certificate of certificates) {
      const reading = identityOf(certificate);
      const der = certificate.certificate.raw.toString("latin1");
      if ("refusal" in reading || held.has(der)) continue;
      held.add(der);
      const name = reading.identity.rawSubject.toString("latin1");
      const named = this.byName.get(name) ?? [];
      named.push({ certificate, identity: reading.identity });
      this.byName.set(name, named);
    }
  }

  /** Go's findPotentialParents(child), in Go's order. */
  potentialParents(child: CertificateIdentity): Identified<T>[] {
    const named = this.byName.get(child.rawIssuer.toString("latin1")) ?? [];
    const groups: Record<"matching" | "one" | "mismatched", Identified<T>[]> = { matching: [], one: [], mismatched: [] };
    for (const candidate of named) groups[keyIdAgreement(candidate.identity.subjectKeyId, child.authorityKeyId)].push(candidate);
    return [...groups.matching, ...groups.one, ...groups.mismatched];
  }
}

function keyIdAgreement(subjectKeyId: Buffer, authorityKeyId: Buffer): "matching" | "one" | "mismatched" {
  if (subjectKeyId.equals(authorityKeyId)) return "matching";
  return subjectKeyId.length === 0 || authorityKeyId.length === 0 ? "one" : "mismatched";
}
