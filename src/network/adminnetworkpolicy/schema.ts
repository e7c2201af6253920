/**
 * The fields of AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1)
 * as their CRDs declare them: kubernetes-sigs/network-policy-api v0.1.7, experimental channel
 * (config/crd/experimental/..., generated from apis/v1alpha1). The experimental channel is the
 * standard one plus `namedPort`, `nodes` peers and ANP's `domainNames` peers: a cluster with
 * the standard CRDs prunes those three too, which the API server cannot tell a typo from.
 *
 * The API server prunes every field its structural schema does not declare (and strict field
 * validation, kubectl's default, refuses the object instead), so these are also the fields the
 * stored object keeps. Encoded as api-fields.generated.ts encodes built-in types (see
 * manifest/api-schema.ts): "" text, "i" integer, "[]" a list, `{}` a map, else a type; label
 * selectors, object metadata and conditions are the built-in types the CRDs embed.
 */

/** The release of the network-policy-api whose CRDs these fields are, for messages. */
export const ADMIN_POLICY_FIELDS_RELEASE = "network-policy-api v0.1.7";

const SELECTOR = "V1LabelSelector";

export const ADMIN_POLICY_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  V1alpha1AdminNetworkPolicy: { apiVersion: "", kind: "", metadata: "V1ObjectMeta", spec: "V1alpha1AdminNetworkPolicySpec", status: "V1alpha1AdminNetworkPolicyStatus" },
  V1alpha1AdminNetworkPolicySpec: {
    priority: "i",
    subject: "V1alpha1AdminNetworkPolicySubject",
    ingress: "[]V1alpha1AdminNetworkPolicyIngressRule",
    egress: "[]V1alpha1AdminNetworkPolicyEgressRule",
  },
  V1alpha1AdminNetworkPolicyStatus: { conditions: "[]V1Condition" },
  V1alpha1AdminNetworkPolicySubject: { namespaces: SELECTOR, pods: "V1alpha1NamespacedPod" },
  V1alpha1NamespacedPod: { namespaceSelector: SELECTOR, podSelector: SELECTOR },
  V1alpha1AdminNetworkPolicyIngressRule: { name: "", action: "", from: "[]V1alpha1AdminNetworkPolicyIngressPeer", ports: "[]V1alpha1AdminNetworkPolicyPort" },
  V1alpha1AdminNetworkPolicyEgressRule: { name: "", action: "", to: "[]V1alpha1AdminNetworkPolicyEgressPeer", ports: "[]V1alpha1AdminNetworkPolicyPort" },
  V1alpha1AdminNetworkPolicyIngressPeer: { namespaces: SELECTOR, pods: "V1alpha1NamespacedPod" },
  V1alpha1AdminNetworkPolicyEgressPeer: { namespaces: SELECTOR, pods: "V1alpha1NamespacedPod", nodes: SELECTOR, networks: "[]", domainNames: "[]" },
  V1alpha1AdminNetworkPolicyPort: { portNumber: "V1alpha1Port", namedPort: "", portRange: "V1alpha1PortRange" },
  V1alpha1Port: { protocol: "", port: "i" },
  V1alpha1PortRange: { protocol: "", start: "i", end: "i" },

  V1alpha1BaselineAdminNetworkPolicy: { apiVersion: "", kind: "", metadata: "V1ObjectMeta", spec: "V1alpha1BaselineAdminNetworkPolicySpec", status: "V1alpha1BaselineAdminNetworkPolicyStatus" },
  // No priority: there is one BANP, and its rules come after every NetworkPolicy.
  V1alpha1BaselineAdminNetworkPolicySpec: {
    subject: "V1alpha1AdminNetworkPolicySubject",
    ingress: "[]V1alpha1BaselineAdminNetworkPolicyIngressRule",
    egress: "[]V1alpha1BaselineAdminNetworkPolicyEgressRule",
  },
  V1alpha1BaselineAdminNetworkPolicyStatus: { conditions: "[]V1Condition" },
  V1alpha1BaselineAdminNetworkPolicyIngressRule: { name: "", action: "", from: "[]V1alpha1AdminNetworkPolicyIngressPeer", ports: "[]V1alpha1AdminNetworkPolicyPort" },
  V1alpha1BaselineAdminNetworkPolicyEgressRule: { name: "", action: "", to: "[]V1alpha1BaselineAdminNetworkPolicyEgressPeer", ports: "[]V1alpha1AdminNetworkPolicyPort" },
  // No domainNames: the BANP's egress peers never had them.
  V1alpha1BaselineAdminNetworkPolicyEgressPeer: { namespaces: SELECTOR, pods: "V1alpha1NamespacedPod", nodes: SELECTOR, networks: "[]" },
};

/** `apiVersion kind` → the type of such an object, as ROOT_TYPES for built-in kinds. */
export const ADMIN_POLICY_ROOT_TYPES: Readonly<Record<string, string>> = {
  "policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy": "V1alpha1AdminNetworkPolicy",
  "policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy": "V1alpha1BaselineAdminNetworkPolicy",
};
