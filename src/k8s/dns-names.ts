/**
 * apimachinery's IsDNS1123Label and IsDNS1123Subdomain (k8s.io/apimachinery/pkg/util/validation):
 * the names of namespaces, objects, RuntimeClasses, signers' path segments and KMS plugin
 * endpoints. The error texts are upstream's, for findings that quote the API server.
 */
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

const LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_FORMAT = `${LABEL_FORMAT}(\\.${LABEL_FORMAT})*`;
const LABEL = new RegExp(`^${LABEL_FORMAT}$`);
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FORMAT}$`);

/** Go measures these lengths in bytes (the formats allow only ASCII, so a valid name's bytes are its characters). */
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && SUBDOMAIN.test(value);
}

/** IsDNS1123Label's errors, in its order ([] for a valid label). */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > DNS1123_LABEL_MAX) errors.push(`must be no more than ${DNS1123_LABEL_MAX} characters`);
  if (!LABEL.test(value)) {
    errors.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL_FORMAT}')`);
  }
  return errors;
}

/** IsDNS1123Subdomain's errors, in its order ([] for a valid subdomain). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > DNS1123_SUBDOMAIN_MAX) errors.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!SUBDOMAIN.test(value)) {
    errors.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_FORMAT}')`);
  }
  return errors;
}
