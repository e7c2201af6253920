import type { PodView } from "../podsecurity/pod.js";
import { apiGroupOf } from "./snapshot.js";
import { isRecord, type FieldPath, type K8sObject } from "./types.js";

/**
 * Where each workload kind keeps its pod template, and which API groups serve it: the
 * kinds PSA itself judges (warn and audit) at the template, and controllers that copy
 * their template into pods as written (Argo Rollouts; OpenKruise's CloneSet and its
 * Advanced StatefulSet and DaemonSet), whose pods PSA judges when they are created. A
 * Rollout that points at a Deployment's template (workloadRef) has none of its own.
 */
const TEMPLATE_PATHS: Readonly<Record<string, { groups: readonly string[]; path: FieldPath }>> = {
  Deployment: { groups: ["apps", "extensions"], path: ["spec", "template"] },
  ReplicaSet: { groups: ["apps", "extensions"], path: ["spec", "template"] },
  StatefulSet: { groups: ["apps"], path: ["spec", "template"] },
  DaemonSet: { groups: ["apps", "extensions"], path: ["spec", "template"] },
  Job: { groups: ["batch"], path: ["spec", "template"] },
  CronJob: { groups: ["batch"], path: ["spec", "jobTemplate", "spec", "template"] },
  ReplicationController: { groups: [""], path: ["spec", "template"] },
  PodTemplate: { groups: [""], path: ["template"] },
  Rollout: { groups: ["argoproj.io"], path: ["spec", "template"] },
  CloneSet: { groups: ["apps.kruise.io"], path: ["spec", "template"] },
};

/** OpenKruise serves its Advanced StatefulSet and DaemonSet under its own group, with the same kind names. */
const KRUISE_KINDS = new Set(["StatefulSet", "DaemonSet"]);

export interface PodTemplate {
  pod: PodView;
  /** Path from the object root to the pod (template): [] for a Pod, ["spec", "template"] for a Deployment. */
  path: FieldPath;
}

/**
 * The pod a workload object runs, with the path of its template, or undefined for
 * objects that run no pods. A Pod's own metadata is its pod metadata; a template's
 * metadata is the template's.
 */
export function podTemplate(object: K8sObject): PodTemplate | undefined {
  const kind = object.kind;
  if (!kind) return undefined;
  const group = apiGroupOf(object.apiVersion);
  if (kind === "Pod") {
    if (group !== "") return undefined;
    return { pod: { metadata: isRecord(object.metadata) ? object.metadata : {}, spec: isRecord(object.spec) ? object.spec : {} }, path: [] };
  }
  const where = templateKind(kind, group);
  if (!where) return undefined;
  let node: unknown = object;
  for (const key of where.path) {
    if (!isRecord(node)) return undefined;
    node = node[key as string];
  }
  if (!isRecord(node)) return undefined;
  return { pod: { metadata: isRecord(node.metadata) ? node.metadata : {}, spec: isRecord(node.spec) ? node.spec : {} }, path: where.path };
}

/**
 * Whether an object is a controller that makes objects from its pod template (a
 * Deployment its ReplicaSets, a ReplicaSet its pods, a CronJob its Jobs): the kinds above,
 * served by their groups, except PodTemplate, which only holds one.
 */
export function makesPodsFromTemplate(object: K8sObject): boolean {
  return object.kind !== undefined && object.kind !== "PodTemplate" && templateKind(object.kind, apiGroupOf(object.apiVersion)) !== undefined;
}

/**
 * Objects a controller in the same input made (a Deployment's ReplicaSets and pods, a
 * CronJob's Jobs and theirs, as `kubectl get deploy,rs,pods -o yaml` exports them): those
 * whose controller owner reference names, by uid, one of these. Only controllers whose pod
 * template is judged count: a static pod's mirror is controlled by its Node, which judges nothing.
 */
export function templateControllerUids(objects: Iterable<K8sObject>): Set<string> {
  const uids = new Set<string>();
  for (const object of objects) {
    const uid = object.metadata?.uid;
    if (typeof uid === "string" && uid !== "" && makesPodsFromTemplate(object)) uids.add(uid);
  }
  return uids;
}

/** Whether the object's controller (its owner reference with controller: true) is one of `controllers`. */
export function isControlledBy(object: K8sObject, controllers: ReadonlySet<string>): boolean {
  const owners = object.metadata?.ownerReferences;
  if (!Array.isArray(owners) || controllers.size === 0) return false;
  return owners.some((o: unknown) => isRecord(o) && o.controller === true && typeof o.uid === "string" && controllers.has(o.uid));
}

/** Where a kind keeps its pod template, when `group` serves it. */
function templateKind(kind: string, group: string): { path: FieldPath } | undefined {
  const where = TEMPLATE_PATHS[kind];
  return where && (where.groups.includes(group) || (group === "apps.kruise.io" && KRUISE_KINDS.has(kind))) ? where : undefined;
}

/**
 * A Pod that ran to completion (phase Succeeded or Failed): its containers are gone and its
 * addresses released (another pod may hold them now), though the object and its
 * status.podIPs stay until it is deleted.
 */
export function isFinishedPod(object: K8sObject): boolean {
  const phase = object.kind === "Pod" && isRecord(object.status) ? object.status.phase : undefined;
  return phase === "Succeeded" || phase === "Failed";
}

/**
 * The object that controls `object` (its controller owner reference, else its first
 * owner): a pod's ReplicaSet, Job or DaemonSet. A static pod's mirror is controlled by its
 * Node, which is no workload: such a pod has none here and stands for itself.
 */
export function controllerOf(object: K8sObject): { kind: string; name: string } | undefined {
  const owners = object.metadata?.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  const owner = owners.find((o: unknown) => isRecord(o) && o.controller === true) ?? owners[0];
  if (!isRecord(owner) || typeof owner.kind !== "string" || typeof owner.name !== "string") return undefined;
  if (owner.kind === "Node" && (owner.apiVersion === "v1" || owner.apiVersion === undefined)) return undefined;
  return { kind: owner.kind, name: owner.name };
}

/** Replicas a workload asks for (1 for a Pod, DaemonSet unknown: 1 per node, counted as 1). */
export function replicasOf(object: K8sObject): number {
  const spec = isRecord(object.spec) ? object.spec : {};
  if (typeof spec.replicas === "number") return spec.replicas;
  if (object.kind === "Job" && typeof spec.parallelism === "number") return spec.parallelism;
  return 1;
}

/** The same as podTemplate, as a list (empty for objects that run no pods). */
export function podTemplates(object: K8sObject): PodTemplate[] {
  const template = podTemplate(object);
  return template ? [template] : [];
}
