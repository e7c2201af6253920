/**
 * The start of a certificate's validity. Go's x509.Verify refuses a certificate whose
 * notBefore is still ahead of the clock as it refuses an expired one (isValid: "current time
 * ... is before ..."), for the presented certificate and every CA of its chain alike: a
 * certificate issued with a future start, or a node whose clock runs behind, breaks every
 * TLS connection that uses it until that moment.
 */
import type { CertificateFacts } from "../x509.js";

export function notBeforeOf(facts: Pick<CertificateFacts, "certificate">): Date {
  return new Date(facts.certificate.validFrom);
}

/** Whether `now` is before the certificate's notBefore (Go: now.Before(NotBefore), so the very second it starts is valid). */
export function isNotYetValid(facts: Pick<CertificateFacts, "certificate">, now: Date): boolean {
  return now.getTime() < notBeforeOf(facts).getTime();
}

/** "2027-01-31 12:00 UTC": minutes matter here, since a clock a little behind is a common cause. */
export function formatValidityStart(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
