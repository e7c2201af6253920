/** NodeRestriction, request by request, against kube-apiserver's plugin (plugin/pkg/admission/noderestriction). */
import { describe, expect, it } from "vitest";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { nodeRestrictionPolicy } from "../../src/admission/policies/node-restriction.js";
import { ClusterState } from "../../src/admission/cluster-state.js";
import type { AdmissionRequest } from "../../src/admission/review.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { pod, review } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const asNode = { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
const node = (name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): K8sObject => ({ apiVersion: "v1", kind: "Node", metadata: { name, uid: `uid-${name}`, labels }, spec });

function run(request: AdmissionRequest, seed: K8sObject[] = []) {
  const cluster = new ClusterState();
  cluster.seed(seed);
  return validateAdmission(request, { policies: [nodeRestrictionPolicy("enforce")], cluster, now: NOW }).response;
}

function refusal(request: AdmissionRequest, seed: K8sObject[] = []): string | undefined {
  const response = run(request, seed);
  return response.allowed ? undefined : response.status?.message;
}

const mirror = (spec: Record<string, unknown> = {}, owner: Record<string, unknown> = {}) =>
  pod("etcd-n1", "default", { nodeName: "n1", ...spec }, {
    annotations: { "kubernetes.io/config.mirror": "abc" },
    ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-n1", controller: true, ...owner }],
  });

describe("who NodeRestriction applies to", () => {
  it("needs both the system:node: name and the system:nodes group", () => {
    const foreign = pod("p", "default", { nodeName: "n2" });
    expect(run(review(foreign, { username: "system:node:n1", groups: ["devs"] })).allowed).toBe(true);
    expect(run(review(foreign, { username: "n1", groups: ["system:nodes"] })).allowed).toBe(true);
    expect(run(review(foreign, asNode)).allowed).toBe(false);
  });

  it("refuses a node identity with no node name, whatever it asks", () => {
    expect(refusal(review(node(""), { username: "system:node:", groups: ["system:nodes"], kind: "Node", name: "x" }))).toBe('nodes "x" is forbidden: could not determine node from user "system:node:"');
  });
});

describe("nodes", () => {
  it("lets a node change and delete only its own Node", () => {
    expect(run(review(node("n1", { a: "b" }), { operation: "UPDATE", oldObject: node("n1"), ...asNode })).allowed).toBe(true);
    expect(run(review(null, { operation: "DELETE", oldObject: node("n1"), kind: "Node", ...asNode })).allowed).toBe(true);
    expect(refusal(review(node("n2"), { operation: "UPDATE", oldObject: node("n2"), ...asNode }))).toBe('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(refusal(review(null, { operation: "DELETE", oldObject: node("n2"), kind: "Node", ...asNode }))).toBe('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(refusal(review(node("n2"), asNode))).toContain('is not allowed to modify node "n2"');
  });

  it("lets a node register only with labels kubelets may set", () => {
    const allowed = { "kubernetes.io/hostname": "n1", "node.kubernetes.io/instance-type": "m5", "x.kubelet.kubernetes.io/a": "1", "topology.kubernetes.io/zone": "z", "example.com/team": "a" };
    expect(run(review(node("n1", allowed), asNode)).allowed).toBe(true);
    const bad = { "node-restriction.kubernetes.io/tenant": "x", "node-role.kubernetes.io/control-plane": "", "foo.k8s.io/bar": "1" };
    expect(refusal(review(node("n1", bad), asNode))).toBe('nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: foo.k8s.io/bar, node-restriction.kubernetes.io/tenant, node-role.kubernetes.io/control-plane');
  });

  it("forbids changing restricted labels, taints or configSource on update", () => {
    const tenant = { "node-restriction.kubernetes.io/tenant": "x" };
    expect(refusal(review(node("n1"), { operation: "UPDATE", oldObject: node("n1", tenant), ...asNode }))).toBe('nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/tenant');
    expect(run(review(node("n1", tenant), { operation: "UPDATE", oldObject: node("n1", tenant), ...asNode })).allowed).toBe(true);
    expect(refusal(review(node("n1", { "node-role.kubernetes.io/worker": "" }), { operation: "UPDATE", oldObject: node("n1"), ...asNode }))).toContain("is not allowed to modify labels: node-role.kubernetes.io/worker");
    const taint = { taints: [{ key: "palisade.dev/tenant", value: "x", effect: "NoSchedule" }] };
    expect(refusal(review(node("n1", {}, {}), { operation: "UPDATE", oldObject: node("n1", {}, taint), ...asNode }))).toBe('nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    expect(run(review(node("n1", {}, { taints: [] }), { operation: "UPDATE", oldObject: node("n1"), ...asNode })).allowed).toBe(true);
    const source = { configSource: { configMap: { name: "c", namespace: "kube-system", kubeletConfigKey: "k" } } };
    expect(refusal(review(node("n1", {}, source), asNode))).toContain('node "n1" is not allowed to create pods with a non-nil configSource');
    expect(refusal(review(node("n1", {}, source), { operation: "UPDATE", oldObject: node("n1"), ...asNode }))).toContain("is not allowed to update configSource to a new non-nil configSource");
    // An old kubelet drops the field on a status update: removing it is allowed.
    expect(run(review(node("n1"), { operation: "UPDATE", oldObject: node("n1", {}, source), ...asNode })).allowed).toBe(true);
  });
});

describe("pods", () => {
  it("creates only mirror pods bound to itself and controlled by its Node", () => {
    const seed = [node("n1")];
    expect(run(review(mirror(), asNode), seed).allowed).toBe(true);
    expect(refusal(review(pod("p", "default", { nodeName: "n1" }), asNode), seed)).toBe('pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
    expect(refusal(review(mirror({ nodeName: "n2" }), asNode), seed)).toContain('node "n1" can only create pods with spec.nodeName set to itself');
    expect(refusal(review(mirror({}, { name: "n2" }), asNode), seed)).toContain('node "n1" can only create pods with an owner reference set to itself');
    expect(refusal(review(mirror({}, { controller: false }), asNode), seed)).toContain("can only create pods with a controller owner reference set to itself");
    expect(refusal(review(mirror({}, { blockOwnerDeletion: true }), asNode), seed)).toContain('node "n1" must not set blockOwnerDeletion on an owner reference');
    expect(refusal(review(mirror({}, { uid: "other" }), asNode), seed)).toContain("node n1 UID mismatch: expected other got uid-n1");
  });

  it.each([
    ["a service account", { serviceAccountName: "default" }],
    ["secrets", { imagePullSecrets: [{ name: "pull" }] }],
    ["secrets", { ephemeralContainers: [{ name: "d", image: "busybox", env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }] }],
    ["secrets", { volumes: [{ name: "v", csi: { driver: "d", nodePublishSecretRef: { name: "s" } } }] }],
    ["secrets", { volumes: [{ name: "v", projected: { sources: [{ secret: { name: "s" } }] } }] }],
    ["configmaps", { initContainers: [{ name: "i", image: "busybox", envFrom: [{ configMapRef: { name: "c" } }] }] }],
    ["configmaps", { volumes: [{ name: "v", configMap: { name: "c" } }] }],
    ["clustertrustbundles", { volumes: [{ name: "v", projected: { sources: [{ clusterTrustBundle: { name: "b", path: "b.pem" } }] } }] }],
    ["persistentvolumeclaims", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "c" } }] }],
  ])("a mirror pod may not reference %s", (what, spec) => {
    expect(refusal(review(mirror(spec), asNode), [node("n1")])).toBe(`pods "etcd-n1" is forbidden: node "n1" can not create pods that reference ${what}`);
  });

  it("allows a mirror pod with token-free volumes and empty reference names", () => {
    const spec = { volumes: [{ name: "h", hostPath: { path: "/etc" } }, { name: "s", secret: {} }], imagePullSecrets: [{ name: "" }] };
    expect(run(review(mirror(spec), asNode), [node("n1")]).allowed).toBe(true);
  });

  it("never updates pods, nor uses subresources other than status and eviction", () => {
    const own = pod("p", "default", { nodeName: "n1" });
    expect(refusal(review(own, { operation: "UPDATE", oldObject: own, ...asNode }))).toBe('pods "p" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods');
    const debug = pod("p", "default", { nodeName: "n1", ephemeralContainers: [{ name: "d", image: "busybox" }] });
    expect(refusal(review(debug, { operation: "UPDATE", oldObject: own, subResource: "ephemeralcontainers", ...asNode }))).toBe(`pods "p" is forbidden: unexpected pod subresource "ephemeralcontainers", only 'status' and 'eviction' are allowed`);
  });

  it("deletes only pods bound to itself", () => {
    expect(run(review(null, { operation: "DELETE", oldObject: pod("p", "default", { nodeName: "n1" }), ...asNode })).allowed).toBe(true);
    expect(refusal(review(null, { operation: "DELETE", oldObject: pod("p", "default", { nodeName: "n2" }), ...asNode }))).toBe('pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
  });

  it("updates the status of its own pods only, never their labels or resource claims", () => {
    const own = pod("p", "default", { nodeName: "n1" }, { labels: { a: "1" } });
    const status = { operation: "UPDATE" as const, subResource: "status", ...asNode };
    expect(run(review({ ...own, status: { phase: "Running" } }, { ...status, oldObject: own })).allowed).toBe(true);
    expect(refusal(review(own, { ...status, oldObject: pod("p", "default", { nodeName: "n2" }) }))).toContain('node "n1" can only update pod status for pods with spec.nodeName set to itself');
    expect(refusal(review({ ...own, metadata: { ...own.metadata, labels: { a: "2" } } }, { ...status, oldObject: own }))).toContain('node "n1" cannot update labels through pod status');
    const claimed = { ...own, status: { resourceClaimStatuses: [{ name: "gpu", resourceClaimName: "other" }] } };
    expect(refusal(review(claimed, { ...status, oldObject: own }))).toContain('node "n1" cannot update resource claim statues');
  });

  it("evicts only pods bound to itself", () => {
    const eviction = (name: string): K8sObject => ({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" } });
    const seed = [pod("mine", "default", { nodeName: "n1" }), pod("theirs", "default", { nodeName: "n2" })];
    const evict = { subResource: "eviction", kind: "Pod", ...asNode };
    expect(run(review(eviction("mine"), { ...evict, name: "mine" }), seed).allowed).toBe(true);
    expect(refusal(review(eviction("theirs"), { ...evict, name: "theirs" }), seed)).toBe('pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself');
  });
});

describe("other resources a node writes", () => {
  const object = (kind: string, name: string, namespace?: string, spec: Record<string, unknown> = {}): K8sObject => ({ apiVersion: "v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
  const as = (request: AdmissionRequest, group: string, resource: string, subResource = ""): AdmissionRequest => ({ ...request, resource: { group, version: "v1", resource }, subResource });

  it("leases: its own, in kube-node-lease", () => {
    expect(run(as(review(object("Lease", "n1", "kube-node-lease"), asNode), "coordination.k8s.io", "leases")).allowed).toBe(true);
    expect(refusal(as(review(object("Lease", "n1", "default"), asNode), "coordination.k8s.io", "leases"))).toBe('leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace');
    expect(refusal(as(review(object("Lease", "n2", "kube-node-lease"), { operation: "UPDATE", oldObject: object("Lease", "n2", "kube-node-lease"), ...asNode }), "coordination.k8s.io", "leases"))).toContain("can only access node lease with the same name as the requesting node");
  });

  it("CSINodes: its own", () => {
    expect(run(as(review(object("CSINode", "n1"), asNode), "storage.k8s.io", "csinodes")).allowed).toBe(true);
    expect(refusal(as(review(object("CSINode", "n2"), asNode), "storage.k8s.io", "csinodes"))).toBe('csinodes.storage.k8s.io "n2" is forbidden: can only access CSINode with the same name as the requesting node');
  });

  it("ResourceSlices: created and deleted for itself", () => {
    const slice = (nodeName: string) => object("ResourceSlice", "s", undefined, { nodeName, driver: "d" });
    expect(run(as(review(slice("n1"), asNode), "resource.k8s.io", "resourceslices")).allowed).toBe(true);
    expect(refusal(as(review(slice("n2"), asNode), "resource.k8s.io", "resourceslices"))).toContain("can only create ResourceSlice with the same NodeName as the requesting node");
    expect(refusal(as(review(null, { operation: "DELETE", oldObject: slice("n2"), kind: "ResourceSlice", ...asNode }), "resource.k8s.io", "resourceslices"))).toContain("can only delete ResourceSlice with the same NodeName as the requesting node");
  });

  it("PVCs: status only, and in status only capacity, conditions and allocation", () => {
    const pvc = (status: Record<string, unknown>, labels: Record<string, string> = {}): K8sObject => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "default", labels, resourceVersion: "1" }, spec: { volumeName: "pv" }, status });
    const update = (after: K8sObject, before: K8sObject, sub: string) => as(review(after, { operation: "UPDATE", oldObject: before, ...asNode }), "", "persistentvolumeclaims", sub);
    expect(run(update(pvc({ phase: "Bound", capacity: { storage: "2Gi" } }), pvc({ phase: "Bound", capacity: { storage: "1Gi" } }), "status")).allowed).toBe(true);
    expect(refusal(update(pvc({ phase: "Lost" }), pvc({ phase: "Bound" }), "status"))).toContain('node "n1" is not allowed to update fields other than status.quantity and status.conditions');
    expect(refusal(update(pvc({}, { a: "1" }), pvc({}), "status"))).toContain("is not allowed to update fields other than");
    expect(refusal(update(pvc({}), pvc({}), ""))).toBe('persistentvolumeclaims "c" is forbidden: may only update PVC status');
  });

  it("TokenRequests: bound by UID to a pod scheduled on itself", () => {
    const token = (boundObjectRef?: Record<string, unknown>): K8sObject => ({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", metadata: { name: "default", namespace: "default" }, spec: { audiences: ["api"], ...(boundObjectRef ? { boundObjectRef } : {}) } });
    const request = (t: K8sObject) => as(review(t, { ...asNode, kind: "TokenRequest", name: "default" }), "", "serviceaccounts", "token");
    const seed = [pod("mine", "default", { nodeName: "n1" }, { uid: "u1" }), pod("theirs", "default", { nodeName: "n2" }, { uid: "u2" })];
    expect(run(request(token({ apiVersion: "v1", kind: "Pod", name: "mine", uid: "u1" })), seed).allowed).toBe(true);
    expect(refusal(request(token()), seed)).toBe('serviceaccounts "default" is forbidden: node requested token not bound to a pod');
    expect(refusal(request(token({ apiVersion: "v1", kind: "Pod", name: "mine" })), seed)).toContain("node requested token with a pod binding without a uid");
    expect(refusal(request(token({ apiVersion: "v1", kind: "Pod", name: "mine", uid: "old" })), seed)).toContain("the UID in the bound object reference (old) does not match the UID in record");
    expect(refusal(request(token({ apiVersion: "v1", kind: "Pod", name: "theirs", uid: "u2" })), seed)).toContain("node requested token bound to a pod scheduled on a different node");
  });
});
