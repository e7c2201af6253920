/**
 * Which namespace an object lives in, as kubectl apply would place it: its own, else the
 * -n namespace, else "default"; cluster-scoped kinds and component configuration files
 * live in none.
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import type { K8sObject } from "../../k8s/types.js";

const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "CustomResourceDefinition",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "PodSecurityPolicy",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "GlobalNetworkPolicy",
  "GlobalNetworkSet",
  "HostEndpoint",
  "Tier",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  "ClusterIssuer",
  "VolumeSnapshotClass",
  "List",
]);

/** Namespaces whose workloads are the platform's own; a missing quota there is not reported. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease"]);

export function isNamespaced(object: K8sObject): boolean {
  const kind = object.kind ?? "";
  if (CLUSTER_SCOPED_KINDS.has(kind)) return false;
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
