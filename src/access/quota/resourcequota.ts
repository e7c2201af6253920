/**
 * ResourceQuota as the quota admission plugin evaluates pods: which quotas a pod falls
 * under (scopes and scopeSelector), what it uses (upstream's pod usage function), and the
 * requests/limits a quota makes mandatory ("must specify").
 */
import { compareQuantities, formatQuantity, parseQuantity, type Quantity } from "../../k8s/quantity.js";
import { isRecord } from "../../k8s/types.js";
import { isBestEffort, podLimits, podRequests, type PodResources } from "./pod-resources.js";
import { readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values: string[];
}

export interface ResourceQuotaSpec {
  name: string;
  namespace: string;
  hard: ResourceList;
  /** spec.scopes (as Exists requirements), then spec.scopeSelector's expressions. */
  scopes: ScopeRequirement[];
  /** How many of `scopes` came from spec.scopes: validation treats the two lists apart. */
  listedScopes: number;
}

export function readResourceQuota(name: string, namespace: string, spec: unknown, problems: QuantityProblem[]): ResourceQuotaSpec {
  const s = isRecord(spec) ? spec : {};
  const hard = readResourceList(s.hard, ["spec", "hard"], problems);
  const scopes: ScopeRequirement[] = [];
  // spec.scopes are Exists requirements; scopeSelector adds operator-based ones. All must match.
  if (Array.isArray(s.scopes)) for (const scope of s.scopes) if (typeof scope === "string") scopes.push({ scopeName: scope, operator: "Exists", values: [] });
  const listedScopes = scopes.length;
  const expressions = isRecord(s.scopeSelector) && Array.isArray(s.scopeSelector.matchExpressions) ? s.scopeSelector.matchExpressions : [];
  for (const e of expressions) {
    if (!isRecord(e)) continue;
    // A missing name or operator is kept as "": validation refuses it, as the API server does.
    const scopeName = typeof e.scopeName === "string" ? e.scopeName : "";
    const operator = typeof e.operator === "string" ? e.operator : "";
    scopes.push({ scopeName, operator, values: Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === "string") : [] });
  }
  return { name, namespace, hard, scopes, listedScopes };
}

/** What the quota plugin needs of a pod besides its resources. */
export interface PodFacts {
  resources: PodResources;
  activeDeadlineSeconds?: number;
  priorityClassName?: string;
  crossNamespaceAffinity: boolean;
}

/** Terminating / BestEffort / PriorityClass / CrossNamespacePodAffinity, as the pod evaluator matches them. */
function scopeMatches(requirement: ScopeRequirement, pod: PodFacts): boolean {
  const terminating = pod.activeDeadlineSeconds !== undefined && pod.activeDeadlineSeconds >= 0;
  switch (requirement.scopeName) {
    case "Terminating":
      return terminating;
    case "NotTerminating":
      return !terminating;
    case "BestEffort":
      return isBestEffort(pod.resources);
    case "NotBestEffort":
      return !isBestEffort(pod.resources);
    case "CrossNamespacePodAffinity":
      return pod.crossNamespaceAffinity;
    case "PriorityClass": {
      // An empty priorityClassName is no value at all, so Exists fails and NotIn matches.
      const value = pod.priorityClassName || undefined;
      switch (requirement.operator) {
        case "Exists":
          return value !== undefined;
        case "DoesNotExist":
          return value === undefined;
        case "In":
          return value !== undefined && requirement.values.includes(value);
        case "NotIn":
          return value === undefined || !requirement.values.includes(value);
        default:
          return false;
      }
    }
    default:
      // Scopes of other objects (VolumeAttributesClass) never match a pod.
      return false;
  }
}

export function quotaAppliesToPod(quota: ResourceQuotaSpec, pod: PodFacts): boolean {
  return quota.scopes.every((s) => scopeMatches(s, pod));
}

const ONE = parseQuantity("1");
const EXTENDED_PREFIX_EXCLUDED = /kubernetes\.io\//;

function isExtendedResource(name: string): boolean {
  return name.includes("/") && !EXTENDED_PREFIX_EXCLUDED.test(name) && !name.startsWith("requests.");
}

/** Upstream's podComputeUsageHelper over pod-level requests and limits. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const usage: ResourceList = new Map([["pods", ONE]]);
  for (const name of ["cpu", "memory", "ephemeral-storage"]) {
    const req = requests.get(name);
    if (req) {
      usage.set(name, req);
      usage.set(`requests.${name}`, req);
    }
    const lim = limits.get(name);
    if (lim) usage.set(`limits.${name}`, lim);
  }
  for (const [name, q] of requests) {
    if (name.startsWith("hugepages-")) {
      usage.set(name, q);
      usage.set(`requests.${name}`, q);
    }
    if (isExtendedResource(name)) usage.set(`requests.${name}`, q);
  }
  for (const [name, q] of limits) if (name.startsWith("hugepages-")) usage.set(`limits.${name}`, q);
  return usage;
}

/** What one pod counts against a quota: count/pods, pods and its compute resources. */
export function podUsage(pod: PodResources): ResourceList {
  const usage = computeUsage(podRequests(pod), podLimits(pod));
  usage.set("count/pods", ONE);
  return usage;
}

/** Resources pod-level resources may set: cpu and memory (and hugepages-*, in the releases that added them). */
function isSupportedPodLevelResource(name: string): boolean {
  return name === "cpu" || name === "memory" || name.startsWith("hugepages-");
}

/** Upstream's IsPodLevelResourcesSet: spec.resources requests or limits a supported resource. */
export function isPodLevelResourcesSet(pod: PodResources): boolean {
  return [...pod.podLevel.requests.keys(), ...pod.podLevel.limits.keys()].some(isSupportedPodLevelResource);
}

/** Resources whose presence in a quota obliges every container to state them (a historical rule upstream keeps). */
const MUST_SPECIFY = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

/**
 * Upstream's Constraints: for each of cpu/memory requests/limits the quota restricts, every
 * container and init container must state it. Returns "must specify" per resource with the
 * containers lacking it, or an empty list.
 */
export function missingRequiredResources(quota: ResourceQuotaSpec, pod: PodResources): Array<{ resource: string; containers: string[] }> {
  // With pod-level resources set the pod's totals are stated, and upstream skips the per-container check (PodLevelResources).
  if (isPodLevelResourcesSet(pod)) return [];
  // Upstream lists resources and container names sorted, as its string sets do.
  const required = MUST_SPECIFY.filter((r) => quota.hard.has(r)).sort();
  const missing: Array<{ resource: string; containers: string[] }> = [];
  for (const resource of required) {
    const containers = pod.containers
      .filter((c) => {
        const usage = computeUsage(c.requests, c.limits);
        return !usage.has(resource);
      })
      .map((c) => c.name);
    if (containers.length > 0) missing.push({ resource, containers: [...new Set(containers)].sort() });
  }
  return missing;
}

/** Resources of `usage` the quota limits and that `used + usage` would push past the hard limit. */
export function exceededResources(quota: ResourceQuotaSpec, used: ResourceList, usage: ResourceList): Array<{ resource: string; requested: Quantity; used: Quantity; hard: Quantity }> {
  const exceeded: Array<{ resource: string; requested: Quantity; used: Quantity; hard: Quantity }> = [];
  for (const [resource, requested] of usage) {
    const hard = quota.hard.get(resource);
    if (!hard) continue;
    const already = used.get(resource) ?? parseQuantity("0");
    const total = { nanos: already.nanos + requested.nanos, format: already.format };
    if (compareQuantities(total, hard) > 0) exceeded.push({ resource, requested, used: already, hard });
  }
  return exceeded.sort((a, b) => (a.resource < b.resource ? -1 : 1));
}

export function describeExceeded(quotaName: string, exceeded: ReturnType<typeof exceededResources>): string {
  const part = (f: (e: (typeof exceeded)[number]) => string) => exceeded.map((e) => `${e.resource}=${f(e)}`).join(",");
  return `exceeded quota: ${quotaName}, requested: ${part((e) => formatQuantity(e.requested))}, used: ${part((e) => formatQuantity(e.used))}, limited: ${part((e) => formatQuantity(e.hard))}`;
}
