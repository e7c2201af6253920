/**
 * spec.signerName as the API server validates a new CertificateSigningRequest
 * (pkg/apis/certificates/validation: the legacy signer is refused in v1, then
 * ValidateSignerName): "<domain>/<path>", the domain at least two RFC 1123 labels, the path
 * RFC 1123 subdomains separated by dots, 571 characters at most. The errors are the
 * apimachinery field errors, in order; the domain and path stop at their first bad label, as
 * upstream does, so one typo is one message.
 */
import { DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN_MAX, dns1123LabelErrors, dns1123SubdomainErrors } from "../../k8s/dns-names.js";

export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

const SIGNER_MAX = DNS1123_SUBDOMAIN_MAX + (DNS1123_SUBDOMAIN_MAX + DNS1123_LABEL_MAX + 1) + 1;

/** Go measures these lengths in bytes. */
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

const FIELD = "spec.signerName";
const invalid = (value: string, detail: string) => `${FIELD}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
const tooLong = (max: number) => `${FIELD}: Too long: may not be more than ${max} bytes`;

/** The first bad label's errors (upstream stops there: later ones would read the same). */
function firstBadLabel(segment: string, labels: string[], check: (label: string) => string[]): string[] {
  for (const label of labels) {
    const errors = check(label);
    if (errors.length > 0) return errors.map((error) => invalid(segment, `validating label ${JSON.stringify(label)}: ${error}`));
  }
  return [];
}

/** The field errors for a signerName that is a string (a missing one is Required). */
export function signerNameErrors(signerName: string): string[] {
  if (signerName === LEGACY_UNKNOWN_SIGNER) return [invalid(signerName, "the legacy signerName is not allowed via this API version")];
  if (signerName === "") return [`${FIELD}: Required value`];
  const segments = signerName.split("/");
  if (segments.length !== 2) return [invalid(signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segments as [string, string];
  const errors: string[] = [];
  if (bytes(domain) > DNS1123_SUBDOMAIN_MAX) errors.push(tooLong(DNS1123_SUBDOMAIN_MAX));
  const domainLabels = domain.split(".");
  errors.push(...firstBadLabel(domain, domainLabels, dns1123LabelErrors));
  if (domainLabels.length < 2) errors.push(invalid(domain, "should be a domain with at least two segments separated by dots"));
  errors.push(...firstBadLabel(path, path.split("."), dns1123SubdomainErrors));
  if (bytes(signerName) > SIGNER_MAX) errors.push(tooLong(SIGNER_MAX));
  return errors;
}
