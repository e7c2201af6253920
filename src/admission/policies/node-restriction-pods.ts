/**
 * NodeRestriction's rules for pods, as kube-apiserver's plugin applies them to a node
 * identity: a node creates only mirror pods of its own (controlled by its Node, referring to
 * no other API object), deletes and evicts only pods bound to it, updates only their status
 * (not their labels or resource claims), and uses no other pod subresource.
 * Where the plugin reads the existing pod from its informer, the webhook reads the request's
 * oldObject or what it has seen of the cluster; a pod it has never seen gets no verdict
 * (the built-in plugin, which lists every pod, still judges it).
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { visitContainers } from "../../k8s/containers.js";
import type { ClusterView } from "../policy.js";
import type { AdmissionRequest } from "../review.js";

export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** A refusal: the rule id, and the plugin's own error text. */
export interface NodeRefusal {
  rule: string;
  error: string;
}

const refuse = (rule: string, error: string): NodeRefusal => ({ rule, error });

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function nonEmptyName(value: unknown, field = "name"): boolean {
  return isRecord(value) && typeof value[field] === "string" && value[field] !== "";
}

function nodeNameOf(pod: K8sObject | null | undefined): string {
  const name = record(pod?.spec).nodeName;
  return typeof name === "string" ? name : "";
}

/** Secret references as the API server's pod visitor finds them (empty names skipped); a volume has one source. */
function referencesSecrets(spec: Record<string, unknown>): boolean {
  if (list(spec.imagePullSecrets).some((r) => nonEmptyName(r))) return true;
  for (const { container } of visitContainers(spec)) {
    if (list(container.envFrom).some((e) => nonEmptyName(e.secretRef))) return true;
    if (list(container.env).some((e) => nonEmptyName(record(e.valueFrom).secretKeyRef))) return true;
  }
  for (const volume of list(spec.volumes)) {
    if (isRecord(volume.azureFile)) {
      if (nonEmptyName(volume.azureFile, "secretName")) return true;
    } else if (isRecord(volume.projected)) {
      if (list(volume.projected.sources).some((s) => nonEmptyName(s.secret))) return true;
    } else if (isRecord(volume.secret)) {
      if (nonEmptyName(volume.secret, "secretName")) return true;
    } else if (isRecord(volume.csi)) {
      if (nonEmptyName(volume.csi.nodePublishSecretRef)) return true;
    } else {
      for (const source of ["cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos"]) {
        if (isRecord(volume[source]) && nonEmptyName(volume[source].secretRef)) return true;
      }
    }
  }
  return false;
}

function referencesConfigMaps(spec: Record<string, unknown>): boolean {
  for (const { container } of visitContainers(spec)) {
    if (list(container.envFrom).some((e) => nonEmptyName(e.configMapRef))) return true;
    if (list(container.env).some((e) => nonEmptyName(record(e.valueFrom).configMapKeyRef))) return true;
  }
  for (const volume of list(spec.volumes)) {
    if (isRecord(volume.projected)) {
      if (list(volume.projected.sources).some((s) => nonEmptyName(s.configMap))) return true;
    } else if (nonEmptyName(volume.configMap)) return true;
  }
  return false;
}

function admitMirrorPodCreate(node: string, pod: K8sObject | null, cluster: ClusterView): NodeRefusal | undefined {
  const annotations = record(pod?.metadata?.annotations);
  if (!(MIRROR_POD_ANNOTATION in annotations)) {
    return refuse("mirror-pods-only", `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
  }
  if (nodeNameOf(pod) !== node) return refuse("other-pod", `node "${node}" can only create pods with spec.nodeName set to itself`);
  const owners = list(pod?.metadata?.ownerReferences);
  if (owners.length > 1) return refuse("pod-owner", `node "${node}" can only create pods with a single owner reference set to itself`);
  const owner = owners[0];
  if (owner === undefined || owner.apiVersion !== "v1" || owner.kind !== "Node" || owner.name !== node) {
    return refuse("pod-owner", `node "${node}" can only create pods with an owner reference set to itself`);
  }
  if (owner.controller !== true) return refuse("pod-owner", `node "${node}" can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion === true) return refuse("pod-owner", `node "${node}" must not set blockOwnerDeletion on an owner reference`);
  // The plugin compares with the Node's UID; a Node this server has not seen is left to it.
  const uid = cluster.node(node)?.metadata?.uid;
  const ownerUid = typeof owner.uid === "string" ? owner.uid : "";
  if (typeof uid === "string" && ownerUid !== uid) return refuse("pod-owner", `node ${node} UID mismatch: expected ${ownerUid} got ${uid}`);
  const spec = record(pod?.spec);
  if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName !== "") {
    return refuse("pod-references", `node "${node}" can not create pods that reference a service account`);
  }
  if (referencesSecrets(spec)) return refuse("pod-references", `node "${node}" can not create pods that reference secrets`);
  if (referencesConfigMaps(spec)) return refuse("pod-references", `node "${node}" can not create pods that reference configmaps`);
  const volumes = list(spec.volumes);
  if (volumes.some((v) => list(record(v.projected).sources).some((s) => isRecord(s.clusterTrustBundle)))) {
    return refuse("pod-references", `node "${node}" can not create pods that reference clustertrustbundles`);
  }
  if (volumes.some((v) => isRecord(v.persistentVolumeClaim))) return refuse("pod-references", `node "${node}" can not create pods that reference persistentvolumeclaims`);
  return undefined;
}

/** The existing pod: the request's oldObject, else the one this server has seen. */
function existingPod(request: AdmissionRequest, name: string, cluster: ClusterView): K8sObject | undefined {
  if (request.oldObject) return request.oldObject;
  return cluster.podsInNamespace(request.namespace).find((p) => p.metadata?.name === name);
}

function sameLabels(a: unknown, b: unknown): boolean {
  const left = record(a);
  const right = record(b);
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((k) => Object.hasOwn(right, k) && left[k] === right[k]);
}

/** Resource claim statuses by name and claim name, in order (what the plugin compares). */
function claimStatuses(pod: K8sObject | null): string {
  return JSON.stringify(list(record(pod?.status).resourceClaimStatuses).map((s) => [s.name ?? "", typeof s.resourceClaimName === "string" ? s.resourceClaimName : null]));
}

export function admitPodRequest(node: string, request: AdmissionRequest, cluster: ClusterView): NodeRefusal | undefined {
  const op = request.operation;
  switch (request.subResource) {
    case "":
      if (op === "CREATE") return admitMirrorPodCreate(node, request.object, cluster);
      if (op === "DELETE") {
        const pod = existingPod(request, request.name, cluster);
        if (pod !== undefined && nodeNameOf(pod) !== node) return refuse("other-pod", `node "${node}" can only delete pods with spec.nodeName set to itself`);
        return undefined;
      }
      return refuse("pod-operation", `unexpected operation "${op}", node "${node}" can only create and delete mirror pods`);
    case "status":
      if (op !== "UPDATE") return refuse("pod-operation", `unexpected operation "${op}"`);
      if (nodeNameOf(request.oldObject) !== node) return refuse("other-pod", `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
      if (!sameLabels(request.oldObject?.metadata?.labels, request.object?.metadata?.labels)) return refuse("pod-status", `node "${node}" cannot update labels through pod status`);
      if (claimStatuses(request.oldObject) !== claimStatuses(request.object)) return refuse("pod-status", `node "${node}" cannot update resource claim statues`);
      return undefined;
    case "eviction": {
      if (op !== "CREATE") return refuse("pod-operation", `unexpected operation ${op}`);
      const name = request.name || (typeof request.object?.metadata?.name === "string" ? request.object.metadata.name : "");
      if (name === "") return refuse("other-pod", "could not determine pod from request data");
      const pod = cluster.podsInNamespace(request.namespace).find((p) => p.metadata?.name === name);
      if (pod !== undefined && nodeNameOf(pod) !== node) return refuse("other-pod", `node ${node} can only evict pods with spec.nodeName set to itself`);
      return undefined;
    }
    default:
      return refuse("pod-subresource", `unexpected pod subresource "${request.subResource}", only 'status' and 'eviction' are allowed`);
  }
}

/** TokenRequests a node makes must be bound to a pod (by UID) scheduled on that node. */
export function admitTokenRequest(node: string, request: AdmissionRequest, cluster: ClusterView): NodeRefusal | undefined {
  if (request.operation !== "CREATE" || request.subResource !== "token") return undefined;
  const ref = record(record(request.object?.spec).boundObjectRef);
  if (ref.apiVersion !== "v1" || ref.kind !== "Pod" || typeof ref.name !== "string" || ref.name === "") return refuse("token-request", "node requested token not bound to a pod");
  if (typeof ref.uid !== "string" || ref.uid === "") return refuse("token-request", "node requested token with a pod binding without a uid");
  const pod = cluster.podsInNamespace(request.namespace).find((p) => p.metadata?.name === ref.name);
  if (pod === undefined) return undefined;
  if (pod.metadata?.uid !== ref.uid) {
    return refuse("token-request", `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (nodeNameOf(pod) !== node) return refuse("token-request", "node requested token bound to a pod scheduled on a different node");
  return undefined;
}
