/**
 * NodeRestriction as kube-apiserver's plugin applies it to node identities (a user
 * `system:node:<name>` in group `system:nodes`): a node changes only its own Node (no taints,
 * no configSource, only the labels kubelets may set: never node-restriction.kubernetes.io/,
 * which is what keeps tenant node labels trustworthy), its own mirror pods and pods bound to
 * it (node-restriction-pods.ts), its own Lease, CSINode and ResourceSlices, PVC status only,
 * tokens bound to its pods, and certificate requests in its own name only
 * (node-restriction-csr.ts). Messages are the plugin's, in its Forbidden status format.
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict } from "../policy.js";
import type { AdmissionRequest } from "../review.js";
import { admitPodRequest, admitTokenRequest, type NodeRefusal } from "./node-restriction-pods.js";
import { admitCsrRequest, CSR_GROUP, CSR_RESOURCE } from "./node-restriction-csr.js";
import { preloadCsrReader } from "../../hardening/csr/request.js";
import { isNodeRestrictedLabel } from "../../tenancy/tenants.js";

export const NODE_RESTRICTION_POLICY = "node-restriction";

const NODE_USER_PREFIX = "system:node:";
const NODE_LEASE_NAMESPACE = "kube-node-lease";

/**
 * The node name of a node identity ("" for `system:node:` alone, which the plugin refuses
 * outright), or undefined for any other user.
 */
export function nodeIdentity(request: AdmissionRequest): string | undefined {
  const { username, groups } = request.userInfo;
  if (!username.startsWith(NODE_USER_PREFIX) || !groups.includes("system:nodes")) return undefined;
  return username.slice(NODE_USER_PREFIX.length);
}

/** The label keys kubelets may set on their own Node (k8s.io/kubelet's well-known list). */
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

function labelNamespace(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

const inDomain = (namespace: string, domain: string) => namespace === domain || namespace.endsWith(`.${domain}`);

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const namespace = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inDomain(namespace, allowed));
}

/**
 * Labels a node may not add, remove or change: node-restriction.kubernetes.io/ ones, and any
 * other kubernetes.io or k8s.io label outside the kubelet's list.
 */
function forbiddenLabels(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed = [...keys].filter((k) => !Object.hasOwn(before, k) || !Object.hasOwn(after, k) || before[k] !== after[k]);
  return changed
    .filter((k) => {
      const namespace = labelNamespace(k);
      if (isNodeRestrictedLabel(k)) return true;
      return (inDomain(namespace, "kubernetes.io") || inDomain(namespace, "k8s.io")) && !isKubeletLabel(k);
    })
    .sort();
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/**
 * Values compared as the API server's semantic equality does: a field left out, null, and
 * an empty list or map are the same.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(canonical);
  if (!isRecord(value)) return value === null ? undefined : value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = canonical(value[key]);
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

const semanticallyEqual = (a: unknown, b: unknown) => JSON.stringify(canonical(a) ?? null) === JSON.stringify(canonical(b) ?? null);

const refuse = (rule: string, error: string): NodeRefusal => ({ rule, error });

function objectName(request: AdmissionRequest): string {
  const name = request.object?.metadata?.name;
  return request.name || (typeof name === "string" ? name : "");
}

function admitNode(node: string, request: AdmissionRequest): NodeRefusal | undefined {
  const requested = objectName(request);
  if (requested !== node) return refuse("other-node", `node "${node}" is not allowed to modify node "${requested}"`);
  const spec = record(request.object?.spec);
  if (request.operation === "CREATE") {
    if (spec.configSource != null) return refuse("config-source", `node "${node}" is not allowed to create pods with a non-nil configSource`);
    const forbidden = forbiddenLabels({}, record(request.object?.metadata?.labels));
    if (forbidden.length > 0) return refuse("restricted-labels", `node "${node}" is not allowed to set the following labels: ${forbidden.join(", ")}`);
  } else if (request.operation === "UPDATE") {
    const oldSpec = record(request.oldObject?.spec);
    if (spec.configSource != null && !semanticallyEqual(spec.configSource, oldSpec.configSource)) {
      return refuse("config-source", `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
    }
    if (!semanticallyEqual(spec.taints, oldSpec.taints)) return refuse("taints", `node "${node}" is not allowed to modify taints`);
    const forbidden = forbiddenLabels(record(request.oldObject?.metadata?.labels), record(request.object?.metadata?.labels));
    if (forbidden.length > 0) return refuse("restricted-labels", `is not allowed to modify labels: ${forbidden.join(", ")}`);
  }
  return undefined;
}

/** A PVC with what a node may change (capacity, conditions, allocation) and its bookkeeping left out. */
function pvcWithoutNodeFields(pvc: K8sObject | null): unknown {
  const metadata = { ...record(pvc?.metadata) };
  delete metadata.resourceVersion;
  delete metadata.managedFields;
  const status = { ...record(pvc?.status) };
  for (const field of ["capacity", "conditions", "allocatedResourceStatuses", "allocatedResources"]) delete status[field];
  return { ...pvc, metadata, status };
}

function admitPvc(node: string, request: AdmissionRequest): NodeRefusal | undefined {
  if (request.subResource !== "status") return refuse("pvc-status", "may only update PVC status");
  if (request.operation !== "UPDATE") return refuse("pvc-status", `unexpected operation "${request.operation}"`);
  if (!semanticallyEqual(pvcWithoutNodeFields(request.oldObject), pvcWithoutNodeFields(request.object))) {
    return refuse("pvc-status", `node "${node}" is not allowed to update fields other than status.quantity and status.conditions`);
  }
  return undefined;
}

function admitNamedAfterNode(node: string, request: AdmissionRequest, rule: string, error: string): NodeRefusal | undefined {
  return objectName(request) === node ? undefined : refuse(rule, error);
}

function admitResourceSlice(node: string, request: AdmissionRequest): NodeRefusal | undefined {
  const sliceNode = (object: K8sObject | null) => {
    const name = record(object?.spec).nodeName;
    return typeof name === "string" ? name : "";
  };
  if (request.operation === "CREATE" && sliceNode(request.object) !== node) return refuse("resource-slice", "can only create ResourceSlice with the same NodeName as the requesting node");
  if (request.operation === "DELETE" && sliceNode(request.oldObject) !== node) return refuse("resource-slice", "can only delete ResourceSlice with the same NodeName as the requesting node");
  return undefined;
}

function judge(node: string, request: AdmissionRequest, cluster: Parameters<AdmissionPolicy["validate"]>[0]["cluster"]): NodeRefusal | undefined {
  if (node === "") return refuse("unknown-node", `could not determine node from user "${request.userInfo.username}"`);
  const { group, resource } = request.resource;
  if (group === "") {
    if (resource === "pods") return admitPodRequest(node, request, cluster);
    if (resource === "nodes") return admitNode(node, request);
    if (resource === "persistentvolumeclaims") return admitPvc(node, request);
    if (resource === "serviceaccounts") return admitTokenRequest(node, request, cluster);
  } else if (group === "coordination.k8s.io" && resource === "leases") {
    if (request.namespace !== NODE_LEASE_NAMESPACE) return refuse("lease", `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    return admitNamedAfterNode(node, request, "lease", "can only access node lease with the same name as the requesting node");
  } else if (group === "storage.k8s.io" && resource === "csinodes") {
    return admitNamedAfterNode(node, request, "csinode", "can only access CSINode with the same name as the requesting node");
  } else if (group === "resource.k8s.io" && resource === "resourceslices") {
    return admitResourceSlice(node, request);
  } else if (group === CSR_GROUP && resource === CSR_RESOURCE) {
    return admitCsrRequest(node, request);
  }
  return undefined;
}

/**
 * The name admission.NewForbidden puts in its message (apiserver's extractResourceName): the
 * request's, else the object's name, else its generateName (kubelets create their CSRs with
 * generateName "csr-"), else "Unknown".
 */
function forbiddenName(request: AdmissionRequest): string {
  if (request.name) return request.name;
  const metadata = request.object?.metadata;
  if (!metadata) return "Unknown";
  for (const name of [metadata.name, metadata.generateName]) if (typeof name === "string" && name !== "") return name;
  return "Unknown";
}

/** metav1's Forbidden message: `<resource>[.<group>] "<name>" is forbidden: <error>`. */
export function forbiddenMessage(request: AdmissionRequest, error: string): string {
  const { group, resource } = request.resource;
  const qualified = group === "" ? resource : `${resource}.${group}`;
  return `${qualified} ${JSON.stringify(forbiddenName(request))} is forbidden: ${error}`;
}

export function nodeRestrictionPolicy(mode: PolicyMode): AdmissionPolicy {
  return {
    name: NODE_RESTRICTION_POLICY,
    mode,
    // Only node identities are restricted, and the plugin sees no CONNECT: every other request skips the policy.
    appliesTo: (request) => request.operation !== "CONNECT" && nodeIdentity(request) !== undefined,
    // Kubelets' CSRs are parsed: the parser loads with the server, not on a rotation's time.
    warmUp: preloadCsrReader,
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      const { request } = context;
      const node = nodeIdentity(request);
      if (node === undefined || request.operation === "CONNECT") return verdict;
      const refusal = judge(node, request, context.cluster);
      if (refusal) verdict.deny.push({ policy: NODE_RESTRICTION_POLICY, rule: refusal.rule, message: forbiddenMessage(request, refusal.error) });
      return verdict;
    },
  };
}
