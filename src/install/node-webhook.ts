/**
 * The webhook that sends node identities' writes to the nodeRestriction policy
 * (src/admission/policies/node-restriction*.ts), which judges what kube-apiserver's
 * NodeRestriction plugin does (plugin/pkg/admission/noderestriction/admission.go,
 * Plugin.Admit: CREATE, UPDATE and DELETE of nodes and every subresource, pods and their
 * subresources, PVC status, service-account tokens, Leases, CSINodes, ResourceSlices and CSRs).
 * A rule naming `nodes` does not match `nodes/status`, so subresources are listed one by one:
 * a Node status update persists metadata.labels (the status strategy resets only spec), and
 * node-restriction.kubernetes.io/ labels are what tenancy trusts.
 *
 * Only node identities are sent (the matchCondition), so everyone else skips the call. The
 * webhook fails closed like the others, which makes every routed write wait on Palisade; so
 * what a kubelet needs to keep its node alive and start pods is left to the built-in plugin:
 * - kube-node-lease, where kubelets renew their heartbeat Lease every 10 s: refused during an
 *   outage, every node would turn NotReady within 40 s, and with it the webhook's own
 *   endpoints. The namespace holds only those Leases.
 * - kube-system, where the control plane's mirror pods live: /validate runs every configured
 *   policy, so a mirror pod would also be judged by the images, tenancy and secrets policies,
 *   and one they refuse vanishes from the API (kubeadm's upgrade checks and every monitor read
 *   it) while its static pod keeps running. The main webhook skips kube-system for the same
 *   reason.
 * - serviceaccounts/token: every pod start asks for one, the CNI's and DNS's after a node
 *   restart too; a Palisade outage would keep the pod network, and so Palisade, from starting.
 *   The Node authorizer still limits a node to tokens of service accounts its pods use.
 * - pods/status: every readiness change of every pod; an outage would freeze readiness
 *   cluster-wide and keep traffic on failed pods. Given up: the check that a kubelet does not
 *   relabel pods on its own node through their status.
 * - pod DELETE: the kubelet's final delete of each pod. The main webhook already sends it,
 *   except in kube-system, where it would stall DaemonSet rollouts (CNI, kube-proxy) during an
 *   outage, and in Palisade's own namespace, where a terminating webhook pod still holds its
 *   quota and would keep its replacement from being created. Given up there: the check that a
 *   kubelet deletes only pods bound to it.
 * Pod CREATE is judged in every other namespace: that is what stops a kubelet creating a
 * mirror pod there that runs as a powerful service account.
 *
 * CSRs: a node may only ask for a certificate in its own name, which kube-apiserver checks
 * only from v1.31 (and not with AllowInsecureKubeletCertificateSigningRequests on). A webhook
 * outage delays a kubelet's certificate rotation (which it starts well before expiry and
 * retries) and never a new node's bootstrap request, made with a bootstrap token.
 */

export const NODE_WEBHOOK_NAME = "nodes.validate.palisade.dev";
/** Where kubelets renew their heartbeat Leases (the policy's NODE_LEASE_NAMESPACE). */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** Left to the built-in plugin whole, for its mirror pods (see above). */
const CONTROL_PLANE_NAMESPACE = "kube-system";

/** A fresh list per rule: a shared one would print as a YAML anchor and aliases. */
const allWrites = () => ["CREATE", "UPDATE", "DELETE"];
/** ResourceSlice versions whose objects carry spec.nodeName, which the policy reads (v1alpha2 had it at the top level). */
const RESOURCE_SLICE_VERSIONS = ["v1", "v1beta2", "v1beta1", "v1alpha3"];

/** What the webhook sends: every resource the policy judges, less what the header leaves to the built-in plugin. */
export function nodeRestrictionRules(): Record<string, unknown>[] {
  const core = (operations: string[], resources: string[], scope: string) => ({ operations, apiGroups: [""], apiVersions: ["v1"], resources, scope });
  return [
    core(allWrites(), ["nodes", "nodes/status"], "Cluster"),
    core(["CREATE", "UPDATE"], ["pods"], "Namespaced"),
    // The policy refuses every pod subresource but status and eviction, as the plugin does.
    core(allWrites(), ["pods/eviction", "pods/binding", "pods/ephemeralcontainers", "pods/resize"], "Namespaced"),
    core(allWrites(), ["persistentvolumeclaims", "persistentvolumeclaims/status"], "Namespaced"),
    { operations: allWrites(), apiGroups: ["coordination.k8s.io"], apiVersions: ["v1"], resources: ["leases"], scope: "Namespaced" },
    { operations: allWrites(), apiGroups: ["storage.k8s.io"], apiVersions: ["v1"], resources: ["csinodes"], scope: "Cluster" },
    { operations: allWrites(), apiGroups: ["resource.k8s.io"], apiVersions: [...RESOURCE_SLICE_VERSIONS], resources: ["resourceslices"], scope: "Cluster" },
    { operations: ["CREATE"], apiGroups: ["certificates.k8s.io"], apiVersions: ["v1"], resources: ["certificatesigningrequests"], scope: "Cluster" },
  ];
}

/** The node webhook, from the validating webhook's settings (`base`: client, timeouts, failure policy). */
export function nodeWebhook(base: Record<string, unknown>): Record<string, unknown> {
  return {
    ...base,
    name: NODE_WEBHOOK_NAME,
    rules: nodeRestrictionRules(),
    // Applies to the namespaced rules only: cluster-scoped objects are sent whatever it says.
    namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [NODE_LEASE_NAMESPACE, CONTROL_PLANE_NAMESPACE] }] },
    // Only node identities are judged; everyone else is skipped before the call.
    matchConditions: [{ name: "node-identities-only", expression: "request.userInfo.username.startsWith('system:node:')" }],
  };
}
