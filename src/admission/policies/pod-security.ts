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
import { existingPodWarnings, podView } from "./pod-security-existing-pods.js";
import {
  AUDIT_VIOLATIONS_KEY,
  ENFORCE_POLICY_KEY,
  ERROR_KEY,
  POD_SECURITY_POLICY,
  errorVerdict,
  exemptNamespaceWarning,
  exemptVerdict,
  forbiddenStatus,
  invalidLabels,
  labelErrorsText,
  levelVersionString,
  policyParseError,
} from "./pod-security-responses.js";

export { POD_SECURITY_POLICY, levelVersionString };

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

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return levelVersionString(a) === levelVersionString(b);
}

/** What PSA answers for a pod in an all-privileged namespace: it never reads the version there. */
const PRIVILEGED_LATEST = "privileged:latest";

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

type NamespaceReading = ReturnType<typeof namespacePolicy>;

export interface PodSecurityPolicyOptions {
  /** Monotonic milliseconds (performance.now() unless a test drives it): the time budget of the existing-pods check. */
  now?: () => number;
}

export function podSecurityPolicy(settings: PodSecuritySettings, mode: PolicyMode, options: PodSecurityPolicyOptions = {}): AdmissionPolicy {
  const now = options.now ?? (() => performance.now());
  const exemptNamespace = (ns: string) => ns !== "" && settings.exemptions.namespaces.includes(ns);
  const exemptUser = (user: string) => user !== "" && settings.exemptions.usernames.includes(user);
  const exemptRuntimeClass = (spec: Record<string, unknown>) =>
    typeof spec.runtimeClassName === "string" && spec.runtimeClassName !== "" && settings.exemptions.runtimeClasses.includes(spec.runtimeClassName);
  const policyOf = (labels: Readonly<Record<string, string>> | undefined) => namespacePolicy(labels, settings.defaults);
  // The cluster state keeps one labels object per namespace version, replaced (never edited)
  // on change: what PSA reads from it is worked out once per version, not once per pod.
  // Keys are long-lived cluster-state objects only, never per-request ones: a WeakMap that
  // gains a young key per request makes every scavenge walk it (measured: 0.3 ms -> 20 ms).
  const knownPolicies = new WeakMap<object, NamespaceReading>();
  let unlabelled: NamespaceReading | undefined;
  /** undefined: the namespace does not exist (PSA's namespace lookup failed). */
  const namespacePolicyOf = (context: AdmissionContext, namespace: string): NamespaceReading | undefined => {
    const labels = context.cluster.namespaceLabels(namespace);
    if (labels === undefined) return context.cluster.namespacesComplete?.() ? undefined : (unlabelled ??= policyOf(undefined));
    let policy = knownPolicies.get(labels);
    if (policy === undefined) knownPolicies.set(labels, (policy = policyOf(labels)));
    return policy;
  };

  /** Violations at a level/version, minus those an exception covers. */
  function evaluate(context: AdmissionContext, lv: LevelVersion, pod: PodView, as: "pod" | "template"): PsaViolation[] {
    return evaluatePod(lv.level, lv.version, pod, as).filter((v) => !context.excepted(POD_SECURITY_POLICY, v.checkId, containerOf(v, pod)));
  }

  function evaluatePodLike(context: AdmissionContext, ns: NamespaceReading, pod: PodView, enforce: boolean): PolicyVerdict {
    if (exemptRuntimeClass(pod.spec as Record<string, unknown>)) return exemptVerdict("runtimeClass");
    const verdict = emptyVerdict();
    if (ns.invalid.length > 0) verdict.audit[ERROR_KEY] = policyParseError(ns.invalid);
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
      verdict.audit[ENFORCE_POLICY_KEY] = levelVersionString(ns.policy.enforce);
      const result = run(ns.policy.enforce);
      if (result.length > 0) {
        denied = true;
        const status = forbiddenStatus(context.request, `violates PodSecurity "${levelVersionString(ns.policy.enforce)}": ${describeViolations(result)}`);
        verdict.deny = result.map((v) => ({ policy: POD_SECURITY_POLICY, rule: v.checkId, message: `${v.reason}${v.detail ? ` (${v.detail})` : ""}` }));
        verdict.denyMessage = status.message;
        verdict.denyDetails = status.details;
      }
    }
    const audit = run(ns.policy.audit);
    if (audit.length > 0) verdict.audit[AUDIT_VIOLATIONS_KEY] = psaWarningMessage(ns.policy.audit.level, ns.policy.audit.version, audit);
    if (!denied) {
      const warn = run(ns.policy.warn);
      if (warn.length > 0) verdict.warn.push(psaWarningMessage(ns.policy.warn.level, ns.policy.warn.version, warn));
    }
    return verdict;
  }

  function validatePod(context: AdmissionContext): PolicyVerdict {
    const { request } = context;
    if (IGNORED_POD_SUBRESOURCES.has(request.subResource)) return emptyVerdict();
    // PSA registers for CREATE and UPDATE only; Palisade's webhook also sees DELETE and CONNECT for other policies.
    if (request.operation !== "CREATE" && request.operation !== "UPDATE") return emptyVerdict();
    if (exemptNamespace(request.namespace)) return exemptVerdict("namespace");
    if (exemptUser(request.userInfo.username)) return exemptVerdict("user");
    const ns = namespacePolicyOf(context, request.namespace);
    if (!ns) {
      // PSA quotes the name (%q) since the newest release; the names are DNS labels, which JSON quotes alike.
      const failure = `failed to lookup namespace ${JSON.stringify(request.namespace)}`;
      return errorVerdict(500, `Internal error occurred: ${failure}`, `Internal error occurred: ${failure}: ${namespaceNotFound(request.namespace)}`);
    }
    const p = ns.policy;
    if (ns.invalid.length === 0 && p.enforce.level === "privileged" && p.warn.level === "privileged" && p.audit.level === "privileged") {
      return { deny: [], warn: [], audit: { [ENFORCE_POLICY_KEY]: PRIVILEGED_LATEST } };
    }
    const pod = request.object;
    if (!pod || pod.kind !== "Pod") return errorVerdict(400, "failed to decode pod");
    if (request.operation === "UPDATE") {
      if (!request.oldObject || request.oldObject.kind !== "Pod") return errorVerdict(400, "failed to decode old pod");
      if (!isSignificantPodUpdate(pod, request.oldObject)) return emptyVerdict();
    }
    return evaluatePodLike(context, ns, podView(pod), true);
  }

  function validateController(context: AdmissionContext): PolicyVerdict {
    const { request } = context;
    if (request.subResource !== "") return emptyVerdict();
    if (request.operation !== "CREATE" && request.operation !== "UPDATE") return emptyVerdict();
    if (exemptNamespace(request.namespace)) return exemptVerdict("namespace");
    if (exemptUser(request.userInfo.username)) return exemptVerdict("user");
    const ns = namespacePolicyOf(context, request.namespace);
    // Workloads are never refused: a failed lookup is only recorded.
    if (!ns) return { deny: [], warn: [], audit: { [ERROR_KEY]: `failed to lookup namespace ${JSON.stringify(request.namespace)}: ${namespaceNotFound(request.namespace)}` } };
    if (ns.invalid.length === 0 && ns.policy.warn.level === "privileged" && ns.policy.audit.level === "privileged") return emptyVerdict();
    const location = podSpecOf(request.object);
    if (!location) return emptyVerdict();
    return evaluatePodLike(context, ns, { metadata: location.metadata, spec: location.spec }, false);
  }

  function validateNamespace(context: AdmissionContext): PolicyVerdict {
    const { request } = context;
    if (request.subResource !== "") return emptyVerdict();
    const namespace = request.object;
    if (!namespace || namespace.kind !== "Namespace") return request.operation === "DELETE" ? emptyVerdict() : errorVerdict(400, "failed to decode namespace");
    const next = policyOf(namespace.metadata?.labels);
    const name = namespace.metadata?.name ?? request.name;
    // An exempt namespace is only told that its labels will be ignored: PSA records no exemption for it.
    const exemptWarning = (): PolicyVerdict => {
      const warning = exemptNamespaceWarning(name, next.policy, settings.defaults, namespace.metadata?.labels);
      return warning === undefined ? emptyVerdict() : { deny: [], warn: [warning], audit: {} };
    };
    if (request.operation === "CREATE") {
      if (next.invalid.length > 0) return invalidLabels(request, next.invalid);
      return exemptNamespace(name) ? exemptWarning() : emptyVerdict();
    }
    if (request.operation !== "UPDATE") return emptyVerdict();
    // PSA's own text, double space included.
    if (!request.oldObject || request.oldObject.kind !== "Namespace") return errorVerdict(400, "failed to decode  old namespace");
    const previous = policyOf(request.oldObject.metadata?.labels);
    if (next.invalid.length > 0 && labelErrorsText(next.invalid) !== (previous.invalid.length > 0 ? labelErrorsText(previous.invalid) : "")) return invalidLabels(request, next.invalid);
    const enforce = next.policy.enforce;
    if (sameLevelVersion(enforce, previous.policy.enforce)) return emptyVerdict();
    if (enforce.level === "privileged") return emptyVerdict();
    if (formatVersion(enforce.version) === formatVersion(previous.policy.enforce.version) && compareLevels(enforce.level, previous.policy.enforce.level) < 1) return emptyVerdict();
    if (exemptNamespace(name)) return exemptWarning();
    const verdict = emptyVerdict();
    verdict.warn = existingPodWarnings(context.cluster.podsInNamespace(name), name, enforce, exemptRuntimeClass, { now, requestDeadline: context.deadline });
    return verdict;
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

/** apierrors.NewNotFound(namespaces, name).Error(). */
function namespaceNotFound(name: string): string {
  return `namespaces ${JSON.stringify(name)} not found`;
}
