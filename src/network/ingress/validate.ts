/**
 * The API server's validation of a new networking.k8s.io/v1 Ingress (ValidateIngressCreate,
 * ValidateIngressSpec and the functions they call in pkg/apis/networking/validation/
 * validation.go), worded as the API server words it, at the field the manifest holds.
 *
 * Left to others: metadata (manifest/fails-validation) and fields of the wrong type
 * (manifest/wrong-type, manifest/string-expected): a value of the wrong type is skipped here.
 * A service name is held to ValidateServiceName (a DNS-1035 label), the rule until the
 * RelaxedServiceNameValidation gate lets a DNS-1123 label through.
 */
import { dns1035LabelErrors, dns1123SubdomainErrors, wildcardDns1123SubdomainErrors } from "../../k8s/dns-names.js";
import { pathSegmentNameErrors, portNameErrors } from "../../k8s/name-formats.js";
import { isRecord, type FieldPath, type K8sObject } from "../../k8s/types.js";
import { parseIp } from "../cidr.js";
import { CLASS_ANNOTATION } from "../../k8s/ingress-class.js";

export interface IngressProblem {
  path: FieldPath;
  message: string;
}

type Add = (path: FieldPath, message: string) => void;

/** invalidPathSequences and invalidPathSuffixes, for Exact and Prefix paths. */
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];
const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];

const quoted = (value: string) => JSON.stringify(value);
const invalid = (value: string, message: string) => `Invalid value: ${quoted(value)}: ${message}`;

/** A host of a rule or of a tls entry: a wildcard subdomain if it holds a '*', else a DNS subdomain. */
function hostErrors(host: string): string[] {
  return host.includes("*") ? wildcardDns1123SubdomainErrors(host) : dns1123SubdomainErrors(host);
}

/** Every reason the API server refuses to create this Ingress, outside metadata and type errors; [] when none. */
export function ingressProblems(object: K8sObject): IngressProblem[] {
  const problems: IngressProblem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const spec = object.spec ?? {};
  if (!isRecord(spec)) return problems;
  const rules = spec.rules ?? [];
  const defaultBackend = spec.defaultBackend ?? undefined;
  if (Array.isArray(rules) && rules.length === 0 && defaultBackend === undefined) add(["spec"], "Invalid value: either `defaultBackend` or `rules` must be specified");
  if (defaultBackend !== undefined) backendProblems(defaultBackend, ["spec", "defaultBackend"], add);
  if (Array.isArray(rules)) rules.forEach((rule, r) => ruleProblems(rule, ["spec", "rules", r], add));
  if (Array.isArray(spec.tls)) spec.tls.forEach((entry, t) => tlsProblems(entry, ["spec", "tls", t], add));
  const className = spec.ingressClassName;
  if (typeof className === "string") for (const message of dns1123SubdomainErrors(className)) add(["spec", "ingressClassName"], invalid(className, message));
  // Only on create: an Ingress already stored keeps a mismatch it had.
  const annotations = isRecord(object.metadata?.annotations) ? object.metadata.annotations : {};
  const annotated = annotations[CLASS_ANNOTATION];
  if (typeof annotated === "string" && typeof className === "string" && annotated !== className) {
    add(["metadata", "annotations", CLASS_ANNOTATION], invalid(annotated, "must match `ingressClassName` when both are specified"));
  }
  return problems;
}

function ruleProblems(rule: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(rule)) return;
  const host = rule.host;
  if (typeof host === "string" && host !== "") {
    if (parseIp(host) !== undefined) add([...path, "host"], invalid(host, "must be a DNS name, not an IP address"));
    for (const message of hostErrors(host)) add([...path, "host"], invalid(host, message));
  }
  const http = rule.http;
  if (!isRecord(http)) return;
  const paths = http.paths ?? [];
  if (!Array.isArray(paths)) return;
  if (paths.length === 0) add([...path, "http", "paths"], "Required value");
  paths.forEach((entry, p) => httpPathProblems(entry, [...path, "http", "paths", p], add));
}

function httpPathProblems(entry: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(entry)) return;
  const pathType = entry.pathType;
  // Upstream stops at a missing pathType: the backend is not looked at.
  if (pathType === undefined || pathType === null) return add([...path, "pathType"], "Required value: pathType must be specified");
  if (typeof pathType !== "string") return;
  const value = entry.path ?? "";
  if (typeof value === "string") {
    if (pathType === "Exact" || pathType === "Prefix") {
      if (!value.startsWith("/")) add([...path, "path"], invalid(value, "must be an absolute path"));
      if (value !== "") {
        for (const sequence of INVALID_SEQUENCES) if (value.includes(sequence)) add([...path, "path"], invalid(value, `must not contain '${sequence}'`));
        for (const suffix of INVALID_SUFFIXES) if (value.endsWith(suffix)) add([...path, "path"], invalid(value, `cannot end with '${suffix}'`));
      }
    } else if (pathType === "ImplementationSpecific") {
      if (value !== "" && !value.startsWith("/")) add([...path, "path"], invalid(value, "must be an absolute path"));
    }
  }
  if (!PATH_TYPES.includes(pathType)) add([...path, "pathType"], `Unsupported value: ${quoted(pathType)}: supported values: ${PATH_TYPES.map(quoted).join(", ")}`);
  backendProblems(entry.backend ?? {}, [...path, "backend"], add);
}

function backendProblems(backend: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(backend)) return;
  const resource = backend.resource ?? undefined;
  const service = backend.service ?? undefined;
  if (resource !== undefined && service !== undefined) return add(path, 'Invalid value: "": cannot set both resource and service backends');
  if (resource !== undefined) return resourceProblems(resource, [...path, "resource"], add);
  if (service === undefined) return add(path, 'Invalid value: "": resource or service backend is required');
  if (!isRecord(service)) return;
  const name = service.name ?? "";
  if (name === "") add([...path, "service", "name"], "Required value");
  else if (typeof name === "string") for (const message of dns1035LabelErrors(name)) add([...path, "service", "name"], invalid(name, message));
  const port = service.port ?? {};
  if (!isRecord(port)) return;
  const portName = port.name ?? "";
  const portNumber = port.number ?? 0;
  // A field of the wrong type is reported by manifest/wrong-type; what it means here is unknown.
  if (typeof portName !== "string" || typeof portNumber !== "number") return;
  if (portName !== "" && portNumber !== 0) add(path, 'Invalid value: "": cannot set both port name & port number');
  else if (portName !== "") for (const message of portNameErrors(portName)) add([...path, "service", "port", "name"], invalid(portName, message));
  else if (portNumber !== 0) {
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) add([...path, "service", "port", "number"], `Invalid value: ${portNumber}: must be between 1 and 65535, inclusive`);
  } else add(path, "Required value: port name or number is required");
}

/** validateIngressTypedLocalObjectReference: apiGroup a DNS subdomain, kind and name path segments. */
function resourceProblems(resource: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(resource)) return;
  if (typeof resource.apiGroup === "string") for (const message of dns1123SubdomainErrors(resource.apiGroup)) add([...path, "apiGroup"], invalid(resource.apiGroup, message));
  for (const field of ["kind", "name"] as const) {
    const value = resource[field] ?? "";
    if (value === "") add([...path, field], "Required value");
    else if (typeof value === "string") for (const message of pathSegmentNameErrors(value)) add([...path, field], invalid(value, message));
  }
}

function tlsProblems(entry: unknown, path: FieldPath, add: Add): void {
  if (!isRecord(entry)) return;
  // Upstream checks tls hosts for the DNS format only; an address passes as it does there.
  if (Array.isArray(entry.hosts)) {
    entry.hosts.forEach((host, h) => {
      if (typeof host === "string") for (const message of hostErrors(host)) add([...path, "hosts", h], invalid(host, message));
    });
  }
  const secretName = entry.secretName;
  if (typeof secretName === "string" && secretName !== "") for (const message of dns1123SubdomainErrors(secretName)) add([...path, "secretName"], invalid(secretName, message));
}
