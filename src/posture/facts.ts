/**
 * The facts posture adds to the scan's findings, as rule records (`palisade rules
 * 'posture/*'` documents them): what each costs and how to mend it. The judgement behind
 * a token's worth is RBAC's: one record per dangerous grant the RBAC family knows, at its
 * severity.
 */
import { DANGER_RULES } from "../access/rbac/danger-probes.js";
import type { Pillar, Rule, Severity } from "../findings/types.js";
import { SEVERITY_POINTS } from "./scoring.js";
import type { Deduction, PosturePillar } from "./types.js";

const FAMILY = "posture";

// helpUri is required here (optional on Rule) so that a new fact cannot be added without its upstream reference.
function fact(id: string, title: string, pillar: Pillar, severity: Severity, description: string, remediation: string, helpUri: string): Rule {
  return { id: `posture/${id}`, title, family: FAMILY, pillar, severity, docs: { description, remediation, helpUri } };
}

export const DEFAULT_SERVICE_ACCOUNT = fact(
  "default-service-account",
  "Workload runs as its namespace's default ServiceAccount",
  "identity",
  "low",
  "Every workload of the namespace that names no account shares the `default` one: permissions granted for one are held by all, and the audit log cannot tell them apart.",
  "Give the workload its own ServiceAccount (spec.serviceAccountName), so its permissions and its audit trail are its own.",
  "https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts",
);

export const TOKEN_MOUNTED = fact(
  "token-mounted",
  "Pods mount a ServiceAccount token the snapshot grants nothing dangerous",
  "identity",
  "low",
  "The pods carry a token for their account (automountServiceAccountToken is not false). Nothing dangerous is granted to it in the snapshot, but a token a workload does not use is still a credential to steal, and worth whatever the account is granted later.",
  "Set automountServiceAccountToken: false on the pod (or the ServiceAccount) unless the workload calls the Kubernetes API.",
  "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
);

export const TOKEN_REACHES_CLUSTER_ADMIN = fact(
  "token-reaches-cluster-admin",
  "Pods mount a token whose account can reach cluster-admin",
  "identity",
  "critical",
  "The account's permissions lead, in one or more steps (creating pods that run as other accounts, binding roles, impersonating...), to cluster-admin, as `palisade rbac risks` finds the path: whoever takes over one pod takes over the cluster.",
  "Remove the grant that starts the path (rbac/escalation-path shows it), and set automountServiceAccountToken: false if the workload does not call the API.",
  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-distribution-of-privileged-tokens",
);

/** One record per dangerous grant: `posture/token-read-secrets` is a mounted token that may read Secrets. */
export const TOKEN_DANGERS: ReadonlyMap<string, Rule> = new Map(
  DANGER_RULES.map((rbac) => {
    const suffix = rbac.id.slice(rbac.id.indexOf("/") + 1);
    return [
      rbac.id,
      fact(
        `token-${suffix}`,
        `Pods mount a token whose account ${rbac.title.replace(/^Rule /, "")}`,
        "identity",
        rbac.severity,
        `The pods carry a token for an account that ${rbac.title.replace(/^Rule /, "")}, as ${rbac.id} judges a grant: ${rbac.docs.description}`,
        `${rbac.docs.remediation} Or set automountServiceAccountToken: false if the workload does not call the API.`,
        // The grant's own reference explains why it is dangerous; the general page on powerful tokens if it has none.
        rbac.docs.helpUri ?? "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-distribution-of-privileged-tokens",
      ),
    ];
  }),
);

export const PUBLISHED_TO_EVERY_ADDRESS = fact(
  "published-to-every-address",
  "Published outside the cluster, and every outside address may connect",
  "network",
  "medium",
  "A LoadBalancer or NodePort Service, an Ingress, a Gateway API route a Gateway accepts (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute, their mirrors and external authorizers included), host networking or host ports publish the workload outside the cluster, and nothing narrows who may connect: every address outside the cluster reaches its pods on the ports that way forwards to (a Service's target ports, a host port's container port; on the node's network, whatever the pod listens on). Policies that admit the outside only on other ports leave it unreachable that way. A publication that admits only some addresses itself (a LoadBalancer's loadBalancerSourceRanges, ingress-nginx's allow-list annotation) does not count. An ingress controller or Gateway relays every address it admits from its own pods, so a NetworkPolicy narrows a route only by shutting those pods out, which is checked when the input holds them (a Gateway's, by GEP-1762's gateway-name label); a Gateway then reaches outside only as far as its own pods are published (an internal one not at all; one behind source ranges to those).",
  "Allow ingress only from the addresses that need it (a NetworkPolicy ipBlock, or the load balancer's source ranges), or stop publishing it.",
  "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
);

export const EGRESS_TO_EVERY_ADDRESS = fact(
  "egress-to-every-address",
  "May connect to every address outside the cluster",
  "network",
  "low",
  "No policy isolates the workload's egress: it may connect to any address outside the cluster, a way out for data and for a compromised process to fetch its tools.",
  "Isolate egress with a NetworkPolicy that allows DNS and the destinations the workload needs.",
  "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic",
);

export const SECRET_IN_ENV = fact(
  "secret-in-env",
  "Secrets read into environment variables",
  "data",
  "low",
  "Environment variables are inherited by every process of the container and printed by crash reports, debug endpoints and `kubectl describe` of anything that copies them; a file is read only by whoever opens it.",
  "Mount the Secret as a file (a secret volume) and read it from there.",
  "https://kubernetes.io/docs/concepts/security/secrets-good-practices/#prefer-volume-mounts-over-environment-variables",
);

export const SECRETS_PLAINTEXT_AT_REST = fact(
  "secrets-plaintext-at-rest",
  "Reads Secrets the cluster stores in plaintext",
  "data",
  "critical",
  "The workload reads Secrets, and the scan found that the cluster writes Secrets to etcd in plaintext (encryption/secrets-not-encrypted or apiserver/encryption-at-rest): whoever reads etcd or its backups reads them. It costs what that finding's severity says.",
  "Encrypt Secrets at rest: an EncryptionConfiguration with aescbc, aesgcm, secretbox or kms v2 first for secrets (palisade encryption check).",
  "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/",
);

export const POSTURE_FACTS: readonly Rule[] = [DEFAULT_SERVICE_ACCOUNT, TOKEN_MOUNTED, ...TOKEN_DANGERS.values(), TOKEN_REACHES_CLUSTER_ADMIN, PUBLISHED_TO_EVERY_ADDRESS, EGRESS_TO_EVERY_ADDRESS, SECRET_IN_ENV, SECRETS_PLAINTEXT_AT_REST];

/** A deduction for a fact: its record's pillar, severity (unless the evidence sets one), points and remediation. */
export function factDeduction(rule: Rule, reason: string, extra: Partial<Pick<Deduction, "position" | "fieldPath" | "count" | "severity">> = {}): Deduction {
  const severity = extra.severity ?? rule.severity;
  return { pillar: rule.pillar as PosturePillar, points: SEVERITY_POINTS[severity], severity, ruleId: rule.id, reason, count: 1, remediation: rule.docs.remediation, ...extra };
}
