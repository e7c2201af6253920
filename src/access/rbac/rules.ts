/**
 * The rule records of the RBAC family: dangerous grants (each names the upstream-known
 * way it turns into more power), broad or dangling bindings, and escalation paths.
 */
import type { Rule, Severity } from "../../findings/types.js";

const FAMILY = "rbac";
const RBAC_GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

function rule(id: string, title: string, severity: Severity, description: string, remediation: string, anchor = ""): Rule {
  return { id: `rbac/${id}`, title, family: FAMILY, pillar: "identity", severity, docs: { description, remediation, helpUri: `${RBAC_GOOD_PRACTICES}${anchor}` } };
}

export const WILDCARD = rule(
  "wildcard",
  "Rule grants with a wildcard",
  "high",
  "A `*` in verbs, apiGroups, resources or nonResourceURLs grants everything that exists now and everything added later (new CRDs, new subresources, new verbs). `*` verbs on `*` resources in `*` groups is cluster-admin wherever it is bound. Severity is critical for the full wildcard.",
  "List the verbs, groups and resources the workload needs; `kubectl auth can-i --list --as ...` on a test cluster shows what it uses.",
  "#least-privilege",
);

export const READ_SECRETS = rule(
  "read-secrets",
  "Rule can read Secrets",
  "high",
  "get, list or watch on secrets returns their contents, including legacy service-account tokens; list and watch return every Secret of the namespace (or cluster) at once.",
  "Grant get on named secrets (resourceNames) only, or mount the Secret into the pod instead of reading it through the API.",
  "#listing-secrets",
);

export const CREATE_PODS = rule(
  "create-pods",
  "Rule can create pods or workloads",
  "high",
  "Whoever can create a pod (directly or through a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ReplicationController) can run it as any ServiceAccount of the namespace and read that account's token, and can mount Secrets and ConfigMaps of the namespace: the grant is worth the union of the namespace's service-account permissions.",
  "Limit workload creation to CI identities; enforce Pod Security Admission and restrict which ServiceAccounts a namespace holds.",
  "#workload-creation",
);

export const POD_EXEC = rule(
  "pod-exec",
  "Rule can exec or attach into pods",
  "high",
  "create on pods/exec or pods/attach runs commands in running containers, with their service-account token and mounted secrets; patch/update on pods/ephemeralcontainers adds a container to a running pod for the same effect. get alone opens the same session over a WebSocket (whose upgrade is a GET) on clusters before v1.35, or where the feature gate AuthorizePodWebsocketUpgradeCreatePermission is off; from v1.35 the API server also asks for create, so get alone is reported at medium.",
  "Grant exec only to break-glass identities, in the namespaces they operate.",
);

export const IMPERSONATE = rule(
  "impersonate",
  "Rule can impersonate users, groups or service accounts",
  "critical",
  "The impersonate verb lets the holder act as another user, group (system:masters included) or service account: it is worth the permissions of everyone it may impersonate.",
  "Remove impersonate or restrict it with resourceNames to the identities a tool really needs.",
  "#impersonate",
);

export const BIND_ESCALATE = rule(
  "bind-escalate",
  "Rule can bind or escalate roles",
  "critical",
  "bind lets the holder create bindings to roles with permissions it does not hold; escalate lets it write roles with permissions it does not hold. Both switch off RBAC's privilege-escalation check.",
  "Remove bind and escalate; an administrator binds roles for others.",
  "#bind-verb",
);

export const WRITE_RBAC = rule(
  "write-rbac",
  "Rule can write roles or bindings",
  "high",
  "create, update or patch on roles, clusterroles, rolebindings or clusterrolebindings lets the holder grant any permission it holds to any subject, and together with bind or escalate, any permission at all.",
  "Keep RBAC writes to cluster administrators and GitOps controllers.",
);

export const WRITE_WEBHOOKS = rule(
  "write-admission",
  "Rule can write admission webhooks or policies",
  "high",
  "A mutating webhook sees and can rewrite every object it matches (Secrets included); deleting or weakening validating webhooks and admission policies removes guard rails.",
  "Keep admissionregistration.k8s.io writes to cluster administrators.",
  "#control-admission-webhooks",
);

export const WRITE_API_DEFINITIONS = rule(
  "write-api-definitions",
  "Rule can redirect an API or redefine custom resources",
  "high",
  "Writing an APIService (apiregistration.k8s.io) points an API group version at any Service: the aggregator sends it every request for that API, with each caller's user name and groups in its identity headers, and returns whatever it answers. Writing a CustomResourceDefinition (apiextensions.k8s.io) can set spec.conversion.webhook, which then receives every object of that type the API server converts, or change the schema that validates them. Deleting either takes the API away (a CustomResourceDefinition's objects with it) and is reported at medium.",
  "Keep apiservices and customresourcedefinitions writes to cluster administrators and the installer; a controller that only injects CA bundles can be limited with resourceNames to the objects it manages.",
  "#control-admission-webhooks",
);

export const NAMESPACE_LABELS = rule(
  "namespace-labels",
  "Rule can relabel namespaces",
  "medium",
  "patch or update on namespaces rewrites a namespace's labels: pod-security.kubernetes.io/enforce (Pod Security Admission off for the namespace, so whoever may create pods there may run them privileged) and the labels NetworkPolicies select namespaces by. A RoleBinding that grants it reaches the namespace of the binding itself. It lifts guard rails rather than granting power by itself, hence medium.",
  "Leave namespace labels to cluster administrators; tenants get a namespace with its labels set for them.",
  "#namespace-modification",
);

export const NODES_PROXY = rule(
  "nodes-proxy",
  "Rule can reach the kubelet API through nodes/proxy",
  "critical",
  "get or create on nodes/proxy reaches the kubelet's API, which can run commands in every pod on the node, bypassing audit and admission.",
  "Grant nodes/proxy only to monitoring that needs it, and prefer nodes/metrics and nodes/stats.",
  "#nodes-proxy",
);

export const CSR_APPROVE = rule(
  "csr-approve-sign",
  "Rule can approve or sign certificate signing requests",
  "high",
  "Approving (certificatesigningrequests/approval plus approve on a signer) a kube-apiserver-client request has the controller manager mint a client certificate for any user and group, system:masters included. Signing (certificatesigningrequests/status plus sign) only writes the certificate a request receives: worthless without the signer's private key, which RBAC does not give, so it is reported at medium (a wrong certificate handed to a requester).",
  "Leave approval to the controller manager; grant approve only for a dedicated signer name.",
  "#csrs-and-certificate-issuing",
);

export const SERVICE_ACCOUNT_TOKEN = rule(
  "serviceaccount-token",
  "Rule can create service-account tokens",
  "high",
  "create on serviceaccounts/token issues a token for a ServiceAccount: the holder can act as any ServiceAccount the rule covers.",
  "Grant it only for named ServiceAccounts (resourceNames) that the holder is meant to act as.",
  "#token-request",
);

export const CREATE_PERSISTENT_VOLUMES = rule(
  "create-persistentvolumes",
  "Rule can create PersistentVolumes",
  "high",
  "A PersistentVolume may be a hostPath: whoever can create one and a claim can mount any directory of the node into a pod.",
  "Let a provisioner create PersistentVolumes; users create PersistentVolumeClaims.",
  "#persistent-volume-creation",
);

export const BROAD_SUBJECT = rule(
  "broad-subject",
  "Binding grants to every user or every service account",
  "high",
  "Binding system:anonymous, system:unauthenticated, system:authenticated or system:serviceaccounts gives the role to everyone who can reach the API server, everyone with any credential, or every workload of the cluster.",
  "Bind named users, groups or service accounts instead.",
);

export const DANGLING_BINDING = rule(
  "dangling-binding",
  "Binding refers to a role that does not exist",
  "medium",
  "A binding to a missing role grants nothing today, but whoever later creates a role of that name (with any rules they may write) grants them to the binding's subjects.",
  "Delete the binding or create the role it refers to.",
);

export const ESCALATION_PATH = rule(
  "escalation-path",
  "Subject can reach cluster-admin",
  "critical",
  "Following what a subject may do (impersonate, run pods as a service account, create or read service-account tokens, bind or escalate roles, approve certificates, reach kubelets) leads to cluster-admin-equivalent power. The finding shows the shortest such path.",
  "Break the first step of the path: remove the grant the first edge relies on.",
);

export const INVALID_RBAC = rule(
  "invalid-object",
  "RBAC object the API server would reject or misread",
  "medium",
  "A rule, subject, role reference or aggregation selector that the API server would reject, or that silently matches nothing (a subject kind in the wrong case, a ServiceAccount subject without namespace in a ClusterRoleBinding).",
  "Fix the field at the reported position.",
);

export const RBAC_RULES: readonly Rule[] = [
  WILDCARD,
  READ_SECRETS,
  CREATE_PODS,
  POD_EXEC,
  IMPERSONATE,
  BIND_ESCALATE,
  WRITE_RBAC,
  WRITE_WEBHOOKS,
  WRITE_API_DEFINITIONS,
  NODES_PROXY,
  CSR_APPROVE,
  SERVICE_ACCOUNT_TOKEN,
  CREATE_PERSISTENT_VOLUMES,
  NAMESPACE_LABELS,
  BROAD_SUBJECT,
  DANGLING_BINDING,
  ESCALATION_PATH,
  INVALID_RBAC,
];
