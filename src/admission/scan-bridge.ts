/**
 * The webhook's verdict for objects that never went through an API server: `palisade scan`
 * calls `admissionMutations(config)` to apply the configured mutations (tenant placement…)
 * before judging, and `admissionVerdict` gives the exact answer the running webhook would
 * give for a CREATE of the object. Same pipeline, same policies: same verdict everywhere.
 */
import type { JsonPatchOperation } from "../findings/types.js";
import { apiGroupOf } from "../k8s/snapshot.js";
import type { K8sObject } from "../k8s/types.js";
import type { WebhookConfig } from "./config.js";
import { applyPatch, mutateAdmission, validateAdmission, type AdmissionDecision } from "./pipeline.js";
import { EMPTY_CLUSTER, type ClusterView } from "./policy.js";
import type { AdmissionRequest, UserInfo } from "./review.js";

/** The resource name the API server serves a kind under (the kinds admission policies read). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith("s")) return `${lower}es`;
  return `${lower}s`;
}

/** The kube-controller-manager service account that creates objects owned by each workload kind. */
const CONTROLLER_OF_OWNER: Readonly<Record<string, string>> = {
  Deployment: "deployment-controller",
  ReplicaSet: "replicaset-controller",
  StatefulSet: "statefulset-controller",
  DaemonSet: "daemon-set-controller",
  Job: "job-controller",
  CronJob: "cronjob-controller",
  ReplicationController: "replication-controller",
};

/**
 * Who creates the object: the controller its owner reference names (a Pod of a ReplicaSet
 * comes from replicaset-controller, with kubeadm's --use-service-account-credentials), else
 * a user. Exceptions trust a workload named by owner references only from those controllers.
 */
function creatorOf(object: K8sObject): UserInfo {
  const owners = Array.isArray(object.metadata?.ownerReferences) ? (object.metadata.ownerReferences as Array<{ kind?: unknown; controller?: unknown }>) : [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  const controller = typeof owner?.kind === "string" ? CONTROLLER_OF_OWNER[owner.kind] : undefined;
  if (controller === undefined) return { username: "palisade-scan", groups: ["system:authenticated"] };
  return { username: `system:serviceaccount:kube-system:${controller}`, groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"] };
}

/** A CREATE AdmissionRequest for an object, as the API server would build it. */
export function createRequestFor(object: K8sObject, userInfo: UserInfo = creatorOf(object), uid = "palisade-scan"): AdmissionRequest {
  const apiVersion = object.apiVersion ?? "v1";
  const group = apiGroupOf(apiVersion);
  const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
  const kind = object.kind ?? "";
  const clusterScoped = kind === "Namespace" || kind === "Node";
  return {
    uid,
    kind: { group, version, kind },
    resource: { group, version, resource: resourceOf(kind) },
    subResource: "",
    name: object.metadata?.name ?? "",
    namespace: clusterScoped ? "" : (object.metadata?.namespace ?? "default"),
    operation: "CREATE",
    userInfo,
    object,
    oldObject: null,
    dryRun: false,
  };
}

type Config = Pick<WebhookConfig, "policies" | "exceptions">;

/** Apply every enforcing mutation the webhook would apply to a CREATE of `object`. */
export function admissionMutations(config: Config): (object: K8sObject, cluster?: ClusterView, now?: Date) => { object: K8sObject; patch: JsonPatchOperation[] } {
  return (object, cluster = EMPTY_CLUSTER, now = new Date(0)) => {
    const decision = mutateAdmission(createRequestFor(object), { policies: config.policies, exceptions: config.exceptions, cluster, now });
    const patch = decision.response.patch ? (JSON.parse(Buffer.from(decision.response.patch, "base64").toString("utf8")) as JsonPatchOperation[]) : [];
    return { object: patch.length > 0 ? applyPatch(object, patch) : object, patch };
  };
}

/** What /mutate then /validate answer for a CREATE of `object`. */
export function admissionVerdict(config: Config, object: K8sObject, cluster: ClusterView, now: Date, userInfo?: UserInfo): { mutation: AdmissionDecision; validation: AdmissionDecision; mutated: K8sObject } {
  const mutation = mutateAdmission(createRequestFor(object, userInfo), { policies: config.policies, exceptions: config.exceptions, cluster, now });
  const patch = mutation.response.patch ? (JSON.parse(Buffer.from(mutation.response.patch, "base64").toString("utf8")) as JsonPatchOperation[]) : [];
  const mutated = patch.length > 0 ? applyPatch(object, patch) : object;
  const validation = validateAdmission(createRequestFor(mutated, userInfo), { policies: config.policies, exceptions: config.exceptions, cluster, now });
  return { mutation, validation, mutated };
}
