/**
 * The formats the API server's validation holds names, label keys and values and port names
 * to, with its error texts (k8s.io/apimachinery/pkg/util/validation: IsQualifiedName,
 * IsValidLabelValue, IsValidPortName, IsDNS1035Label; the DNS-1123 forms are
 * src/k8s/dns-names.ts). The texts are those of Kubernetes up to v1.33, as dns-names.ts
 * words them: v1.34 rewords RegexError's examples ("regex: '...'") and IsDNS1123Label's
 * error for a name with dots. Go measures lengths in bytes.
 */
import { dns1123LabelErrors, dns1123SubdomainErrors, isDns1123Subdomain } from "../k8s/dns-names.js";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** RegexError before v1.34: "<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')". */
function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  return `${message} (e.g. ${examples.map((example) => `'${example}', `).join(" or ")}regex used for validation is '${format}')`;
}

const QUALIFIED_NAME_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FORMAT}$`);
const QUALIFIED_NAME_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;

/**
 * Whether qualifiedNameErrors finds nothing, without building a message: nearly every key
 * is valid, and the scan judges every label of every object. The formats are ASCII, so
 * characters are bytes.
 */
export function isQualifiedName(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return value.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(value);
  const name = value.slice(slash + 1);
  return name.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(name) && isDns1123Subdomain(value.slice(0, slash));
}

/** Whether labelValueErrors finds nothing, as cheaply. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** IsQualifiedName: a label key or annotation key, "[prefix/]name", with its errors in upstream's order. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? (parts[1] as string) : value;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix === "") errors.push("prefix part must be non-empty");
    else errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
  }
  if (name === "") errors.push("name part must be non-empty");
  else if (bytes(name) > QUALIFIED_NAME_MAX) errors.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (!QUALIFIED_NAME.test(name)) errors.push(`name part ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, "MyName", "my.name", "123-abc")}`);
  return errors;
}

const LABEL_VALUE_FORMAT = `(${QUALIFIED_NAME_FORMAT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FORMAT}$`);

/** IsValidLabelValue: empty, or at most 63 bytes of the qualified name's form. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > 63) errors.push("must be no more than 63 characters");
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FORMAT, "MyValue", "my_value", "12345"));
  }
  return errors;
}

/** IsValidPortName (an IANA_SVC_NAME): every rule it breaks, in upstream's order. */
export function portNameErrors(port: string): string[] {
  const errors: string[] = [];
  if (bytes(port) > 15) errors.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(port)) errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  // Upstream's words, though the rule it checks wants a letter.
  if (!/[a-z]/.test(port)) errors.push("must contain at least one letter or number (a-z, 0-9)");
  if (port.includes("--")) errors.push("must not contain consecutive hyphens");
  if (port.startsWith("-") || port.endsWith("-")) errors.push("must not begin or end with a hyphen");
  return errors;
}

const DNS1035_FORMAT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035 = new RegExp(`^${DNS1035_FORMAT}$`);

/** IsDNS1035Label: a Service's name. */
export function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > 63) errors.push("must be no more than 63 characters");
  if (!DNS1035.test(value)) {
    errors.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_FORMAT, "my-name", "abc-123"));
  }
  return errors;
}

export type NameFormat = (name: string) => string[];

/**
 * The name function each kind's validation passes to ValidateObjectMeta, for the kinds this
 * rule knows (others, RBAC's path-segment names among them, are not judged): NameIsDNSSubdomain
 * for most, NameIsDNSLabel for Namespaces (ValidateNamespaceName) and StatefulSets
 * (ValidateStatefulSetName), NameIsDNS1035Label for Services (ValidateServiceName).
 */
const NAME_FORMATS: ReadonlyMap<string, NameFormat> = new Map([
  ...["Pod", "PodTemplate", "ReplicationController", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim", "Endpoints", "LimitRange", "ResourceQuota"].map((kind) => [`v1/${kind}`, dns1123SubdomainErrors] as const),
  ["v1/Namespace", dns1123LabelErrors],
  ["v1/Service", dns1035LabelErrors],
  ...["Deployment", "ReplicaSet", "DaemonSet"].map((kind) => [`apps/v1/${kind}`, dns1123SubdomainErrors] as const),
  ["apps/v1/StatefulSet", dns1123LabelErrors],
  ["batch/v1/Job", dns1123SubdomainErrors],
  ["batch/v1/CronJob", cronJobNameErrors],
]);

/** The name function of a kind, by "apiVersion/kind". */
export function nameFormatOf(apiVersionAndKind: string): NameFormat | undefined {
  return NAME_FORMATS.get(apiVersionAndKind);
}

/**
 * ValidateCronJobCreate: a subdomain, and at most 52 characters, since the controller names
 * each Job it makes after the CronJob with an 11-character suffix.
 */
function cronJobNameErrors(name: string): string[] {
  const errors = dns1123SubdomainErrors(name);
  if (name.length > 52) errors.push("must be no more than 52 characters");
  return errors;
}
