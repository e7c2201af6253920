/**
 * The name format each kind's validation holds metadata.name to. The formats themselves,
 * with the API server's error texts, live in src/k8s (dns-names.ts, name-formats.ts), where
 * every caller finds them; they are re-exported here for the manifest rules that import them
 * from this module.
 */
import { dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors } from "../k8s/dns-names.js";

export { isLabelValue, isQualifiedName, labelValueErrors, portNameErrors, qualifiedNameErrors } from "../k8s/name-formats.js";

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
