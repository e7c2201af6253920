/**
 * The fields of ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) as its CRD declares
 * them: kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, the
 * experimental channel (config/crd/experimental/..._clusternetworkpolicies.yaml), which is
 * the standard one plus `nodes` and `domainNames` egress peers and `destinationNamedPort`.
 * A cluster with the standard CRD prunes those three too.
 *
 * The API server prunes every field its structural schema does not declare, so these are
 * also the fields of the stored object (prune.ts). The shape is a small tree rather than
 * the encoded types of manifest/api-schema.ts, which does not know this kind.
 */

export const CNP_GROUP = "policy.networking.k8s.io";
export const CNP_VERSION = "v1alpha2";
export const CNP_KIND = "ClusterNetworkPolicy";
/** The release of the network-policy-api whose CRD this is, for messages. */
export const CNP_FIELDS_RELEASE = "network-policy-api v0.2.0";

export type Shape = "value" | { fields: Readonly<Record<string, Shape>> } | { list: Shape } | { map: Shape };

const VALUE = "value" as const;
const SELECTOR: Shape = {
  fields: {
    matchLabels: { map: VALUE },
    matchExpressions: { list: { fields: { key: VALUE, operator: VALUE, values: { list: VALUE } } } },
  },
};
const NAMESPACED_POD: Shape = { fields: { namespaceSelector: SELECTOR, podSelector: SELECTOR } };
const PORT: Shape = { fields: { number: VALUE, range: { fields: { start: VALUE, end: VALUE } } } };
const PROTOCOL_MATCH: Shape = { fields: { destinationPort: PORT } };
const PROTOCOL: Shape = { fields: { tcp: PROTOCOL_MATCH, udp: PROTOCOL_MATCH, sctp: PROTOCOL_MATCH, destinationNamedPort: VALUE } };
const INGRESS_PEER: Shape = { fields: { namespaces: SELECTOR, pods: NAMESPACED_POD } };
const EGRESS_PEER: Shape = {
  fields: { namespaces: SELECTOR, pods: NAMESPACED_POD, nodes: SELECTOR, networks: { list: VALUE }, domainNames: { list: VALUE } },
};

/** The spec; metadata is ObjectMeta, which the API server keeps as the built-in type. */
export const CNP_SPEC: Shape = {
  fields: {
    tier: VALUE,
    priority: VALUE,
    subject: { fields: { namespaces: SELECTOR, pods: NAMESPACED_POD } },
    ingress: { list: { fields: { name: VALUE, action: VALUE, from: { list: INGRESS_PEER }, protocols: { list: PROTOCOL } } } },
    egress: { list: { fields: { name: VALUE, action: VALUE, to: { list: EGRESS_PEER }, protocols: { list: PROTOCOL } } } },
  },
};
