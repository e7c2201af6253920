/**
 * LimitRange as the LimitRanger admission plugin applies it: the API's defaulting of each
 * item (a max becomes the default limit, a default limit becomes the default request, a min
 * becomes the default request), defaults filled into containers that lack them, then min,
 * max and max limit/request ratio checked per container and per pod; and a claim's storage
 * request checked against min and max.
 */
import { formatQuantity, milliValue, unitValue, type Quantity } from "../../k8s/quantity.js";
import { isRecord, type FieldPath } from "../../k8s/types.js";
import { podLimits, podRequests, type ContainerDefaults, type PodResources } from "./pod-resources.js";
import { readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";

export interface LimitRangeItem {
  type: string;
  min: ResourceList;
  max: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
}

export interface LimitRangeSpec {
  name: string;
  items: LimitRangeItem[];
}

/** Reads spec.limits with SetDefaults_LimitRangeItem applied to Container items. */
export function readLimitRange(name: string, spec: unknown, problems: QuantityProblem[]): LimitRangeSpec {
  const items: LimitRangeItem[] = [];
  const limits = isRecord(spec) && Array.isArray(spec.limits) ? spec.limits : [];
  limits.forEach((raw: unknown, i) => {
    if (!isRecord(raw)) return;
    const path: FieldPath = ["spec", "limits", i];
    const read = (field: string) => readResourceList(raw[field], [...path, field], problems);
    const item: LimitRangeItem = {
      type: typeof raw.type === "string" ? raw.type : "",
      min: read("min"),
      max: read("max"),
      default: read("default"),
      defaultRequest: read("defaultRequest"),
      maxLimitRequestRatio: read("maxLimitRequestRatio"),
    };
    if (item.type === "Container") {
      for (const [k, q] of item.max) if (!item.default.has(k)) item.default.set(k, q);
      for (const [k, q] of item.default) if (!item.defaultRequest.has(k)) item.defaultRequest.set(k, q);
      for (const [k, q] of item.min) if (!item.defaultRequest.has(k)) item.defaultRequest.set(k, q);
    }
    items.push(item);
  });
  return { name, items };
}

/** The defaults one LimitRange gives containers (its Container items, later items overriding earlier). */
export function containerDefaults(range: LimitRangeSpec): ContainerDefaults {
  const defaults: ContainerDefaults = { requests: new Map(), limits: new Map() };
  for (const item of range.items) {
    if (item.type !== "Container") continue;
    for (const [k, q] of item.defaultRequest) defaults.requests.set(k, q);
    for (const [k, q] of item.default) defaults.limits.set(k, q);
  }
  return defaults;
}

export interface LimitViolation {
  limitRange: string;
  /** Container path within the pod spec, or undefined for pod-level violations. */
  containerPath?: FieldPath;
  message: string;
}

/** resource.MaxMilliValue: the largest whole value whose milli-value fits an int64. */
const MAX_MILLI_VALUE = ((1n << 63n) - 1n) / 1000n;

/**
 * Upstream's requestLimitEnforcedValues: milli-values when every whole value is at most
 * MaxMilliValue, else whole values; both round up, so 0.5m counts as 1m here exactly as it
 * does in the API server.
 */
function comparable(...qs: Quantity[]): (q: Quantity) => bigint {
  return qs.every((q) => unitValue(q) <= MAX_MILLI_VALUE) ? milliValue : unitValue;
}

function checkMin(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!req) return `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}.  No request is specified`;
  const v = comparable(enforced, req, ...(lim ? [lim] : []));
  if (v(req) < v(enforced)) return `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  if (lim && v(lim) < v(enforced)) return `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function checkMax(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!lim) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}.  No limit is specified`;
  const v = comparable(enforced, lim, ...(req ? [req] : []));
  if (v(lim) > v(enforced)) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}, but limit is ${formatQuantity(lim)}`;
  if (req && v(req) > v(enforced)) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function checkRatio(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const v = comparable(...[enforced, req, lim].filter((q): q is Quantity => q !== undefined));
  if (!req || v(req) === 0n) return `${name} max limit to request ratio per ${type} is ${formatQuantity(enforced)}, but no request is specified or request is 0`;
  if (!lim || v(lim) === 0n) return `${name} max limit to request ratio per ${type} is ${formatQuantity(enforced)}, but no limit is specified or limit is 0`;
  // Upstream divides in float64 and compares the ratio scaled by 1000 with the milli-value
  // of the maximum: rounding included, so 2007m/1000m is over a ratio of 2.007 there, and here.
  const observed = Number(v(lim)) / Number(v(req));
  const scaled = unitValue(enforced) <= MAX_MILLI_VALUE;
  const observedRatio = scaled ? observed * 1000 : observed;
  const maxRatio = Number(scaled ? milliValue(enforced) : unitValue(enforced));
  if (observedRatio > maxRatio) {
    return `${name} max limit to request ratio per ${type} is ${formatQuantity(enforced)}, but provided ratio is ${observed.toFixed(6)}`;
  }
  return undefined;
}

/** A max checked against requests only, for kinds whose limits are not user input (upstream maxRequestConstraint). */
function checkMaxRequest(type: string, name: string, enforced: Quantity, requests: ResourceList): string | undefined {
  const req = requests.get(name);
  if (!req) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}.  No request is specified`;
  const v = comparable(enforced, req);
  if (v(req) > v(enforced)) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  return undefined;
}

/**
 * Every violation of one LimitRange by a claim's spec.resources.requests (upstream
 * PersistentVolumeClaimValidateLimitFunc): min and max of its PersistentVolumeClaim items;
 * a claim's limits are not user input, and nothing is defaulted.
 */
export function claimViolations(range: LimitRangeSpec, requests: ResourceList): LimitViolation[] {
  const violations: LimitViolation[] = [];
  const none: ResourceList = new Map();
  for (const item of range.items) {
    if (item.type !== "PersistentVolumeClaim") continue;
    for (const [name, enforced] of item.min) {
      const message = checkMin("PersistentVolumeClaim", name, enforced, requests, none);
      if (message) violations.push({ limitRange: range.name, message });
    }
    for (const [name, enforced] of item.max) {
      const message = checkMaxRequest("PersistentVolumeClaim", name, enforced, requests);
      if (message) violations.push({ limitRange: range.name, message });
    }
  }
  return violations;
}

/** Every violation of one LimitRange by a (defaulted) pod; empty when admission would pass it. */
export function limitRangeViolations(range: LimitRangeSpec, pod: PodResources): LimitViolation[] {
  const violations: LimitViolation[] = [];
  for (const item of range.items) {
    if (item.type === "Container") {
      for (const c of pod.containers) {
        for (const message of itemViolations("Container", item, c.requests, c.limits)) {
          violations.push({ limitRange: range.name, containerPath: c.path, message: `container ${c.name}: ${message}` });
        }
      }
    } else if (item.type === "Pod") {
      const requests = podRequests(pod, { excludeOverhead: true });
      const limits = podLimits(pod, { excludeOverhead: true });
      for (const message of itemViolations("Pod", item, requests, limits)) violations.push({ limitRange: range.name, message });
    }
  }
  return violations;
}

/** One LimitRange item's min, max and ratio checks against one set of requests and limits, in upstream's order. */
function itemViolations(type: "Container" | "Pod", item: LimitRangeItem, requests: ResourceList, limits: ResourceList): string[] {
  const messages: string[] = [];
  for (const [check, list] of [
    [checkMin, item.min],
    [checkMax, item.max],
    [checkRatio, item.maxLimitRequestRatio],
  ] as const) {
    for (const [name, enforced] of list) {
      const message = check(type, name, enforced, requests, limits);
      if (message) messages.push(message);
    }
  }
  return messages;
}
