/**
 * Objects a controller in the same input made: a Deployment's ReplicaSets and pods, a
 * CronJob's Jobs and theirs, as `kubectl get deploy,rs,pods -o yaml` exports them. Quota
 * counts the controller at its declared replicas, so counting what it made as well would
 * count the same pods two or three times. The live read (`--cluster`) leaves them out for
 * the same reason (withoutControlled in src/adapters/cluster.ts); this is the same test,
 * by the controller owner reference's uid, for objects read from files.
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { makesPodsFromTemplate } from "../../k8s/workloads.js";

/** The uids of the objects that make pods from a template: the controllers whose children are left out. */
export function templateControllerUids(objects: Iterable<K8sObject>): Set<string> {
  const uids = new Set<string>();
  for (const object of objects) {
    const uid = object.metadata?.uid;
    if (typeof uid === "string" && uid !== "" && makesPodsFromTemplate(object)) uids.add(uid);
  }
  return uids;
}

/** Whether the object's controller (owner reference with controller: true) is one of `controllers`. */
export function isControlledBy(object: K8sObject, controllers: ReadonlySet<string>): boolean {
  const owners = object.metadata?.ownerReferences;
  if (!Array.isArray(owners) || controllers.size === 0) return false;
  return owners.some((o: unknown) => isRecord(o) && o.controller === true && typeof o.uid === "string" && controllers.has(o.uid));
}
