import { apiGroupOf } from "../k8s/snapshot.js";
import { isRecord, type K8sObject } from "../k8s/types.js";

/**
 * Who sends the request that creates a workload's pods. PodSecurityPolicy admission lets a
 * pod use a policy that the requesting user or the pod's service account may `use`
 * (plugin/pkg/admission/security/podsecuritypolicy/admission.go, isAuthorizedForPolicy).
 * A bare Pod is created by whoever applies it; a template's pods are created by a
 * controller, so the person who applied the Deployment is not the requester and their
 * permission does not count ("Authorizing Policies" in the PodSecurityPolicy docs).
 *
 * The built-in controllers run in kube-controller-manager, each under its own service
 * account in kube-system when it runs with --use-service-account-credentials (kubeadm's
 * default; the names are those cmd/kube-controller-manager gives ClientOrDie). A Deployment's
 * and an Argo Rollout's pods are created by the ReplicaSet controller through their
 * ReplicaSets, a CronJob's by the Job controller through its Jobs. Other controllers
 * (OpenKruise's, whatever uses a PodTemplate) are not modelled: only the pod's service
 * account counts for their pods.
 */
export type PodRequester =
  | { by: "user" }
  | {
      by: "controller";
      /** "the ReplicaSet controller", for the note that says why the user does not count. */
      controller: string;
      /** The controller's service account as a user name, when it is modelled. */
      serviceAccount?: string;
    };

interface Controller {
  name: string;
  /** Its service account in kube-system, when it is modelled. */
  account?: string;
}

const REPLICASET: Controller = { name: "the ReplicaSet controller", account: "replicaset-controller" };
const JOB: Controller = { name: "the Job controller", account: "job-controller" };

/** The built-in controller that creates the pods of each kind, by its group and kind. */
const CONTROLLERS: ReadonlyMap<string, Controller> = new Map([
  ["apps/Deployment", REPLICASET],
  ["extensions/Deployment", REPLICASET],
  ["apps/ReplicaSet", REPLICASET],
  ["extensions/ReplicaSet", REPLICASET],
  ["apps/StatefulSet", { name: "the StatefulSet controller", account: "statefulset-controller" }],
  ["apps/DaemonSet", { name: "the DaemonSet controller", account: "daemon-set-controller" }],
  ["extensions/DaemonSet", { name: "the DaemonSet controller", account: "daemon-set-controller" }],
  ["batch/Job", JOB],
  ["batch/CronJob", JOB],
  ["/ReplicationController", { name: "the ReplicationController controller", account: "replication-controller" }],
  ["argoproj.io/Rollout", REPLICASET],
  ["/PodTemplate", { name: "whatever creates pods from the template" }],
  // A mirror pod (a live static pod) is created by its node's kubelet.
  ["/Node", { name: "the kubelet" }],
]);

function requesterOf(group: string, kind: string): PodRequester {
  const controller = CONTROLLERS.get(`${group}/${kind}`) ?? { name: `the ${kind} controller` };
  if (controller.account === undefined) return { by: "controller", controller: controller.name };
  return { by: "controller", controller: controller.name, serviceAccount: `system:serviceaccount:kube-system:${controller.account}` };
}

/** The controlling owner of a Pod (a live object's ownerReferences), as group and kind. */
function controllingOwner(object: K8sObject): { group: string; kind: string } | undefined {
  const owners = object.metadata?.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  const owner: unknown = owners.find((o: unknown) => isRecord(o) && o.controller === true);
  if (!isRecord(owner) || typeof owner.kind !== "string") return undefined;
  return { group: apiGroupOf(typeof owner.apiVersion === "string" ? owner.apiVersion : undefined), kind: owner.kind };
}

/** Who creates the pods of `object`, a Pod or a workload with a pod template. */
export function podRequester(object: K8sObject): PodRequester {
  const group = apiGroupOf(object.apiVersion);
  if (object.kind === "Pod" && group === "") {
    const owner = controllingOwner(object);
    return owner === undefined ? { by: "user" } : requesterOf(owner.group, owner.kind);
  }
  return requesterOf(group, object.kind ?? "");
}

/** Why `user`'s permission was left out for pods a controller creates, and whose counted instead. */
export function withoutUserNote(requester: Extract<PodRequester, { by: "controller" }>, user: string, podServiceAccount: string | undefined): string {
  const counted = [podServiceAccount && `the pod's service account ${podServiceAccount}`, requester.serviceAccount && `the controller's ${requester.serviceAccount}`].filter(Boolean);
  return ` (judged without --user ${user}'s permissions: ${requester.controller} creates these pods, so only ${counted.length > 0 ? counted.join(" and ") : "the pod's service account"} count)`;
}
