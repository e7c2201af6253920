/**
 * The dangerous requests the RBAC family looks for (read Secrets, create pods, exec,
 * impersonate, bind, ...), and what one rule, or what one user through every binding,
 * allows of them. Each probe is a request as the API server would authorize it, judged
 * by upstream's RuleAllows (matching.ts) or by the authorizer itself.
 */
import { severityRank, type Rule, type Severity } from "../../findings/types.js";
import type { Grant, RbacAuthorizer } from "./authorizer.js";
import { ruleAllows } from "./matching.js";
import { isNamespaceObjectRequest } from "./namespace-object.js";
import * as R from "./rules.js";
import { resolveResource } from "./resources.js";
import { splitServiceAccountUsername } from "./subjects.js";
import { RBAC_GROUP, type PolicyRule, type UserInfo } from "./types.js";

export interface Probe {
  verbs: string[];
  group: string;
  resource: string;
  sub?: string;
  /**
   * The subresource is a key the client picks: the impersonation filter authorizes
   * Impersonate-Extra-KEY as impersonate on userextras with subresource KEY, so only rules
   * naming userextras/KEY, the star with /KEY, or the star alone allow it (a bare userextras allows no extra at all).
   */
  anySubresource?: true;
  /**
   * Object names the API server never asks this request with, so a rule limited to them
   * allows nothing of it: the impersonation filter asks a service-account user name as serviceaccounts, not users.
   */
  neverNamed?: (name: string) => boolean;
  /** Below the rule's own severity when this request alone is worth less. */
  severity?: Severity;
  /** Why it is worth less, said when nothing worth more is allowed beside it. */
  note?: string;
}

interface Danger {
  rule: Rule;
  probes: Probe[];
}

const GET_EXEC_NOTE =
  "get alone opens an exec or attach WebSocket only on clusters before v1.35, or with the feature gate AuthorizePodWebsocketUpgradeCreatePermission off: from v1.35 the API server also asks for create";

const p = (verbs: string[], group: string, resource: string, sub?: string): Probe => (sub ? { verbs, group, resource, sub } : { verbs, group, resource });
const WRITE = ["create", "update", "patch"];

export const DANGERS: Danger[] = [
  { rule: R.READ_SECRETS, probes: [p(["get", "list", "watch"], "", "secrets")] },
  {
    rule: R.CREATE_PODS,
    probes: [p(["create"], "", "pods"), p(["create"], "", "replicationcontrollers"), ...["deployments", "daemonsets", "statefulsets", "replicasets"].map((r) => p(["create"], "apps", r)), p(["create"], "batch", "jobs"), p(["create"], "batch", "cronjobs")],
  },
  {
    rule: R.POD_EXEC,
    // A WebSocket upgrade is a GET; from v1.35 the apiserver also asks for create on it
    // (feature gate AuthorizePodWebsocketUpgradeCreatePermission, beta and on by default; kubernetes/kubernetes#134577).
    probes: ["exec", "attach"].flatMap((sub) => [p(["create"], "", "pods", sub), { ...p(["get"], "", "pods", sub), severity: "medium" as const, note: GET_EXEC_NOTE }]).concat(p(["patch", "update"], "", "pods", "ephemeralcontainers")),
  },
  {
    rule: R.IMPERSONATE,
    probes: [
      { ...p(["impersonate"], "", "users"), neverNamed: (name) => splitServiceAccountUsername(name) !== undefined },
      p(["impersonate"], "", "groups"),
      // A service account's power, no more: what creating a pod that runs as it already gives
      // (high), and rbac/escalation-path follows any account that leads further.
      { ...p(["impersonate"], "", "serviceaccounts"), severity: "high" },
      { ...p(["impersonate"], "authentication.k8s.io", "userextras"), anySubresource: true },
      p(["impersonate"], "authentication.k8s.io", "uids"),
    ],
  },
  { rule: R.BIND_ESCALATE, probes: [p(["bind", "escalate"], RBAC_GROUP, "roles"), p(["bind", "escalate"], RBAC_GROUP, "clusterroles")] },
  { rule: R.WRITE_RBAC, probes: ["roles", "clusterroles", "rolebindings", "clusterrolebindings"].map((r) => p(WRITE, RBAC_GROUP, r)) },
  {
    rule: R.WRITE_WEBHOOKS,
    probes: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"].map((r) =>
      p([...WRITE, "delete"], "admissionregistration.k8s.io", r),
    ),
  },
  {
    rule: R.WRITE_API_DEFINITIONS,
    probes: [
      p(WRITE, "apiregistration.k8s.io", "apiservices"),
      p(WRITE, "apiextensions.k8s.io", "customresourcedefinitions"),
      // Deleting takes an API away (a CRD's objects with it): a lost guard rail or an outage, not a view of traffic.
      { ...p(["delete"], "apiregistration.k8s.io", "apiservices"), severity: "medium" },
      { ...p(["delete"], "apiextensions.k8s.io", "customresourcedefinitions"), severity: "medium" },
    ],
  },
  { rule: R.NODES_PROXY, probes: [p(["get", "create"], "", "nodes", "proxy")] },
  {
    rule: R.CSR_APPROVE,
    probes: [
      p(["update"], "certificates.k8s.io", "certificatesigningrequests", "approval"),
      p(["approve"], "certificates.k8s.io", "signers"),
      // Writing status.certificate mints nothing without the signer's private key, which RBAC does not give.
      { ...p(["update"], "certificates.k8s.io", "certificatesigningrequests", "status"), severity: "medium" },
      { ...p(["sign"], "certificates.k8s.io", "signers"), severity: "medium" },
    ],
  },
  { rule: R.SERVICE_ACCOUNT_TOKEN, probes: [p(["create"], "", "serviceaccounts", "token")] },
  { rule: R.CREATE_PERSISTENT_VOLUMES, probes: [p(["create"], "", "persistentvolumes")] },
  { rule: R.NAMESPACE_LABELS, probes: [p(["patch", "update"], "", "namespaces")] },
];

/** The rules of the dangerous grants, in DANGERS order. */
export const DANGER_RULES: readonly Rule[] = DANGERS.map((danger) => danger.rule);

/** A probe of requests on one Namespace object, which the apiserver reads as requests in that namespace (namespace-object.ts). */
const isNamespaceObject = (probe: Probe, verb: string) => probe.group === "" && isNamespaceObjectRequest({ verb, apiGroup: probe.group, resource: probe.resource, subresource: probe.sub ?? "" });

/** Whether the probe's resource lives in namespaces (unknown ones are taken to). */
const isNamespaced = (probe: Probe) => resolveResource(probe.group ? `${probe.resource}.${probe.group}` : probe.resource).namespaced !== false;

/** A subresource no rule names: matched only by a rule's `*`. */
const ANY_KEY = "\u0000any key";

/**
 * The subresources to ask `probe` with: its own, or for a key the client picks, every key
 * `resources` (a rule's, or every rule a user holds) name for it, and one that only `*` matches.
 */
function subresourcesToTry(probe: Probe, resources: readonly string[]): string[] {
  if (!probe.anySubresource) return [probe.sub ?? ""];
  const keys = new Set<string>();
  for (const resource of resources) {
    if (resource === "*") keys.add(ANY_KEY);
    const slash = resource.indexOf("/");
    const head = resource.slice(0, slash);
    if (slash > 0 && slash < resource.length - 1 && (head === probe.resource || head === "*")) keys.add(resource.slice(slash + 1));
  }
  return [...keys];
}

function describeRequest(verb: string, probe: Probe, sub: string, withGroup: boolean): string {
  const shown = sub === ANY_KEY ? "<any key>" : sub;
  return `${verb} ${probe.resource}${shown ? `/${shown}` : ""}${withGroup && probe.group ? `.${probe.group}` : ""}`;
}

/**
 * Whether the API server's request carries an object name a rule's resourceNames can match:
 * not a create on a collection (POST /namespaces/NS/pods names no object yet, so upstream
 * documents that create cannot be restricted by resourceName), unlike a create on a named
 * object's subresource (pods/NAME/exec, serviceaccounts/NAME/token).
 */
function carriesName(verb: string, sub: string): boolean {
  return !(sub === "" && (verb === "create" || verb === "deletecollection"));
}

/** A name of the rule's resourceNames (any, "", when it has none) the probe's request may carry; undefined when none. */
function nameToAsk(rule: PolicyRule, probe: Probe): string | undefined {
  if (rule.resourceNames.length === 0) return "";
  return rule.resourceNames.find((name) => !probe.neverNamed?.(name));
}

/**
 * The requests of `probe` that `rule` allows for some object name: `get secrets`, `create pods/exec`...
 * `roleNamespace`: the rule is a Role's, so it applies only to requests in that namespace: on
 * the Namespace object, only to that namespace itself.
 */
export function dangerousRequests(rule: PolicyRule, probe: Probe, roleNamespace?: string): string[] {
  const hits: string[] = [];
  for (const verb of probe.verbs) {
    const namespaceObject = roleNamespace !== undefined && isNamespaceObject(probe, verb);
    // In a namespace, a cluster-scoped request is never made: but for the Namespace object itself.
    if (roleNamespace !== undefined && !namespaceObject && !isNamespaced(probe)) continue;
    for (const sub of subresourcesToTry(probe, rule.resources)) {
      const name = namespaceObject ? roleNamespace : carriesName(verb, sub) ? nameToAsk(rule, probe) : "";
      if (name === undefined) continue;
      const request = { kind: "resource" as const, verb, apiGroup: probe.group, resource: probe.resource, subresource: sub, name, namespace: roleNamespace ?? "ns" };
      if (ruleAllows(request, rule)) hits.push(describeRequest(verb, probe, sub, true));
    }
  }
  return hits;
}

export interface HeldDanger {
  rule: Rule;
  /** The dangerous requests allowed, with where: `get secrets in team-a`, `create pods cluster-wide`. */
  requests: string[];
  /** The grant that allows the first of them. */
  grant: Grant;
  /** What the requests held are worth: below the rule's severity when only lesser ones are (get pods/exec alone). */
  severity: Severity;
}

/**
 * The dangerous requests `user` is allowed, in `namespace` (namespaced resources, and the
 * Namespace object `namespace` itself) or cluster-wide: what a workload's ServiceAccount token is worth to whoever steals it.
 * Judged by the authorizer, so bindings, aggregation and bootstrap roles all count.
 */
export function heldDangers(authorizer: RbacAuthorizer, user: UserInfo, namespace: string): HeldDanger[] {
  const held: HeldDanger[] = [];
  // The keys of Impersonate-Extra-KEY worth asking about are those the user's rules name.
  let resources: string[] | undefined;
  const heldResources = () => (resources ??= authorizer.grantsAnywhere(user).flatMap((g) => g.rule.rule.resources));
  for (const danger of DANGERS) {
    const requests: string[] = [];
    let first: Grant | undefined;
    let severity: Severity | undefined;
    for (const probe of danger.probes) {
      const namespaced = isNamespaced(probe);
      for (const verb of probe.verbs) {
        for (const sub of subresourcesToTry(probe, probe.anySubresource ? heldResources() : [])) {
          // A request on one Namespace object carries that namespace as its own (the apiserver's
          // RequestInfoFactory.NewRequestInfo reads /api/v1/namespaces/{name} as namespace {name}),
          // so a RoleBinding in a namespace grants patch on that namespace itself.
          const ownNamespaceObject = isNamespaceObject(probe, verb);
          const base = { kind: "resource" as const, verb, apiGroup: probe.group, resource: probe.resource, subresource: sub, name: "" };
          const everywhere = authorizer.authorize(user, { ...base, namespace: "" });
          const here = everywhere.allowed ? undefined : namespaced ? { ...base, namespace } : ownNamespaceObject ? { ...base, namespace, name: namespace } : undefined;
          const decision = here ? authorizer.authorize(user, here) : everywhere;
          if (!decision.allowed) continue;
          const where = everywhere.allowed ? (namespaced ? " in every namespace" : "") : namespaced ? ` in ${namespace}` : ` (namespace ${namespace} itself)`;
          requests.push(`${describeRequest(verb, probe, sub, false)}${where}`);
          const worth = probe.severity ?? danger.rule.severity;
          if (!severity || severityRank(worth) > severityRank(severity)) severity = worth;
          if (!first && !decision.superuser) first = decision.grant;
        }
      }
    }
    if (first && severity && requests.length > 0) held.push({ rule: danger.rule, requests, grant: first, severity });
  }
  return held;
}
