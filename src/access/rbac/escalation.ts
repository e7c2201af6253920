/**
 * The escalation graph: who can become whom. A node is a subject (User, Group,
 * ServiceAccount) or CLUSTER_ADMIN, the node for cluster-admin-equivalent power. An edge
 * S -> T says S may obtain T's permissions (or cluster-admin's) with what RBAC grants S;
 * each edge is decided by the authorizer itself, so it holds exactly when the apiserver
 * would allow the steps. The shortest path from every subject to CLUSTER_ADMIN is found
 * by one breadth-first search backwards from CLUSTER_ADMIN.
 */
import type { Grant, RbacAuthorizer } from "./authorizer.js";
import { impersonatedUser, serviceAccountUsername, subjectKey } from "./subjects.js";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, RBAC_GROUP, SYSTEM_MASTERS, type RequestAttributes, type Subject, type UserInfo } from "./types.js";

export const CLUSTER_ADMIN = "cluster-admin";

export type EdgeKind =
  | "superuser"
  | "wildcard"
  | "impersonate"
  | "create-pods"
  | "exec"
  | "token-request"
  | "read-token-secret"
  | "bind"
  | "escalate"
  | "approve-csr"
  | "sign-csr"
  | "nodes-proxy";

export interface EscalationEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** What the step is, in words. */
  detail: string;
  /** The grant that allows the (first) request of the step; absent for system:masters membership. */
  grant?: Grant;
}

export interface EscalationGraph {
  nodes: Map<string, Subject | typeof CLUSTER_ADMIN>;
  edges: EscalationEdge[];
  /** For every subject that can reach CLUSTER_ADMIN: the edges of one shortest path. */
  paths: Map<string, EscalationEdge[]>;
}

/** A resource name no rule names: "any object of this kind" for requests that need a name. */
const ANY_NAME = "\u0000any";
const WORKLOADS: Array<[string, string]> = [
  ["", "pods"],
  ["apps", "deployments"],
  ["apps", "daemonsets"],
  ["apps", "statefulsets"],
  ["apps", "replicasets"],
  ["batch", "jobs"],
  ["batch", "cronjobs"],
  ["", "replicationcontrollers"],
];

function res(verb: string, apiGroup: string, resource: string, options: { sub?: string; name?: string; ns?: string } = {}): RequestAttributes {
  return { kind: "resource", verb, apiGroup, resource, subresource: options.sub ?? "", name: options.name ?? "", namespace: options.ns ?? "" };
}

/** The user info a subject acts with when it uses its own permissions. */
export function userOfSubject(subject: Subject): UserInfo {
  if (subject.kind === "ServiceAccount") return impersonatedUser(serviceAccountUsername(subject.namespace ?? "", subject.name));
  if (subject.kind === "User") return impersonatedUser(subject.name);
  // A group stands for any of its members: a member no User binding names, holding the group.
  const groups = subject.name === ALL_UNAUTHENTICATED || subject.name === ALL_AUTHENTICATED ? [subject.name] : [subject.name, ALL_AUTHENTICATED];
  return { name: "\u0000member-of-group", groups };
}

export function buildEscalationGraph(authorizer: RbacAuthorizer): EscalationGraph {
  const policy = authorizer.policy;
  const nodes = new Map<string, Subject | typeof CLUSTER_ADMIN>([[CLUSTER_ADMIN, CLUSTER_ADMIN]]);
  const addNode = (subject: Subject) => nodes.set(subjectKey(subject), subject);
  for (const subject of authorizer.boundSubjects()) addNode(subject);
  const serviceAccount = (namespace: string, name: string): Subject => ({ kind: "ServiceAccount", name, namespace });
  for (const id of policy.serviceAccounts) {
    const [namespace, name] = id.split("/") as [string, string];
    addNode(serviceAccount(namespace, name));
  }
  for (const p of policy.podServiceAccounts) addNode(serviceAccount(p.namespace, p.serviceAccount));
  for (const s of policy.serviceAccountTokenSecrets) addNode(serviceAccount(s.namespace, s.serviceAccount));

  const subjects = [...nodes.values()].filter((n): n is Subject => n !== CLUSTER_ADMIN);
  const accountsByNamespace = new Map<string, Subject[]>();
  for (const s of subjects) {
    if (s.kind !== "ServiceAccount") continue;
    const list = accountsByNamespace.get(s.namespace ?? "") ?? [];
    list.push(s);
    accountsByNamespace.set(s.namespace ?? "", list);
  }

  const edges: EscalationEdge[] = [];
  for (const subject of subjects) {
    const from = subjectKey(subject);
    const user = userOfSubject(subject);
    const allow = (request: RequestAttributes): Grant | false | "superuser" => {
      const decision = authorizer.authorize(user, request);
      if (!decision.allowed) return false;
      return decision.superuser ? "superuser" : decision.grant;
    };
    const add = (to: string, kind: EdgeKind, detail: string, grant: Grant | "superuser") => {
      const edge: EscalationEdge = { from, to, kind, detail };
      if (grant !== "superuser") edge.grant = grant;
      edges.push(edge);
    };

    if (user.groups.includes(SYSTEM_MASTERS)) {
      add(CLUSTER_ADMIN, "superuser", `member of ${SYSTEM_MASTERS}`, "superuser");
      continue;
    }
    const wildcard = allow(res("*", "*", "*"));
    if (wildcard) add(CLUSTER_ADMIN, "wildcard", "holds every verb on every resource cluster-wide", wildcard);

    // Impersonation: of system:masters (with any user name), of users, groups and service accounts.
    const anyUser = allow(res("impersonate", "", "users", { name: ANY_NAME }));
    const masters = allow(res("impersonate", "", "groups", { name: SYSTEM_MASTERS }));
    if (anyUser && masters) add(CLUSTER_ADMIN, "impersonate", `impersonate group ${SYSTEM_MASTERS}`, masters);
    for (const target of subjects) {
      if (target === subject) continue;
      let grant: Grant | false | "superuser" = false;
      if (target.kind === "User") grant = allow(res("impersonate", "", "users", { name: target.name }));
      else if (target.kind === "Group" && anyUser) grant = allow(res("impersonate", "", "groups", { name: target.name }));
      else if (target.kind === "ServiceAccount") grant = allow(res("impersonate", "", "serviceaccounts", { name: target.name, ns: target.namespace ?? "" }));
      if (grant) add(subjectKey(target), "impersonate", `impersonate ${target.kind} ${describeTarget(target)}`, grant);
    }

    for (const [namespace, accounts] of accountsByNamespace) {
      let podGrant: Grant | false | "superuser" = false;
      let workload = "";
      for (const [group, resource] of WORKLOADS) {
        podGrant = allow(res("create", group, resource, { ns: namespace }));
        if (podGrant) {
          workload = resource;
          break;
        }
      }
      const running = new Set(policy.podServiceAccounts.filter((p) => p.namespace === namespace).map((p) => p.serviceAccount));
      const execGrant = running.size > 0 ? allow(res("create", "", "pods", { sub: "exec", ns: namespace, name: ANY_NAME })) : false;
      const createSecrets = allow(res("create", "", "secrets", { ns: namespace }));
      const readAnySecret = createSecrets ? allow(res("get", "", "secrets", { ns: namespace, name: ANY_NAME })) : false;
      for (const target of accounts) {
        if (target === subject) continue;
        const to = subjectKey(target);
        if (podGrant) add(to, "create-pods", `create ${workload} in ${namespace} running as ServiceAccount ${target.name}`, podGrant);
        if (execGrant && running.has(target.name)) add(to, "exec", `exec into a pod of ${namespace} running as ServiceAccount ${target.name}`, execGrant);
        const token = allow(res("create", "", "serviceaccounts", { sub: "token", name: target.name, ns: namespace }));
        if (token) add(to, "token-request", `create a token for ServiceAccount ${namespace}/${target.name}`, token);
        const secret = policy.serviceAccountTokenSecrets.find((s) => s.namespace === namespace && s.serviceAccount === target.name && allow(res("get", "", "secrets", { name: s.name, ns: namespace })));
        if (secret) add(to, "read-token-secret", `read token Secret ${namespace}/${secret.name}`, allow(res("get", "", "secrets", { name: secret.name, ns: namespace })) as Grant);
        else if (createSecrets && readAnySecret) add(to, "read-token-secret", `create a service-account-token Secret for ${namespace}/${target.name} and read it`, createSecrets);
      }
    }

    const bindAdmin = allow(res("bind", RBAC_GROUP, "clusterroles", { name: "cluster-admin" }));
    const createCrb = bindAdmin ? allow(res("create", RBAC_GROUP, "clusterrolebindings")) : false;
    if (bindAdmin && createCrb) add(CLUSTER_ADMIN, "bind", "create a ClusterRoleBinding to cluster-admin (bind on cluster-admin)", bindAdmin);
    const escalate = allow(res("escalate", RBAC_GROUP, "clusterroles", { name: ANY_NAME }));
    const updateRole = escalate ? allow(res("update", RBAC_GROUP, "clusterroles", { name: ANY_NAME })) || allow(res("patch", RBAC_GROUP, "clusterroles", { name: ANY_NAME })) : false;
    const holdsClusterRole = authorizer.rulesFor(user, "").some((g) => g.binding.kind === "ClusterRoleBinding" && g.binding.roleRef.kind === "ClusterRole");
    if (escalate && updateRole && (holdsClusterRole || createCrb)) add(CLUSTER_ADMIN, "escalate", "rewrite a ClusterRole bound to it with every permission (escalate + update clusterroles)", escalate);

    const createCsr = allow(res("create", "certificates.k8s.io", "certificatesigningrequests"));
    if (createCsr) {
      const signer = { name: "kubernetes.io/kube-apiserver-client" };
      const approve = allow(res("approve", "certificates.k8s.io", "signers", signer)) || allow(res("approve", "certificates.k8s.io", "signers", { name: "kubernetes.io/*" }));
      const approval = allow(res("update", "certificates.k8s.io", "certificatesigningrequests", { sub: "approval", name: ANY_NAME }));
      if (approve && approval) add(CLUSTER_ADMIN, "approve-csr", `approve a kube-apiserver-client certificate for group ${SYSTEM_MASTERS}`, approval);
      const sign = allow(res("sign", "certificates.k8s.io", "signers", signer)) || allow(res("sign", "certificates.k8s.io", "signers", { name: "kubernetes.io/*" }));
      const status = allow(res("update", "certificates.k8s.io", "certificatesigningrequests", { sub: "status", name: ANY_NAME }));
      if (sign && status) add(CLUSTER_ADMIN, "sign-csr", `sign a kube-apiserver-client certificate for group ${SYSTEM_MASTERS}`, status);
    }
    const nodesProxy = allow(res("get", "", "nodes", { sub: "proxy", name: ANY_NAME })) || allow(res("create", "", "nodes", { sub: "proxy", name: ANY_NAME }));
    if (nodesProxy) add(CLUSTER_ADMIN, "nodes-proxy", "run commands in any pod through the kubelet API (nodes/proxy)", nodesProxy);
  }

  return { nodes, edges, paths: shortestPathsToAdmin(nodes, edges) };
}

/** Breadth-first from CLUSTER_ADMIN over reversed edges; edge order keeps the result deterministic. */
function shortestPathsToAdmin(nodes: Map<string, unknown>, edges: EscalationEdge[]): Map<string, EscalationEdge[]> {
  const incoming = new Map<string, EscalationEdge[]>();
  for (const edge of edges) {
    const list = incoming.get(edge.to) ?? [];
    list.push(edge);
    incoming.set(edge.to, list);
  }
  const next = new Map<string, EscalationEdge>();
  const queue = [CLUSTER_ADMIN];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as string;
    for (const edge of incoming.get(node) ?? []) {
      if (seen.has(edge.from)) continue;
      seen.add(edge.from);
      next.set(edge.from, edge);
      queue.push(edge.from);
    }
  }
  const paths = new Map<string, EscalationEdge[]>();
  for (const id of nodes.keys()) {
    if (id === CLUSTER_ADMIN || !next.has(id)) continue;
    const path: EscalationEdge[] = [];
    for (let at = id; at !== CLUSTER_ADMIN; ) {
      const edge = next.get(at) as EscalationEdge;
      path.push(edge);
      at = edge.to;
    }
    paths.set(id, path);
  }
  return paths;
}

function describeTarget(subject: Subject): string {
  return subject.kind === "ServiceAccount" ? `${subject.namespace}/${subject.name}` : subject.name;
}

/** `User alice`, `ServiceAccount ns/name`, or `cluster-admin` for a node id. */
export function describeNode(graph: EscalationGraph, id: string): string {
  const node = graph.nodes.get(id);
  if (!node || node === CLUSTER_ADMIN) return id;
  return `${node.kind} ${describeTarget(node)}`;
}
