/**
 * The API server's validation of a ResourceQuota's spec (core validation's
 * validateResourceQuotaSpec: its hard resource names and values, then
 * validateResourceQuotaScopes and validateScopedResourceSelectorRequirement, with the
 * helpers IsStandardResourceQuotaScope, IsStandardQuotaResourceName and
 * IsResourceQuotaScopeValidForResource). A quota that fails it is refused, so it never
 * bounds anything; treating it as a bound would report rejections that cannot happen.
 */
import { milliValue } from "../../k8s/quantity.js";
import { formatFieldPath, type FieldPath } from "../../k8s/types.js";
import type { ResourceQuotaSpec } from "./resourcequota.js";

/** Scopes the API server knows (VolumeAttributesClass since its feature went beta). */
const STANDARD_SCOPES = new Set(["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass"]);

/** Scopes that are facts about a pod, not values: a selector may only ask that they hold. */
const EXISTS_ONLY_SCOPES = new Set(["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "CrossNamespacePodAffinity"]);

/** Resource names the quota system knows by name; only these are checked against a scope. */
const STANDARD_QUOTA_RESOURCES = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "persistentvolumeclaims",
  "configmaps",
  "services.nodeports",
  "services.loadbalancers",
]);

/** Object counts: a quota on them must be a whole number (IsIntegerResourceName). */
const INTEGER_RESOURCES = new Set(["pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers"]);

const POD_COMPUTE_RESOURCES = new Set(["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"]);

function isStandardQuotaResource(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || /^(requests\.)?hugepages-/.test(name);
}

/** Which standard resources a scope may limit: pod scopes track pods and their cpu and memory only. */
function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case "BestEffort":
      // A BestEffort pod has no cpu or memory to count.
      return resource === "pods";
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return resource === "pods" || POD_COMPUTE_RESOURCES.has(resource);
    default:
      return true;
  }
}

export interface QuotaSpecError {
  path: FieldPath;
  message: string;
}

const CONFLICTING_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
];

function conflicts(scopes: ReadonlySet<string>): boolean {
  return CONFLICTING_PAIRS.some(([a, b]) => scopes.has(a) && scopes.has(b));
}

/** Each hard limit: a known name unless domain-prefixed, never negative, whole for object counts. */
function hardErrors(quota: ResourceQuotaSpec): QuotaSpecError[] {
  const errors: QuotaSpecError[] = [];
  for (const [name, value] of quota.hard) {
    const path: FieldPath = ["spec", "hard", name];
    if (!name.includes("/") && !isStandardQuotaResource(name)) {
      errors.push({ path, message: `${name} is not a resource a quota can limit (cpu, memory, requests.*, limits.*, pods, services, ... or count/<resource>)` });
    }
    if (value.nanos < 0n) errors.push({ path, message: `${name} must not be negative` });
    // Upstream judges the milli-value, rounded up: 999999999n counts as whole (1), 1500m does not.
    else if (INTEGER_RESOURCES.has(name) && milliValue(value) % 1000n !== 0n) errors.push({ path, message: `${name} must be a whole number` });
  }
  return errors;
}

/**
 * Why the API server refuses the quota, in upstream's order; [] when it accepts it.
 * spec.scopes and the scopeSelector are validated apart, as upstream does: a conflict is
 * only one within the same list.
 */
export function quotaSpecErrors(quota: ResourceQuotaSpec): QuotaSpecError[] {
  const errors: QuotaSpecError[] = hardErrors(quota);
  const hard = [...quota.hard.keys()].filter(isStandardQuotaResource).sort();
  const fromScopes = quota.scopes.slice(0, quota.listedScopes);
  const fromSelector = quota.scopes.slice(quota.listedScopes);

  fromScopes.forEach(({ scopeName }) => {
    const path: FieldPath = ["spec", "scopes"];
    if (!STANDARD_SCOPES.has(scopeName)) errors.push({ path, message: `unsupported scope ${JSON.stringify(scopeName)}` });
    for (const resource of hard) {
      if (!scopeValidForResource(scopeName, resource)) errors.push({ path, message: `unsupported scope applied to resource: scope ${scopeName} cannot limit ${resource}` });
    }
  });
  if (conflicts(new Set(fromScopes.map((s) => s.scopeName)))) errors.push({ path: ["spec", "scopes"], message: "conflicting scopes" });

  const selectorPath: FieldPath = ["spec", "scopeSelector", "matchExpressions"];
  fromSelector.forEach(({ scopeName, operator, values }, i) => {
    const path: FieldPath = [...selectorPath, i];
    if (!STANDARD_SCOPES.has(scopeName)) errors.push({ path: [...path, "scopeName"], message: `unsupported scope ${JSON.stringify(scopeName)}` });
    for (const resource of hard) {
      if (!scopeValidForResource(scopeName, resource)) errors.push({ path, message: `unsupported scope applied to resource: scope ${scopeName} cannot limit ${resource}` });
    }
    if (EXISTS_ONLY_SCOPES.has(scopeName) && operator !== "Exists") {
      errors.push({ path: [...path, "operator"], message: `operator ${JSON.stringify(operator)}: scope ${scopeName} allows only Exists` });
    }
    if (operator === "In" || operator === "NotIn") {
      if (values.length === 0) errors.push({ path: [...path, "values"], message: `operator ${operator} needs at least one value` });
    } else if (operator === "Exists" || operator === "DoesNotExist") {
      if (values.length > 0) errors.push({ path: [...path, "values"], message: `operator ${operator} takes no values` });
    } else {
      errors.push({ path: [...path, "operator"], message: `${JSON.stringify(operator)} is not a scope selector operator (In, NotIn, Exists, DoesNotExist)` });
    }
  });
  if (conflicts(new Set(fromSelector.map((s) => s.scopeName)))) errors.push({ path: selectorPath, message: "conflicting scopes" });
  return errors;
}

export function describeQuotaSpecErrors(errors: readonly QuotaSpecError[]): string {
  return errors.map((e) => `${formatFieldPath(e.path)}: ${e.message}`).join("; ");
}
