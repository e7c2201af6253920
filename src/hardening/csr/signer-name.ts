/**
 * spec.signerName as the API server validates a new CertificateSigningRequest
 * (pkg/apis/certificates/validation: the legacy signer is refused in v1, then
 * ValidateSignerName): "<domain>/<path>", the domain at least two RFC 1123 labels, the path
 * RFC 1123 subdomains separated by dots, 571 characters at most. The errors are the
 * apimachinery field errors, in order; the domain and path stop at their first bad label, as
 * upstream does, so one typo is one message.
 */

export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;
const SIGNER_MAX = SUBDOMAIN_MAX + (SUBDOMAIN_MAX + LABEL_MAX + 1) + 1;

const LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_FORMAT = `${LABEL_FORMAT}(\\.${LABEL_FORMAT})*`;
const LABEL = new RegExp(`^${LABEL_FORMAT}$`);
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FORMAT}$`);

/** Go measures these lengths in bytes. */
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** apimachinery's validation.IsDNS1123Label errors. */
function labelErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > LABEL_MAX) errors.push(`must be no more than ${LABEL_MAX} characters`);
  if (!LABEL.test(value)) {
    errors.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL_FORMAT}')`);
  }
  return errors;
}

/** apimachinery's validation.IsDNS1123Subdomain errors. */
function subdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > SUBDOMAIN_MAX) errors.push(`must be no more than ${SUBDOMAIN_MAX} characters`);
  if (!SUBDOMAIN.test(value)) {
    errors.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_FORMAT}')`);
  }
  return errors;
}

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
  if (bytes(domain) > SUBDOMAIN_MAX) errors.push(tooLong(SUBDOMAIN_MAX));
  const domainLabels = domain.split(".");
  errors.push(...firstBadLabel(domain, domainLabels, labelErrors));
  if (domainLabels.length < 2) errors.push(invalid(domain, "should be a domain with at least two segments separated by dots"));
  errors.push(...firstBadLabel(path, path.split("."), subdomainErrors));
  if (bytes(signerName) > SIGNER_MAX) errors.push(tooLong(SIGNER_MAX));
  return errors;
}
