/**
 * Policy exceptions: a documented, owned, expiring permission to break one rule in one
 * place. The same list serves the webhook (matchException) and `palisade scan`
 * (applyExceptionsToFindings), so a workload excepted in CI is excepted at admission too.
 * Pure: the caller passes the clock.
 */
import type { Finding, SourcePosition } from "../findings/types.js";
import type { K8sObject } from "../k8s/types.js";
import type { AdmissionRequest } from "./review.js";

export interface WorkloadRef {
  kind?: string;
  name: string;
}

export interface AdmissionException {
  id: string;
  /** Policy name (`pod-security`, `images`, ...) or `*`. */
  policy: string;
  /** Rule id inside the policy or `*`. */
  rule: string;
  namespace: string;
  workload?: WorkloadRef;
  container?: string;
  owner: string;
  reason: string;
  /** Expiry instant; the exception stops applying at it. */
  expires: Date;
  /** Where the exception and its rule are written, for notes about it (a stale or misspelt one). */
  positions?: { exception: SourcePosition; rule: SourcePosition };
}

export interface ExceptionSubject {
  policy: string;
  rule: string;
  container?: string | undefined;
  request: AdmissionRequest;
}

function matchesName(pattern: string, value: string): boolean {
  return pattern === "*" || pattern === value;
}

/**
 * Whether the request comes from a workload controller of kube-controller-manager: its own
 * identity, or (with --use-service-account-credentials, kubeadm's default) a kube-system
 * service account such as replicaset-controller or job-controller. Only these create the
 * ReplicaSets, Pods and Jobs whose owner references name the workload they belong to.
 */
function isWorkloadController(username: string): boolean {
  return username === "system:kube-controller-manager" || (username.startsWith("system:serviceaccount:kube-system:") && username.endsWith("-controller"));
}

/**
 * The names a workload may be known by: the object's own name and, when `ownersTrusted`, its
 * owners' names, and for a ReplicaSet owner the Deployment name (the ReplicaSet name minus its
 * pod-template-hash). Owner references are whatever the requester wrote: anyone who may create
 * pods could name an excepted Deployment's ReplicaSet as a pod's owner, so admission trusts
 * them only from the controllers that set them (isWorkloadController).
 */
export function workloadNames(object: K8sObject | null, fallbackName: string, ownersTrusted = true): { kind: string; name: string }[] {
  const names: { kind: string; name: string }[] = [];
  const kind = object?.kind ?? "";
  const name = object?.metadata?.name ?? fallbackName;
  if (name) names.push({ kind, name });
  const owners = object?.metadata?.ownerReferences;
  if (ownersTrusted && Array.isArray(owners)) {
    for (const owner of owners as { kind?: unknown; name?: unknown }[]) {
      if (typeof owner.name !== "string" || typeof owner.kind !== "string") continue;
      names.push({ kind: owner.kind, name: owner.name });
      const hash = (object?.metadata?.labels ?? {})["pod-template-hash"];
      if (owner.kind === "ReplicaSet" && hash && owner.name.endsWith(`-${hash}`)) {
        names.push({ kind: "Deployment", name: owner.name.slice(0, -hash.length - 1) });
      }
    }
  }
  return names;
}

function workloadMatches(ref: WorkloadRef | undefined, candidates: readonly { kind: string; name: string }[]): boolean {
  if (!ref) return true;
  return candidates.some((c) => c.name === ref.name && (ref.kind === undefined || ref.kind === c.kind));
}

/** The first live exception covering the subject, or undefined. */
export function matchException(exceptions: readonly AdmissionException[], subject: ExceptionSubject, now: Date): AdmissionException | undefined {
  for (const exception of exceptions) {
    if (exception.expires.getTime() <= now.getTime()) continue;
    if (!matchesName(exception.policy, subject.policy) || !matchesName(exception.rule, subject.rule)) continue;
    if (!matchesName(exception.namespace, subject.request.namespace)) continue;
    if (exception.container !== undefined && exception.container !== subject.container) continue;
    const object = subject.request.object ?? subject.request.oldObject;
    if (!workloadMatches(exception.workload, workloadNames(object, subject.request.name, isWorkloadController(subject.request.userInfo.username)))) continue;
    return exception;
  }
  return undefined;
}

export interface ExceptionReport<T> {
  kept: T[];
  excepted: { item: T; exception: AdmissionException }[];
  /** Exceptions past their expiry: they no longer apply and should be removed or renewed. */
  expired: AdmissionException[];
  /** Live exceptions that covered nothing: stale permissions to remove. */
  unused: AdmissionException[];
}

/** Container name a finding is about: properties.container, or the field path's container index name is unknown. */
function findingContainer(finding: Finding): string | undefined {
  const container = finding.properties?.container;
  return typeof container === "string" ? container : undefined;
}

/**
 * `palisade scan`'s use of the same exceptions: a finding is excepted when an exception
 * matches its rule id (`policy/rule`, `rule`, or the rule id's last segment), namespace,
 * object and container.
 */
export function applyExceptionsToFindings(findings: readonly Finding[], exceptions: readonly AdmissionException[], now: Date): ExceptionReport<Finding> {
  const used = new Set<string>();
  const report: ExceptionReport<Finding> = { kept: [], excepted: [], expired: [], unused: [] };
  for (const finding of findings) {
    const hit = exceptions.find((e) => {
      if (e.expires.getTime() <= now.getTime()) return false;
      if (!exceptionCoversRule(e, finding.ruleId)) return false;
      if (!matchesName(e.namespace, finding.object?.namespace ?? "")) return false;
      if (e.container !== undefined && e.container !== findingContainer(finding)) return false;
      if (e.workload && !(finding.object?.name === e.workload.name && (e.workload.kind === undefined || e.workload.kind === finding.object.kind))) return false;
      return true;
    });
    if (hit) {
      used.add(hit.id);
      report.excepted.push({ item: finding, exception: hit });
    } else report.kept.push(finding);
  }
  const status = exceptionStatus(exceptions, used, now);
  report.expired = status.expired;
  report.unused = status.unused;
  return report;
}

/** Whether the exception is about this rule (its findings' `ruleId`). */
export function exceptionCoversRule(exception: AdmissionException, ruleId: string): boolean {
  if (exception.rule === "*") return exception.policy === "*" || ruleId.startsWith(`${exception.policy}/`) || ruleId.startsWith(`${exception.policy}.`);
  const last = ruleId.split(/[/.]/).pop();
  return ruleId === exception.rule || ruleId === `${exception.policy}/${exception.rule}` || last === exception.rule;
}

/** Split exceptions into expired ones and live ones nothing used. */
export function exceptionStatus(exceptions: readonly AdmissionException[], used: ReadonlySet<string>, now: Date): { expired: AdmissionException[]; unused: AdmissionException[] } {
  const expired = exceptions.filter((e) => e.expires.getTime() <= now.getTime());
  const unused = exceptions.filter((e) => e.expires.getTime() > now.getTime() && !used.has(e.id));
  return { expired, unused };
}
