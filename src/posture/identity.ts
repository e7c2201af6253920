/**
 * The identity pillar's facts: which ServiceAccount a workload runs as, whether its pods
 * carry that account's token, and what the token is worth, judged by the RBAC authorizer
 * over the snapshot's roles and upstream's defaults.
 */
import type { Grant, RbacAuthorizer } from "../access/rbac/authorizer.js";
import type { UserInfo } from "../access/rbac/types.js";
import { describeNode, userOfSubject, type EscalationEdge, type EscalationGraph } from "../access/rbac/escalation.js";
import { heldDangers, type HeldDanger } from "../access/rbac/danger-probes.js";
import { subjectKey } from "../access/rbac/subjects.js";
import { tokenMount } from "../k8s/service-accounts.js";
import { isRecord, type K8sObject } from "../k8s/types.js";
import { severityRank, type Rule, type SourcePosition } from "../findings/types.js";
import { DEFAULT_SERVICE_ACCOUNT, factDeduction, TOKEN_DANGERS, TOKEN_MOUNTED, TOKEN_REACHES_CLUSTER_ADMIN } from "./facts.js";
import type { Deduction, PodFieldLocator } from "./types.js";

export interface IdentityContext {
  authorizer: RbacAuthorizer;
  escalation: EscalationGraph;
  /** ServiceAccount objects of the snapshot, by `namespace/name`. */
  serviceAccounts: ReadonlyMap<string, K8sObject>;
  /** The API server's own token audiences (api-audiences.ts); undefined when the input does not say. */
  apiAudiences?: ReadonlySet<string>;
  /** What each account's token is worth, by `namespace/name`: many workloads share an account. */
  worth?: Map<string, TokenWorth>;
}

interface TokenWorth {
  held: HeldDanger[];
  path: EscalationEdge[] | undefined;
}

function tokenWorth(context: IdentityContext, namespace: string, serviceAccount: string): TokenWorth {
  const key = `${namespace}/${serviceAccount}`;
  const known = context.worth?.get(key);
  if (known) return known;
  const subject = { kind: "ServiceAccount", name: serviceAccount, namespace };
  const worth = { held: heldInEveryNamespace(context.authorizer, userOfSubject(subject), namespace), path: context.escalation.paths.get(subjectKey(subject)) };
  (context.worth ??= new Map()).set(key, worth);
  return worth;
}

/**
 * What the account may do in its own namespace, cluster-wide, and in every other namespace
 * where a RoleBinding names it or one of its groups: a RoleBinding grants its namespace's
 * resources to a subject of any namespace (upstream's RBAC authorizer matches subjects, not
 * where they live), so a token of `shop` bound to read `kube-system`'s Secrets reads them.
 */
function heldInEveryNamespace(authorizer: RbacAuthorizer, user: UserInfo, namespace: string): HeldDanger[] {
  const others = new Set<string>();
  for (const { binding } of authorizer.bindingsOf(user)) if (binding.namespace !== undefined && binding.namespace !== namespace) others.add(binding.namespace);
  const byRule = new Map<string, HeldDanger>();
  // Its own namespace first: the grant a deduction points at is the one nearest the workload.
  for (const where of [namespace, ...[...others].sort()]) {
    for (const danger of heldDangers(authorizer, user, where)) {
      const known = byRule.get(danger.rule.id);
      if (!known) byRule.set(danger.rule.id, { ...danger, requests: [...danger.requests] });
      else {
        for (const request of danger.requests) if (!known.requests.includes(request)) known.requests.push(request);
        // Worth the most it is worth anywhere: get pods/exec here, create there, is create's.
        if (severityRank(danger.severity) > severityRank(known.severity)) known.severity = danger.severity;
      }
    }
  }
  return [...byRule.values()];
}

function grantPosition(grant: Grant): SourcePosition | undefined {
  const { rule, binding } = grant;
  return rule.origin.bootstrap ? binding.origin.source?.locate(["roleRef"]) : rule.origin.source?.locate(["rules", rule.index]);
}

function grantWords(grant: Grant): string {
  const binding = grant.binding.kind === "RoleBinding" ? `RoleBinding ${grant.binding.namespace}/${grant.binding.name}` : `ClusterRoleBinding ${grant.binding.name}`;
  return `${binding} -> ${grant.binding.roleRef.kind} ${grant.binding.roleRef.name}`;
}

export function identityDeductions(namespace: string, serviceAccount: string, podSpec: Record<string, unknown>, context: IdentityContext, at: PodFieldLocator): { deductions: Deduction[]; facts: string[] } {
  const deductions: Deduction[] = [];
  const facts: string[] = [];
  const account = context.serviceAccounts.get(`${namespace}/${serviceAccount}`);
  const token = tokenMount(podSpec, account, context.apiAudiences);
  const who = `ServiceAccount ${namespace}/${serviceAccount}`;
  if (serviceAccount === "default") {
    deductions.push(factDeduction(DEFAULT_SERVICE_ACCOUNT, "runs as its namespace's default ServiceAccount, an identity every workload there shares unless it names its own", at(["spec", "serviceAccountName"])));
  }
  if (!token.mounted) {
    facts.push(`its pods carry no token for ${who} (automountServiceAccountToken: false)`);
    if (token.audiences.length > 0) {
      const others = `its pods carry projected tokens for other audiences only (${token.audiences.join(", ")})`;
      facts.push(
        context.apiAudiences
          ? `${others}, which the API server does not accept`
          : `${others}, which the API server accepts only if its --api-audiences (by default its --service-account-issuer) names one: the input holds no kube-apiserver manifest to tell`,
      );
    }
    return { deductions, facts };
  }
  // A projected token is the pods' whatever automountServiceAccountToken says.
  const mounts = token.how === "projected" ? "mount a projected token" : "mount a token";
  const { held, path } = tokenWorth(context, namespace, serviceAccount);
  if (held.length === 0 && !path) {
    deductions.push(factDeduction(TOKEN_MOUNTED, `its pods ${mounts} for ${who} that the snapshot grants nothing dangerous; a token a workload does not use is still a credential to steal`, at(token.podPath)));
    return { deductions, facts };
  }
  for (const danger of held) {
    const record = TOKEN_DANGERS.get(danger.rule.id) as Rule;
    const position = grantPosition(danger.grant);
    // The grant's worth, not the rule's: a token that may only get pods/exec is worth less than one that may create it.
    deductions.push(factDeduction(record, `its pods ${mounts} for ${who}, which may ${danger.requests.join(", ")} (${grantWords(danger.grant)}; see ${danger.rule.id})`, { severity: danger.severity, ...(position ? { position } : {}) }));
  }
  if (path) {
    const steps = path.map((e) => `${e.detail} -> ${describeNode(context.escalation, e.to)}`).join("; then ");
    deductions.push(factDeduction(TOKEN_REACHES_CLUSTER_ADMIN, `its pods ${mounts} for ${who}, which reaches cluster-admin in ${path.length} step${path.length === 1 ? "" : "s"}: ${steps}`));
  }
  return { deductions, facts };
}

/** ServiceAccount objects by `namespace/name`. */
export function serviceAccountsOf(objects: Iterable<{ object: K8sObject }>): Map<string, K8sObject> {
  const accounts = new Map<string, K8sObject>();
  for (const { object } of objects) {
    if (object.kind !== "ServiceAccount" || object.apiVersion !== "v1" || !isRecord(object.metadata) || typeof object.metadata.name !== "string") continue;
    accounts.set(`${object.metadata.namespace ?? "default"}/${object.metadata.name}`, object);
  }
  return accounts;
}
