/**
 * apimachinery's IsDNS1123Label, IsDNS1123Subdomain, IsWildcardDNS1123Subdomain and IsDNS1035Label
 * (k8s.io/apimachinery/pkg/util/validation): the names of namespaces, objects, Services,
 * RuntimeClasses, signers' path segments and KMS plugin endpoints. The error texts are
 * upstream's as Kubernetes up to v1.33 words them, for findings that quote the API server:
 * v1.34 rewords RegexError's examples ("regex: '...'") and IsDNS1123Label's error for a
 * name with dots.
 */
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1035_LABEL_MAX = 63;

const LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_FORMAT = `${LABEL_FORMAT}(\\.${LABEL_FORMAT})*`;
const WILDCARD_SUBDOMAIN_FORMAT = `\\*\\.${SUBDOMAIN_FORMAT}`;
const DNS1035_FORMAT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const LABEL = new RegExp(`^${LABEL_FORMAT}$`);
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FORMAT}$`);
const WILDCARD_SUBDOMAIN = new RegExp(`^${WILDCARD_SUBDOMAIN_FORMAT}$`);
const DNS1035 = new RegExp(`^${DNS1035_FORMAT}$`);

/** Go measures these lengths in bytes (the formats allow only ASCII, so a valid name's bytes are its characters). */
export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/** MaxLenError as worded before v1.34 (whose text says bytes). */
export function maxLenError(max: number): string {
  return `must be no more than ${max} characters`;
}

/** RegexError before v1.34: "<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')". */
export function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  return `${message} (e.g. ${examples.map((example) => `'${example}', `).join(" or ")}regex used for validation is '${format}')`;
}

export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && SUBDOMAIN.test(value);
}

/** IsDNS1123Label's errors, in its order ([] for a valid label). */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX) errors.push(maxLenError(DNS1123_LABEL_MAX));
  if (!LABEL.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", LABEL_FORMAT, "my-name", "123-abc"));
  }
  return errors;
}

/** IsDNS1123Subdomain's errors, in its order ([] for a valid subdomain). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!SUBDOMAIN.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", SUBDOMAIN_FORMAT, "example.com"));
  }
  return errors;
}

/**
 * IsWildcardDNS1123Subdomain's errors, in its order ([] for a valid one): "*." and a DNS
 * subdomain, the whole no longer than a subdomain may be, counted in bytes as Go's len does.
 */
export function wildcardDns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!WILDCARD_SUBDOMAIN.test(value)) {
    errors.push(regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character", WILDCARD_SUBDOMAIN_FORMAT, "*.example.com"));
  }
  return errors;
}

/** IsDNS1035Label's errors (a Service's name), in its order. */
export function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX) errors.push(maxLenError(DNS1035_LABEL_MAX));
  if (!DNS1035.test(value)) {
    errors.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_FORMAT, "my-name", "abc-123"));
  }
  return errors;
}
