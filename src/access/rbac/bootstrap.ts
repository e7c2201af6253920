/**
 * The default RBAC policy a kube-apiserver creates at start-up (upstream bootstrappolicy,
 * as its testdata records it for recent releases), written here as data so a
 * manifest-only snapshot can be judged like a real cluster (`--bootstrap`).
 *
 * Included: cluster-admin, admin/edit/view and their aggregate-to-* parts, the system:*
 * cluster roles and their bindings, the kube-system/kube-public namespace roles, and the
 * system:controller:* roles of the controllers whose permissions matter for escalation
 * (pod creation, secrets, RBAC, wildcards, certificates). Feature-gated roles and the
 * remaining low-privilege controller roles are not included.
 */
import type { K8sObject } from "../../k8s/types.js";
import { RBAC_GROUP } from "./types.js";

type RuleSpec = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const EVENTS: RuleSpec = { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] };

function r(apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): RuleSpec {
  return resourceNames ? { apiGroups, resources, verbs, resourceNames } : { apiGroups, resources, verbs };
}
function urls(nonResourceURLs: string[], verbs: string[]): RuleSpec {
  return { nonResourceURLs, verbs };
}

const DEFAULTS_LABEL = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const AUTOUPDATE = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

function clusterRole(name: string, rules: RuleSpec[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): K8sObject {
  const object: K8sObject = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRole",
    metadata: { name, labels: { ...DEFAULTS_LABEL, ...(extra.labels ?? {}) }, annotations: AUTOUPDATE },
    rules,
  };
  if (extra.aggregateFrom) object.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: "true" } }] };
  return object;
}

function role(namespace: string, name: string, rules: RuleSpec[]): K8sObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: "Role", metadata: { name, namespace, labels: DEFAULTS_LABEL, annotations: AUTOUPDATE }, rules };
}

type SubjectSpec = { kind: string; name: string; namespace?: string; apiGroup?: string };
const group = (name: string): SubjectSpec => ({ apiGroup: RBAC_GROUP, kind: "Group", name });
const user = (name: string): SubjectSpec => ({ apiGroup: RBAC_GROUP, kind: "User", name });
const kubeSystemSA = (name: string): SubjectSpec => ({ kind: "ServiceAccount", name, namespace: "kube-system" });

function clusterRoleBinding(name: string, roleName: string, subjects: SubjectSpec[]): K8sObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name, labels: DEFAULTS_LABEL, annotations: AUTOUPDATE },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: roleName },
    subjects,
  };
}

function roleBinding(namespace: string, name: string, roleName: string, subjects: SubjectSpec[]): K8sObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "RoleBinding",
    metadata: { name, namespace, labels: DEFAULTS_LABEL, annotations: AUTOUPDATE },
    roleRef: { apiGroup: RBAC_GROUP, kind: "Role", name: roleName },
    subjects,
  };
}

const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const USER_FACING_ROLES: K8sObject[] = [
  clusterRole("cluster-admin", [r(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
  clusterRole("admin", [], { aggregateFrom: AGGREGATE_TO("admin") }),
  clusterRole("edit", [], { aggregateFrom: AGGREGATE_TO("edit"), labels: { [AGGREGATE_TO("admin")]: "true" } }),
  clusterRole("view", [], { aggregateFrom: AGGREGATE_TO("view"), labels: { [AGGREGATE_TO("edit")]: "true" } }),
  clusterRole(
    "system:aggregate-to-admin",
    [r(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]), r([RBAC_GROUP], ["rolebindings", "roles"], [...WRITE, ...READ])],
    { labels: { [AGGREGATE_TO("admin")]: "true" } },
  ),
  clusterRole(
    "system:aggregate-to-edit",
    [
      r([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
      r([""], ["serviceaccounts"], ["impersonate"]),
      r([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
      r([""], ["pods/eviction"], ["create"]),
      r([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], WRITE),
      r([""], ["serviceaccounts/token"], ["create"]),
      r(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
      r(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
      r(["batch"], ["cronjobs", "jobs"], WRITE),
      r(["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"], WRITE),
      r(["policy"], ["poddisruptionbudgets"], WRITE),
      r(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
      r(["coordination.k8s.io"], ["leases"], [...WRITE, ...READ]),
    ],
    { labels: { [AGGREGATE_TO("edit")]: "true" } },
  ),
  clusterRole(
    "system:aggregate-to-view",
    [
      r([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], READ),
      r([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], READ),
      r([""], ["namespaces"], READ),
      r(["discovery.k8s.io"], ["endpointslices"], READ),
      r(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], READ),
      r(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
      r(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
      r(["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"], READ),
      r(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
      r(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
    ],
    { labels: { [AGGREGATE_TO("view")]: "true" } },
  ),
];

const SYSTEM_ROLES: K8sObject[] = [
  clusterRole("system:auth-delegator", [r(["authentication.k8s.io"], ["tokenreviews"], ["create"]), r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])]),
  clusterRole("system:basic-user", [
    r(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
    r(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
  ]),
  clusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [r(["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"], ["create"])]),
  clusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [r(["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"], ["create"])]),
  clusterRole("system:certificates.k8s.io:kube-apiserver-client-approver", [r(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/kube-apiserver-client"])]),
  clusterRole("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", [r(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/kube-apiserver-client-kubelet"])]),
  clusterRole("system:certificates.k8s.io:kubelet-serving-approver", [r(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/kubelet-serving"])]),
  clusterRole("system:certificates.k8s.io:legacy-unknown-approver", [r(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/legacy-unknown"])]),
  clusterRole("system:discovery", [urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], ["get"])]),
  clusterRole("system:heapster", [r([""], ["events", "namespaces", "nodes", "pods"], READ), r(["extensions"], ["deployments"], READ)]),
  clusterRole("system:kube-aggregator", [r([""], ["endpoints", "services"], READ)]),
  clusterRole("system:kube-controller-manager", [
    r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
    r(["coordination.k8s.io"], ["leases"], ["create"]),
    r(["coordination.k8s.io"], ["leases"], ["get", "update"], ["kube-controller-manager"]),
    r([""], ["secrets", "serviceaccounts"], ["create"]),
    r([""], ["secrets"], ["delete"]),
    r([""], ["configmaps", "namespaces", "secrets", "serviceaccounts"], ["get"]),
    r([""], ["secrets", "serviceaccounts"], ["update"]),
    r(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
    r(["*"], ["*"], ["list", "watch"]),
    r([""], ["serviceaccounts/token"], ["create"]),
  ]),
  clusterRole("system:kube-dns", [r([""], ["endpoints", "services"], ["list", "watch"])]),
  clusterRole("system:kube-scheduler", [
    r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
    r(["coordination.k8s.io"], ["leases"], ["create"]),
    r(["coordination.k8s.io"], ["leases"], ["get", "update"], ["kube-scheduler"]),
    r([""], ["nodes"], READ),
    r([""], ["pods"], ["delete", "get", "list", "watch"]),
    r([""], ["bindings", "pods/binding"], ["create"]),
    r([""], ["pods/status"], ["patch", "update"]),
    r([""], ["replicationcontrollers", "services"], READ),
    r(["apps", "extensions"], ["replicasets"], READ),
    r(["apps"], ["statefulsets"], READ),
    r(["policy"], ["poddisruptionbudgets"], READ),
    r([""], ["persistentvolumeclaims", "persistentvolumes"], READ),
    r(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
    r(["storage.k8s.io"], ["csinodes"], READ),
    r([""], ["namespaces"], READ),
    r(["storage.k8s.io"], ["csidrivers"], READ),
    r(["storage.k8s.io"], ["csistoragecapacities"], READ),
  ]),
  clusterRole("system:kubelet-api-admin", [r([""], ["nodes"], READ), r([""], ["nodes"], ["proxy"]), r([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"])]),
  clusterRole("system:monitoring", [urls(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"], ["get"])]),
  clusterRole("system:node", [
    r(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    r(["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"], ["create"]),
    r([""], ["services"], READ),
    r([""], ["nodes"], ["create", "get", "list", "watch"]),
    r([""], ["nodes/status"], ["patch", "update"]),
    r([""], ["nodes"], ["patch", "update"]),
    r([""], ["events"], ["create", "patch", "update"]),
    r([""], ["pods"], READ),
    r([""], ["pods"], ["create", "delete"]),
    r([""], ["pods/status"], ["patch", "update"]),
    r([""], ["pods/eviction"], ["create"]),
    r([""], ["configmaps", "secrets"], READ),
    r([""], ["persistentvolumeclaims", "persistentvolumes"], ["get"]),
    r([""], ["endpoints"], ["get"]),
    r(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"]),
    r(["coordination.k8s.io"], ["leases"], ["create", "delete", "get", "patch", "update"]),
    r(["storage.k8s.io"], ["volumeattachments"], ["get"]),
    r([""], ["serviceaccounts/token"], ["create"]),
    r([""], ["persistentvolumeclaims/status"], ["get", "patch", "update"]),
    r(["storage.k8s.io"], ["csidrivers"], READ),
    r(["storage.k8s.io"], ["csinodes"], ["create", "delete", "get", "patch", "update"]),
    r(["node.k8s.io"], ["runtimeclasses"], READ),
  ]),
  clusterRole("system:node-bootstrapper", [r(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])]),
  clusterRole("system:node-problem-detector", [r([""], ["nodes"], ["get"]), r([""], ["nodes/status"], ["patch"]), EVENTS]),
  clusterRole("system:node-proxier", [r([""], ["endpoints", "services"], ["list", "watch"]), r([""], ["nodes"], READ), EVENTS, r(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"])]),
  clusterRole("system:persistent-volume-provisioner", [
    r([""], ["persistentvolumes"], ["create", "delete", "get", "list", "watch"]),
    r([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
    r(["storage.k8s.io"], ["storageclasses"], READ),
    r([""], ["events"], ["watch"]),
    EVENTS,
  ]),
  clusterRole("system:public-info-viewer", [urls(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]),
  clusterRole("system:service-account-issuer-discovery", [urls(["/.well-known/openid-configuration", "/openid/v1/jwks"], ["get"])]),
  clusterRole("system:volume-scheduler", [
    r([""], ["persistentvolumes"], ["get", "list", "patch", "update", "watch"]),
    r(["storage.k8s.io"], ["storageclasses"], READ),
    r([""], ["persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"]),
  ]),
];

const SYSTEM_BINDINGS: K8sObject[] = [
  clusterRoleBinding("cluster-admin", "cluster-admin", [group("system:masters")]),
  clusterRoleBinding("system:basic-user", "system:basic-user", [group("system:authenticated")]),
  clusterRoleBinding("system:discovery", "system:discovery", [group("system:authenticated")]),
  clusterRoleBinding("system:kube-controller-manager", "system:kube-controller-manager", [user("system:kube-controller-manager")]),
  clusterRoleBinding("system:kube-dns", "system:kube-dns", [kubeSystemSA("kube-dns")]),
  clusterRoleBinding("system:kube-scheduler", "system:kube-scheduler", [user("system:kube-scheduler")]),
  clusterRoleBinding("system:monitoring", "system:monitoring", [group("system:monitoring")]),
  // The Node authorizer, not RBAC, authorizes kubelets; upstream keeps this binding without subjects.
  clusterRoleBinding("system:node", "system:node", []),
  clusterRoleBinding("system:node-proxier", "system:node-proxier", [user("system:kube-proxy")]),
  clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", [group("system:authenticated"), group("system:unauthenticated")]),
  clusterRoleBinding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", [group("system:serviceaccounts")]),
  clusterRoleBinding("system:volume-scheduler", "system:volume-scheduler", [user("system:kube-scheduler")]),
];

const CONTROLLER_ROLES: Record<string, RuleSpec[]> = {
  "certificate-controller": [
    r(["certificates.k8s.io"], ["certificatesigningrequests"], ["delete", "get", "list", "watch"]),
    r(["certificates.k8s.io"], ["certificatesigningrequests/approval", "certificatesigningrequests/status"], ["update"]),
    r(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/kube-apiserver-client-kubelet"]),
    r(["certificates.k8s.io"], ["signers"], ["sign"], ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"]),
    r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
    EVENTS,
  ],
  "clusterrole-aggregation-controller": [r([RBAC_GROUP], ["clusterroles"], ["escalate", "get", "list", "patch", "update", "watch"])],
  "cronjob-controller": [
    r(["batch"], ["cronjobs"], ["get", "list", "update", "watch"]),
    r(["batch"], ["jobs"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    r(["batch"], ["cronjobs/status"], ["update"]),
    r(["batch"], ["cronjobs/finalizers"], ["update"]),
    r([""], ["pods"], ["delete", "list", "watch"]),
    EVENTS,
  ],
  "daemon-set-controller": [
    r(["apps", "extensions"], ["daemonsets"], READ),
    r(["apps", "extensions"], ["daemonsets/status"], ["update"]),
    r(["apps", "extensions"], ["daemonsets/finalizers"], ["update"]),
    r([""], ["nodes"], ["list", "watch"]),
    r([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
    r([""], ["pods/binding"], ["create"]),
    r(["apps"], ["controllerrevisions"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    EVENTS,
  ],
  "deployment-controller": [
    r(["apps", "extensions"], ["deployments"], ["get", "list", "update", "watch"]),
    r(["apps", "extensions"], ["deployments/status"], ["update"]),
    r(["apps", "extensions"], ["deployments/finalizers"], ["update"]),
    r(["apps", "extensions"], ["replicasets"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    r([""], ["pods"], ["get", "list", "update", "watch"]),
    EVENTS,
  ],
  "disruption-controller": [
    r(["apps", "extensions"], ["deployments"], READ),
    r(["apps", "extensions"], ["replicasets"], READ),
    r([""], ["replicationcontrollers"], READ),
    r(["policy"], ["poddisruptionbudgets"], READ),
    r(["apps"], ["statefulsets"], READ),
    r(["policy"], ["poddisruptionbudgets/status"], ["update"]),
    r([""], ["pods/status"], ["patch", "update"]),
    r(["*"], ["*/scale"], ["get"]),
    EVENTS,
  ],
  "generic-garbage-collector": [r(["*"], ["*"], ["delete", "get", "list", "patch", "update", "watch"]), EVENTS],
  "horizontal-pod-autoscaler": [
    r(["autoscaling"], ["horizontalpodautoscalers"], READ),
    r(["autoscaling"], ["horizontalpodautoscalers/status"], ["update"]),
    r(["*"], ["*/scale"], ["get", "update"]),
    r([""], ["pods"], ["list", "watch"]),
    r(["metrics.k8s.io"], ["pods"], ["list", "watch"]),
    r(["custom.metrics.k8s.io"], ["*"], READ),
    r(["external.metrics.k8s.io"], ["*"], READ),
    EVENTS,
  ],
  "job-controller": [
    r(["batch"], ["jobs"], ["get", "list", "patch", "update", "watch"]),
    r(["batch"], ["jobs/status"], ["update"]),
    r(["batch"], ["jobs/finalizers"], ["update"]),
    r([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
    EVENTS,
  ],
  "legacy-service-account-token-cleaner": [
    r([""], ["configmaps"], ["get"], ["kube-apiserver-legacy-service-account-token-tracking"]),
    r([""], ["secrets"], ["delete", "patch"]),
  ],
  "namespace-controller": [
    r([""], ["namespaces"], ["delete", "get", "list", "watch"]),
    r([""], ["namespaces/finalize", "namespaces/status"], ["update"]),
    r(["*"], ["*"], ["delete", "deletecollection", "get", "list", "watch"]),
  ],
  "node-controller": [
    r([""], ["nodes"], ["delete", "get", "list", "patch", "update", "watch"]),
    r([""], ["nodes/status"], ["patch", "update"]),
    r([""], ["pods/status"], ["patch", "update"]),
    r([""], ["pods"], ["delete", "get", "list", "watch"]),
    EVENTS,
  ],
  "persistent-volume-binder": [
    r([""], ["persistentvolumes"], ["create", "delete", "get", "list", "update", "watch"]),
    r([""], ["persistentvolumes/status"], ["update"]),
    r([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
    r([""], ["persistentvolumeclaims/status"], ["update"]),
    r([""], ["pods"], ["create", "delete", "get", "list", "watch"]),
    r(["storage.k8s.io"], ["storageclasses"], READ),
    r([""], ["nodes"], ["list", "watch"]),
    EVENTS,
    r([""], ["events"], ["watch"]),
  ],
  "pod-garbage-collector": [r([""], ["pods"], ["delete", "list", "watch"]), r([""], ["nodes"], READ), r([""], ["pods/status"], ["patch"])],
  "replicaset-controller": [
    r(["apps", "extensions"], ["replicasets"], ["get", "list", "update", "watch"]),
    r(["apps", "extensions"], ["replicasets/status"], ["update"]),
    r(["apps", "extensions"], ["replicasets/finalizers"], ["update"]),
    r([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
    EVENTS,
  ],
  "replication-controller": [
    r([""], ["replicationcontrollers"], ["get", "list", "update", "watch"]),
    r([""], ["replicationcontrollers/status"], ["update"]),
    r([""], ["replicationcontrollers/finalizers"], ["update"]),
    r([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
    EVENTS,
  ],
  "resourcequota-controller": [r(["*"], ["*"], ["list", "watch"]), r([""], ["resourcequotas/status"], ["update"]), EVENTS],
  "root-ca-cert-publisher": [r([""], ["configmaps"], ["create", "update"]), EVENTS],
  "service-account-controller": [r([""], ["serviceaccounts"], ["create"]), EVENTS],
  "statefulset-controller": [
    r([""], ["pods"], ["list", "watch"]),
    r(["apps"], ["statefulsets"], READ),
    r(["apps"], ["statefulsets/status"], ["update"]),
    r(["apps"], ["statefulsets/finalizers"], ["update"]),
    r([""], ["pods"], ["create", "delete", "get", "patch", "update"]),
    r(["apps"], ["controllerrevisions"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    r([""], ["persistentvolumeclaims"], ["create", "get", "list", "watch"]),
    r([""], ["persistentvolumeclaims"], ["delete", "update"]),
    r([""], ["pods/finalizers"], ["update"]),
    EVENTS,
  ],
};

const NAMESPACE_ROLES: K8sObject[] = [
  role("kube-public", "system:controller:bootstrap-signer", [r([""], ["configmaps"], READ), r([""], ["configmaps"], ["update"], ["cluster-info"]), EVENTS]),
  role("kube-system", "extension-apiserver-authentication-reader", [r([""], ["configmaps"], READ, ["extension-apiserver-authentication"])]),
  role("kube-system", "system::leader-locking-kube-controller-manager", [r(["coordination.k8s.io"], ["leases"], ["create", "get", "list", "update", "watch"]), r(["coordination.k8s.io"], ["leasecandidates"], ["create", "get", "list", "update", "watch"])]),
  role("kube-system", "system::leader-locking-kube-scheduler", [r(["coordination.k8s.io"], ["leases"], ["create", "get", "list", "update", "watch"]), r(["coordination.k8s.io"], ["leasecandidates"], ["create", "get", "list", "update", "watch"])]),
  role("kube-system", "system:controller:bootstrap-signer", [r([""], ["secrets"], READ)]),
  role("kube-system", "system:controller:cloud-provider", [r([""], ["configmaps"], ["create", "get", "list", "watch"])]),
  role("kube-system", "system:controller:token-cleaner", [r([""], ["secrets"], ["delete", "get", "list", "watch"]), EVENTS]),
];

const NAMESPACE_BINDINGS: K8sObject[] = [
  roleBinding("kube-public", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", [kubeSystemSA("bootstrap-signer")]),
  roleBinding("kube-system", "system::extension-apiserver-authentication-reader", "extension-apiserver-authentication-reader", [user("system:kube-controller-manager"), user("system:kube-scheduler")]),
  roleBinding("kube-system", "system::leader-locking-kube-controller-manager", "system::leader-locking-kube-controller-manager", [user("system:kube-controller-manager"), kubeSystemSA("kube-controller-manager"), kubeSystemSA("leader-election-controller")]),
  roleBinding("kube-system", "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler", [user("system:kube-scheduler"), kubeSystemSA("kube-scheduler")]),
  roleBinding("kube-system", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", [kubeSystemSA("bootstrap-signer")]),
  roleBinding("kube-system", "system:controller:cloud-provider", "system:controller:cloud-provider", [kubeSystemSA("cloud-provider")]),
  roleBinding("kube-system", "system:controller:token-cleaner", "system:controller:token-cleaner", [kubeSystemSA("token-cleaner")]),
];

/** Every bootstrap object, fresh each call (callers may not share mutable state). */
export function bootstrapPolicyObjects(): K8sObject[] {
  const controllers = Object.entries(CONTROLLER_ROLES).flatMap(([name, rules]) => [
    clusterRole(`system:controller:${name}`, rules),
    clusterRoleBinding(`system:controller:${name}`, `system:controller:${name}`, [kubeSystemSA(name)]),
  ]);
  return structuredClone([...USER_FACING_ROLES, ...SYSTEM_ROLES, ...SYSTEM_BINDINGS, ...controllers, ...NAMESPACE_ROLES, ...NAMESPACE_BINDINGS]);
}

let clusterRoleNames: Set<string> | undefined;

/** Names of the ClusterRoles every cluster has from start-up. */
export function bootstrapClusterRoleNames(): ReadonlySet<string> {
  clusterRoleNames ??= new Set(bootstrapPolicyObjects().filter((o) => o.kind === "ClusterRole").map((o) => o.metadata?.name ?? ""));
  return clusterRoleNames;
}

let defaults: Map<string, K8sObject> | undefined;

const keyOf = (object: K8sObject) => `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;

/**
 * Whether an object read from a cluster (or a dump of one) is one of upstream's defaults,
 * as the API server keeps it: one of the bootstrap names, labelled as a default, left to
 * the API server's reconciliation (autoupdate not "false"; a cluster admin who sets it to
 * "false" has made it their own), and granting nothing upstream's does not. Reconciliation
 * adds what is missing but never removes what was added, so a subject added to the
 * cluster-admin binding, or a rule added to a default role, stays there: such an object
 * is judged as anyone's. Aggregated roles are the exception for rules: theirs come from
 * the roles they aggregate, which are judged themselves.
 */
export function isClusterDefault(object: K8sObject): boolean {
  if (object.metadata?.labels?.["kubernetes.io/bootstrapping"] !== "rbac-defaults") return false;
  if (object.metadata.annotations?.["rbac.authorization.kubernetes.io/autoupdate"] === "false") return false;
  defaults ??= new Map(bootstrapPolicyObjects().map((o) => [keyOf(o), o]));
  const upstream = defaults.get(keyOf(object));
  if (!upstream) return false;
  if (object.kind === "Role" || object.kind === "ClusterRole") return object.aggregationRule !== undefined || within(object.rules, upstream.rules, ruleKey);
  return sameRoleRef(object.roleRef, upstream.roleRef) && within(object.subjects, upstream.subjects, subjectKey);
}

/** Whether every item of `items` (a list, or absent) is among `allowed`, by key. */
function within(items: unknown, allowed: unknown, key: (item: unknown) => string): boolean {
  if (items === undefined || items === null) return true;
  if (!Array.isArray(items)) return false;
  const known = new Set(Array.isArray(allowed) ? allowed.map(key) : []);
  return items.every((item) => known.has(key(item)));
}

const sorted = (value: unknown): string[] => (Array.isArray(value) ? value.map(String).sort() : []);

function ruleKey(rule: unknown): string {
  const r = (rule ?? {}) as Record<string, unknown>;
  return JSON.stringify([sorted(r.apiGroups), sorted(r.resources), sorted(r.verbs), sorted(r.resourceNames), sorted(r.nonResourceURLs)]);
}

function subjectKey(subject: unknown): string {
  const s = (subject ?? {}) as Record<string, unknown>;
  return JSON.stringify([s.kind, s.name, s.namespace ?? ""]);
}

function sameRoleRef(a: unknown, b: unknown): boolean {
  const x = (a ?? {}) as Record<string, unknown>;
  const y = (b ?? {}) as Record<string, unknown>;
  return x.kind === y.kind && x.name === y.name;
}
