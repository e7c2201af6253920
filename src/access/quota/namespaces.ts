/**
 * Which namespace an object lives in, as kubectl apply would place it: its own, else the
 * -n namespace, else "default"; cluster-scoped kinds and component configuration files
 * live in none.
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import type { K8sObject } from "../../k8s/types.js";
import { builtInResources, singularOf } from "../rbac/resources.js";

/**
 * Cluster-scoped kinds that are not built in: the network policy API's, Calico's, Gateway
 * API's, cert-manager's and the snapshot controller's, which a cluster's manifests often hold.
 */
const CLUSTER_SCOPED_EXTENSION_KINDS = [
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  "ClusterNetworkPolicy",
  "GlobalNetworkPolicy",
  "StagedGlobalNetworkPolicy",
  "GlobalNetworkSet",
  "HostEndpoint",
  "Tier",
  "BGPConfiguration",
  "BGPPeer",
  "BGPFilter",
  "FelixConfiguration",
  "IPPool",
  "IPReservation",
  "KubeControllersConfiguration",
  "ClusterInformation",
  "CalicoNodeStatus",
  "GatewayClass",
  "ClusterIssuer",
  "VolumeSnapshotClass",
  "VolumeSnapshotContent",
  "PodSecurityPolicy",
  "List",
];

/** By kind, lower-cased as discovery's singular names are: the built-in table rbac resolves names with, plus the extensions above. */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  ...builtInResources()
    .filter((resource) => !resource.namespaced)
    .map((resource) => singularOf(resource.resource)),
  ...CLUSTER_SCOPED_EXTENSION_KINDS.map((kind) => kind.toLowerCase()),
]);

/** Namespaces whose workloads are the platform's own; a missing quota there is not reported. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease"]);

export function isNamespaced(object: K8sObject): boolean {
  const kind = object.kind ?? "";
  if (CLUSTER_SCOPED_KINDS.has(kind.toLowerCase())) return false;
  const group = apiGroupOf(object.apiVersion);
  // Component configuration (apiserver.config.k8s.io, kubelet.config.k8s.io, ...) and kustomize files are not API objects.
  if (group.endsWith("config.k8s.io") || group.startsWith("kustomize.config") || group === "kubeadm.k8s.io") return false;
  // A kubeconfig (v1 Config) is a client's file, not an API object.
  if (kind === "Config" && group === "") return false;
  return true;
}

export function namespaceOf(object: K8sObject, defaultNamespace: string): string | undefined {
  if (!isNamespaced(object)) return undefined;
  const ns = object.metadata?.namespace;
  return typeof ns === "string" && ns !== "" ? ns : defaultNamespace;
}
