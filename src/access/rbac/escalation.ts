/**
 * The escalation graph: who can become whom. A node is a subject (User, Group,
 * ServiceAccount) or CLUSTER_ADMIN, the node for cluster-admin-equivalent power. An edge
 * S -> T says S may obtain T's permissions (or cluster-admin's) with what RBAC grants S;
 * each edge is decided by the authorizer itself, so it holds exactly when the apiserver
 * would allow the steps. The shortest path from every subject to CLUSTER_ADMIN is found
 * by one breadth-first search backwards from CLUSTER_ADMIN.
 */
import type { Grant, RbacAuthorizer } from "./authorizer.js";
import { ANY_NAME, impersonableIdentity, impersonateUserRequest } from "./impersonation.js";
import { impersonatedUser, serviceAccountUsername, subjectKey } from "./subjects.js";
import { describeTokenSecretStep, SECRET_READS, tokenSecretStep, type TokenSecretStep } from "./token-secret-step.js";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, RBAC_GROUP, SYSTEM_MASTERS, type BindingDef, type RequestAttributes, type Subject, type UserInfo } from "./types.js";

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
  | "nodes-proxy";

export interface EscalationEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** What the step is, in words. */
  detail: string;
  /** The grant that allows the (first) request of the step; absent for system:masters membership and hub fan-out. */
  grant?: Grant;
  /** Steps that cost nothing: from a namespace hub to each service account it reaches. */
  free?: boolean;
}

/**
 * A namespace hub stands for "a pod of namespace N, as any of its service accounts":
 * whoever can create pods (or exec, or mint token Secrets) in N reaches the hub once, and
 * the hub reaches each account for free. This keeps the graph linear in subjects plus
 * accounts instead of their product.
 */
export interface NamespaceHub {
  kind: "hub";
  namespace: string;
  via: "create-pods" | "exec" | "read-token-secret";
}

export type GraphNode = Subject | NamespaceHub | typeof CLUSTER_ADMIN;

export function isHub(node: GraphNode | undefined): node is NamespaceHub {
  return typeof node === "object" && node.kind === "hub";
}

export interface EscalationGraph {
  nodes: Map<string, GraphNode>;
  edges: EscalationEdge[];
  /** For every subject that can reach CLUSTER_ADMIN: the edges of one shortest path (hub steps folded into one). */
  paths: Map<string, EscalationEdge[]>;
}

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
  const nodes = new Map<string, GraphNode>([[CLUSTER_ADMIN, CLUSTER_ADMIN]]);
  const addNode = (subject: Subject) => nodes.set(subjectKey(subject), subject);
  for (const subject of authorizer.boundSubjects()) addNode(subject);
  const serviceAccount = (namespace: string, name: string): Subject => ({ kind: "ServiceAccount", name, namespace });
  for (const id of policy.serviceAccounts) {
    const [namespace, name] = id.split("/") as [string, string];
    addNode(serviceAccount(namespace, name));
  }
  for (const p of policy.podServiceAccounts) addNode(serviceAccount(p.namespace, p.serviceAccount));
  for (const s of policy.serviceAccountTokenSecrets) addNode(serviceAccount(s.namespace, s.serviceAccount));

  const subjects = [...nodes.values()].filter((n): n is Subject => n !== CLUSTER_ADMIN && !isHub(n));
  const accountsByNamespace = new Map<string, Subject[]>();
  for (const s of subjects) {
    if (s.kind !== "ServiceAccount") continue;
    const list = accountsByNamespace.get(s.namespace ?? "") ?? [];
    list.push(s);
    accountsByNamespace.set(s.namespace ?? "", list);
  }

  const edges: EscalationEdge[] = [];
  const running = new Map<string, Set<string>>();
  for (const p of policy.podServiceAccounts) running.set(p.namespace, (running.get(p.namespace) ?? new Set()).add(p.serviceAccount));
  const tokenSecrets = new Map<string, string[]>();
  for (const s of policy.serviceAccountTokenSecrets) tokenSecrets.set(`${s.namespace}/${s.serviceAccount}`, [...(tokenSecrets.get(`${s.namespace}/${s.serviceAccount}`) ?? []), s.name]);
  /** The hub of a namespace for one way in, created with its free steps on first use. */
  const hubFor = (namespace: string, via: NamespaceHub["via"]): string => {
    const id = `hub:${via}:${namespace}`;
    if (nodes.has(id)) return id;
    nodes.set(id, { kind: "hub", namespace, via });
    const accounts = accountsByNamespace.get(namespace) ?? [];
    const reachable = via === "exec" ? accounts.filter((a) => running.get(namespace)?.has(a.name)) : accounts;
    for (const account of reachable) {
      // A pod runs as the account; a token Secret is made for it.
      edges.push({ from: id, to: subjectKey(account), kind: via, detail: `${via === "read-token-secret" ? "for" : "running as"} ServiceAccount ${account.name}`, free: true });
    }
    return id;
  };
  /** The hub of every namespace for one way in: free steps to each namespace's hub. */
  const allNamespacesHub = (via: NamespaceHub["via"]): string => {
    const id = `hub:${via}:*`;
    if (nodes.has(id)) return id;
    nodes.set(id, { kind: "hub", namespace: "*", via });
    for (const namespace of accountsByNamespace.keys()) {
      if (via === "exec" && !running.has(namespace)) continue;
      edges.push({ from: id, to: hubFor(namespace, via), kind: via, detail: `in ${namespace}`, free: true });
    }
    return id;
  };
  // Bindings of cluster-admin that an update may extend; every cluster has upstream's `cluster-admin` ClusterRoleBinding.
  const ofAdmin = (b: BindingDef) => b.roleRef.kind === "ClusterRole" && b.roleRef.name === CLUSTER_ADMIN;
  const adminClusterRoleBindings = policy.clusterRoleBindings.filter(ofAdmin).map((b) => b.name);
  if (!policy.clusterRoleBindings.some((b) => b.name === CLUSTER_ADMIN)) adminClusterRoleBindings.push(CLUSTER_ADMIN);
  const adminRoleBindings = new Map<string, string[]>();
  for (const b of policy.roleBindings.filter(ofAdmin)) adminRoleBindings.set(b.namespace ?? "", [...(adminRoleBindings.get(b.namespace ?? "") ?? []), b.name]);
  for (const subject of subjects) {
    const from = subjectKey(subject);
    const user = userOfSubject(subject);
    const decide = authorizer.authorizerFor(user);
    const allow = (request: RequestAttributes): Grant | false | "superuser" => {
      const decision = decide(request);
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
    // What the subject holds anywhere bounds what is worth asking: no verb, no edge.
    const held = authorizer.grantsAnywhere(user);
    if (held.length === 0) continue;
    const verbs = new Set(held.flatMap((g) => g.rule.rule.verbs));
    const mayDo = (verb: string) => verbs.has(verb) || verbs.has("*");
    /** Whether any held rule could allow `verb` on `resource` (group, namespace and name aside): a cheap superset test. */
    const mayHold = (verb: string, resource: string): boolean => {
      const slash = resource.indexOf("/");
      const wildSub = slash >= 0 ? `*/${resource.slice(slash + 1)}` : undefined;
      return held.some(({ rule: { rule } }) => (rule.verbs.includes(verb) || rule.verbs.includes("*")) && rule.resources.some((r) => r === "*" || r === resource || r === wildSub));
    };
    const clusterWide = held.some((g) => g.binding.kind === "ClusterRoleBinding");
    const grantedNamespaces = new Set(held.map((g) => g.binding.namespace ?? ""));
    const wildcard = allow(res("*", "*", "*"));
    if (wildcard) add(CLUSTER_ADMIN, "wildcard", "holds every verb on every resource cluster-wide", wildcard);

    // Impersonation: of system:masters (with any user it may be), of users, groups and service accounts.
    const impersonates = mayDo("impersonate");
    // Groups ride along with a user or service account: any one the subject may be will do.
    const identity = impersonates ? impersonableIdentity(held, allow) : undefined;
    const masters = identity && allow(res("impersonate", "", "groups", { name: SYSTEM_MASTERS }));
    if (identity && masters) add(CLUSTER_ADMIN, "impersonate", `impersonate ${identity.describe} with group ${SYSTEM_MASTERS}`, masters);
    for (const target of impersonates ? subjects : []) {
      if (target === subject) continue;
      let grant: Grant | false | "superuser" = false;
      // The filter asks by the user name's shape: a User named like a service account is asked as that account.
      if (target.kind === "User" || target.kind === "ServiceAccount") grant = allow(impersonateUserRequest(userOfSubject(target).name));
      else if (target.kind === "Group" && identity) grant = allow(res("impersonate", "", "groups", { name: target.name }));
      if (grant) add(subjectKey(target), "impersonate", `impersonate ${target.kind} ${describeTarget(target)}`, grant);
    }

    // A request with namespace "" is decided by ClusterRoleBindings alone, and what they allow
    // holds in every namespace: ask that once, then only the namespaces of the subject's RoleBindings.
    const workloads = mayHold("create", "pods") || mayHold("create", "*") ? WORKLOADS : WORKLOADS.filter(([, r]) => mayHold("create", r));
    const podsIn = (namespace: string): [Grant | "superuser", string] | undefined => {
      for (const [group, resource] of workloads) {
        const grant = allow(res("create", group, resource, { ns: namespace }));
        if (grant) return [grant, resource];
      }
      return undefined;
    };
    type Allowed = Grant | "superuser" | false;
    const execIn = (namespace: string): Allowed => (mayHold("create", "pods/exec") ? allow(res("create", "", "pods", { sub: "exec", ns: namespace, name: ANY_NAME })) : false);
    const secretsIn = (namespace: string): TokenSecretStep | undefined => (mayHold("create", "secrets") ? tokenSecretStep(namespace, held, allow) : undefined);
    const everywhere: { "create-pods": ReturnType<typeof podsIn>; exec: Allowed; "read-token-secret": TokenSecretStep | undefined } = {
      "create-pods": clusterWide ? podsIn("") : undefined,
      exec: clusterWide ? execIn("") : false,
      "read-token-secret": clusterWide ? secretsIn("") : undefined,
    };
    if (everywhere["create-pods"]) add(allNamespacesHub("create-pods"), "create-pods", `create ${everywhere["create-pods"][1]} in any namespace`, everywhere["create-pods"][0]);
    if (everywhere.exec) add(allNamespacesHub("exec"), "exec", "exec into any pod", everywhere.exec);
    const tokenSecretEverywhere = everywhere["read-token-secret"];
    if (tokenSecretEverywhere) add(allNamespacesHub("read-token-secret"), "read-token-secret", describeTokenSecretStep(tokenSecretEverywhere, "in any namespace"), tokenSecretEverywhere.grant);
    const mintsTokens = mayHold("create", "serviceaccounts/token");
    const readsSecrets = SECRET_READS.some((verb) => mayHold(verb, "secrets"));
    for (const [namespace, accounts] of mayDo("create") || SECRET_READS.some(mayDo) ? accountsByNamespace : new Map<string, Subject[]>()) {
      const local = grantedNamespaces.has(namespace);
      // Without a cluster-wide grant, only namespaces where the subject holds a RoleBinding can yield a step.
      if (!clusterWide && !local) continue;
      if (local && !everywhere["create-pods"]) {
        const pods = podsIn(namespace);
        if (pods) add(hubFor(namespace, "create-pods"), "create-pods", `create ${pods[1]} in ${namespace}`, pods[0]);
      }
      if (local && !everywhere.exec && running.has(namespace)) {
        const execGrant = execIn(namespace);
        if (execGrant) add(hubFor(namespace, "exec"), "exec", `exec into a pod of ${namespace}`, execGrant);
      }
      if (local && !everywhere["read-token-secret"]) {
        const step = secretsIn(namespace);
        if (step) add(hubFor(namespace, "read-token-secret"), "read-token-secret", describeTokenSecretStep(step, `in ${namespace}`), step.grant);
      }
      if (!mintsTokens && !readsSecrets) continue;
      for (const target of accounts) {
        if (target === subject) continue;
        const to = subjectKey(target);
        const token = mintsTokens ? allow(res("create", "", "serviceaccounts", { sub: "token", name: target.name, ns: namespace })) : false;
        if (token) add(to, "token-request", `create a token for ServiceAccount ${namespace}/${target.name}`, token);
        if (!readsSecrets) continue;
        // A list or watch narrowed to the Secret (fieldSelector metadata.name) carries its name, as a get does.
        secrets: for (const secret of tokenSecrets.get(`${namespace}/${target.name}`) ?? []) {
          for (const verb of SECRET_READS) {
            const read = allow(res(verb, "", "secrets", { name: secret, ns: namespace }));
            if (!read) continue;
            add(to, "read-token-secret", `${verb === "get" ? "read" : verb} token Secret ${namespace}/${secret}`, read);
            break secrets;
          }
        }
      }
    }

    const bindAdmin = mayDo("bind") ? allow(res("bind", RBAC_GROUP, "clusterroles", { name: "cluster-admin" })) : false;
    const createCrb = bindAdmin ? allow(res("create", RBAC_GROUP, "clusterrolebindings")) : false;
    if (bindAdmin && createCrb) add(CLUSTER_ADMIN, "bind", "create a ClusterRoleBinding to cluster-admin (bind on cluster-admin)", bindAdmin);
    else if (bindAdmin) {
      // bind on the role lets the update through the escalation check; roleRef is immutable, so
      // only a binding that already refers to cluster-admin can be edited to name the subject.
      const edit = mayDo("update") || mayDo("patch") ? editableBinding(adminClusterRoleBindings, "clusterrolebindings", "", allow) : undefined;
      if (edit) add(CLUSTER_ADMIN, "bind", `${edit.verb} ClusterRoleBinding ${edit.name} of cluster-admin to add itself (bind on cluster-admin)`, bindAdmin);
    }
    // cluster-admin bound in one namespace by a RoleBinding is worth every ServiceAccount of it.
    if (mayDo("bind") && !createCrb) {
      const bindIn = (namespace: string) => allow(res("bind", RBAC_GROUP, "clusterroles", { name: CLUSTER_ADMIN, ns: namespace }));
      const everywhereBind = clusterWide ? bindIn("") : false;
      const everywhereCreate = everywhereBind ? allow(res("create", RBAC_GROUP, "rolebindings", { ns: "" })) : false;
      if (everywhereBind && everywhereCreate) add(allNamespacesHub("create-pods"), "bind", "create a RoleBinding of cluster-admin (bind on cluster-admin) and create pods in any namespace", everywhereBind);
      for (const namespace of everywhereBind && everywhereCreate ? [] : accountsByNamespace.keys()) {
        if (!clusterWide && !grantedNamespaces.has(namespace)) continue;
        const bind = bindIn(namespace);
        if (!bind) continue;
        const create = allow(res("create", RBAC_GROUP, "rolebindings", { ns: namespace }));
        const edit = create ? undefined : editableBinding(adminRoleBindings.get(namespace) ?? [], "rolebindings", namespace, allow);
        if (!create && !edit) continue;
        const how = edit ? `${edit.verb} RoleBinding ${edit.name} of cluster-admin in ${namespace} to add itself` : `create a RoleBinding of cluster-admin in ${namespace}`;
        add(hubFor(namespace, "create-pods"), "bind", `${how} (bind on cluster-admin) and create pods there`, bind);
      }
    }
    const escalate = allow(res("escalate", RBAC_GROUP, "clusterroles", { name: ANY_NAME }));
    const updateRole = escalate ? allow(res("update", RBAC_GROUP, "clusterroles", { name: ANY_NAME })) || allow(res("patch", RBAC_GROUP, "clusterroles", { name: ANY_NAME })) : false;
    const holdsClusterRole = authorizer.rulesFor(user, "").some((g) => g.binding.kind === "ClusterRoleBinding" && g.binding.roleRef.kind === "ClusterRole");
    if (escalate && updateRole && (holdsClusterRole || createCrb)) add(CLUSTER_ADMIN, "escalate", "rewrite a ClusterRole bound to it with every permission (escalate + update clusterroles)", escalate);
    // The escalation check of a role update asks for escalate on the role's own name, so a
    // grant limited by resourceNames to a role bound to the subject is enough; a binding to a
    // role that does not exist yet is filled by creating it (escalate without a name).
    else if (mayDo("escalate")) {
      for (const { binding, role } of authorizer.bindingsOf(user)) {
        const resource = binding.roleRef.kind === "Role" ? "roles" : "clusterroles";
        const ns = binding.roleRef.kind === "Role" ? (binding.namespace ?? "") : "";
        const name = binding.roleRef.name;
        const grant = role ? allow(res("escalate", RBAC_GROUP, resource, { name, ns })) : allow(res("escalate", RBAC_GROUP, resource, { ns }));
        const write = !grant ? false : role ? allow(res("update", RBAC_GROUP, resource, { name, ns })) || allow(res("patch", RBAC_GROUP, resource, { name, ns })) : allow(res("create", RBAC_GROUP, resource, { ns }));
        if (!grant || !write) continue;
        const what = `${role ? "rewrite" : "create"} ${binding.roleRef.kind} ${ns ? `${ns}/` : ""}${name}, bound to it by ${binding.kind} ${binding.name}, with every permission (escalate + ${role ? "update" : "create"} ${resource})`;
        if (binding.kind === "ClusterRoleBinding") {
          add(CLUSTER_ADMIN, "escalate", what, grant);
          break;
        }
        add(hubFor(binding.namespace ?? "", "create-pods"), "escalate", `${what} and create pods in ${binding.namespace ?? ""}`, grant);
      }
    }

    // Signing (sign + certificatesigningrequests/status) is no step: a certificate written into
    // status is only worth something when made with the signer's private key, which RBAC never hands out.
    const createCsr = allow(res("create", "certificates.k8s.io", "certificatesigningrequests"));
    if (createCsr) {
      const signer = { name: "kubernetes.io/kube-apiserver-client" };
      const approve = allow(res("approve", "certificates.k8s.io", "signers", signer)) || allow(res("approve", "certificates.k8s.io", "signers", { name: "kubernetes.io/*" }));
      const approval = allow(res("update", "certificates.k8s.io", "certificatesigningrequests", { sub: "approval", name: ANY_NAME }));
      if (approve && approval) add(CLUSTER_ADMIN, "approve-csr", `approve a kube-apiserver-client certificate for group ${SYSTEM_MASTERS}`, approval);
    }
    const nodesProxy = allow(res("get", "", "nodes", { sub: "proxy", name: ANY_NAME })) || allow(res("create", "", "nodes", { sub: "proxy", name: ANY_NAME }));
    if (nodesProxy) add(CLUSTER_ADMIN, "nodes-proxy", "run commands in any pod through the kubelet API (nodes/proxy)", nodesProxy);
  }

  return { nodes, edges, paths: shortestPathsToAdmin(nodes, edges) };
}

/** The first of `names` (existing bindings) that `allow` lets the subject update or patch. */
function editableBinding(names: readonly string[], resource: "clusterrolebindings" | "rolebindings", namespace: string, allow: (request: RequestAttributes) => unknown): { verb: "update" | "patch"; name: string } | undefined {
  for (const name of names) {
    for (const verb of ["update", "patch"] as const) {
      if (allow(res(verb, RBAC_GROUP, resource, { name, ns: namespace }))) return { verb, name };
    }
  }
  return undefined;
}

/**
 * 0-1 breadth-first search from CLUSTER_ADMIN over reversed edges (free hub steps cost 0),
 * then each path is read forwards with a hub step folded into the step that entered it.
 */
function shortestPathsToAdmin(nodes: Map<string, GraphNode>, edges: EscalationEdge[]): Map<string, EscalationEdge[]> {
  const incoming = new Map<string, EscalationEdge[]>();
  for (const edge of edges) {
    const list = incoming.get(edge.to) ?? [];
    list.push(edge);
    incoming.set(edge.to, list);
  }
  const distance = new Map<string, number>([[CLUSTER_ADMIN, 0]]);
  const next = new Map<string, EscalationEdge>();
  const deque: string[] = [CLUSTER_ADMIN];
  let head = 0;
  const done = new Set<string>();
  while (head < deque.length) {
    const node = deque[head++] as string;
    if (done.has(node)) continue;
    done.add(node);
    const d = distance.get(node) as number;
    for (const edge of incoming.get(node) ?? []) {
      const cost = edge.free ? 0 : 1;
      const known = distance.get(edge.from);
      if (known !== undefined && known <= d + cost) continue;
      distance.set(edge.from, d + cost);
      next.set(edge.from, edge);
      // A zero-cost step goes to the front: keep the deque ordered by distance.
      if (cost === 0) deque.splice(head, 0, edge.from);
      else deque.push(edge.from);
    }
  }
  const paths = new Map<string, EscalationEdge[]>();
  for (const [id, node] of nodes) {
    if (node === CLUSTER_ADMIN || isHub(node) || !next.has(id)) continue;
    const path: EscalationEdge[] = [];
    for (let at = id; at !== CLUSTER_ADMIN; ) {
      const edge = next.get(at) as EscalationEdge;
      const target = nodes.get(edge.to);
      if (isHub(target)) {
        // Fold the free hub steps into the step that entered the first hub.
        let detail = edge.detail;
        let to = edge.to;
        while (isHub(nodes.get(to))) {
          const fanOut = next.get(to) as EscalationEdge;
          if (fanOut.detail.startsWith("in ")) detail = detail.replace(/ in any namespace$| any pod$/, (m) => (m === " any pod" ? ` a pod of ${fanOut.detail.slice(3)}` : ` ${fanOut.detail}`)).replace(/ in any namespace(?= and read it)/, ` ${fanOut.detail}`);
          else detail = `${detail} ${fanOut.detail}`;
          to = fanOut.to;
        }
        const folded: EscalationEdge = { from: edge.from, to, kind: edge.kind, detail };
        if (edge.grant) folded.grant = edge.grant;
        path.push(folded);
        at = to;
      } else {
        path.push(edge);
        at = edge.to;
      }
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
  if (isHub(node)) return `pods of ${node.namespace} (${node.via})`;
  return `${node.kind} ${describeTarget(node)}`;
}
