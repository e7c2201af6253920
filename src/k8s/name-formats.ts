/**
 * The formats of apimachinery's pkg/util/validation that are not DNS names (those are
 * dns-names.ts): IsQualifiedName (label and annotation keys, selector keys), IsValidLabelValue
 * and IsValidPortName (an IANA_SVC_NAME). Each returns upstream's error texts in upstream's
 * order, as Kubernetes up to v1.33 words them; the is* forms answer the same question without
 * building a message, since a scan judges every label of every object. Go measures lengths
 * in bytes; the formats are ASCII, so for a valid value characters are bytes.
 */
import { byteLength, dns1123SubdomainErrors, isDns1123Subdomain, maxLenError, regexError } from "./dns-names.js";

const QUALIFIED_NAME_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FORMAT}$`);
const QUALIFIED_NAME_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;
const QUALIFIED_NAME_EXAMPLES = ["MyName", "my.name", "123-abc"];

const LABEL_VALUE_FORMAT = `(${QUALIFIED_NAME_FORMAT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FORMAT}$`);
const LABEL_VALUE_MAX = 63;

const PORT_NAME_MAX = 15;

/** Whether qualifiedNameErrors finds nothing. */
export function isQualifiedName(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return value.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(value);
  // A second '/' lands in the name part, whose format has none.
  const name = value.slice(slash + 1);
  return name.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(name) && isDns1123Subdomain(value.slice(0, slash));
}

/** IsQualifiedName: "[prefix/]name", a DNS-subdomain prefix and a name of at most 63 bytes. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, ...QUALIFIED_NAME_EXAMPLES)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? (parts[1] as string) : value;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix === "") errors.push("prefix part must be non-empty");
    else errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
  }
  if (name === "") errors.push("name part must be non-empty");
  else if (byteLength(name) > QUALIFIED_NAME_MAX) errors.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!QUALIFIED_NAME.test(name)) errors.push(`name part ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, ...QUALIFIED_NAME_EXAMPLES)}`);
  return errors;
}

/** Whether labelValueErrors finds nothing. */
export function isLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

/** IsValidLabelValue: empty, or at most 63 bytes of the qualified name's form. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) errors.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FORMAT, "MyValue", "my_value", "12345"));
  }
  return errors;
}

/**
 * IsValidPortName: the name of a container port, and a named port a Service, probe or
 * NetworkPolicy refers to. An empty name breaks the charset and letter rules, not the length.
 */
export function portNameErrors(port: string): string[] {
  const errors: string[] = [];
  if (byteLength(port) > PORT_NAME_MAX) errors.push(maxLenError(PORT_NAME_MAX));
  if (!/^[-a-z0-9]+$/.test(port)) errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  // v1.33's words (since kubernetes#107213); older releases said "letter or number" for the same rule.
  if (!/[a-z]/.test(port)) errors.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errors.push("must not contain consecutive hyphens");
  if (port.startsWith("-") || port.endsWith("-")) errors.push("must not begin or end with a hyphen");
  return errors;
}

/**
 * apimachinery's IsValidPathSegmentName (api/validation/path): a name the API server puts in
 * a URL path segment and an etcd key, so not "." or "..", and without "/" or "%".
 */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  return ["/", "%"].filter((part) => name.includes(part)).map((part) => `may not contain '${part}'`);
}
