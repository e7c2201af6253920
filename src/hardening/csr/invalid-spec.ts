/**
 * The rest of what the API server's validation refuses in a new CertificateSigningRequest
 * (pkg/apis/certificates/validation validateCertificateSigningRequest), in its field-error
 * words: no usages, a usage it does not know, a usage twice, no signerName, an
 * expirationSeconds under 600. (spec.request is invalid-request.ts's.)
 */
import { csrRule, USAGES_PATH } from "./model.js";
import type { CsrVerdict } from "./model.js";

/** certificates.k8s.io/v1 KeyUsage values the API server accepts. */
export const KNOWN_USAGES = [
  "signing",
  "digital signature",
  "content commitment",
  "key encipherment",
  "key agreement",
  "data encipherment",
  "cert sign",
  "crl sign",
  "encipher only",
  "decipher only",
  "any",
  "server auth",
  "client auth",
  "code signing",
  "email protection",
  "s/mime",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "timestamping",
  "ocsp signing",
  "microsoft sgc",
  "netscape sgc",
];
const KNOWN = new Set(KNOWN_USAGES);
/** field.NotSupported lists the supported values sorted and quoted. */
const SUPPORTED = [...KNOWN_USAGES].sort().map((u) => JSON.stringify(u)).join(", ");
const MIN_EXPIRATION_SECONDS = 600;

function usageErrors(usages: unknown): CsrVerdict[] {
  if (!Array.isArray(usages) || usages.length === 0) return [{ path: USAGES_PATH, message: "spec.usages: Required value" }];
  const verdicts: CsrVerdict[] = [];
  const seen = new Set<unknown>();
  usages.forEach((usage, i) => {
    const path = [...USAGES_PATH, i];
    if (typeof usage !== "string" || !KNOWN.has(usage)) verdicts.push({ path, message: `spec.usages[${i}]: Unsupported value: ${JSON.stringify(usage)}: supported values: ${SUPPORTED}` });
    if (seen.has(usage)) verdicts.push({ path, message: `spec.usages[${i}]: Duplicate value: ${JSON.stringify(usage)}` });
    seen.add(usage);
  });
  return verdicts;
}

export const invalidSpecRule = csrRule(
  "invalid-spec",
  "A certificate request the API server refuses (usages, signer, expiry)",
  "medium",
  "platform",
  "The API server refuses a new CertificateSigningRequest without usages, with a usage outside certificates.k8s.io/v1's list or one given twice, without a signerName, or with expirationSeconds under 600 (ten minutes): the manifest never applies.",
  "List the key usages the certificate needs once each (for a client certificate: digital signature, client auth), name the signer, and ask for at least 600 seconds or leave expirationSeconds out.",
  (csr) => {
    const verdicts = usageErrors(csr.usages);
    if (typeof csr.signerName !== "string" || csr.signerName === "") verdicts.push({ path: ["spec", "signerName"], message: "spec.signerName: Required value" });
    if (typeof csr.expirationSeconds === "number" && csr.expirationSeconds < MIN_EXPIRATION_SECONDS) {
      verdicts.push({ path: ["spec", "expirationSeconds"], message: `spec.expirationSeconds: Invalid value: ${csr.expirationSeconds}: may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds (10 minutes)` });
    }
    return verdicts.map((v) => ({ ...v, message: `the API server refuses this CertificateSigningRequest: ${v.message}` }));
  },
);
