/**
 * Pod Security Admission as a webhook policy, following PSA's admission flow step by step:
 * namespaces (label validation; warnings about existing pods on a stricter enforce level),
 * pods (enforced; subresources ignored except ephemeralcontainers and unknown ones;
 * insignificant updates allowed), workload templates (warn and audit only), exemptions by
 * namespace, username and runtimeClass. The checks and messages are src/podsecurity.
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { compareLevels, formatVersion } from "../../podsecurity/levels.js";
import { describeViolations, evaluatePod, psaWarningMessage, type Violation as PsaViolation } from "../../podsecurity/evaluate.js";
import { namespacePolicy, type LevelVersion, type NamespacePolicy } from "../../podsecurity/namespace-levels.js";
import type { PodView } from "../../podsecurity/pod.js";
import { emptyVerdict, type AdmissionContext, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import { podSpecOf } from "../pod-specs.js";

export const POD_SECURITY_POLICY = "pod-security";

export interface PodSecurityExemptions {
  usernames: string[];
  runtimeClasses: string[];
  namespaces: string[];
}

/** PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1), already validated. */
export interface PodSecuritySettings {
  defaults: NamespacePolicy;
  exemptions: PodSecurityExemptions;
}

/** PSA's ignoredPodSubresources; any other pod subresource carries a Pod and is judged. */
const IGNORED_POD_SUBRESOURCES = new Set(["exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"]);

/** PSA's defaultNamespaceMaxPodsToCheck. */
const MAX_PODS_TO_CHECK = 3000;

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

// Not memoised in a WeakMap: weak tables keyed by per-request objects make every young-generation
// GC walk them (see the note on knownPolicies below), which costs far more than this formatting.
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${formatVersion(lv.version)}`;
}

function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return levelVersionString(a) === levelVersionString(b);
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function annotations(object: K8sObject): Record<string, string> {
  return (object.metadata?.annotations ?? {}) as Record<string, string>;
}

/** PSA's isSignificantPodUpdate: only images, container counts, new ephemeral containers and seccomp annotations matter. */
export function isSignificantPodUpdate(pod: K8sObject, oldPod: K8sObject): boolean {
  const a = annotations(pod);
  const oldA = annotations(oldPod);
  if (a[SECCOMP_POD_ANNOTATION] !== oldA[SECCOMP_POD_ANNOTATION]) return true;
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const oldSpec = isRecord(oldPod.spec) ? oldPod.spec : {};
  const significant = (c: Record<string, unknown>, old: Record<string, unknown>) => {
    if (c.image !== old.image) return true;
    const key = `${SECCOMP_CONTAINER_PREFIX}${String(c.name ?? "")}`;
    return a[key] !== oldA[key];
  };
  for (const field of ["containers", "initContainers"]) {
    const now = list(spec[field]);
    const before = list(oldSpec[field]);
    if (now.length !== before.length) return true;
    if (now.some((c, i) => significant(c, before[i]!))) return true;
  }
  const oldEphemeral = list(oldSpec.ephemeralContainers);
  for (const c of list(spec.ephemeralContainers)) {
    const old = oldEphemeral.find((o) => o.name === c.name);
    if (!old || significant(c, old)) return true;
  }
  return false;
}

export function podSecurityPolicy(settings: PodSecuritySettings, mode: PolicyMode): AdmissionPolicy {
  const exemptNamespace = (ns: string) => ns !== "" && settings.exemptions.namespaces.includes(ns);
  const exemptUser = (user: string) => user !== "" && settings.exemptions.usernames.includes(user);
  const exemptRuntimeClass = (spec: Record<string, unknown>) =>
    typeof spec.runtimeClassName === "string" && spec.runtimeClassName !== "" && settings.exemptions.runtimeClasses.includes(spec.runtimeClassName);
  const policyOf = (labels: Readonly<Record<string, string>> | undefined) => namespacePolicy(labels, settings.defaults);
  // The cluster state keeps one labels object per namespace version, replaced (never edited)
  // on change: what PSA reads from it is worked out once per version, not once per pod.
  // Keys are long-lived cluster-state objects only, never per-request ones: a WeakMap that
  // gains a young key per request makes every scavenge walk it (measured: 0.3 ms -> 20 ms).
  const knownPolicies = new WeakMap<object, ReturnType<typeof namespacePolicy>>();
  let unlabelled: ReturnType<typeof namespacePolicy> | undefined;
  const namespacePolicyOf = (context: AdmissionContext, namespace: string) => {
    const labels = context.cluster.namespaceLabels(namespace);
    if (labels === undefined) return (unlabelled ??= policyOf(undefined));
    let policy = knownPolicies.get(labels);
    if (policy === undefined) knownPolicies.set(labels, (policy = policyOf(labels)));
    return policy;
  };

  /** Violations at a level/version, minus those an exception covers. */
  function evaluate(context: AdmissionContext, lv: LevelVersion, pod: PodView, as: "pod" | "template"): PsaViolation[] {
    return evaluatePod(lv.level, lv.version, pod, as).filter((v) => !context.excepted(POD_SECURITY_POLICY, v.checkId, containerOf(v, pod)));
  }

  function evaluatePodLike(context: AdmissionContext, ns: { policy: NamespacePolicy; errors: string[] }, pod: PodView, enforce: boolean): PolicyVerdict {
    const verdict = emptyVerdict();
    if (exemptRuntimeClass(pod.spec as Record<string, unknown>)) return verdict;
    if (ns.errors.length > 0) verdict.audit.error = `Failed to parse policy: ${ns.errors.join(", ")}`;
    const cache = new Map<string, PsaViolation[]>();
    const run = (lv: LevelVersion) => {
      const key = levelVersionString(lv);
      let result = cache.get(key);
      // A workload's template is judged as the API server hands it over, not as its pods will be.
      if (!result) cache.set(key, (result = evaluate(context, lv, pod, enforce ? "pod" : "template")));
      return result;
    };
    let denied = false;
    if (enforce) {
      const result = run(ns.policy.enforce);
      if (result.length > 0) {
        denied = true;
        verdict.deny = result.map((v) => ({ policy: POD_SECURITY_POLICY, rule: v.checkId, message: `${v.reason}${v.detail ? ` (${v.detail})` : ""}` }));
        verdict.denyMessage = `pod violates PodSecurity "${levelVersionString(ns.policy.enforce)}": ${describeViolations(result)}`;
      }
    }
    const audit = run(ns.policy.audit);
    if (audit.length > 0) verdict.audit.audit = psaWarningMessage(ns.policy.audit.level, ns.policy.audit.version, audit);
    if (!denied) {
      const warn = run(ns.policy.warn);
      if (warn.length > 0) verdict.warn.push(psaWarningMessage(ns.policy.warn.level, ns.policy.warn.version, warn));
    }
    return verdict;
  }

  function validatePod(context: AdmissionContext): PolicyVerdict {
    const { request } = context;
    if (IGNORED_POD_SUBRESOURCES.has(request.subResource)) return emptyVerdict();
    if (request.operation !== "CREATE" && request.operation !== "UPDATE") return emptyVerdict();
    if (exemptNamespace(request.namespace) || exemptUser(request.userInfo.username)) return emptyVerdict();
    const ns = namespacePolicyOf(context, request.namespace);
    const p = ns.policy;
    if (ns.errors.length === 0 && p.enforce.level === "privileged" && p.warn.level === "privileged" && p.audit.level === "privileged") return emptyVerdict();
    const pod = request.object;
    if (!pod || pod.kind !== "Pod") return badRequest("failed to decode pod");
    if (request.operation === "UPDATE") {
      if (!request.oldObject || request.oldObject.kind !== "Pod") return badRequest("failed to decode old pod");
      if (!isSignificantPodUpdate(pod, request.oldObject)) return emptyVerdict();
    }
    return evaluatePodLike(context, ns, podView(pod), true);
  }

  function validateController(context: AdmissionContext): PolicyVerdict {
    const { request } = context;
    if (request.subResource !== "") return emptyVerdict();
    if (request.operation !== "CREATE" && request.operation !== "UPDATE") return emptyVerdict();
    if (exemptNamespace(request.namespace) || exemptUser(request.userInfo.username)) return emptyVerdict();
    const ns = namespacePolicyOf(context, request.namespace);
    if (ns.errors.length === 0 && ns.policy.warn.level === "privileged" && ns.policy.audit.level === "privileged") return emptyVerdict();
    const location = podSpecOf(request.object);
    if (!location) return emptyVerdict();
    return evaluatePodLike(context, ns, { metadata: location.metadata, spec: location.spec }, false);
  }

  function validateNamespace(context: AdmissionContext): PolicyVerdict {
    const { request } = context;
    if (request.subResource !== "") return emptyVerdict();
    const namespace = request.object;
    if (!namespace || namespace.kind !== "Namespace") return request.operation === "DELETE" ? emptyVerdict() : badRequest("failed to decode namespace");
    const next = policyOf(namespace.metadata?.labels);
    if (request.operation === "CREATE") return next.errors.length > 0 ? invalid(next.errors.join(", ")) : emptyVerdict();
    if (request.operation !== "UPDATE") return emptyVerdict();
    if (!request.oldObject) return badRequest("failed to decode old namespace");
    const previous = policyOf(request.oldObject.metadata?.labels);
    if (next.errors.length > 0 && next.errors.join(", ") !== previous.errors.join(", ")) return invalid(next.errors.join(", "));
    const enforce = next.policy.enforce;
    if (sameLevelVersion(enforce, previous.policy.enforce)) return emptyVerdict();
    if (enforce.level === "privileged") return emptyVerdict();
    if (formatVersion(enforce.version) === formatVersion(previous.policy.enforce.version) && compareLevels(enforce.level, previous.policy.enforce.level) < 1) return emptyVerdict();
    const name = namespace.metadata?.name ?? request.name;
    if (exemptNamespace(name)) return emptyVerdict();
    const verdict = emptyVerdict();
    verdict.warn = existingPodWarnings(context, name, enforce);
    return verdict;
  }

  /** PSA's EvaluatePodsInNamespace over the pods this server knows of. */
  function existingPodWarnings(context: AdmissionContext, namespace: string, enforce: LevelVersion): string[] {
    const all = context.cluster.podsInNamespace(namespace);
    const pods = all.slice(0, MAX_PODS_TO_CHECK);
    const counts = new Map<string, { podName: string; count: number }>();
    const order: string[] = [];
    for (const pod of pods) {
      const view = podView(pod);
      if (exemptRuntimeClass(view.spec as Record<string, unknown>)) continue;
      const result = evaluatePod(enforce.level, enforce.version, view);
      if (result.length === 0) continue;
      const warning = result.map((v) => v.reason).join(", ");
      const name = pod.metadata?.name ?? "";
      const seen = counts.get(warning);
      if (!seen) {
        counts.set(warning, { podName: name, count: 1 });
        order.push(warning);
      } else {
        seen.count++;
        if (name < seen.podName) seen.podName = name;
      }
    }
    const warnings: string[] = [];
    if (pods.length < all.length) warnings.push(`new PodSecurity enforce level only checked against the first ${pods.length} of ${all.length} existing pods`);
    if (order.length > 0) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
    const decorated = order.map((w) => {
      const c = counts.get(w)!;
      if (c.count === 1) return `${c.podName}: ${w}`;
      if (c.count === 2) return `${c.podName} (and 1 other pod): ${w}`;
      return `${c.podName} (and ${c.count - 1} other pods): ${w}`;
    });
    return [...warnings, ...decorated.sort()];
  }

  return {
    name: POD_SECURITY_POLICY,
    mode,
    validate(context) {
      const { group, resource } = context.request.resource;
      if (group === "" && resource === "namespaces") return validateNamespace(context);
      if (group === "" && resource === "pods") return validatePod(context);
      return validateController(context);
    },
  };
}

function podView(pod: K8sObject): PodView {
  return { metadata: (pod.metadata ?? {}) as PodView["metadata"], spec: (isRecord(pod.spec) ? pod.spec : {}) as PodView["spec"] };
}

/** The container a violation is confined to, when all its fields are in one container. */
function containerOf(violation: PsaViolation, pod: PodView): string | undefined {
  const names = new Set<string>();
  for (const field of violation.fields) {
    const [root, listName, index] = field;
    if (root !== "spec" || typeof listName !== "string" || typeof index !== "number" || !/[cC]ontainers$/.test(listName)) return undefined;
    const container = list(pod.spec[listName])[index];
    names.add(typeof container?.name === "string" ? container.name : "");
  }
  return names.size === 1 ? [...names][0] : undefined;
}

function badRequest(message: string): PolicyVerdict {
  return { deny: [{ policy: POD_SECURITY_POLICY, rule: "decode", message }], warn: [], audit: {}, denyMessage: message, denyCode: 400 };
}

function invalid(message: string): PolicyVerdict {
  return { deny: [{ policy: POD_SECURITY_POLICY, rule: "namespace-labels", message }], warn: [], audit: {}, denyMessage: message, denyCode: 422 };
}
