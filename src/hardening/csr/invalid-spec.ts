/**
 * The rest of what the API server refuses in a new CertificateSigningRequest, in its words:
 * an expirationSeconds past int32 (decode.ts; a field of the wrong type is the manifest
 * family's, and this rule then says nothing), else what validation
 * (pkg/apis/certificates/validation validateCertificateSigningRequest) refuses: no usages, a
 * usage it does not know, a usage twice, no signerName, the legacy signer or a malformed one
 * (signer-name.ts), an expirationSeconds under 600. (spec.request is invalid-request.ts's, and
 * so is an object too large for the API server to read, which it refuses before any of this.)
 * status is not judged: the API server clears it on create.
 */
import { hasTypeError, int32Overflow } from "./decode.js";
import { csrRule, USAGES_PATH } from "./model.js";
import type { CsrObject, CsrVerdict } from "./model.js";
import { signerNameErrors } from "./signer-name.js";

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

/** validateCertificateSigningRequest's spec errors, in its order (the fields decode: see decode.ts). */
function validationErrors(csr: CsrObject): CsrVerdict[] {
  const verdicts = usageErrors(csr.usages);
  const signerPath = ["spec", "signerName"];
  verdicts.push(...signerNameErrors(typeof csr.signerName === "string" ? csr.signerName : "").map((message) => ({ path: signerPath, message })));
  if (typeof csr.expirationSeconds === "number" && csr.expirationSeconds < MIN_EXPIRATION_SECONDS) {
    verdicts.push({ path: ["spec", "expirationSeconds"], message: `spec.expirationSeconds: Invalid value: ${csr.expirationSeconds}: may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds (10 minutes)` });
  }
  return verdicts;
}

export const invalidSpecRule = csrRule(
  "invalid-spec",
  "A certificate request the API server refuses (usages, signer, expiry)",
  "medium",
  "platform",
  "The API server refuses a new CertificateSigningRequest with an expirationSeconds that does not fit in 32 bits (a field of the wrong type is reported by the manifest/* rules), without usages, with a usage outside certificates.k8s.io/v1's list or one given twice, without a signerName, with the legacy signer kubernetes.io/legacy-unknown (v1beta1 only) or a signerName not of the form example.com/signer-name, or with expirationSeconds under 600 (ten minutes): the manifest never applies.",
  "List the key usages the certificate needs once each (for a client certificate: digital signature, client auth), name the signer as <domain>/<name> in lower case (kubernetes.io/kube-apiserver-client for a user's client certificate), and ask for at least 600 seconds or leave expirationSeconds out.",
  (csr) => {
    if (hasTypeError(csr) || ("stage" in csr.request && csr.request.stage === "too-large")) return [];
    const overflow = int32Overflow(csr);
    const verdicts = overflow ? [overflow] : validationErrors(csr);
    return verdicts.map((v) => ({ ...v, message: `the API server refuses this CertificateSigningRequest: ${v.message}` }));
  },
);
